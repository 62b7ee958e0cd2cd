package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// clusterModel is one entry of the provider's clusters.
type clusterModel struct {
	Host          types.String `tfsdk:"host"`
	Token         types.String `tfsdk:"token"`
	CACertificate types.String `tfsdk:"ca_certificate"`
	Insecure      types.Bool   `tfsdk:"insecure"`
	PreviousHosts types.List   `tfsdk:"previous_hosts"`
}

// connection is how one cluster is reached, resolved from the configuration and the environment;
// at is the attribute path its settings are named under in errors (the root, or clusters["x"]).
type connection struct {
	name, host, hostSource, token, tokenSource, tokenHelp string
	ca, caSource                                          string
	insecure                                              bool
	previous                                              types.List
	at                                                    func(string) path.Path
}

// newFleet resolves the provider configuration (config first, then environment variables) into
// the clusters it governs. It returns nil when the configuration is incomplete: with error
// diagnostics when a value is missing or invalid, without any when a value is not known yet (it
// comes from a resource still to be created). The default cluster's client is built at once, as
// before clusters existed; a named cluster's is checked now and built on first use.
func newFleet(ctx context.Context, cfg providerModel, version, terraformVersion string) (*fleet, diag.Diagnostics) {
	var diags diag.Diagnostics
	if cfg.Host.IsUnknown() || cfg.Token.IsUnknown() || cfg.CACertificate.IsUnknown() || cfg.Insecure.IsUnknown() ||
		cfg.RequestTimeout.IsUnknown() || cfg.MaxRetries.IsUnknown() || !fullyKnown(cfg.PreviousHosts) || !mapFullyKnown(ctx, cfg.Clusters) {
		tflog.Debug(ctx, "Provider configuration not known yet; resources will report it if they need the cluster")
		return nil, nil
	}
	shared := apiclient.DefaultConfig()
	shared.UserAgent = userAgent(version, terraformVersion)
	if isSet(cfg.RequestTimeout) {
		shared.RequestTimeout = time.Duration(wholeNumber(cfg.RequestTimeout)) * time.Second
	}
	if isSet(cfg.MaxRetries) {
		shared.MaxRetries = int(wholeNumber(cfg.MaxRetries))
	}
	var entries map[string]clusterModel
	if !cfg.Clusters.IsNull() {
		diags.Append(cfg.Clusters.ElementsAs(ctx, &entries, false)...)
	}
	f := &fleet{named: map[string]*fleetEntry{}}
	host, hostSource := fromConfigOrEnv(cfg.Host, hostEnvVars)
	token, tokenSource := fromConfigOrEnv(cfg.Token, tokenEnvVars)
	ca, caSource := fromConfigOrEnv(cfg.CACertificate, caEnvVars)
	// With clusters, a default cluster is optional: it exists when a host is given.
	if entries == nil || host != "" {
		root := connection{host: host, hostSource: hostSource, token: token, tokenSource: tokenSource,
			tokenHelp: "Set token in the provider block or the DYNATRACE_CLUSTER_API_TOKEN (or DT_CLUSTER_API_TOKEN) environment variable.",
			ca:        ca, caSource: caSource, insecure: cfg.Insecure.ValueBool(), previous: cfg.PreviousHosts, at: path.Root}
		if settings, ok := root.settings(ctx, shared, &diags); ok {
			client, err := apiclient.New(root.host, root.token, settings)
			if err != nil {
				diags.AddAttributeError(path.Root("host"), "Invalid Provider Configuration",
					fmt.Sprintf("The provider cannot be set up with host from %s: %s", hostSource, err))
			}
			f.defaultClient = client
		}
	}
	for name, entry := range entries {
		at := func(attr string) path.Path { return path.Root("clusters").AtMapKey(name).AtName(attr) }
		if !clusterNamePattern.MatchString(name) {
			diags.AddAttributeError(path.Root("clusters").AtMapKey(name), "Invalid Cluster Name", fmt.Sprintf(
				"clusters[%q]: a cluster's name is 1 to 64 letters, digits, _ or -: objects name it in cluster, and "+
					"its token may come from the environment variable %s_<NAME>.", name, tokenEnvVars[0]))
			continue
		}
		envVar := clusterTokenEnvVar(name)
		token, tokenSource := fromConfigOrEnv(entry.Token, []string{envVar})
		c := connection{name: name, host: entry.Host.ValueString(), hostSource: fmt.Sprintf("clusters[%q]", name),
			token: token, tokenSource: tokenSource,
			tokenHelp: fmt.Sprintf("Set token in clusters[%q], or the %s environment variable.", name, envVar),
			ca:        entry.CACertificate.ValueString(), caSource: fmt.Sprintf("clusters[%q].ca_certificate", name),
			insecure: entry.Insecure.ValueBool(), previous: entry.PreviousHosts, at: at}
		settings, ok := c.settings(ctx, shared, &diags)
		if !ok {
			continue
		}
		url, err := apiclient.ClusterURLOf(c.host)
		if err != nil {
			diags.AddAttributeError(at("host"), "Invalid Cluster URL", fmt.Sprintf("clusters[%q].host: %s", name, err))
			continue
		}
		var previous []string
		for _, h := range settings.PreviousHosts {
			if u, err := apiclient.ClusterURLOf(h); err == nil {
				previous = append(previous, u)
			}
		}
		f.named[name] = &fleetEntry{url: url, previous: previous,
			build: func() (*apiclient.Client, error) { return apiclient.New(c.host, c.token, settings) }}
	}
	if diags.HasError() {
		return nil, diags
	}
	return f, diags
}

