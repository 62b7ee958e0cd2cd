package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

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

// privateState is what a Delete request offers for private data.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// restorePolicyFromState returns the policy restore_on_destroy puts back: the restore_policy
// attribute or, for an object created by an earlier version, its private state. nil when neither
// holds one.
func restorePolicyFromState(ctx context.Context, v types.Object, private privateState) (*apiclient.UserSessionsConfig, diag.Diagnostics) {
	if !v.IsNull() && !v.IsUnknown() {
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
		return &apiclient.UserSessionsConfig{
			ConcurrentSessionPolicy: apiclient.ConcurrentSessionPolicy{UserLimit: int32(m.UserLimit.ValueInt64()), AdminLimit: int32(m.AdminLimit.ValueInt64())},
			AutomaticLogout:         apiclient.AutomaticLogout{LogoutInactiveUsersEnabled: m.Enabled.ValueBool(), UserInactivityTimeout: int32(m.Timeout.ValueInt64())},
		}, diags
	}
	data, diags := private.GetKey(ctx, legacyPriorConfigKey)
	if diags.HasError() || len(data) == 0 {
		return nil, diags
	}
	var cfg apiclient.UserSessionsConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		diags.AddError("Unable to Read Prior Configuration", "The recorded prior configuration is not valid JSON: "+err.Error())
		return nil, diags
	}
	if cfg.AutomaticLogout.UserInactivityTimeout < 1 {
		diags.AddWarning("Prior Configuration Not Usable",
			"The prior configuration recorded by an earlier version has no valid inactivity timeout (it was read from an "+
				"incomplete answer); it is not put back.")
		return nil, diags
	}
	return &cfg, diags
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
// terraform query): the cluster's values, which are also the policy restore_on_destroy puts back.
func adoptedState(current *apiclient.UserSessionsConfig) userSessionsConfigModel {
	state := userSessionsConfigModel{ID: types.StringValue(userSessionsConfigID), RestoreOnDestroy: types.BoolValue(false),
		RestorePolicy: restorePolicyValue(current)}
	state.fromAPI(current)
	return state
}

func (m *userSessionsConfigModel) toAPI() apiclient.UserSessionsConfig {
	var cfg apiclient.UserSessionsConfig
	if p := m.ConcurrentSessionPolicy; p != nil {
		cfg.ConcurrentSessionPolicy = apiclient.ConcurrentSessionPolicy{
			UserLimit: int32(p.UserLimit.ValueInt64()), AdminLimit: int32(p.AdminLimit.ValueInt64()),
		}
	}
	if a := m.AutomaticLogout; a != nil {
		cfg.AutomaticLogout = apiclient.AutomaticLogout{
			LogoutInactiveUsersEnabled: a.LogoutInactiveUsersEnabled.ValueBool(),
			UserInactivityTimeout:      int32(a.UserInactivityTimeout.ValueInt64()),
		}
	}
	return cfg
}

func (m *userSessionsConfigModel) fromAPI(cfg *apiclient.UserSessionsConfig) {
	m.ConcurrentSessionPolicy = &concurrentSessionPolicyModel{
		UserLimit:  types.Int64Value(int64(cfg.ConcurrentSessionPolicy.UserLimit)),
		AdminLimit: types.Int64Value(int64(cfg.ConcurrentSessionPolicy.AdminLimit)),
	}
	m.AutomaticLogout = &automaticLogoutModel{
		LogoutInactiveUsersEnabled: types.BoolValue(cfg.AutomaticLogout.LogoutInactiveUsersEnabled),
		UserInactivityTimeout:      types.Int64Value(int64(cfg.AutomaticLogout.UserInactivityTimeout)),
	}
}
