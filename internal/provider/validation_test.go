package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// words matches the words of phrase with any white space between them (terraform wraps long
// diagnostics), in order, anywhere in the output.
func words(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		fields := strings.Fields(p)
		for j, f := range fields {
			fields[j] = regexp.QuoteMeta(f)
		}
		parts[i] = strings.Join(fields, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// TestAccBadConfigurations: every bad configuration fails before anything is sent to change the
// cluster, with a message naming the attribute and what is allowed.
func TestAccBadConfigurations(t *testing.T) {
	for _, name := range append(append([]string(nil), hostEnvVars...), tokenEnvVars...) {
		t.Setenv(name, "")
	}
	valid := policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}
	resourceWith := func(policyBody, logoutBody string) string {
		return fmt.Sprintf(`
resource "dtcluster_user_sessions_config" "this" {
  concurrent_session_policy = %s
  automatic_logout = %s
}
`, policyBody, logoutBody)
	}
	const okPolicy = `{ user_limit = 5, admin_limit = 2 }`
	const okLogout = `{ logout_inactive_users_enabled = true, user_inactivity_timeout = 900 }`
	const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIBATAKBggqhkjOPQQDAjAcMRowGAYDVQQDExFkdGNsdXN0\n-----END CERTIFICATE-----\n"

	tests := []struct {
		name     string
		provider func(srv *emulatortest.Server) string
		resource string
		want     *regexp.Regexp
	}{
		{"negative limit", nil, resourceWith(`{ user_limit = -1, admin_limit = 2 }`, okLogout),
			words("concurrent_session_policy.user_limit must be a whole number between 0 and 2147483647, got -1")},
		{"limit beyond int32", nil, resourceWith(`{ user_limit = 5, admin_limit = 3000000000 }`, okLogout),
			words("concurrent_session_policy.admin_limit must be a whole number between 0 and 2147483647, got 3000000000")},
		{"one limit zero", nil, resourceWith(`{ user_limit = 0, admin_limit = 2 }`, okLogout),
			words("Invalid Concurrent Session Policy", "user_limit is 0 and admin_limit is 2", "both limits to be 0 (no limit) or both to be greater than 0")},
		{"timeout zero", nil, resourceWith(okPolicy, `{ logout_inactive_users_enabled = true, user_inactivity_timeout = 0 }`),
			words("automatic_logout.user_inactivity_timeout must be a whole number between 1 and 2147483647, got 0")},
		{"fractional limit", nil, resourceWith(`{ user_limit = 1.5, admin_limit = 2 }`, okLogout),
			words("concurrent_session_policy.user_limit must be a whole number between 0 and 2147483647, got 1.5")},
		{"fractional timeout", nil, resourceWith(okPolicy, `{ logout_inactive_users_enabled = true, user_inactivity_timeout = 900.25 }`),
			words("automatic_logout.user_inactivity_timeout must be a whole number between 1 and 2147483647, got 900.25")},
		{"missing policy", nil, `resource "dtcluster_user_sessions_config" "this" {
  automatic_logout = ` + okLogout + `
}`, words(`The argument "concurrent_session_policy" is required`)},
		{"missing automatic logout", nil, `resource "dtcluster_user_sessions_config" "this" {
  concurrent_session_policy = ` + okPolicy + `
}`, words(`The argument "automatic_logout" is required`)},
		{"missing timeout", nil, resourceWith(okPolicy, `{ logout_inactive_users_enabled = false }`),
			words(`attribute "user_inactivity_timeout" is required`)},
		{"limit of the wrong type", nil, resourceWith(`{ user_limit = "five", admin_limit = 2 }`, okLogout),
			words(`Inappropriate value for attribute "concurrent_session_policy"`, "a number is required")},
		{"flag of the wrong type", nil, resourceWith(okPolicy, `{ logout_inactive_users_enabled = "maybe", user_inactivity_timeout = 900 }`),
			words(`Inappropriate value for attribute "automatic_logout"`, "a bool is required")},
		{"unknown attribute", nil, strings.Replace(configResource(valid), "concurrent_session_policy", "session_limit = 3\n  concurrent_session_policy", 1),
			words(`An argument named "session_limit" is not expected here`)},
		{"insecure with ca_certificate", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "insecure", "true", "ca_certificate", devharness.Quote(pem))
		}, configResource(valid), words("Invalid Attribute Combination", "These attributes cannot be configured together: [insecure,ca_certificate]")},
		{"malformed host", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote("cmc.example.com"), "token", devharness.Quote(srv.Token))
		}, configResource(valid), words("Invalid Cluster URL", "it has no scheme", "a valid host is the cluster's base URL, such as https://cmc.example.com")},
		{"host with another path", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL+"/e/environment"), "token", devharness.Quote(srv.Token))
		}, configResource(valid), words("Invalid Cluster URL", `path "/e/environment" is not allowed`)},
		{"plain http to a remote host", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote("http://cmc.example.com"), "token", devharness.Quote(srv.Token))
		}, configResource(valid), words("Invalid Cluster URL", "plain http:// is only allowed to a loopback host")},
		{"missing token", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL))
		}, configResource(valid), words("Missing API Token", "Set token in the provider block or the DYNATRACE_CLUSTER_API_TOKEN (or DT_CLUSTER_API_TOKEN) environment variable")},
		{"missing host", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("token", devharness.Quote(srv.Token))
		}, configResource(valid), words("Missing Cluster URL", "Set host in the provider block or the DYNATRACE_CLUSTER_URL (or DT_CLUSTER_URL) environment variable")},
		{"empty token", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(""))
		}, configResource(valid), words("Empty API Token", "token is set to an empty (or blank) string")},
		{"token with a line break inside", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote("dt0c01.AB\nCD.secret"))
		}, configResource(valid), words("Invalid API Token", "token: the API token holds a control character")},
		{"blank token", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote("  \n"))
		}, configResource(valid), words("Empty API Token")},
		{"plain http to a trailing-dot localhost", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(strings.Replace(srv.URL, "127.0.0.1", "localhost.", 1)), "token", devharness.Quote(srv.Token))
		}, configResource(valid), words("Invalid Cluster URL", "plain http:// is only allowed to a loopback host")},
		{"host with a password", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote("https://admin:p#hunter2@cmc.example.com"), "token", devharness.Quote(srv.Token))
		}, configResource(valid), regexp.MustCompile(`(?s)Invalid Cluster URL.*\[credentials removed\]@cmc\.example\.com`)},
		{"CA certificate not PEM", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "ca_certificate", devharness.Quote("not a certificate"))
		}, configResource(valid), words("Invalid CA Certificate", "ca_certificate must be PEM-encoded certificates")},
		{"request timeout zero", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "request_timeout", "0")
		}, configResource(valid), words("request_timeout must be a whole number between 1 and 3600, got 0")},
		{"fractional request timeout", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "request_timeout", "2.5")
		}, configResource(valid), words("request_timeout must be a whole number between 1 and 3600, got 2.5")},
		{"port zero", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote("https://cmc.example.com:0"), "token", devharness.Quote(srv.Token))
		}, configResource(valid), words("Invalid Cluster URL", "with provider", "host =", "port 0 is not a port number: it must be between 1 and 65535")},
		{"port beyond 65535", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote("https://cmc.example.com:99999"), "token", devharness.Quote(srv.Token))
		}, configResource(valid), words("Invalid Cluster URL", "port 99999 is not a port number")},
		{"invalid previous host", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "previous_hosts", `["cmc-old.example.com"]`)
		}, configResource(valid), words("Invalid Cluster URL", "previous_hosts", "it has no scheme")},
		{"too many retries", func(srv *emulatortest.Server) string {
			return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "max_retries", "50")
		}, configResource(valid), words("max_retries must be a whole number between 0 and 20, got 50")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulatortest.NewServer(t)
			block := providerBlock(srv)
			if tt.provider != nil {
				block = tt.provider(srv)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: block + tt.resource, ExpectError: tt.want}},
			})
			if n := srv.CountRequests("PUT", "/clusterConfig/userSessions"); n != 0 {
				t.Errorf("%d PUT requests reached the cluster", n)
			}
			if got := srv.Config(); got != emulator.DefaultUserSessionsConfig() {
				t.Errorf("the cluster changed: %+v", got)
			}
		})
	}
}

// TestAccTokenWithLineBreakWorks: a token read with file() keeps its trailing line break; the
// provider drops it instead of failing after retries.
func TestAccTokenWithLineBreakWorks(t *testing.T) {
	srv := emulatortest.NewServer(t)
	p := policy{UserLimit: 3, AdminLimit: 1, Enabled: false, Timeout: 600}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token+"\n")) + configResource(p),
			Check:  func(*terraform.State) error { return emulatorHolds(srv, apiPolicy(p)) },
		}},
	})
}
