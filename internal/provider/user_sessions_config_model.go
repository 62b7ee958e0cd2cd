package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// privateState is what Create/ImportState responses and Delete requests offer for private data.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func savePriorConfig(ctx context.Context, private interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}, cfg *apiclient.UserSessionsConfig) diag.Diagnostics {
	data, err := json.Marshal(cfg)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to Record Prior Configuration", err.Error())
		return diags
	}
	return private.SetKey(ctx, priorConfigKey, data)
}

func loadPriorConfig(ctx context.Context, private privateState) (*apiclient.UserSessionsConfig, diag.Diagnostics) {
	data, diags := private.GetKey(ctx, priorConfigKey)
	if diags.HasError() || len(data) == 0 {
		return nil, diags
	}
	var cfg apiclient.UserSessionsConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		diags.AddError("Unable to Read Prior Configuration", "The recorded prior configuration is not valid JSON: "+err.Error())
		return nil, diags
	}
	return &cfg, diags
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
