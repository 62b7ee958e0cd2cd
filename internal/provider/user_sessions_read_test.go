package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

// sessionsStateType is the data source's state type as the provider's schema reports it over
// the protocol.
func sessionsStateType(tb testing.TB) tftypes.Object {
	tb.Helper()
	p := newProtocolServer(tb, "http://127.0.0.1:1", emulator.DefaultToken)
	return objectType(tb, p.schema.DataSourceSchemas[userSessionsTypeName].ValueType())
}

// TestStateWriterFollowsTheSchema: the writer builds from the schema's type, and does not build
// from a type with an attribute more or less, at either level: it cannot drift from the schema.
func TestStateWriterFollowsTheSchema(t *testing.T) {
	typ := sessionsStateType(t)
	if _, err := newSessionsReader(typ); err != nil {
		t.Fatalf("the writer does not follow the schema: %v", err)
	}
	element := listOfObjects(t, typ.AttributeTypes["sessions"])
	withTop := func(change func(map[string]tftypes.Type)) tftypes.Object {
		attrs := maps.Clone(typ.AttributeTypes)
		change(attrs)
		return tftypes.Object{AttributeTypes: attrs}
	}
	withElement := func(change func(map[string]tftypes.Type)) tftypes.Object {
		attrs := maps.Clone(element.AttributeTypes)
		change(attrs)
		return withTop(func(top map[string]tftypes.Type) {
			top["sessions"] = tftypes.List{ElementType: tftypes.Object{AttributeTypes: attrs}}
		})
	}
	for name, changed := range map[string]tftypes.Object{
		"an attribute more":            withTop(func(a map[string]tftypes.Type) { a["region"] = tftypes.String }),
		"an attribute less":            withTop(func(a map[string]tftypes.Type) { delete(a, "session_count") }),
		"an attribute renamed":         withTop(func(a map[string]tftypes.Type) { a["count"] = a["session_count"]; delete(a, "session_count") }),
		"a session attribute more":     withElement(func(a map[string]tftypes.Type) { a["browser"] = tftypes.String }),
		"a session attribute less":     withElement(func(a map[string]tftypes.Type) { delete(a, "ip") }),
		"a session attribute renamed":  withElement(func(a map[string]tftypes.Type) { a["address"] = a["ip"]; delete(a, "ip") }),
		"sessions not a list":          withTop(func(a map[string]tftypes.Type) { a["sessions"] = tftypes.String }),
		"sessions' elements no object": withTop(func(a map[string]tftypes.Type) { a["sessions"] = tftypes.List{ElementType: tftypes.String} }),
	} {
		if _, err := newSessionsReader(changed); err == nil {
			t.Errorf("%s: the writer built from a type that is not the schema's", name)
		}
	}
}

