package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

// copyTree copies the files below src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(dst, rel), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// terraformIn runs terraform in dir with env and fails the test when it fails.
func terraformIn(t *testing.T, tf, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tf, append(args, "-no-color")...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// startEmulator serves an emulator on a loopback port for the test.
func startEmulator(t testing.TB, opts ...emulator.Option) *emulator.Running {
	t.Helper()
	srv, err := emulator.Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// TestModuleTests runs terraform test of the example module (examples/modules/session-policy)
// against the emulator, or against the cluster in DYNATRACE_CLUSTER_URL and
// DYNATRACE_CLUSTER_API_TOKEN when both are set (another emulator, say): every run passes.
func TestModuleTests(t *testing.T) {
	moduleTests(t, devharness.Terraform(t))
}

// TestModuleTestsOpenTofu runs the same module tests with tofu test.
func TestModuleTestsOpenTofu(t *testing.T) {
	moduleTests(t, devharness.OpenTofu(t))
}

func moduleTests(t *testing.T, tf string) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("skipped: the module's logins run posts to the emulator's control API with curl, which is not on PATH")
	}
	env, _ := devOverrides(t)
	url, token := os.Getenv("DYNATRACE_CLUSTER_URL"), os.Getenv("DYNATRACE_CLUSTER_API_TOKEN")
	if url == "" || token == "" {
		srv := startEmulator(t, emulator.WithSessions(30))
		url, token = srv.URL, emulator.DefaultToken
	}
	env = append(env, "DYNATRACE_CLUSTER_URL="+url, "DYNATRACE_CLUSTER_API_TOKEN="+token)
	work := t.TempDir()
	copyTree(t, filepath.Join("examples", "modules", "session-policy"), work)
	// The tests' helper module; the provider comes from dev_overrides.
	terraformIn(t, tf, work, env, "get", "-test-directory=tests/emulator")
	// The emulator-only suite twice: against one long-running emulator, as the testing guide
	// keeps it, every run passes (the second found the first one's logins before).
	for _, suite := range []struct {
		args []string
		file string
	}{
		{[]string{"test"}, filepath.Join("tests", "session_policy.tftest.hcl")},
		{[]string{"test", "-test-directory=tests/emulator"}, filepath.Join("tests", "emulator", "logins.tftest.hcl")},
		{[]string{"test", "-test-directory=tests/emulator"}, filepath.Join("tests", "emulator", "logins.tftest.hcl")},
	} {
		out := terraformIn(t, tf, work, env, suite.args...)
		spec, err := os.ReadFile(filepath.Join("examples", "modules", "session-policy", suite.file))
		if err != nil {
			t.Fatal(err)
		}
		runs := len(regexp.MustCompile(`(?m)^run "`).FindAll(spec, -1))
		if want := strconv.Itoa(runs) + " passed, 0 failed"; runs < 2 || !strings.Contains(out, want) {
			t.Errorf("terraform %s: want %q (%d runs):\n%s", strings.Join(suite.args, " "), want, runs, out)
		}
	}
}

// applyExample copies examples/ into a folder of its own (an example may use a module beside
// it), and runs terraform get and apply in folder with env; it returns the folder's path.
func applyExample(t *testing.T, tf, folder string, env []string) string {
	t.Helper()
	work := t.TempDir()
	copyTree(t, "examples", work)
	dir := filepath.Join(work, folder)
	terraformIn(t, tf, dir, env, "get")
	terraformIn(t, tf, dir, env, "apply", "-auto-approve")
	return dir
}

// TestMultiClusterExample applies examples/multi-cluster against two emulators: each cluster gets
// its own environment's policy through its provider alias, and the next plan is empty.
func TestMultiClusterExample(t *testing.T) {
	tf := devharness.Terraform(t)
	env, _ := devOverrides(t)
	prod := startEmulator(t, emulator.WithToken("dt0c01.PROD.token-of-the-prod-cluster"))
	staging := startEmulator(t, emulator.WithToken("dt0c01.STAGING.token-of-the-staging-cluster"))
	env = append(env, "TF_VAR_prod_url="+prod.URL, "TF_VAR_prod_token=dt0c01.PROD.token-of-the-prod-cluster",
		"TF_VAR_staging_url="+staging.URL, "TF_VAR_staging_token=dt0c01.STAGING.token-of-the-staging-cluster")
	dir := applyExample(t, tf, "multi-cluster", env)
	if got := prod.Config(); got.ConcurrentSessionPolicy.UserLimit != 3 || got.AutomaticLogout.UserInactivityTimeout != 900 {
		t.Errorf("prod holds %+v, want the production policy", got)
	}
	if got := staging.Config(); got.ConcurrentSessionPolicy.UserLimit != 5 || got.AutomaticLogout.UserInactivityTimeout != 1800 {
		t.Errorf("staging holds %+v, want the staging policy", got)
	}
	if out := terraformIn(t, tf, dir, env, "plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after apply is not empty:\n%s", out)
	}
}

