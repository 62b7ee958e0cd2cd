package provider

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// TestEphemeralResourceHasTheDataSourcesShape: the ephemeral resource's schema, converted from
// the data source's, has its type, so the one reader (built from the data source's type) decodes
// the ephemeral resource's configurations and writes results of its shape.
func TestEphemeralResourceHasTheDataSourcesShape(t *testing.T) {
	ctx := context.Background()
	var ds datasource.SchemaResponse
	NewUserSessionsDataSource().Schema(ctx, datasource.SchemaRequest{}, &ds)
	var eph ephemeral.SchemaResponse
	NewUserSessionsEphemeralResource().Schema(ctx, ephemeral.SchemaRequest{}, &eph)
	if eph.Diagnostics.HasError() {
		t.Fatalf("the ephemeral resource's schema: %v", eph.Diagnostics)
	}
	if got, want := eph.Schema.Type().TerraformType(ctx), ds.Schema.Type().TerraformType(ctx); !got.Equal(want) {
		t.Errorf("the ephemeral resource's type\n%s\ndiffers from the data source's\n%s", got, want)
	}
	for name, attr := range ds.Schema.Attributes {
		if got := eph.Schema.Attributes[name]; got == nil || got.GetMarkdownDescription() != attr.GetMarkdownDescription() {
			t.Errorf("the ephemeral resource's %s does not carry the data source's description", name)
		}
	}
}

// ephemeralCheckConfig reads jane.doe's sessions ephemerally in a check block (warning while she
// has any) and keeps a managed resource, so that there is a state and a plan to look into.
const ephemeralCheckConfig = `
ephemeral "dtcluster_user_sessions" "jane" {
  user_id = "jane.doe"
}

check "jane_has_no_sessions" {
  assert {
    condition     = ephemeral.dtcluster_user_sessions.jane.session_count == 0
    error_message = "jane.doe still has sessions" # a message may not show an ephemeral value
  }
}

resource "terraform_data" "marker" {
  input = "incident OPS-1234"
}
`

// TestCLIEphemeralSessionsNeverStored: the ephemeral read answers a check block, and nothing the
// cluster answered (session ids, addresses) reaches the saved plan or the state. (The user id of
// the configuration and the check's own message are the configuration's, and are stored.)
func TestCLIEphemeralSessionsNeverStored(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t, emulator.WithSessions(40))
	sessions := srv.Sessions("jane.doe")
	if len(sessions) == 0 {
		t.Fatal("jane.doe has no seeded sessions: the test would prove nothing")
	}
	c.write("main.tf", terraformBlock+providerBlock(srv)+ephemeralCheckConfig)
	srv.ClearRequests()
	out := c.must("plan", "-out=incident.tfplan")
	flat := strings.Join(strings.Fields(out), " ")
	if !strings.Contains(flat, "Warning: Check block assertion failed") || !strings.Contains(flat, "jane.doe still has sessions") {
		t.Errorf("the check did not see jane.doe's sessions through the ephemeral read:\n%s", tail(out))
	}
	if n := srv.CountRequests("GET", "/userSessions"); n != 1 {
		t.Errorf("the plan sent %d GET /userSessions, want one", n)
	}
	c.must("apply", "incident.tfplan")
	show := exec.Command(c.tf, "show", "-json", "incident.tfplan")
	show.Dir, show.Env = c.dir, c.env
	planJSON, err := show.Output()
	if err != nil {
		t.Fatal(err)
	}
	planFile, err := os.ReadFile(filepath.Join(c.dir, "incident.tfplan"))
	if err != nil {
		t.Fatal(err)
	}
	state, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(state), "incident OPS-1234") {
		t.Fatal("the state lacks the managed resource: the test looks at the wrong file")
	}
	for _, s := range sessions {
		for name, content := range map[string][]byte{"the plan file": planFile, "the plan as JSON": planJSON, "the state": state} {
			if strings.Contains(string(content), s.SessionID) {
				t.Errorf("session id %s is in %s", s.SessionID, name)
			}
			if s.IP != nil && strings.Contains(string(content), *s.IP) {
				t.Errorf("ip %s is in %s", *s.IP, name)
			}
		}
	}
}

// TestCLIEphemeralSessionsOpenTofu: the same with OpenTofu (1.11 or later).
func TestCLIEphemeralSessionsOpenTofu(t *testing.T) {
	tofu := devharness.OpenTofu(t)
	c := newCLI(t)
	c.tf = tofu
	srv := emulatortest.NewServer(t, emulator.WithSessions(40))
	c.write("main.tf", terraformBlock+providerBlock(srv)+ephemeralCheckConfig)
	out := c.must("apply", "-auto-approve")
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "jane.doe still has sessions") {
		t.Errorf("the check did not see jane.doe's sessions:\n%s", tail(out))
	}
	state, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srv.Sessions("jane.doe") {
		if strings.Contains(string(state), s.SessionID) {
			t.Errorf("session id %s is in the state", s.SessionID)
		}
	}
}
