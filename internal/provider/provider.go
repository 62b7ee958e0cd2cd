// Package provider implements the dtcluster Terraform provider on terraform-plugin-framework.
package provider

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var (
	_ provider.ProviderWithConfigValidators   = (*dtclusterProvider)(nil)
	_ provider.ProviderWithValidateConfig     = (*dtclusterProvider)(nil)
	_ provider.ProviderWithActions            = (*dtclusterProvider)(nil)
	_ provider.ProviderWithListResources      = (*dtclusterProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*dtclusterProvider)(nil)
)

// Environment variables read when the provider block leaves host or token out; the first set
// one wins. They are the names the official Dynatrace provider uses.
var (
	hostEnvVars  = []string{"DYNATRACE_CLUSTER_URL", "DT_CLUSTER_URL"}
	tokenEnvVars = []string{"DYNATRACE_CLUSTER_API_TOKEN", "DT_CLUSTER_API_TOKEN"}
	// caEnvVars holds PEM text, as ca_certificate does: export DYNATRACE_CLUSTER_CA_CERTIFICATE="$(cat ca.pem)".
	caEnvVars = []string{"DYNATRACE_CLUSTER_CA_CERTIFICATE"}
)

// New returns a constructor of the provider for providerserver, stamped with version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &dtclusterProvider{version: version} }
}

type dtclusterProvider struct {
	version string
	// client is the one Configure built, for the protocol server's reads of the sessions
	// (dtclusterServer is not a framework object, so the framework cannot hand it the client).
	client atomic.Pointer[apiclient.Client]
}

type providerModel struct {
	Host           types.String `tfsdk:"host"`
	Token          types.String `tfsdk:"token"`
	CACertificate  types.String `tfsdk:"ca_certificate"`
	Insecure       types.Bool   `tfsdk:"insecure"`
	RequestTimeout types.Number `tfsdk:"request_timeout"`
	MaxRetries     types.Number `tfsdk:"max_retries"`
	PreviousHosts  types.List   `tfsdk:"previous_hosts"`
}

func (p *dtclusterProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "dtcluster"
	resp.Version = p.version
}

func (p *dtclusterProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the user session policy of a Dynatrace Managed cluster (concurrent session " +
			"limits, automatic logout) and its user sessions through Cluster API v2.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL of the cluster, such as `https://cmc.example.com`; a trailing `/` or the " +
					"`/api/cluster/v2` suffix may be given. No query, fragment, credentials or other path. Plain `http://` " +
					"is only accepted for `localhost`, `127.0.0.0/8` and `::1` (for example the emulator). Defaults to " +
					"the `DYNATRACE_CLUSTER_URL` environment variable, then `DT_CLUSTER_URL`.",
			},
			"token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Cluster API token with the `ServiceProviderAPI` scope (Service Provider API), " +
					"created in the Cluster Management Console. Sent as `Authorization: Api-Token`. Defaults to the " +
					"`DYNATRACE_CLUSTER_API_TOKEN` environment variable, then `DT_CLUSTER_API_TOKEN`.",
			},
			"ca_certificate": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "PEM-encoded CA certificate(s) to trust in addition to the system's, for a cluster " +
					"whose certificate is issued by a private CA, such as `file(\"cluster-ca.pem\")`. Defaults to the " +
					"`DYNATRACE_CLUSTER_CA_CERTIFICATE` environment variable (the PEM text itself: " +
					"`export DYNATRACE_CLUSTER_CA_CERTIFICATE=\"$(cat cluster-ca.pem)\"`). Conflicts with `insecure`.",
			},
			"insecure": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Skip verification of the cluster's TLS certificate. Default `false`. Only for " +
					"testing: anyone on the network path could read the token. Produces a warning. Conflicts with " +
					"`ca_certificate`.",
			},
			"request_timeout": schema.NumberAttribute{
				Optional: true,
				MarkdownDescription: "Timeout of a single HTTP request, in seconds (a whole number from 1 to 3600). " +
					"Default `30`. A call with its retries takes at most the larger of 2 minutes and `request_timeout`; " +
					"the first attempt always gets the whole `request_timeout`.",
				Validators: []validator.Number{wholeNumberBetween(1, 3600)},
			},
			"max_retries": schema.NumberAttribute{
				Optional: true,
				MarkdownDescription: "How many times a request is retried after a transient failure (connection " +
					"error, HTTP 429, 502, 503, 504, 556), with exponential backoff and jitter (a whole number from 0 to " +
					"20). Default `5`.",
				Validators: []validator.Number{wholeNumberBetween(0, 20)},
			},
			"previous_hosts": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Base URLs the same cluster was reached at before, when its URL changed (a " +
					"rename). State records the cluster each `dtcluster_user_sessions_config` belongs to, and a plan " +
					"against another cluster fails; state recorded under one of these URLs is taken over for `host` " +
					"instead. Set it for the apply after the rename, then remove it. Each is given as `host` is.",
			},
		},
	}
}