// mustTime parses an RFC 3339 time of a test's configuration.
func mustTime(t *testing.T, v any) time.Time {
	t.Helper()
	text, _ := v.(string)
	at, err := time.Parse(time.RFC3339, text)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// expectedState is, written independently of the provider's read, the state a read of config
// must give for sessions (the API's answer): the filters applied, ip and device dropped when
// asked, sorted by user, creation time, session id (then node), nulls for what the API left out.
func expectedState(t *testing.T, typ tftypes.Object, sessions []emulator.UserSession, config map[string]any) tftypes.Value {
	t.Helper()
	element := listOfObjects(t, typ.AttributeTypes["sessions"])
	var kept []emulator.UserSession
	for _, s := range sessions {
		if u, ok := config["user_id"]; ok && s.UserID != u {
			continue
		}
		if l, ok := config["login_type"]; ok && s.LoginType != l {
			continue
		}
		if n, ok := config["node_id"]; ok && int(s.NodeID) != n {
			continue
		}
		if tu, ok := config["tenant_uuid"].(string); ok && !strings.EqualFold(s.TenantUUID, tu) {
			continue
		}
		// Times: strictly before; a session without a last access was last accessed when created.
		if cb, ok := config["created_before"]; ok && !time.UnixMilli(s.CreationTime).Before(mustTime(t, cb)) {
			continue
		}
		if lb, ok := config["last_accessed_before"]; ok {
			last := time.UnixMilli(s.CreationTime)
			if s.LastAccessedTimestamp != nil {
				last = time.UnixMilli(*s.LastAccessedTimestamp)
			}
			if !last.Before(mustTime(t, lb)) {
				continue
			}
		}
		if config["exclude_personal_data"] == true {
			s.Device, s.IP = nil, nil
		}
		kept = append(kept, s)
	}
	sort.SliceStable(kept, func(i, j int) bool {
		a, b := kept[i], kept[j]
		switch {
		case a.UserID != b.UserID:
			return a.UserID < b.UserID
		case a.CreationTime != b.CreationTime:
			return a.CreationTime < b.CreationTime
		case a.SessionID != b.SessionID:
			return a.SessionID < b.SessionID
		}
		return a.NodeID < b.NodeID
	})
	number := func(n int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, big.NewFloat(float64(n))) }
	text := func(s *string) tftypes.Value {
		if s == nil {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return tftypes.NewValue(tftypes.String, *s)
	}
	elems := []tftypes.Value{}
	perUser := map[string]tftypes.Value{}
	counts := map[string]int64{}
	for _, s := range kept {
		last := tftypes.NewValue(tftypes.Number, nil)
		if s.LastAccessedTimestamp != nil {
			last = number(*s.LastAccessedTimestamp)
		}
		elems = append(elems, tftypes.NewValue(element, map[string]tftypes.Value{
			"user_id": tftypes.NewValue(tftypes.String, s.UserID), "node_id": number(int64(s.NodeID)),
			"session_id": tftypes.NewValue(tftypes.String, s.SessionID), "creation_time": number(s.CreationTime),
			"last_accessed_timestamp": last, "tenant_uuid": tftypes.NewValue(tftypes.String, s.TenantUUID),
			"login_type": tftypes.NewValue(tftypes.String, s.LoginType), "device": text(s.Device), "ip": text(s.IP),
		}))
		counts[s.UserID]++
	}
	for u, n := range counts {
		perUser[u] = number(n)
	}
	echo := func(name string, typ tftypes.Type) tftypes.Value {
		switch v := config[name].(type) {
		case nil:
			return tftypes.NewValue(typ, nil)
		case int:
			return number(int64(v))
		default:
			return tftypes.NewValue(typ, v)
		}
	}
	return tftypes.NewValue(typ, map[string]tftypes.Value{
		"cluster": echo("cluster", tftypes.String),
		"user_id": echo("user_id", tftypes.String), "login_type": echo("login_type", tftypes.String),
		"node_id": echo("node_id", tftypes.Number), "tenant_uuid": echo("tenant_uuid", tftypes.String),
		"created_before": echo("created_before", tftypes.String), "last_accessed_before": echo("last_accessed_before", tftypes.String),
		"exclude_personal_data": echo("exclude_personal_data", tftypes.Bool),
		"session_count":         number(int64(len(elems))),
		"sessions_per_user":     tftypes.NewValue(typ.AttributeTypes["sessions_per_user"], perUser),
		"sessions":              tftypes.NewValue(typ.AttributeTypes["sessions"], elems),
	})
}

// TestReadStateMatchesAnIndependentExpectation: the state a read answers, decoded as values with
// the schema's type, equals what expectedState computes on its own from the API's answer: every
// field, nulls, order, each filter, exclude_personal_data, counts, the configuration echoed.
func TestReadStateMatchesAnIndependentExpectation(t *testing.T) {
	sessions := emulator.SeedSessions(2000)
	// A session reported by two nodes (equal user, creation time and id), and odd strings.
	twin := sessions[5]
	twin.NodeID = sessions[5].NodeID + 7
	odd := "j\u00e4ne \"quoted\" " + strings.Repeat("x", 300)
	sessions = append(sessions, twin,
		emulator.UserSession{UserID: odd, NodeID: 70000, SessionID: "s", CreationTime: -1, TenantUUID: "t", LoginType: "NEW_TYPE"})
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(sessions), func(i, j int) { sessions[i], sessions[j] = sessions[j], sessions[i] })
	body, err := json.Marshal(sessions)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		config map[string]any
	}{
		{"every session", body, nil},
		{"one user", body, map[string]any{"user_id": "jane.doe"}},
		{"nobody", []byte(`[]`), map[string]any{"user_id": "nobody"}},
		{"every filter", body, map[string]any{"login_type": "LDAP", "node_id": 2, "tenant_uuid": emulator.ClusterUUID, "exclude_personal_data": true}},
		{"personal data kept", body, map[string]any{"exclude_personal_data": false}},
		{"a new login type", body, map[string]any{"login_type": "NEW_TYPE"}},
		{"tenant in upper case", body, map[string]any{"tenant_uuid": strings.ToUpper(emulator.ClusterUUID)}},
		{"created before", body, map[string]any{"created_before": "2026-01-15T05:00:00Z"}},
		{"last accessed before, with an offset", body, map[string]any{"last_accessed_before": "2026-01-15T06:30:00+01:00"}},
		{"both times and a login type", body, map[string]any{"created_before": "2026-01-15T07:00:00Z",
			"last_accessed_before": "2026-01-15T06:00:00.5Z", "login_type": "LDAP"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				answer := tc.body
				if u := r.URL.Query().Get("userId"); u != "" { // the API filters by user
					var all, mine []emulator.UserSession
					_ = json.Unmarshal(tc.body, &all)
					for _, s := range all {
						if s.UserID == u {
							mine = append(mine, s)
						}
					}
					answer, _ = json.Marshal(mine)
				}
				_, _ = w.Write(answer)
			}))
			defer srv.Close()
			p := newProtocolServer(t, srv.URL, emulator.DefaultToken)
			typ := objectType(t, p.schema.DataSourceSchemas[userSessionsTypeName].ValueType())
			attrs := map[string]tftypes.Value{}
			for k, v := range tc.config {
				switch v := v.(type) {
				case int:
					attrs[k] = tftypes.NewValue(tftypes.Number, big.NewFloat(float64(v)))
				default:
					attrs[k] = tftypes.NewValue(typ.AttributeTypes[k], v)
				}
			}
			resp, err := p.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
				TypeName: userSessionsTypeName, Config: p.dynamicValue(t, typ, attrs),
			})
			if err != nil || hasError(resp.Diagnostics) {
				t.Fatalf("read: %v %s", err, diagText(resp.Diagnostics))
			}
			got, err := resp.State.Unmarshal(typ)
			if err != nil {
				t.Fatalf("the state does not decode with the schema's type: %v", err)
			}
			var all []emulator.UserSession
			if err := json.Unmarshal(tc.body, &all); err != nil {
				t.Fatal(err)
			}
			want := expectedState(t, typ, all, tc.config)
			if !got.Equal(want) {
				diffs, _ := got.Diff(want)
				t.Fatalf("the state differs from the expectation in %d places, first %v", len(diffs), diffs[0])
			}
			var top map[string]tftypes.Value
			var list []tftypes.Value
			if err := got.As(&top); err != nil || top["sessions"].As(&list) != nil {
				t.Fatal("the state has no sessions list")
			}
			if tc.name == "every session" && len(list) != len(sessions) {
				t.Errorf("%d sessions in state, the answer had %d", len(list), len(sessions))
			}
		})
	}
}

