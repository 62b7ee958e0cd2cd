package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// userSessionsConfigModel is the resource's state and plan; the conversions to and from the
// API's model follow.
type userSessionsConfigModel struct {
	Cluster                 types.String                  `tfsdk:"cluster"`
	ID                      types.String                  `tfsdk:"id"`
	ConcurrentSessionPolicy *concurrentSessionPolicyModel `tfsdk:"concurrent_session_policy"`
	AutomaticLogout         *automaticLogoutModel         `tfsdk:"automatic_logout"`
	RestoreOnDestroy        types.Bool                    `tfsdk:"restore_on_destroy"`
	RestorePolicy           types.Object                  `tfsdk:"restore_policy"`
	ClusterURL              types.String                  `tfsdk:"cluster_url"`
}

type concurrentSessionPolicyModel struct {
	UserLimit  types.Number `tfsdk:"user_limit"`
	AdminLimit types.Number `tfsdk:"admin_limit"`
}

type automaticLogoutModel struct {
	LogoutInactiveUsersEnabled types.Bool   `tfsdk:"logout_inactive_users_enabled"`
	UserInactivityTimeout      types.Number `tfsdk:"user_inactivity_timeout"`
}

// restorePolicyAttrTypes is the type of the restore_policy attribute.
var restorePolicyAttrTypes = map[string]attr.Type{
	"user_limit":                    types.Int64Type,
	"admin_limit":                   types.Int64Type,
	"logout_inactive_users_enabled": types.BoolType,
	"user_inactivity_timeout":       types.Int64Type,
}

// restorePolicyValue is cfg as the restore_policy attribute.
func restorePolicyValue(cfg *apiclient.UserSessionsConfig) types.Object {
	return types.ObjectValueMust(restorePolicyAttrTypes, map[string]attr.Value{
		"user_limit":                    types.Int64Value(int64(cfg.ConcurrentSessionPolicy.UserLimit)),
		"admin_limit":                   types.Int64Value(int64(cfg.ConcurrentSessionPolicy.AdminLimit)),
		"logout_inactive_users_enabled": types.BoolValue(cfg.AutomaticLogout.LogoutInactiveUsersEnabled),
		"user_inactivity_timeout":       types.Int64Value(int64(cfg.AutomaticLogout.UserInactivityTimeout)),
	})
}

// describePolicy renders a restore_policy value for a person, in the configuration's terms.
func describePolicy(v types.Object) string {
	a := v.Attributes()
	return fmt.Sprintf("{user_limit = %s, admin_limit = %s, logout_inactive_users_enabled = %s, user_inactivity_timeout = %s}",
		a["user_limit"], a["admin_limit"], a["logout_inactive_users_enabled"], a["user_inactivity_timeout"])
}

// restorePolicyFromState returns the policy restore_on_destroy puts back: the restore_policy
// attribute, nil when it holds none. A recorded policy the API forbids (or out of the fields'
// range) is an error: it is never sent.
func restorePolicyFromState(ctx context.Context, v types.Object) (*apiclient.UserSessionsConfig, diag.Diagnostics) {
	if v.IsNull() || v.IsUnknown() {
		return nil, nil
	}
	var m struct {
		UserLimit  types.Int64 `tfsdk:"user_limit"`
		AdminLimit types.Int64 `tfsdk:"admin_limit"`
		Enabled    types.Bool  `tfsdk:"logout_inactive_users_enabled"`
		Timeout    types.Int64 `tfsdk:"user_inactivity_timeout"`
	}
	diags := v.As(ctx, &m, basetypes.ObjectAsOptions{})
	if diags.HasError() {
		return nil, diags
	}
	fields := []int64{m.UserLimit.ValueInt64(), m.AdminLimit.ValueInt64(), m.Timeout.ValueInt64()}
	for _, n := range fields {
		if n != int64(int32(n)) {
			diags.AddError("Recorded Prior Configuration Not Usable", fmt.Sprintf(
				"restore_policy holds %d, beyond the API's 32-bit fields; it is not put back and the cluster was left as it "+
					"is. Set restore_on_destroy = false and apply to destroy without restoring.", n))
			return nil, diags
		}
	}
	cfg := &apiclient.UserSessionsConfig{
		ConcurrentSessionPolicy: apiclient.ConcurrentSessionPolicy{UserLimit: int32(fields[0]), AdminLimit: int32(fields[1])},
		AutomaticLogout:         apiclient.AutomaticLogout{LogoutInactiveUsersEnabled: m.Enabled.ValueBool(), UserInactivityTimeout: int32(fields[2])},
	}
	if err := cfg.Validate(); err != nil {
		diags.AddError("Recorded Prior Configuration Not Usable",
			"restore_policy holds a configuration the Cluster API does not allow ("+err.Error()+"); it is not put back "+
				"and the cluster was left as it is. Set restore_on_destroy = false and apply to destroy without restoring.")
		return nil, diags
	}
	return cfg, diags
}