func (p *dtclusterProvider) ConfigValidators(context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{
		providervalidator.Conflicting(path.MatchRoot("insecure"), path.MatchRoot("ca_certificate")),
	}
}

// ValidateConfig checks the values that are known at validate time, so a malformed host or CA
// certificate is reported by terraform validate. Values from other resources may be unknown:
// they are checked in Configure.
func (p *dtclusterProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if isSet(cfg.Host) {
		if _, err := apiclient.NormalizeHost(cfg.Host.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("host"), "Invalid Cluster URL", err.Error())
		}
	}
	if isSet(cfg.PreviousHosts) {
		for i, h := range cfg.PreviousHosts.Elements() {
			host, ok := h.(types.String)
			if !ok || !isSet(host) {
				continue
			}
			if _, err := apiclient.NormalizeHost(host.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("previous_hosts").AtListIndex(i), "Invalid Cluster URL", err.Error())
			}
		}
	}
	if isSet(cfg.CACertificate) {
		if err := apiclient.ValidateCACertificate([]byte(cfg.CACertificate.ValueString())); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("ca_certificate"), "Invalid CA Certificate",
				"ca_certificate must be PEM-encoded certificates: "+err.Error())
		}
	}
	if isSet(cfg.Token) {
		// Surrounding white space (a token read with file()) is dropped; what remains must fit in
		// an HTTP header. The message never repeats the token.
		switch _, err := apiclient.NormalizeToken(cfg.Token.ValueString()); {
		case errors.Is(err, apiclient.ErrEmptyToken):
			resp.Diagnostics.AddAttributeError(path.Root("token"), "Empty API Token",
				"token is set to an empty (or blank) string; give the Cluster API token, or leave token out to use the "+
					"DYNATRACE_CLUSTER_API_TOKEN or DT_CLUSTER_API_TOKEN environment variable.")
		case err != nil:
			resp.Diagnostics.AddAttributeError(path.Root("token"), "Invalid API Token", "token: "+err.Error()+".")
		}
	}
}

// Configure builds the API client once and hands it to resources, data sources and actions.
func (p *dtclusterProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := newClient(ctx, cfg, p.version, req.TerraformVersion)
	resp.Diagnostics.Append(diags...)
	if client == nil {
		return
	}
	p.client.Store(client)
	resp.ResourceData = client
	resp.DataSourceData = client
	resp.ActionData = client
	resp.ListResourceData = client
}

func (p *dtclusterProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewUserSessionsConfigResource,
		NewUserSessionsRemovalResource,
	}
}

func (p *dtclusterProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewUserSessionsDataSource,
	}
}

func (p *dtclusterProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewUserSessionsEphemeralResource,
	}
}

func (p *dtclusterProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewUserSessionsConfigListResource,
	}
}

func (p *dtclusterProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		NewRemoveUserSessionsAction,
	}
}

// isSet reports whether a configuration value is known and not null.
func isSet(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}

// clientFrom turns the provider data a Configure method receives into the API client. nil
// provider data (the provider is not configured yet, or its configuration is not known) gives
// nil without a diagnostic; data of any other type is reported, as it is a defect.
func clientFrom(data any, diags *diag.Diagnostics) *apiclient.Client {
	if data == nil {
		return nil
	}
	client, ok := data.(*apiclient.Client)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *apiclient.Client, got %T. This is a defect in the provider; please report it.", data))
		return nil
	}
	return client
}
