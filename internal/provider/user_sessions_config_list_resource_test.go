package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// TestCLIQueryGeneratesConfigThatPlansEmpty: terraform query -generate-config-out against the
// emulator writes the resource and an import block by identity; applying them imports the policy
// without changing it, and the next plan is empty. The list resource needs Terraform 1.14.
func TestCLIQueryGeneratesConfigThatPlansEmpty(t *testing.T) {
	devharness.RequireTerraform(t, 1, 14, "terraform query")
	c := newCLI(t)
	srv := emulatortest.NewServer(t)
	existing := policy{UserLimit: 6, AdminLimit: 3, Enabled: true, Timeout: 1200}
	if err := srv.SetConfig(apiPolicy(existing)); err != nil {
		t.Fatal(err)
	}
	c.write("main.tf", terraformBlock+providerBlock(srv))
	example, err := os.ReadFile("../../examples/list-resources/dtcluster_user_sessions_config/list-resource.tfquery.hcl")
	if err != nil {
		t.Fatal(err)
	}
	c.write("policy.tfquery.hcl", string(example))
	out := c.must("query", "-generate-config-out=generated.tf")
	if !strings.Contains(out, "cluster_url="+srv.URL) {
		t.Errorf("query output does not list the policy by its identity:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(c.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`resource "dtcluster_user_sessions_config"`, "user_limit  = 6", "user_inactivity_timeout       = 1200", "identity = {", `cluster_url = "` + srv.URL + `"`} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("generated.tf lacks %q:\n%s", want, generated)
		}
	}
	if out := c.must("apply", "-auto-approve"); !strings.Contains(out, "1 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply of the generated configuration:\n%s", tail(out))
	}
	if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after the import is not empty:\n%s", tail(out))
	}
	if n := srv.CountRequests("PUT", "/clusterConfig/userSessions"); n != 0 {
		t.Errorf("the import sent %d PUT requests", n)
	}
}