// configDifferences names each field the cluster stores differently from what was declared.
func configDifferences(declared, stored apiclient.UserSessionsConfig) []string {
	var out []string
	add := func(name string, d, s any) {
		if d != s {
			out = append(out, fmt.Sprintf("%s: declared %v, the cluster stores %v", name, d, s))
		}
	}
	add("concurrent_session_policy.user_limit", declared.ConcurrentSessionPolicy.UserLimit, stored.ConcurrentSessionPolicy.UserLimit)
	add("concurrent_session_policy.admin_limit", declared.ConcurrentSessionPolicy.AdminLimit, stored.ConcurrentSessionPolicy.AdminLimit)
	add("automatic_logout.logout_inactive_users_enabled", declared.AutomaticLogout.LogoutInactiveUsersEnabled, stored.AutomaticLogout.LogoutInactiveUsersEnabled)
	add("automatic_logout.user_inactivity_timeout", declared.AutomaticLogout.UserInactivityTimeout, stored.AutomaticLogout.UserInactivityTimeout)
	return out
}

// adoptedState is the state of a policy Terraform takes over as the cluster holds it (import,
// terraform query): the cluster's values, which are also the policy restore_on_destroy puts back,
// recorded for the cluster at clusterURL.
func adoptedState(current *apiclient.UserSessionsConfig, client *apiclient.Client) userSessionsConfigModel {
	state := userSessionsConfigModel{ID: types.StringValue(userSessionsConfigID), RestoreOnDestroy: types.BoolValue(false),
		RestorePolicy: restorePolicyValue(current), ClusterURL: types.StringValue(client.ClusterURL()), Cluster: clusterName(client)}
	state.fromAPI(current)
	return state
}

// toAPI is the declared policy. Its numbers were validated to be whole and within the API's
// int32 fields.
func (m *userSessionsConfigModel) toAPI() apiclient.UserSessionsConfig {
	var cfg apiclient.UserSessionsConfig
	if p := m.ConcurrentSessionPolicy; p != nil {
		cfg.ConcurrentSessionPolicy = apiclient.ConcurrentSessionPolicy{
			UserLimit: int32(wholeNumber(p.UserLimit)), AdminLimit: int32(wholeNumber(p.AdminLimit)), //nolint:gosec // validated range
		}
	}
	if a := m.AutomaticLogout; a != nil {
		cfg.AutomaticLogout = apiclient.AutomaticLogout{
			LogoutInactiveUsersEnabled: a.LogoutInactiveUsersEnabled.ValueBool(),
			UserInactivityTimeout:      int32(wholeNumber(a.UserInactivityTimeout)), //nolint:gosec // validated range
		}
	}
	return cfg
}

func (m *userSessionsConfigModel) fromAPI(cfg *apiclient.UserSessionsConfig) {
	m.ConcurrentSessionPolicy = &concurrentSessionPolicyModel{
		UserLimit:  numberValue(int64(cfg.ConcurrentSessionPolicy.UserLimit)),
		AdminLimit: numberValue(int64(cfg.ConcurrentSessionPolicy.AdminLimit)),
	}
	m.AutomaticLogout = &automaticLogoutModel{
		LogoutInactiveUsersEnabled: types.BoolValue(cfg.AutomaticLogout.LogoutInactiveUsersEnabled),
		UserInactivityTimeout:      numberValue(int64(cfg.AutomaticLogout.UserInactivityTimeout)),
	}
}
