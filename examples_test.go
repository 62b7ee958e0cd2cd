package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/acctest"
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
func startEmulator(t *testing.T, opts ...emulator.Option) *emulator.Running {
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
	tf := acctest.Terraform(t)
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
	terraformIn(t, tf, work, env, "get") // the test's helper module; the provider comes from dev_overrides
	out := terraformIn(t, tf, work, env, "test")
	spec, err := os.ReadFile(filepath.Join("examples", "modules", "session-policy", "tests", "session_policy.tftest.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	runs := len(regexp.MustCompile(`(?m)^run "`).FindAll(spec, -1))
	if want := strconv.Itoa(runs) + " passed, 0 failed"; runs < 5 || !strings.Contains(out, want) {
		t.Errorf("terraform test: want %q (%d runs):\n%s", want, runs, out)
	}
}

// TestMultiClusterExample applies examples/multi-cluster against two emulators: each cluster gets
// its own environment's policy through its provider alias, and the next plan is empty.
func TestMultiClusterExample(t *testing.T) {
	tf := acctest.Terraform(t)
	env, _ := devOverrides(t)
	prod := startEmulator(t, emulator.WithToken("dt0c01.PROD.token-of-the-prod-cluster"))
	staging := startEmulator(t, emulator.WithToken("dt0c01.STAGING.token-of-the-staging-cluster"))
	env = append(env, "TF_VAR_prod_url="+prod.URL, "TF_VAR_prod_token=dt0c01.PROD.token-of-the-prod-cluster",
		"TF_VAR_staging_url="+staging.URL, "TF_VAR_staging_token=dt0c01.STAGING.token-of-the-staging-cluster")
	work := t.TempDir()
	copyTree(t, "examples", work)
	dir := filepath.Join(work, "multi-cluster")
	terraformIn(t, tf, dir, env, "get")
	terraformIn(t, tf, dir, env, "apply", "-auto-approve")
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
