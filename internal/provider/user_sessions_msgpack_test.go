package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

// TestSessionsMsgPackMatchesSchema: the attributes the msgpack path writes are the schema's.
func TestSessionsMsgPackMatchesSchema(t *testing.T) {
	p := newProtocolServer(t, "http://127.0.0.1:1", emulator.DefaultToken)
	typ := p.schema.DataSourceSchemas[userSessionsTypeName].ValueType().(tftypes.Object)
	if top := slices.Sorted(maps.Keys(typ.AttributeTypes)); !slices.Equal(top, stateAttributeNames) {
		t.Errorf("schema attributes %v, msgpack path %v", top, stateAttributeNames)
	}
	element := typ.AttributeTypes["sessions"].(tftypes.List).ElementType.(tftypes.Object)
	if names := slices.Sorted(maps.Keys(element.AttributeTypes)); !slices.Equal(names, sessionAttributeNames) {
		t.Errorf("schema attributes %v, msgpack path %v", names, sessionAttributeNames)
	}
}

// TestMsgPackStateEqualsFrameworkState: for the same answer, the state the protocol server
// encodes itself equals, decoded as values, the state the framework path builds: every field,
// nulls and order included, with and without user_id, for empty and large lists, and for
// strings that need escapes or long headers.
func TestMsgPackStateEqualsFrameworkState(t *testing.T) {
	sessions := emulator.SeedSessions(3000)
	odd := "j\u00e4ne \"quoted\" " + string(make([]byte, 300))
	sessions = append(sessions, emulator.UserSession{UserID: odd, NodeID: -70000, SessionID: "s", CreationTime: -1, TenantUUID: "t", LoginType: "NEW_TYPE"})
	for _, tc := range []struct {
		name  string
		body  []byte
		attrs map[string]tftypes.Value
	}{
		{"every session", mustJSON(t, sessions), nil},
		{"one user", mustJSON(t, sessions), map[string]tftypes.Value{"user_id": tftypes.NewValue(tftypes.String, "jane.doe")}},
		{"none", []byte(`[]`), map[string]tftypes.Value{"user_id": tftypes.NewValue(tftypes.String, "nobody")}},
		{"every filter", mustJSON(t, sessions), map[string]tftypes.Value{
			"login_type": tftypes.NewValue(tftypes.String, "LDAP"), "node_id": tftypes.NewValue(tftypes.Number, 2),
			"tenant_uuid": tftypes.NewValue(tftypes.String, emulator.ClusterUUID), "exclude_personal_data": tftypes.NewValue(tftypes.Bool, true),
		}},
		{"personal data kept", mustJSON(t, sessions), map[string]tftypes.Value{"exclude_personal_data": tftypes.NewValue(tftypes.Bool, false)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(tc.body) }))
			defer srv.Close()
			fast := newProtocolServer(t, srv.URL, emulator.DefaultToken)
			typ := fast.schema.DataSourceSchemas[userSessionsTypeName].ValueType()
			attrs := map[string]tftypes.Value{}
			for k, v := range tc.attrs {
				attrs[k] = v
			}
			req := &tfprotov6.ReadDataSourceRequest{TypeName: userSessionsTypeName, Config: fast.dynamicValue(t, typ, attrs)}

			reference, err := providerserver.NewProtocol6WithError(New("test")())()
			if err != nil {
				t.Fatal(err)
			}
			configure(t, reference, fast.schema, srv.URL)
			want := readState(t, reference, req, typ)
			got := readState(t, fast, req, typ)
			if !got.Equal(want) {
				diffs, _ := got.Diff(want)
				t.Fatalf("the msgpack state differs from the framework's in %d places, first %v", len(diffs), diffs[0])
			}
		})
	}
}

func ptr(s string) *string { return &s }

func configure(t testing.TB, server tfprotov6.ProviderServer, schema *tfprotov6.GetProviderSchemaResponse, host string) {
	t.Helper()
	ctx := context.Background()
	if _, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := tfprotov6.NewDynamicValue(schema.Provider.ValueType(), tftypes.NewValue(schema.Provider.ValueType(), map[string]tftypes.Value{
		"host": tftypes.NewValue(tftypes.String, host), "token": tftypes.NewValue(tftypes.String, emulator.DefaultToken),
		"ca_certificate": tftypes.NewValue(tftypes.String, nil), "insecure": tftypes.NewValue(tftypes.Bool, nil),
		"request_timeout": tftypes.NewValue(tftypes.Number, nil), "max_retries": tftypes.NewValue(tftypes.Number, nil),
		"previous_hosts": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, nil),
	}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &cfg})
	if err != nil || hasError(resp.Diagnostics) {
		t.Fatalf("configure: %v %s", err, diagText(resp.Diagnostics))
	}
}

func readState(t *testing.T, server tfprotov6.ProviderServer, req *tfprotov6.ReadDataSourceRequest, typ tftypes.Type) tftypes.Value {
	t.Helper()
	resp, err := server.ReadDataSource(context.Background(), req)
	if err != nil || hasError(resp.Diagnostics) {
		t.Fatalf("read: %v %s", err, diagText(resp.Diagnostics))
	}
	v, err := resp.State.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestMsgPackLargeHeaders: lists and maps beyond 65535 entries, and strings beyond 255 and
// 65535 bytes, take the longer msgpack forms and still decode.
func TestMsgPackLargeHeaders(t *testing.T) {
	const n = 70_000
	sessions := make([]apiclient.UserSession, n)
	long := strings.Repeat("x", 70_000)
	for i := range sessions {
		sessions[i] = apiclient.UserSession{UserID: fmt.Sprintf("user-%06d", i), SessionID: "s", TenantUUID: "t", LoginType: "LOCAL", NodeID: int32(i % 3), CreationTime: int64(i) << 33}
	}
	sessions[0].Device = &long
	medium := strings.Repeat("y", 300)
	sessions[1].IP = &medium
	state := encodeSessionsState(sessionsQuery{}, sessions)
	v, err := (&tfprotov6.DynamicValue{MsgPack: state}).Unmarshal(userSessionsStateType)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]tftypes.Value
	var list []tftypes.Value
	var perUser map[string]tftypes.Value
	if err := v.As(&top); err != nil {
		t.Fatal(err)
	}
	if err := top["sessions"].As(&list); err != nil || len(list) != n {
		t.Fatalf("%d sessions decoded (%v), want %d", len(list), err, n)
	}
	if err := top["sessions_per_user"].As(&perUser); err != nil || len(perUser) != n {
		t.Fatalf("%d users decoded (%v), want %d", len(perUser), err, n)
	}
	var first map[string]tftypes.Value
	var device string
	if err := list[0].As(&first); err != nil || first["device"].As(&device) != nil || device != long {
		t.Errorf("the 70,000-byte device did not survive")
	}
}