// TestFleetExample applies examples/fleet (fleet mode) against three emulators, each with its
// token in its own environment variable: each gets its environment's policy; the next plan is
// empty, and no token is in the state.
func TestFleetExample(t *testing.T) {
	tf := devharness.Terraform(t)
	env, _ := devOverrides(t)
	want := map[string]struct {
		environment string
		userLimit   int32
	}{"prod": {"production", 3}, "staging": {"staging", 5}, "dev-eu": {"development", 10}}
	servers := map[string]*emulator.Running{}
	var vars []string
	for name, c := range want {
		token := "dt0c01." + strings.ToUpper(strings.ReplaceAll(name, "-", "")) + ".token-of-" + name
		servers[name] = startEmulator(t, emulator.WithToken(token))
		vars = append(vars, fmt.Sprintf("%q = { url = %q, environment = %q }", name, servers[name].URL, c.environment))
		env = append(env, "DYNATRACE_CLUSTER_API_TOKEN_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+"="+token)
	}
	env = append(env, "TF_VAR_clusters={"+strings.Join(vars, ", ")+"}")
	dir := applyExample(t, tf, "fleet", env)
	for name, c := range want {
		if got := servers[name].Config().ConcurrentSessionPolicy.UserLimit; got != c.userLimit {
			t.Errorf("%s holds user_limit %d, want %d (%s)", name, got, c.userLimit, c.environment)
		}
	}
	if out := terraformIn(t, tf, dir, env, "plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after apply is not empty:\n%s", out)
	}
	state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(state), ".token-of-") {
		t.Error("a token is in the state")
	}
}

// TestOpenTofuProviderForEach applies examples/multi-cluster-opentofu (provider for_each) with
// OpenTofu against three emulators: each gets its environment's policy; the next plan is empty.
func TestOpenTofuProviderForEach(t *testing.T) {
	tofu := devharness.OpenTofu(t)
	env, _ := devOverrides(t)
	type cluster struct {
		srv         *emulator.Running
		environment string
		userLimit   int32
	}
	clusters := map[string]cluster{}
	var vars, tokens []string
	for name, c := range map[string]struct {
		environment string
		userLimit   int32
	}{"prod": {"production", 3}, "staging": {"staging", 5}, "dev": {"development", 10}} {
		token := "dt0c01." + strings.ToUpper(name) + ".token-of-" + name
		srv := startEmulator(t, emulator.WithToken(token))
		clusters[name] = cluster{srv, c.environment, c.userLimit}
		vars = append(vars, fmt.Sprintf("%s = { url = %q, environment = %q }", name, srv.URL, c.environment))
		tokens = append(tokens, fmt.Sprintf("%s = %q", name, token))
	}
	env = append(env, "TF_VAR_clusters={"+strings.Join(vars, ", ")+"}", "TF_VAR_tokens={"+strings.Join(tokens, ", ")+"}")
	dir := applyExample(t, tofu, "multi-cluster-opentofu", env)
	for name, c := range clusters {
		if got := c.srv.Config().ConcurrentSessionPolicy.UserLimit; got != c.userLimit {
			t.Errorf("%s holds user_limit %d, want %d (%s)", name, got, c.userLimit, c.environment)
		}
	}
	if out := terraformIn(t, tofu, dir, env, "plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after apply is not empty:\n%s", out)
	}
}

