package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the terraform binary that
// terraform-plugin-testing runs (TF_ACC_TERRAFORM_PATH, set by make test).
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"dtcluster": providerserver.NewProtocol6WithError(New("test")()),
}

// providerBlock configures the provider for the emulator srv.
func providerBlock(srv *emulatortest.Server) string {
	return fmt.Sprintf(`
provider "dtcluster" {
  host        = %q
  token       = %q
  max_retries = 5
}
`, srv.URL, srv.Token)
}

// policy is a declared session policy.
type policy struct {
	userLimit, adminLimit int
	enabled               bool
	timeout               int
}

// configResource renders a dtcluster_user_sessions_config "this" with p; extra is added to the
// resource body (for example restore_on_destroy).
func configResource(p policy, extra string) string {
	return fmt.Sprintf(`
resource "dtcluster_user_sessions_config" "this" {
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
`, p.userLimit, p.adminLimit, p.enabled, p.timeout, extra)
}

func (p policy) api() emulator.UserSessionsConfig {
	return emulator.UserSessionsConfig{
		ConcurrentSessionPolicy: emulator.ConcurrentSessionPolicy{UserLimit: int32(p.userLimit), AdminLimit: int32(p.adminLimit)},
		AutomaticLogout:         emulator.AutomaticLogout{LogoutInactiveUsersEnabled: p.enabled, UserInactivityTimeout: int32(p.timeout)},
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
	dir string
	env []string
}

var (
	buildOnce sync.Once
	builtDir  string
	buildErr  error
)

// providerBinaryDir builds the provider once per test run and returns its folder.
func providerBinaryDir(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		builtDir, buildErr = os.MkdirTemp("", "dtcluster-provider-bin-")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(builtDir, "terraform-provider-dtcluster"),
			"github.com/dtcluster/terraform-provider-dtcluster").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("skipped: runs the terraform CLI; set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does)")
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, ".terraformrc")
	content := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/dtcluster/dtcluster\" = %q\n  }\n  direct {}\n}\n", providerBinaryDir(t))
	if err := os.WriteFile(rc, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return &cli{t: t, dir: dir, env: env}
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
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append(args, "-no-color")...)
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

const terraformBlock = `
terraform {
  required_providers {
    dtcluster = { source = "dtcluster/dtcluster" }
  }
}
`
