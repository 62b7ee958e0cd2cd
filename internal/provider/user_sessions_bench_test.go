package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

var benchSizes = []int{1_000, 10_000, 100_000}

// seededJSON is the API's answer for n seeded sessions, encoded once so that the benchmark
// measures the provider's read path, not the emulator's encoding.
func seededJSON(tb testing.TB, n int) []byte {
	tb.Helper()
	body, err := json.Marshal(emulator.SeedSessions(n))
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// BenchmarkUserSessionsRead is the data source's whole read path as Terraform drives it: the
// ReadDataSource RPC, the HTTP request over loopback, JSON decoding, sorting, building the list
// as framework values and encoding the new state for the protocol.
func BenchmarkUserSessionsRead(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			body := seededJSON(b, n)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			p := newProtocolServer(b, srv.URL, emulator.DefaultToken)
			typ := p.schema.DataSourceSchemas["dtcluster_user_sessions"].ValueType()
			req := &tfprotov6.ReadDataSourceRequest{
				TypeName: "dtcluster_user_sessions",
				Config:   p.dynamicValue(b, typ, map[string]tftypes.Value{}),
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for range b.N {
				resp, err := p.ReadDataSource(ctx, req)
				if err != nil || hasError(resp.Diagnostics) {
					b.Fatalf("read: %v %s", err, diagText(resp.Diagnostics))
				}
			}
		})
	}
}

// BenchmarkSessionsState is the provider's own part alone: sorting and building the state.
func BenchmarkSessionsState(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			var seeded []apiclient.UserSession
			if err := json.Unmarshal(seededJSON(b, n), &seeded); err != nil {
				b.Fatal(err)
			}
			sessions := make([]apiclient.UserSession, n)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				copy(sessions, seeded)
				sortSessions(sessions)
				if v := sessionsState(types.StringNull(), sessions); !v.IsKnown() {
					b.Fatal("unknown state")
				}
			}
		})
	}
}

// TestSessionsStateMatchesSchema: the state built by hand has exactly the schema's type.
func TestSessionsStateMatchesSchema(t *testing.T) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewUserSessionsDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if want := resp.Schema.Type().TerraformType(ctx); !userSessionsStateType.Equal(want) {
		t.Fatalf("state type %s, schema type %s", userSessionsStateType, want)
	}
	if got := sessionsState(types.StringValue("x"), nil).Type(); !got.Equal(userSessionsStateType) {
		t.Fatalf("value type %s", got)
	}
}

// TestSessionsStateFromSeed checks the conversion the benchmarks measure: every field, nulls for
// absent optional fields, and the documented order.
func TestSessionsStateFromSeed(t *testing.T) {
	var sessions []apiclient.UserSession
	if err := json.Unmarshal(seededJSON(t, 200), &sessions); err != nil {
		t.Fatal(err)
	}
	sortSessions(sessions)
	var top map[string]tftypes.Value
	var elems []tftypes.Value
	if err := sessionsState(types.StringNull(), sessions).As(&top); err != nil {
		t.Fatal(err)
	}
	if err := top["sessions"].As(&elems); err != nil || len(elems) != 200 || !top["user_id"].IsNull() {
		t.Fatalf("%d elements, user_id %v, %v", len(elems), top["user_id"], err)
	}
	str := func(v tftypes.Value) *string {
		var p *string
		if err := v.As(&p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	num := func(v tftypes.Value) *int64 {
		var f *big.Float
		if err := v.As(&f); err != nil {
			t.Fatal(err)
		}
		if f == nil {
			return nil
		}
		i, _ := f.Int64()
		return &i
	}
	eq := func(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	var nulls int
	for i, e := range elems {
		s := sessions[i]
		var attrs map[string]tftypes.Value
		if err := e.As(&attrs); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			prev := sessions[i-1]
			if prev.UserID > s.UserID || (prev.UserID == s.UserID && prev.CreationTime > s.CreationTime) {
				t.Fatalf("not ordered at %d", i)
			}
		}
		last := num(attrs["last_accessed_timestamp"])
		if *str(attrs["user_id"]) != s.UserID || *str(attrs["session_id"]) != s.SessionID ||
			*num(attrs["node_id"]) != int64(s.NodeID) || *num(attrs["creation_time"]) != s.CreationTime ||
			*str(attrs["tenant_uuid"]) != s.TenantUUID || *str(attrs["login_type"]) != s.LoginType ||
			!eq(str(attrs["device"]), s.Device) || !eq(str(attrs["ip"]), s.IP) ||
			(last == nil) != (s.LastAccessedTimestamp == nil) || (last != nil && *last != *s.LastAccessedTimestamp) {
			t.Fatalf("element %d = %v, session %+v", i, attrs, s)
		}
		if s.Device == nil || s.IP == nil || s.LastAccessedTimestamp == nil {
			nulls++
		}
	}
	if nulls == 0 {
		t.Error("the seed has no absent optional field; nulls are not exercised")
	}
}
