package provider

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// TestSessionsStateMatchesSchema: the state built by hand has exactly the schema's type.
func TestSessionsStateMatchesSchema(t *testing.T) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewUserSessionsDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if want := resp.Schema.Type().TerraformType(ctx); !userSessionsStateType.Equal(want) {
		t.Fatalf("state type %s, schema type %s", userSessionsStateType, want)
	}
	if got := sessionsState(sessionsQuery{userID: ptr("x")}, nil).Type(); !got.Equal(userSessionsStateType) {
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
	if err := sessionsState(sessionsQuery{}, sessions).As(&top); err != nil {
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

// TestSortSessionsOrder: the permutation sort gives the documented order, the same as sorting
// the sessions themselves, and keeps every session (field for field) exactly once, with
// equal users and equal creation times in the input.
func TestSortSessionsOrder(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 17, 1000} {
		var sessions []apiclient.UserSession
		for i := range n {
			last := int64(i)
			sessions = append(sessions, apiclient.UserSession{
				UserID:                []string{"b", "a", "c"}[(i*7)%3],
				CreationTime:          int64((i * 31) % 5),
				SessionID:             fmt.Sprintf("%04d", (i*7919)%(n+1)),
				NodeID:                int32(i),
				LastAccessedTimestamp: &last,
			})
		}
		want := slices.Clone(sessions)
		slices.SortStableFunc(want, func(a, b apiclient.UserSession) int {
			return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.CreationTime, b.CreationTime), cmp.Compare(a.SessionID, b.SessionID))
		})
		sortSessions(sessions)
		for i := range want {
			if sessions[i].SessionID != want[i].SessionID || sessions[i].NodeID != want[i].NodeID ||
				*sessions[i].LastAccessedTimestamp != *want[i].LastAccessedTimestamp {
				t.Fatalf("n=%d: position %d holds %+v, want %+v", n, i, sessions[i], want[i])
			}
		}
	}
}
