package provider

import (
	"cmp"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// sessionObjectType is the type of one element of the data source's sessions list: the nine
// fields of the API's UserSession.
var sessionObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"user_id":                 types.StringType,
	"node_id":                 types.Int64Type,
	"session_id":              types.StringType,
	"creation_time":           types.Int64Type,
	"last_accessed_timestamp": types.Int64Type,
	"tenant_uuid":             types.StringType,
	"login_type":              types.StringType,
	"device":                  types.StringType,
	"ip":                      types.StringType,
}}

// sortSessions puts sessions in the documented order: by user_id, then creation_time (oldest
// first), then session_id. The API gives no order, so this keeps plans stable.
func sortSessions(sessions []apiclient.UserSession) {
	slices.SortFunc(sessions, func(a, b apiclient.UserSession) int {
		return cmp.Or(
			cmp.Compare(a.UserID, b.UserID),
			cmp.Compare(a.CreationTime, b.CreationTime),
			cmp.Compare(a.SessionID, b.SessionID),
		)
	})
}

// sessionsValue builds the sessions list directly as framework values, without reflection per
// element, so a read of 100k sessions costs what the values cost. Optional fields the API left
// out are null.
func sessionsValue(sessions []apiclient.UserSession) basetypes.ListValue {
	elems := make([]attr.Value, len(sessions))
	for i := range sessions {
		s := &sessions[i]
		elems[i] = types.ObjectValueMust(sessionObjectType.AttrTypes, map[string]attr.Value{
			"user_id":                 types.StringValue(s.UserID),
			"node_id":                 types.Int64Value(int64(s.NodeID)),
			"session_id":              types.StringValue(s.SessionID),
			"creation_time":           types.Int64Value(s.CreationTime),
			"last_accessed_timestamp": types.Int64PointerValue(s.LastAccessedTimestamp),
			"tenant_uuid":             types.StringValue(s.TenantUUID),
			"login_type":              types.StringValue(s.LoginType),
			"device":                  types.StringPointerValue(s.Device),
			"ip":                      types.StringPointerValue(s.IP),
		})
	}
	return types.ListValueMust(sessionObjectType, elems)
}