// TestSortIsTotal: sessions that agree on user, creation time and session id (one session
// reported by two nodes, or repeated) come out in one order whatever order the API answers in.
func TestSortIsTotal(t *testing.T) {
	last1, last2 := int64(5), int64(6)
	device := "Firefox"
	base := apiclient.UserSession{UserID: "jane.doe", CreationTime: 10, SessionID: "S", TenantUUID: "t", LoginType: "LOCAL"}
	var sessions []apiclient.UserSession
	for _, change := range []func(*apiclient.UserSession){
		func(s *apiclient.UserSession) { s.NodeID = 1 },
		func(s *apiclient.UserSession) { s.NodeID = 2 },
		func(s *apiclient.UserSession) { s.NodeID = 2; s.TenantUUID = "u" },
		func(s *apiclient.UserSession) { s.NodeID = 2; s.LoginType = "LDAP" },
		func(s *apiclient.UserSession) { s.NodeID = 2; s.LastAccessedTimestamp = &last1 },
		func(s *apiclient.UserSession) { s.NodeID = 2; s.LastAccessedTimestamp = &last2 },
		func(s *apiclient.UserSession) { s.NodeID = 2; s.Device = &device },
		func(s *apiclient.UserSession) { s.UserID = "adam" },
	} {
		s := base
		change(&s)
		sessions = append(sessions, s)
	}
	render := func(list []*apiclient.UserSession) string {
		var b strings.Builder
		for _, s := range list {
			fmt.Fprintf(&b, "%s/%d/%s/%d/%s/%s/%v/%v;", s.UserID, s.CreationTime, s.SessionID, s.NodeID, s.TenantUUID, s.LoginType,
				s.LastAccessedTimestamp != nil && *s.LastAccessedTimestamp == 6, s.Device != nil)
		}
		return b.String()
	}
	var first string
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		shuffled := slices.Clone(sessions)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := render(sessionsQuery{}.selectSessions(shuffled))
		if i == 0 {
			first = got
			if !strings.HasPrefix(got, "adam/") {
				t.Fatalf("not in the documented order: %s", got)
			}
			continue
		}
		if got != first {
			t.Fatalf("two orders for one answer:\n%s\n%s", first, got)
		}
	}
}