// settings checks one cluster's connection and returns the client settings for it (shared's,
// with its TLS, token logging and previous hosts); false after an error diagnostic.
func (c connection) settings(ctx context.Context, shared apiclient.Config, diags *diag.Diagnostics) (apiclient.Config, bool) {
	before := diags.ErrorsCount()
	label := "the provider"
	if c.name != "" {
		label = fmt.Sprintf("clusters[%q]", c.name)
	}
	token, tokenErr := apiclient.NormalizeToken(c.token)
	if c.host == "" {
		diags.AddAttributeError(c.at("host"), "Missing Cluster URL", fmt.Sprintf(
			"%s needs the cluster's base URL, such as https://cmc.example.com. Set host in the provider block or the "+
				"DYNATRACE_CLUSTER_URL (or DT_CLUSTER_URL) environment variable.", label))
	}
	switch {
	case errors.Is(tokenErr, apiclient.ErrEmptyToken):
		diags.AddAttributeError(c.at("token"), "Missing API Token", fmt.Sprintf(
			"%s needs a Cluster API token with the ServiceProviderAPI scope. %s", label, c.tokenHelp))
	case tokenErr != nil:
		diags.AddAttributeError(c.at("token"), "Invalid API Token",
			fmt.Sprintf("The token from %s cannot be used: %s.", c.tokenSource, tokenErr))
	}
	settings := shared
	settings.Name = c.name
	settings.Logger = tflogLogger{token: token}
	if c.ca != "" {
		if err := apiclient.ValidateCACertificate([]byte(c.ca)); err != nil {
			diags.AddAttributeError(c.at("ca_certificate"), "Invalid CA Certificate",
				fmt.Sprintf("The CA certificate from %s must be PEM-encoded certificates: %s", c.caSource, err))
		} else if c.insecure {
			diags.AddAttributeError(c.at("insecure"), "Invalid Attribute Combination",
				fmt.Sprintf("insecure = true conflicts with the CA certificate from %s: trust the CA, or skip verification, not both.", c.caSource))
		}
		settings.CACertificate = []byte(c.ca)
	}
	if c.insecure {
		settings.InsecureSkipVerify = true
		diags.AddAttributeWarning(c.at("insecure"), "TLS Certificate Verification Disabled", fmt.Sprintf(
			"insecure = true (%s): the cluster's certificate is not verified, so anyone on the network path could "+
				"impersonate the cluster and read the API token. Use ca_certificate for a private CA instead.", label))
	}
	if isSet(c.previous) {
		diags.Append(c.previous.ElementsAs(ctx, &settings.PreviousHosts, false)...)
	}
	return settings, diags.ErrorsCount() == before
}

// fromConfigOrEnv returns the configured value or, when it is null, the first environment
// variable that is set, with a description of where the value came from.
func fromConfigOrEnv(v types.String, envVars []string) (value, source string) {
	if !v.IsNull() {
		return v.ValueString(), "the provider block"
	}
	for _, name := range envVars {
		if value := os.Getenv(name); strings.TrimSpace(value) != "" {
			return value, "the " + name + " environment variable"
		}
	}
	return "", "nowhere"
}

func userAgent(version, terraformVersion string) string {
	ua := "terraform-provider-dtcluster/" + version
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	return ua
}

// tflogLogger sends the client's log lines to tflog with the token masked on the context of
// each line, whatever context the caller passed.
type tflogLogger struct {
	token string
}

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(l.mask(ctx), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(l.mask(ctx), msg, fields)
}

func (l tflogLogger) mask(ctx context.Context) context.Context {
	ctx = tflog.MaskAllFieldValuesStrings(ctx, l.token)
	return tflog.MaskMessageStrings(ctx, l.token)
}

// mapFullyKnown reports whether a map and everything in it are known.
func mapFullyKnown(ctx context.Context, m types.Map) bool {
	v, err := m.ToTerraformValue(ctx)
	return err == nil && v.IsFullyKnown()
}

// fullyKnown reports whether a list of strings and each of its elements are known.
func fullyKnown(l types.List) bool {
	if l.IsUnknown() {
		return false
	}
	for _, e := range l.Elements() {
		if e.IsUnknown() {
			return false
		}
	}
	return true
}
