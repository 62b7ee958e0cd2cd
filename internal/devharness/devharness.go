// Package devharness is the one place where tests, the benchmarks and the demo build the
// provider, point Terraform at the build (dev_overrides), find Terraform and gate on its
// version, and write HCL. It does not import the testing package: the helpers that skip take
// the small TB interface, which *testing.T satisfies.
package devharness

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// ProviderAddress is the provider's source address in Terraform and in OpenTofu.
const (
	ProviderAddress        = "registry.terraform.io/dtcluster/dtcluster"
	OpenTofuProviderSource = "registry.opentofu.org/dtcluster/dtcluster"
	binaryName             = "terraform-provider-dtcluster"
)

// TB is what the skipping helpers need of a test; *testing.T and *testing.B satisfy it.
type TB interface {
	Helper()
	Skip(args ...any)
	Fatal(args ...any)
}

// ModuleRoot is the repository root (the folder of go.mod), found from this source file.
func ModuleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// BuildProvider builds the provider into dir with extra go build flags (such as -trimpath) and
// returns the binary's path.
func BuildProvider(dir string, flags ...string) (string, error) {
	bin := filepath.Join(dir, binaryName)
	args := append(append([]string{"build"}, flags...), "-o", bin, ".")
	cmd := exec.CommandContext(context.Background(), "go", args...) //nolint:gosec // go build with the caller's build flags
	cmd.Dir = ModuleRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build of the provider: %w\n%s", err, out)
	}
	return bin, nil
}

var (
	buildOnce sync.Once
	builtDir  string
	buildErr  error
)

// ProviderDir builds the provider once per process, into a temporary folder that
// RemoveBuilds deletes, and returns the folder.
func ProviderDir() (string, error) {
	buildOnce.Do(func() {
		builtDir, buildErr = os.MkdirTemp("", "dtcluster-provider-bin-")
		if buildErr == nil {
			_, buildErr = BuildProvider(builtDir)
		}
	})
	return builtDir, buildErr
}

// RemoveBuilds deletes what ProviderDir built; call it from TestMain after the tests.
func RemoveBuilds() {
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
}

// WriteCLIConfig writes, at path, a CLI configuration whose dev_overrides point Terraform (and
// OpenTofu) at the provider binary in providerDir.
func WriteCLIConfig(path, providerDir string) error {
	content := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
    %q = %q
  }
  direct {}
}
`, ProviderAddress, providerDir, OpenTofuProviderSource, providerDir)
	return os.WriteFile(path, []byte(content), 0o600)
}

// Env is the environment for terraform runs against the build: the process environment with the
// CLI configuration, automation mode and no update checks.
func Env(cliConfig string) []string {
	return append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
}

// SkipInShortMode skips t when the tests run with -short (make test-quick), saying that make
// test runs it. It reads the test.short flag rather than import package testing, so that a
// command using devharness does not link it.
func SkipInShortMode(t TB) {
	t.Helper()
	if f := flag.Lookup("test.short"); f != nil && f.Value.String() == "true" {
		t.Skip("skipped in -short mode (make test-quick): starts terraform or OpenTofu; make test runs it")
	}
}

// Terraform returns the terraform binary of the acceptance tests (TF_ACC_TERRAFORM_PATH, as make
// test sets it), or skips t saying how to run it; in -short mode it skips (SkipInShortMode).
func Terraform(t TB) string {
	t.Helper()
	SkipInShortMode(t)
	return binaryFromEnv(t, "TF_ACC_TERRAFORM_PATH", "skipped: runs the terraform CLI; set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does)")
}

// OpenTofu returns the tofu binary the tests may run (DTCLUSTER_TOFU_PATH, which make test sets
// from TOFU), or skips t saying how to run it; in -short mode it skips.
func OpenTofu(t TB) string {
	t.Helper()
	SkipInShortMode(t)
	return binaryFromEnv(t, "DTCLUSTER_TOFU_PATH",
		"skipped: runs OpenTofu; set DTCLUSTER_TOFU_PATH, or TOFU=/path/to/tofu for make test (CI builds OpenTofu 1.12.6 with the shared tool)")
}

// binaryFromEnv returns the path in the environment variable name, or skips t with why.
func binaryFromEnv(t TB, name, why string) string {
	t.Helper()
	path := os.Getenv(name)
	if path == "" {
		t.Skip(why)
	}
	return path
}

// TerraformVersion reports the major and minor version of the terraform (or tofu) binary.
func TerraformVersion(tf string) (major, minor int, err error) {
	out, err := exec.CommandContext(context.Background(), tf, "version", "-json").Output()
	if err != nil {
		return 0, 0, fmt.Errorf("%s version -json: %w", tf, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &v); err != nil {
		return 0, 0, fmt.Errorf("%s version -json: %w", tf, err)
	}
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &major, &minor); err != nil {
		return 0, 0, fmt.Errorf("terraform version %q: %w", v.Version, err)
	}
	return major, minor, nil
}

// AtLeast reports whether the terraform binary tf is at least major.minor.
func AtLeast(t TB, tf string, major, minor int) bool {
	t.Helper()
	gotMajor, gotMinor, err := TerraformVersion(tf)
	if err != nil {
		t.Fatal(err)
	}
	return gotMajor > major || (gotMajor == major && gotMinor >= minor)
}

// RequireTerraform returns the acceptance tests' terraform when it is at least major.minor, and
// skips t otherwise, naming what needs it.
func RequireTerraform(t TB, major, minor int, what string) string {
	t.Helper()
	tf := Terraform(t)
	if !AtLeast(t, tf, major, minor) {
		t.Skip(fmt.Sprintf("skipped: %s needs Terraform %d.%d or later; TF_ACC_TERRAFORM_PATH is older", what, major, minor))
	}
	return tf
}

// Quote renders s as an HCL string literal.
func Quote(s string) string {
	q := fmt.Sprintf("%q", s)
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(q)
}

// TerraformBlock requires this provider.
const TerraformBlock = `terraform {
  required_providers {
    dtcluster = { source = "dtcluster/dtcluster" }
  }
}
`

// ProviderBlock renders a provider "dtcluster" block; attrs are name and HCL expression pairs,
// written in order (use Quote for strings).
func ProviderBlock(attrs ...string) string {
	if len(attrs)%2 != 0 {
		panic("devharness.ProviderBlock: attributes come in name, value pairs")
	}
	var b strings.Builder
	b.WriteString("provider \"dtcluster\" {\n")
	for i := 0; i < len(attrs); i += 2 {
		fmt.Fprintf(&b, "  %s = %s\n", attrs[i], attrs[i+1])
	}
	b.WriteString("}\n")
	return b.String()
}

// Policy is a declared session policy.
type Policy struct {
	UserLimit, AdminLimit int
	Enabled               bool
	Timeout               int
}

// Resource renders a dtcluster_user_sessions_config named name with p; extra lines (such as
// "restore_on_destroy = true") go into its body.
func (p Policy) Resource(name string, extra ...string) string {
	return fmt.Sprintf(`
resource "dtcluster_user_sessions_config" %q {
  concurrent_session_policy = {
    user_limit  = %d
    admin_limit = %d
  }
  automatic_logout = {
    logout_inactive_users_enabled = %t
    user_inactivity_timeout       = %d
  }
  %s
}
`, name, p.UserLimit, p.AdminLimit, p.Enabled, p.Timeout, strings.Join(extra, "\n  "))
}
