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

// newClient resolves the provider configuration (config first, then environment variables) and
// builds the API client. It returns nil when the configuration is incomplete: with error
// diagnostics when a value is missing or invalid, without any when a value is not known yet
// (it comes from a resource still to be created).
func newClient(ctx context.Context, cfg providerModel, version, terraformVersion string) (*apiclient.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if cfg.Host.IsUnknown() || cfg.Token.IsUnknown() || cfg.CACertificate.IsUnknown() || cfg.Insecure.IsUnknown() ||
		cfg.RequestTimeout.IsUnknown() || cfg.MaxRetries.IsUnknown() || !fullyKnown(cfg.PreviousHosts) {
		tflog.Debug(ctx, "Provider configuration not known yet; resources will report it if they need the cluster")
		return nil, nil
	}
	host, hostSource := fromConfigOrEnv(cfg.Host, hostEnvVars)
	rawToken, tokenSource := fromConfigOrEnv(cfg.Token, tokenEnvVars)
	token, tokenErr := apiclient.NormalizeToken(rawToken)
	if host == "" {
		diags.AddAttributeError(path.Root("host"), "Missing Cluster URL",
			"The provider needs the cluster's base URL, such as https://cmc.example.com. Set host in the provider "+
				"block or the DYNATRACE_CLUSTER_URL (or DT_CLUSTER_URL) environment variable.")
	}
	switch {
	case errors.Is(tokenErr, apiclient.ErrEmptyToken):
		diags.AddAttributeError(path.Root("token"), "Missing API Token",
			"The provider needs a Cluster API token with the ServiceProviderAPI scope. Set token in the provider "+
				"block or the DYNATRACE_CLUSTER_API_TOKEN (or DT_CLUSTER_API_TOKEN) environment variable.")
	case tokenErr != nil:
		diags.AddAttributeError(path.Root("token"), "Invalid API Token",
			fmt.Sprintf("The token from %s cannot be used: %s.", tokenSource, tokenErr))
	}
	if diags.HasError() {
		return nil, diags
	}

	settings := apiclient.DefaultConfig()
	settings.UserAgent = userAgent(version, terraformVersion)
	settings.Logger = tflogLogger{token: token}
	if caPEM, caSource := fromConfigOrEnv(cfg.CACertificate, caEnvVars); caPEM != "" {
		if err := apiclient.ValidateCACertificate([]byte(caPEM)); err != nil {
			diags.AddAttributeError(path.Root("ca_certificate"), "Invalid CA Certificate",
				fmt.Sprintf("The CA certificate from %s must be PEM-encoded certificates: %s", caSource, err))
			return nil, diags
		}
		if cfg.Insecure.ValueBool() {
			diags.AddAttributeError(path.Root("insecure"), "Invalid Attribute Combination",
				fmt.Sprintf("insecure = true conflicts with the CA certificate from %s: trust the CA, or skip verification, not both.", caSource))
			return nil, diags
		}
		settings.CACertificate = []byte(caPEM)
	}
	if cfg.Insecure.ValueBool() {
		settings.InsecureSkipVerify = true
		diags.AddAttributeWarning(path.Root("insecure"), "TLS Certificate Verification Disabled",
			"insecure = true: the cluster's certificate is not verified, so anyone on the network path could "+
				"impersonate the cluster and read the API token. Use ca_certificate for a private CA instead.")
	}
	if isSet(cfg.RequestTimeout) {
		settings.RequestTimeout = time.Duration(wholeNumber(cfg.RequestTimeout)) * time.Second
	}
	if isSet(cfg.MaxRetries) {
		settings.MaxRetries = int(wholeNumber(cfg.MaxRetries))
	}
	if isSet(cfg.PreviousHosts) {
		diags.Append(cfg.PreviousHosts.ElementsAs(ctx, &settings.PreviousHosts, false)...)
	}
	client, err := apiclient.New(host, token, settings)
	if err != nil {
		diags.AddAttributeError(path.Root("host"), "Invalid Provider Configuration",
			fmt.Sprintf("The provider cannot be set up with host from %s: %s", hostSource, err))
		return nil, diags
	}
	return client, diags
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