// TestModuleTestsLeaveARealClusterAsFound runs the module's tests the way a user runs them
// against a real cluster: the emulator behind a proxy that has no /emulator/ endpoints, so it
// looks like a cluster. terraform test passes and leaves the policy and the sessions exactly as
// they were; the emulator-only tests stop before changing anything, saying why.
func TestModuleTestsLeaveARealClusterAsFound(t *testing.T) {
	tf := devharness.Terraform(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("skipped: the module's emulator tests call curl, which is not on PATH")
	}
	env, _ := devOverrides(t)
	srv := startEmulator(t, emulator.WithSessions(30))
	original := emulator.UserSessionsConfig{
		ConcurrentSessionPolicy: emulator.ConcurrentSessionPolicy{UserLimit: 8, AdminLimit: 4},
		AutomaticLogout:         emulator.AutomaticLogout{LogoutInactiveUsersEnabled: true, UserInactivityTimeout: 4242},
	}
	if err := srv.SetConfig(original); err != nil {
		t.Fatal(err)
	}
	sessions := len(srv.Sessions(""))
	target, _ := url.Parse(srv.URL)
	cluster := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/emulator/") {
			http.NotFound(w, r) // a real cluster has no control API
			return
		}
		httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
	}))
	t.Cleanup(cluster.Close)
	env = append(env, "DYNATRACE_CLUSTER_URL="+cluster.URL, "DYNATRACE_CLUSTER_API_TOKEN="+emulator.DefaultToken)
	work := t.TempDir()
	copyTree(t, filepath.Join("examples", "modules", "session-policy"), work)
	terraformIn(t, tf, work, env, "get", "-test-directory=tests/emulator")

	out := terraformIn(t, tf, work, env, "test")
	if !strings.Contains(out, "0 failed") || !strings.Contains(out, "simulated_logins_skipped_they_are_in_tests_emulator_for_the_emulator_only") {
		t.Errorf("terraform test against a cluster: want every run to pass and the skip named:\n%s", out)
	}
	if got := srv.Config(); got != original {
		t.Errorf("after terraform test the cluster holds %+v, want the policy it had, %+v", got, original)
	}
	if srv.CountRequests("PUT", "/clusterConfig/userSessions") == 0 {
		t.Error("terraform test sent no PUT: the test proves nothing about restoring")
	}

	cmd := exec.Command(tf, "test", "-test-directory=tests/emulator", "-no-color")
	cmd.Dir, cmd.Env = work, env
	emulatorOnly, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(strings.Join(strings.Fields(string(emulatorOnly)), " "), "is not a dtcluster-emulator") {
		t.Errorf("the emulator-only tests against a cluster: want a failure saying it is not the emulator, got %v:\n%s", err, emulatorOnly)
	}
	if got := srv.Config(); got != original {
		t.Errorf("after the emulator-only tests the cluster holds %+v, want %+v", got, original)
	}
	if n := len(srv.Sessions("")); n != sessions {
		t.Errorf("the cluster has %d sessions, had %d", n, sessions)
	}
}

// TestGitOpsDriftCheck runs the drift check the GitOps guide gives (examples/gitops): quiet when
// users log in between two runs, exit 2 when the policy changes outside Terraform.
func TestGitOpsDriftCheck(t *testing.T) {
	tf := devharness.Terraform(t)
	env, _ := devOverrides(t)
	srv := startEmulator(t, emulator.WithSessions(20))
	env = append(env, "DYNATRACE_CLUSTER_URL="+srv.URL, "DYNATRACE_CLUSTER_API_TOKEN="+emulator.DefaultToken)
	// drift-check.sh runs "terraform": put the one under test first on PATH.
	bin := t.TempDir()
	if err := os.Symlink(tf, filepath.Join(bin, "terraform")); err != nil {
		t.Fatal(err)
	}
	env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := applyExample(t, tf, "gitops", env)
	check := func() (int, string) {
		cmd := exec.Command("bash", filepath.Join(dir, "drift-check.sh"))
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := check(); code != 0 {
		t.Fatalf("drift check right after apply: exit %d, want 0\n%s", code, out)
	}
	if _, err := srv.AddSessions([]emulator.UserSession{{UserID: "late.login"}, {UserID: "jane.doe"}}); err != nil {
		t.Fatal(err)
	}
	if code, out := check(); code != 0 {
		t.Errorf("drift check after two logins: exit %d, want 0 (logins are not drift)\n%s", code, out)
	}
	changed := srv.Config()
	changed.ConcurrentSessionPolicy.UserLimit++
	if err := srv.SetConfig(changed); err != nil {
		t.Fatal(err)
	}
	if code, out := check(); code != 2 || !strings.Contains(out, "user_limit") {
		t.Errorf("drift check after a change of the policy: exit %d, want 2 with the diff\n%s", code, out)
	}
}