// TestMsgPackLargeHeaders: lists and maps beyond 65535 entries, and strings beyond 255 and
// 65535 bytes, take the longer msgpack forms and still decode.
func TestMsgPackLargeHeaders(t *testing.T) {
	typ := sessionsStateType(t)
	reader, err := newSessionsReader(typ)
	if err != nil {
		t.Fatal(err)
	}
	const n = 70_000
	sessions := make([]apiclient.UserSession, n)
	long := strings.Repeat("x", 70_000)
	for i := range sessions {
		sessions[i] = apiclient.UserSession{UserID: fmt.Sprintf("user-%06d", i), SessionID: "s", TenantUUID: "t", LoginType: "LOCAL", NodeID: int32(i % 3), CreationTime: int64(i) << 33}
	}
	sessions[0].Device = &long
	medium := strings.Repeat("y", 300)
	sessions[1].IP = &medium
	pointers := make([]*apiclient.UserSession, n)
	for i := range sessions {
		pointers[i] = &sessions[i]
	}
	v, err := (&tfprotov6.DynamicValue{MsgPack: reader.writer.write(sessionsQuery{}, pointers)}).Unmarshal(typ)
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
	var first, second map[string]tftypes.Value
	var device, ip string
	if err := list[0].As(&first); err != nil || first["device"].As(&device) != nil || device != long {
		t.Errorf("the 70,000-byte device did not survive")
	}
	if err := list[1].As(&second); err != nil || second["ip"].As(&ip) != nil || ip != medium {
		t.Errorf("the 300-byte ip did not survive")
	}
	var created big.Float
	var creation *big.Float
	if err := list[n-1].As(&first); err != nil || first["creation_time"].As(&creation) != nil ||
		creation.Cmp(created.SetInt64(int64(n-1)<<33)) != 0 {
		t.Errorf("a creation time beyond 32 bits did not survive: %v", creation)
	}
}
