package provider

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the terraform binary that
// terraform-plugin-testing runs (TF_ACC_TERRAFORM_PATH, set by make test).
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"dtcluster": NewProtocolServer("test"),
}

// providerBlock configures the provider for the emulator srv.
func providerBlock(srv *emulatortest.Server) string {
	return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "max_retries", "5")
}

// policy is a declared session policy.
type policy = devharness.Policy

// configResource renders a dtcluster_user_sessions_config "this" with p; extra lines are added
// to the resource body (for example restore_on_destroy).
func configResource(p policy, extra ...string) string { return p.Resource("this", extra...) }

// apiPolicy is p as the emulator holds it.
func apiPolicy(p policy) emulator.UserSessionsConfig {
	return emulator.UserSessionsConfig{
		ConcurrentSessionPolicy: emulator.ConcurrentSessionPolicy{UserLimit: int32(p.UserLimit), AdminLimit: int32(p.AdminLimit)},
		AutomaticLogout:         emulator.AutomaticLogout{LogoutInactiveUsersEnabled: p.Enabled, UserInactivityTimeout: int32(p.Timeout)},
	}
}

// emulatorHolds checks that the emulator's configuration is want.
func emulatorHolds(srv *emulatortest.Server, want emulator.UserSessionsConfig) error {
	if got := srv.Config(); got != want {
		return fmt.Errorf("the cluster holds %+v, want %+v", got, want)
	}
	return nil
}

// cli runs the terraform binary against a build of this provider (dev_overrides), for the tests
// that need what terraform-plugin-testing does not expose: the whole TF_LOG output, exact request
// counts of single commands, -generate-config-out.
type cli struct {
	t   *testing.T
	tf  string
	dir string
	env []string
}

func TestMain(m *testing.M) {
	code := m.Run()
	devharness.RemoveBuilds()
	os.Exit(code)
}

// newCLI gives t a folder and environment of its own to run terraform in; such tests are
// hermetic, so they run in parallel.
func newCLI(t *testing.T) *cli {
	t.Helper()
	tf := devharness.Terraform(t)
	t.Parallel()
	bin, err := devharness.ProviderDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, ".terraformrc")
	if err := devharness.WriteCLIConfig(rc, bin); err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, tf: tf, dir: dir, env: devharness.Env(rc)}
}

// write replaces main.tf.
func (c *cli) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// run runs terraform with args and extra environment, returning the combined output and error.
func (c *cli) run(extraEnv []string, args ...string) (string, error) {
	c.t.Helper()
	cmd := exec.Command(c.tf, append(args, "-no-color")...)
	cmd.Dir = c.dir
	cmd.Env = append(append([]string(nil), c.env...), extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// must runs terraform and fails the test when it fails.
func (c *cli) must(args ...string) string {
	c.t.Helper()
	out, err := c.run(nil, args...)
	if err != nil {
		c.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

const terraformBlock = devharness.TerraformBlock

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
	proxy := newConnectProxy(t, strings.TrimPrefix(srv.URL, "https://"))
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
	if got := proxy.requests(); len(got) == 0 || got[0] != "CONNECT "+name+":443" {
		t.Errorf("proxy requests %v, want CONNECT %s:443", got, name)
	}
	if strings.Contains(out, password) || strings.Contains(out, emulator.DefaultToken) {
		t.Error("the proxy's password or the token appears in terraform's output")
	}

	// NO_PROXY: the provider goes straight to the host, which does not resolve here.
	before := len(proxy.requests())
	out, err = c.run([]string{"HTTPS_PROXY=" + proxyURL, "NO_PROXY=" + name, "DYNATRACE_CLUSTER_CA_CERTIFICATE=" + string(caPEM)}, "plan")
	if err == nil || !strings.Contains(strings.Join(strings.Fields(out), " "), "does not resolve") {
		t.Errorf("plan with NO_PROXY naming the host: want the host's own lookup to fail, got %v\n%s", err, tail(out))
	}
	if after := len(proxy.requests()); after != before {
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
