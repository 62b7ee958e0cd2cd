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
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

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
	// clusters is what Configure built, for the protocol server's reads of the sessions
	// (dtclusterServer is not a framework object, so the framework cannot hand it the clusters).
	clusters atomic.Pointer[fleet]
}

type providerModel struct {
	Host           types.String `tfsdk:"host"`
	Token          types.String `tfsdk:"token"`
	CACertificate  types.String `tfsdk:"ca_certificate"`
	Insecure       types.Bool   `tfsdk:"insecure"`
	RequestTimeout types.Number `tfsdk:"request_timeout"`
	MaxRetries     types.Number `tfsdk:"max_retries"`
	PreviousHosts  types.List   `tfsdk:"previous_hosts"`
	Clusters       types.Map    `tfsdk:"clusters"`
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
			"clusters": schema.MapNestedAttribute{
				Optional: true,
				MarkdownDescription: "Fleet mode: more clusters this one provider configuration governs, by a name of " +
					"your choice (1 to 64 letters, digits, `_` or `-`). Every object takes `cluster`, the name of one of " +
					"them; an object without `cluster` uses the default cluster (`host` and `token`, or their environment " +
					"variables), which is optional when `clusters` is set. `request_timeout` and `max_retries` apply to " +
					"every cluster. One provider process serves them all, each cluster's client built on first use.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"host": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Base URL of the cluster, as the provider's `host`.",
					},
					"token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "Cluster API token of the cluster, as the provider's `token`. Defaults to the " +
							"environment variable `DYNATRACE_CLUSTER_API_TOKEN_<NAME>`: the cluster's name in upper case, `-` " +
							"as `_` (`DYNATRACE_CLUSTER_API_TOKEN_PROD` for `prod`), so a pipeline keeps tokens out of HCL.",
					},
					"ca_certificate": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "PEM-encoded CA certificate(s) to trust for this cluster, as the provider's `ca_certificate`.",
					},
					"insecure": schema.BoolAttribute{
						Optional:            true,
						MarkdownDescription: "Skip verification of this cluster's TLS certificate, as the provider's `insecure`.",
					},
					"previous_hosts": schema.ListAttribute{
						Optional:            true,
						ElementType:         types.StringType,
						MarkdownDescription: "Base URLs this cluster was reached at before a rename, as the provider's `previous_hosts`.",
					},
				}},
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
	validateConnection(path.Root, "", clusterModel{Host: cfg.Host, Token: cfg.Token, CACertificate: cfg.CACertificate,
		Insecure: cfg.Insecure, PreviousHosts: cfg.PreviousHosts}, &resp.Diagnostics)
	if cfg.Clusters.IsNull() || cfg.Clusters.IsUnknown() {
		return
	}
	for name, v := range cfg.Clusters.Elements() {
		at := path.Root("clusters").AtMapKey(name)
		if !clusterNamePattern.MatchString(name) {
			resp.Diagnostics.AddAttributeError(at, "Invalid Cluster Name", fmt.Sprintf(
				"clusters[%q]: a cluster's name is 1 to 64 letters, digits, _ or -: objects name it in cluster, and its "+
					"token may come from the environment variable %s_<NAME>.", name, tokenEnvVars[0]))
			continue
		}
		obj, ok := v.(types.Object)
		if !ok || obj.IsUnknown() {
			continue
		}
		var entry clusterModel
		if obj.As(ctx, &entry, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true}).HasError() {
			continue
		}
		validateConnection(func(attr string) path.Path { return at.AtName(attr) }, name, entry, &resp.Diagnostics)
	}
}

// validateConnection checks the known values of one cluster's connection settings (the provider's
// own, or an entry of clusters named name), naming each attribute at at: a malformed host,
// previous host or CA certificate, or an unusable token, is reported by terraform validate.
// Values from other resources may be unknown: they are checked in Configure.
func validateConnection(at func(string) path.Path, name string, c clusterModel, diags *diag.Diagnostics) {
	label, prefix, hostPrefix := "token", "", ""
	if name != "" {
		label, prefix = fmt.Sprintf("clusters[%q].token", name), fmt.Sprintf("clusters[%q].", name)
		hostPrefix = prefix + "host: "
	}
	if isSet(c.Host) {
		if _, err := apiclient.NormalizeHost(c.Host.ValueString()); err != nil {
			diags.AddAttributeError(at("host"), "Invalid Cluster URL", hostPrefix+err.Error())
		}
	}
	if isSet(c.PreviousHosts) {
		for i, h := range c.PreviousHosts.Elements() {
			host, ok := h.(types.String)
			if !ok || !isSet(host) {
				continue
			}
			if _, err := apiclient.NormalizeHost(host.ValueString()); err != nil {
				diags.AddAttributeError(at("previous_hosts").AtListIndex(i), "Invalid Cluster URL", prefix+err.Error())
			}
		}
	}
	if isSet(c.CACertificate) {
		if err := apiclient.ValidateCACertificate([]byte(c.CACertificate.ValueString())); err != nil {
			diags.AddAttributeError(at("ca_certificate"), "Invalid CA Certificate",
				prefix+"ca_certificate must be PEM-encoded certificates: "+err.Error())
		} else if c.Insecure.ValueBool() && name != "" { // the provider's own: its ConfigValidators
			diags.AddAttributeError(at("insecure"), "Invalid Attribute Combination",
				"insecure = true conflicts with ca_certificate: trust the CA, or skip verification, not both.")
		}
	}
	if isSet(c.Token) {
		// Surrounding white space (a token read with file()) is dropped; what remains must fit in
		// an HTTP header. The message never repeats the token.
		switch _, err := apiclient.NormalizeToken(c.Token.ValueString()); {
		case errors.Is(err, apiclient.ErrEmptyToken):
			env := "the DYNATRACE_CLUSTER_API_TOKEN or DT_CLUSTER_API_TOKEN environment variable"
			if name != "" {
				env = "the " + clusterTokenEnvVar(name) + " environment variable"
			}
			diags.AddAttributeError(at("token"), "Empty API Token", label+" is set to an empty (or blank) string; give "+
				"the Cluster API token, or leave it out to use "+env+".")
		case err != nil:
			diags.AddAttributeError(at("token"), "Invalid API Token", label+": "+err.Error()+".")
		}
	}
}

// Configure builds the clusters once and hands them to resources, data sources and actions.
func (p *dtclusterProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	clusters, diags := newFleet(ctx, cfg, p.version, req.TerraformVersion)
	resp.Diagnostics.Append(diags...)
	if clusters == nil {
		return
	}
	p.clusters.Store(clusters)
	resp.ResourceData = clusters
	resp.DataSourceData = clusters
	resp.ActionData = clusters
	resp.ListResourceData = clusters
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

// fleetFrom turns the provider data a Configure method receives into the clusters. nil provider
// data (the provider is not configured yet, or its configuration is not known) gives nil without
// a diagnostic; data of any other type is reported, as it is a defect.
func fleetFrom(data any, diags *diag.Diagnostics) *fleet {
	if data == nil {
		return nil
	}
	clusters, ok := data.(*fleet)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected the provider's clusters, got %T. This is a defect in the provider; please report it.", data))
		return nil
	}
	return clusters
}
