package provider

import (
	"cmp"
	"math/big"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// sessionTerraformType is one element of the data source's sessions list: the nine fields of the
// API's UserSession. TestSessionsStateMatchesSchema keeps it equal to the schema.
var sessionTerraformType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
	"user_id":                 tftypes.String,
	"node_id":                 tftypes.Number,
	"session_id":              tftypes.String,
	"creation_time":           tftypes.Number,
	"last_accessed_timestamp": tftypes.Number,
	"tenant_uuid":             tftypes.String,
	"login_type":              tftypes.String,
	"device":                  tftypes.String,
	"ip":                      tftypes.String,
}}

var userSessionsStateType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
	"user_id":               tftypes.String,
	"login_type":            tftypes.String,
	"node_id":               tftypes.Number,
	"tenant_uuid":           tftypes.String,
	"exclude_personal_data": tftypes.Bool,
	"session_count":         tftypes.Number,
	"sessions_per_user":     tftypes.Map{ElementType: tftypes.Number},
	"sessions":              tftypes.List{ElementType: sessionTerraformType},
}}

// sortSessions puts sessions in the documented order: by user_id, then creation_time (oldest
// first), then session_id. The API gives no order, so this keeps plans stable. It sorts a
// permutation of indices and then moves each session once: a session is about a hundred bytes, and
// sorting them in place would move them on every swap.
func sortSessions(sessions []apiclient.UserSession) {
	order := make([]int32, len(sessions))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int { return compareSessions(&sessions[i], &sessions[j]) })
	// Apply the permutation in place, one cycle at a time: position j receives the session at
	// order[j]; -1 marks a position already filled.
	for start := range order {
		if order[start] < 0 {
			continue
		}
		held := sessions[start]
		j := start
		for {
			k := int(order[j])
			order[j] = -1
			if k == start {
				sessions[j] = held
				break
			}
			sessions[j] = sessions[k]
			j = k
		}
	}
}

// compareSessions orders two sessions by user_id, creation_time, session_id, comparing only as
// far as needed.
func compareSessions(a, b *apiclient.UserSession) int {
	if c := strings.Compare(a.UserID, b.UserID); c != 0 {
		return c
	}
	if c := cmp.Compare(a.CreationTime, b.CreationTime); c != 0 {
		return c
	}
	return strings.Compare(a.SessionID, b.SessionID)
}

// sessionsState builds the data source's whole state in one pass, without reflection: the
// configuration q echoed, the selected sessions, their count and their count per user. Optional
// fields the API left out are null.
func sessionsState(q sessionsQuery, sessions []apiclient.UserSession) tftypes.Value {
	elems := make([]tftypes.Value, len(sessions))
	for i := range sessions {
		s := &sessions[i]
		elems[i] = tftypes.NewValue(sessionTerraformType, map[string]tftypes.Value{
			"user_id":                 tftypes.NewValue(tftypes.String, s.UserID),
			"node_id":                 number(int64(s.NodeID)),
			"session_id":              tftypes.NewValue(tftypes.String, s.SessionID),
			"creation_time":           number(s.CreationTime),
			"last_accessed_timestamp": optionalNumber(s.LastAccessedTimestamp),
			"tenant_uuid":             tftypes.NewValue(tftypes.String, s.TenantUUID),
			"login_type":              tftypes.NewValue(tftypes.String, s.LoginType),
			"device":                  optionalString(s.Device),
			"ip":                      optionalString(s.IP),
		})
	}
	users, counts := sessionsPerUser(sessions)
	perUser := make(map[string]tftypes.Value, len(users))
	for i, u := range users {
		perUser[u] = number(counts[i])
	}
	exclude := tftypes.NewValue(tftypes.Bool, nil)
	if q.excludePersonalData != nil {
		exclude = tftypes.NewValue(tftypes.Bool, *q.excludePersonalData)
	}
	return tftypes.NewValue(userSessionsStateType, map[string]tftypes.Value{
		"user_id":               optionalString(q.userID),
		"login_type":            optionalString(q.loginType),
		"node_id":               optionalNumber(q.nodeID),
		"tenant_uuid":           optionalString(q.tenantUUID),
		"exclude_personal_data": exclude,
		"session_count":         number(int64(len(sessions))),
		"sessions_per_user":     tftypes.NewValue(userSessionsStateType.AttributeTypes["sessions_per_user"], perUser),
		"sessions":              tftypes.NewValue(userSessionsStateType.AttributeTypes["sessions"], elems),
	})
}

func number(v int64) tftypes.Value {
	return tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(v))
}

func optionalNumber(p *int64) tftypes.Value {
	if p == nil {
		return tftypes.NewValue(tftypes.Number, nil)
	}
	return number(*p)
}

func optionalString(p *string) tftypes.Value {
	if p == nil {
		return tftypes.NewValue(tftypes.String, nil)
	}
	return tftypes.NewValue(tftypes.String, *p)
}
