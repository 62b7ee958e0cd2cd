package provider

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

func cliConfig(srv *emulatortest.Server, token string, p policy) string {
	return terraformBlock + devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(token)) + configResource(p)
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

// TestCLIRequestCounts: a refresh is one GET; an update is one PUT plus one GET.
func TestCLIRequestCounts(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t)
	c.write("main.tf", cliConfig(srv, srv.Token, policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}))
	c.must("apply", "-auto-approve")

	srv.ClearRequests()
	if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("plan after apply is not empty:\n%s", out)
	}
	assertRequests(t, srv, 1, 0)

	c.write("main.tf", cliConfig(srv, srv.Token, policy{UserLimit: 6, AdminLimit: 3, Enabled: true, Timeout: 900}))
	srv.ClearRequests()
	c.must("apply", "-auto-approve", "-refresh=false")
	assertRequests(t, srv, 1, 1)
}

func assertRequests(t *testing.T, srv *emulatortest.Server, gets, puts int) {
	t.Helper()
	g := srv.CountRequests("GET", "/clusterConfig/userSessions")
	p := srv.CountRequests("PUT", "/clusterConfig/userSessions")
	if g != gets || p != puts || len(srv.Requests()) != gets+puts {
		t.Errorf("requests %+v: %d GET and %d PUT, want %d and %d", srv.Requests(), g, p, gets, puts)
	}
}

// TestCLIBrownfieldAdoption: an import block and -generate-config-out adopt a cluster's existing
// policy as valid HCL, and the next plan is empty without anything sent to change the cluster.
func TestCLIBrownfieldAdoption(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t)
	existing := policy{UserLimit: 3, AdminLimit: 1, Enabled: true, Timeout: 1800}
	if err := srv.SetConfig(apiPolicy(existing)); err != nil {
		t.Fatal(err)
	}
	c.write("main.tf", terraformBlock+providerBlock(srv)+`
import {
  to = dtcluster_user_sessions_config.this
  id = "user_sessions"
}
`)
	out := c.must("plan", "-generate-config-out=generated.tf")
	if !strings.Contains(out, "1 to import") {
		t.Fatalf("plan does not import:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(c.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"user_limit", "= 3", "user_inactivity_timeout", "= 1800", "restore_on_destroy"} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("generated.tf lacks %q:\n%s", want, generated)
		}
	}
	c.must("validate")
	c.must("apply", "-auto-approve")
	if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after adoption is not empty:\n%s", out)
	}
	if n := srv.CountRequests("PUT", "/clusterConfig/userSessions"); n != 0 {
		t.Errorf("adoption sent %d PUT requests", n)
	}
	if err := emulatorHolds(srv, apiPolicy(existing)); err != nil {
		t.Error(err)
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

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
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

// TestCLIRequestCountsSessions: a data source read is one GET; a removal is one GET (to count)
// and one DELETE; a refresh of a recorded removal makes no request.
func TestCLIRequestCountsSessions(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t, emulator.WithSessions(50))
	c.write("main.tf", terraformBlock+providerBlock(srv)+sessionsDataSource("")+idsOutput)
	srv.ClearRequests()
	c.must("plan")
	if n := srv.CountRequests("GET", "/userSessions"); n != 1 || len(srv.Requests()) != 1 {
		t.Errorf("data source read: requests %+v, want one GET", srv.Requests())
	}

	c.write("main.tf", terraformBlock+providerBlock(srv)+removalResource("jane.doe", "OPS-1"))
	srv.ClearRequests()
	c.must("apply", "-auto-approve")
	if g, d := srv.CountRequests("GET", "/userSessions"), srv.CountRequests("DELETE", "/userSessions"); g != 1 || d != 1 || len(srv.Requests()) != 2 {
		t.Errorf("removal: requests %+v, want one GET and one DELETE", srv.Requests())
	}
	srv.ClearRequests()
	c.must("plan")
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("refresh of a removal: requests %+v, want none", srv.Requests())
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
