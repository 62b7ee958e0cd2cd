package provider

import (
	"encoding/pem"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// TestAccProviderEnvironment: host and token come from DYNATRACE_CLUSTER_URL /
// DYNATRACE_CLUSTER_API_TOKEN, else DT_CLUSTER_URL / DT_CLUSTER_API_TOKEN; the provider block
// wins over both. Each emulator has its own token, so a mixed-up pair fails with 401.
func TestAccProviderEnvironment(t *testing.T) {
	p := policy{UserLimit: 2, AdminLimit: 2, Enabled: true, Timeout: 450}
	newServer := func(token string) *emulatortest.Server {
		return emulatortest.NewServer(t, emulator.WithToken(token))
	}
	tests := []struct {
		name     string
		env      func(long, short, block *emulatortest.Server) map[string]string
		provider func(long, short, block *emulatortest.Server) string
		// which emulator must end up with the policy
		want func(long, short, block *emulatortest.Server) *emulatortest.Server
	}{
		{
			name: "DYNATRACE_ variables win over DT_ variables",
			env: func(long, short, _ *emulatortest.Server) map[string]string {
				return map[string]string{
					"DYNATRACE_CLUSTER_URL": long.URL, "DYNATRACE_CLUSTER_API_TOKEN": long.Token,
					"DT_CLUSTER_URL": short.URL, "DT_CLUSTER_API_TOKEN": short.Token,
				}
			},
			provider: func(_, _, _ *emulatortest.Server) string { return devharness.ProviderBlock() },
			want:     func(long, _, _ *emulatortest.Server) *emulatortest.Server { return long },
		},
		{
			name: "DT_ variables alone",
			env: func(_, short, _ *emulatortest.Server) map[string]string {
				return map[string]string{
					"DYNATRACE_CLUSTER_URL": "", "DYNATRACE_CLUSTER_API_TOKEN": "",
					"DT_CLUSTER_URL": short.URL, "DT_CLUSTER_API_TOKEN": short.Token,
				}
			},
			provider: func(_, _, _ *emulatortest.Server) string { return devharness.ProviderBlock() },
			want:     func(_, short, _ *emulatortest.Server) *emulatortest.Server { return short },
		},
		{
			name: "provider block wins over the environment",
			env: func(long, short, _ *emulatortest.Server) map[string]string {
				return map[string]string{
					"DYNATRACE_CLUSTER_URL": long.URL, "DYNATRACE_CLUSTER_API_TOKEN": long.Token,
					"DT_CLUSTER_URL": short.URL, "DT_CLUSTER_API_TOKEN": short.Token,
				}
			},
			provider: func(_, _, block *emulatortest.Server) string { return providerBlock(block) },
			want:     func(_, _, block *emulatortest.Server) *emulatortest.Server { return block },
		},
		{
			name: "token from the block, host from the environment",
			env: func(long, _, _ *emulatortest.Server) map[string]string {
				return map[string]string{"DYNATRACE_CLUSTER_URL": long.URL, "DYNATRACE_CLUSTER_API_TOKEN": "dt0c01.WRONG.token"}
			},
			provider: func(long, _, _ *emulatortest.Server) string {
				return devharness.ProviderBlock("token", devharness.Quote(long.Token))
			},
			want: func(long, _, _ *emulatortest.Server) *emulatortest.Server { return long },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			long, short, block := newServer("dt0c01.LONG.token"), newServer("dt0c01.SHORT.token"), newServer("dt0c01.BLOCK.token")
			for k, v := range tt.env(long, short, block) {
				t.Setenv(k, v)
			}
			target := tt.want(long, short, block)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: tt.provider(long, short, block) + configResource(p),
					Check: func(*terraform.State) error {
						for _, srv := range []*emulatortest.Server{long, short, block} {
							want := emulator.DefaultUserSessionsConfig()
							if srv == target {
								want = apiPolicy(p)
							}
							if err := emulatorHolds(srv, want); err != nil {
								return fmt.Errorf("emulator %s: %w", srv.Token, err)
							}
						}
						return nil
					},
				}},
			})
		})
	}
}

// TestAccProviderCACertificate: a cluster with a certificate of a CA the system does not trust
// is reachable once that CA is given as ca_certificate.
func TestAccProviderCACertificate(t *testing.T) {
	srv := emulatortest.NewTLSServer(t)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.HTTP.Certificate().Raw})
	p := policy{UserLimit: 9, AdminLimit: 9, Enabled: false, Timeout: 900}
	block := func(name, value string) string {
		return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), name, value)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      block("max_retries", "0") + configResource(p),
				ExpectError: words("TLS certificate verification failed", "set ca_certificate (or DYNATRACE_CLUSTER_CA_CERTIFICATE) to that CA's PEM"),
			},
			{
				Config: block("ca_certificate", devharness.Quote(string(caPEM))) + configResource(p),
				Check:  func(*terraform.State) error { return emulatorHolds(srv, apiPolicy(p)) },
			},
		},
	})
}

// TestAccProviderCACertificateFromTheEnvironment: DYNATRACE_CLUSTER_CA_CERTIFICATE stands in for
// ca_certificate; a value that is not PEM, or one given with insecure = true, is an error naming
// the variable.
func TestAccProviderCACertificateFromTheEnvironment(t *testing.T) {
	srv := emulatortest.NewTLSServer(t)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.HTTP.Certificate().Raw})
	p := policy{UserLimit: 6, AdminLimit: 6, Enabled: false, Timeout: 900}
	block := devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "max_retries", "0")
	t.Setenv("DYNATRACE_CLUSTER_CA_CERTIFICATE", "not a certificate")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      block + configResource(p),
			ExpectError: words("Invalid CA Certificate", "The CA certificate from the DYNATRACE_CLUSTER_CA_CERTIFICATE environment variable must be PEM-encoded"),
		}},
	})
	t.Setenv("DYNATRACE_CLUSTER_CA_CERTIFICATE", string(caPEM))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "insecure", "true") + configResource(p),
				ExpectError: words("insecure = true conflicts with the CA certificate from the DYNATRACE_CLUSTER_CA_CERTIFICATE environment variable"),
			},
			{
				Config: block + configResource(p),
				Check:  func(*terraform.State) error { return emulatorHolds(srv, apiPolicy(p)) },
			},
		},
	})
}
