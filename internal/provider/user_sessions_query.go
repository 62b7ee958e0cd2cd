package provider

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// knownLoginTypes are the loginType values the API documents; it may add more.
var knownLoginTypes = []string{"LOCAL", "LDAP", "SSO_MANAGED", "DEVOPSTOKEN"}

// sessionsQuery is the data source's configuration: what to ask the API (user_id) and what the
// provider filters and leaves out itself (the API filters by user only).
type sessionsQuery struct {
	userID, loginType, tenantUUID *string
	nodeID                        *int64
	excludePersonalData           *bool
}

// queryFromConfig reads the data source's configuration, a known tftypes object.
func queryFromConfig(config tftypes.Value) (sessionsQuery, error) {
	var attrs map[string]tftypes.Value
	if err := config.As(&attrs); err != nil {
		return sessionsQuery{}, err
	}
	var q sessionsQuery
	for name, target := range map[string]**string{"user_id": &q.userID, "login_type": &q.loginType, "tenant_uuid": &q.tenantUUID} {
		if err := attrs[name].As(target); err != nil {
			return q, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := attrs["exclude_personal_data"].As(&q.excludePersonalData); err != nil {
		return q, fmt.Errorf("exclude_personal_data: %w", err)
	}
	var node *big.Float
	if err := attrs["node_id"].As(&node); err != nil {
		return q, fmt.Errorf("node_id: %w", err)
	}
	if node != nil {
		n, _ := node.Int64()
		q.nodeID = &n
	}
	return q, nil
}

// apiUserID is the userId the API is asked for ("" for every user).
func (q sessionsQuery) apiUserID() string {
	if q.userID == nil {
		return ""
	}
	return *q.userID
}

// selectSessions applies the filters the provider owns, leaves out personal data when asked,
// and sorts: by user_id, then creation_time (oldest first), then session_id.
func (q sessionsQuery) selectSessions(sessions []apiclient.UserSession) []apiclient.UserSession {
	kept := sessions[:0]
	for _, s := range sessions {
		if (q.loginType != nil && s.LoginType != *q.loginType) || (q.tenantUUID != nil && s.TenantUUID != *q.tenantUUID) ||
			(q.nodeID != nil && int64(s.NodeID) != *q.nodeID) {
			continue
		}
		if q.excludePersonalData != nil && *q.excludePersonalData {
			s.Device, s.IP = nil, nil
		}
		kept = append(kept, s)
	}
	sortSessions(kept)
	return kept
}

// sessionsPerUser counts the sorted sessions per user, in user order.
func sessionsPerUser(sessions []apiclient.UserSession) (users []string, counts []int64) {
	for i := range sessions {
		if n := len(users); n > 0 && users[n-1] == sessions[i].UserID {
			counts[n-1]++
			continue
		}
		users, counts = append(users, sessions[i].UserID), append(counts, 1)
	}
	return users, counts
}

var _ validator.String = loginTypeValidator{}

// loginTypeValidator warns, and does not fail, on a login type the API does not document: the
// API says new values may come, and a filter on one must keep working.
type loginTypeValidator struct{}

func (loginTypeValidator) Description(context.Context) string {
	return "one of " + fmt.Sprint(knownLoginTypes) + "; another value gives a warning"
}

func (v loginTypeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (loginTypeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || slices.Contains(knownLoginTypes, req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeWarning(req.Path, "Unknown Login Type", fmt.Sprintf(
		"login_type %q is not one of the login types the Cluster API documents (%v). The filter is applied as "+
			"given; check the spelling, or ignore this warning if the cluster reports this type.",
		req.ConfigValue.ValueString(), knownLoginTypes))
}

// nodeIDRange is the range of the API's int32 nodeId.
var nodeIDRange = [2]int64{0, math.MaxInt32}
