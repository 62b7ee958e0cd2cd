package provider

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// Fleet mode: one provider configuration, several clusters (an emulator each, each with a token
// of its own).

// fleetToken is the token of the emulator standing for the cluster name.
func fleetToken(name string) string { return "dt0c01." + strings.ToUpper(name) + ".token-of-" + name }

// newFleetClusters starts an emulator per name, each holding its own policy (so a policy written
// to the wrong cluster shows) and the incident logins.
func newFleetClusters(t *testing.T, names ...string) map[string]*emulatortest.Server {
	t.Helper()
	servers := map[string]*emulatortest.Server{}
	for i, name := range names {
		srv := emulatortest.NewServer(t, emulator.WithToken(fleetToken(name)), emulator.WithSessions(0))
		if err := srv.SetConfig(apiPolicy(policy{UserLimit: 10 + i, AdminLimit: 10 + i, Enabled: true, Timeout: 600 + i})); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.AddSessions(emulatortest.IncidentLogins); err != nil {
			t.Fatal(err)
		}
		servers[name] = srv
	}
	return servers
}

// fleetProvider is a provider block governing servers through clusters, with no default cluster;
// extra lines go into the block.
func fleetProvider(servers map[string]*emulatortest.Server, extra ...string) string {
	var b strings.Builder
	b.WriteString("provider \"dtcluster\" {\n  max_retries = 1\n")
	for _, line := range extra {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("  clusters = {\n")
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range servers {
			if !yield(n) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "    %s = { host = %q, token = %q }\n", name, servers[name].URL, servers[name].Token)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// fleetPolicy is a dtcluster_user_sessions_config named name on cluster, with p.
func fleetPolicy(name, cluster string, p policy, extra ...string) string {
	return p.Resource(name, append([]string{"cluster = " + devharness.Quote(cluster)}, extra...)...)
}

// TestAccFleet_everyObject: one provider configuration manages the policy of two clusters and
// reads the sessions of one; each cluster gets its own, the others are untouched, and destroy
// puts back each cluster's own policy from before.
func TestAccFleet_everyObject(t *testing.T) {
	servers := newFleetClusters(t, "prod", "dr")
	before := map[string]emulator.UserSessionsConfig{"prod": servers["prod"].Config(), "dr": servers["dr"].Config()}
	prod, dr := policy{UserLimit: 3, AdminLimit: 2, Enabled: true, Timeout: 900}, policy{UserLimit: 5, AdminLimit: 2, Enabled: false, Timeout: 1800}
	config := fleetProvider(servers) + fleetPolicy("prod", "prod", prod, "restore_on_destroy = true") +
		fleetPolicy("dr", "dr", dr, "restore_on_destroy = true") + `
data "dtcluster_user_sessions" "dr_ldap" {
  cluster    = "dr"
  login_type = "LDAP"
}
`
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			for name, srv := range servers {
				if err := emulatorHolds(srv, before[name]); err != nil {
					return fmt.Errorf("%s after destroy: %w", name, err)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("dtcluster_user_sessions_config.prod", tfjsonpath.New("cluster"), knownvalue.StringExact("prod")),
				statecheck.ExpectKnownValue("dtcluster_user_sessions_config.prod", tfjsonpath.New("cluster_url"), knownvalue.StringExact(servers["prod"].URL)),
				statecheck.ExpectKnownValue("dtcluster_user_sessions_config.dr", tfjsonpath.New("cluster_url"), knownvalue.StringExact(servers["dr"].URL)),
				statecheck.ExpectKnownValue("data.dtcluster_user_sessions.dr_ldap", tfjsonpath.New("session_count"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue("data.dtcluster_user_sessions.dr_ldap", tfjsonpath.New("cluster"), knownvalue.StringExact("dr")),
			},
			Check: func(*terraform.State) error {
				if err := emulatorHolds(servers["prod"], apiPolicy(prod)); err != nil {
					return fmt.Errorf("prod: %w", err)
				}
				return emulatorHolds(servers["dr"], apiPolicy(dr))
			},
		}},
	})
}

// TestAccFleet_badClusters: an object naming a cluster the provider does not have, or none
// without a default cluster, fails at plan naming cluster and the clusters there are; an entry
// with a bad host or no token fails naming the entry; nothing reaches any cluster.
func TestAccFleet_badClusters(t *testing.T) {
	servers := newFleetClusters(t, "prod", "dr")
	p := policy{UserLimit: 3, AdminLimit: 2, Enabled: true, Timeout: 900}
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      fleetProvider(servers) + fleetPolicy("this", "staging", p),
				ExpectError: words(`Unknown Cluster`, `cluster = "staging" names no cluster of the provider`, `the provider's clusters are "dr", "prod"`),
			},
			{
				Config:      fleetProvider(servers) + configResource(p),
				ExpectError: words("No Default Cluster", "cluster is not set, and the provider has no default cluster", `Set cluster to one of the provider's clusters ("dr", "prod"), or set host`),
			},
			{
				Config:      fleetProvider(servers) + `data "dtcluster_user_sessions" "x" { cluster = "staging" }` + "\n",
				ExpectError: words(`cluster = "staging" names no cluster of the provider`),
			},
			{
				Config:      "provider \"dtcluster\" {\n  clusters = {\n    prod = { host = \"cmc.example.com\", token = \"t\" }\n  }\n}\n" + fleetPolicy("this", "prod", p),
				ExpectError: words("Invalid Cluster URL", `clusters["prod"].host`),
			},
			{
				Config:      "provider \"dtcluster\" {\n  clusters = {\n    \"prod eu\" = { host = \"https://cmc.example.com\" }\n  }\n}\n" + fleetPolicy("this", "prod", p),
				ExpectError: words("Invalid Cluster Name", `clusters["prod eu"]`, "1 to 64 letters, digits, _ or -"),
			},
			{
				Config: "provider \"dtcluster\" {\n  clusters = {\n    prod = { host = " + devharness.Quote(servers["prod"].URL) + " }\n  }\n}\n" +
					fleetPolicy("this", "prod", p),
				ExpectError: words("Missing API Token", `clusters["prod"] needs a Cluster API token`, "DYNATRACE_CLUSTER_API_TOKEN_PROD"),
			},
		},
	})
	for name, srv := range servers {
		if n := srv.CountRequests("PUT", "/clusterConfig/userSessions"); n != 0 {
			t.Errorf("%s received %d PUTs", name, n)
		}
	}
}

// TestAccFleet_clusterChangeReplaces: moving the policy to another cluster is a replacement;
// its destroy puts the old cluster's own policy back there, and the new cluster records its own.
func TestAccFleet_clusterChangeReplaces(t *testing.T) {
	servers := newFleetClusters(t, "prod", "dr")
	prodBefore, drBefore := servers["prod"].Config(), servers["dr"].Config()
	p := policy{UserLimit: 3, AdminLimit: 2, Enabled: true, Timeout: 900}
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: fleetProvider(servers) + fleetPolicy("this", "prod", p, "restore_on_destroy = true")},
			{
				Config: fleetProvider(servers) + fleetPolicy("this", "dr", p, "restore_on_destroy = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(configAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("cluster_url"), knownvalue.StringExact(servers["dr"].URL)),
					statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("restore_policy").AtMapKey("user_limit"), knownvalue.Int64Exact(int64(drBefore.ConcurrentSessionPolicy.UserLimit))),
				},
				Check: func(*terraform.State) error {
					if err := emulatorHolds(servers["prod"], prodBefore); err != nil {
						return fmt.Errorf("prod after the move: %w (its policy from before was not put back)", err)
					}
					return emulatorHolds(servers["dr"], apiPolicy(p))
				},
			},
		},
	})
}

// TestAccFleet_entryBoundToItsCluster: state recorded for an entry refuses another URL for that
// entry, naming both, until the entry's previous_hosts names the old one.
func TestAccFleet_entryBoundToItsCluster(t *testing.T) {
	servers := newFleetClusters(t, "prod")
	other := emulatortest.NewServer(t, emulator.WithToken(fleetToken("prod")))
	p := policy{UserLimit: 3, AdminLimit: 2, Enabled: true, Timeout: 900}
	moved := map[string]*emulatortest.Server{"prod": other}
	port := servers["prod"].URL[strings.LastIndex(servers["prod"].URL, ":")+1:]
	renamed := "http://localhost:" + port
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: fleetProvider(servers) + fleetPolicy("this", "prod", p)},
			{
				Config:      fleetProvider(moved) + fleetPolicy("this", "prod", p),
				ExpectError: words("State Belongs to Another Cluster", "recorded in state for the cluster "+servers["prod"].URL, "configured for "+other.URL),
			},
			{
				Config: "provider \"dtcluster\" {\n  clusters = {\n    prod = { host = " + devharness.Quote(renamed) + ", token = " +
					devharness.Quote(fleetToken("prod")) + ", previous_hosts = [" + devharness.Quote(servers["prod"].URL) + "] }\n  }\n}\n" +
					fleetPolicy("this", "prod", p),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("cluster_url"), knownvalue.StringExact(renamed)),
				},
			},
		},
	})
	if n := other.CountRequests("PUT", "/clusterConfig/userSessions"); n != 0 {
		t.Errorf("the other cluster received %d PUTs", n)
	}
}

// TestAccFleet_oneClusterDown: a cluster that refuses the apply (it went down after the plan)
// fails naming itself, and the others apply; a cluster unreachable at plan fails the plan naming
// itself, with nothing written anywhere.
func TestAccFleet_oneClusterDown(t *testing.T) {
	servers := newFleetClusters(t, "prod", "dr", "eu")
	eu := servers["eu"].Config()
	p := policy{UserLimit: 3, AdminLimit: 2, Enabled: true, Timeout: 900}
	config := fleetProvider(servers) + fleetPolicy("prod", "prod", p) + fleetPolicy("dr", "dr", p) + fleetPolicy("eu", "eu", p)
	closed := httptest.NewServer(http.NotFoundHandler())
	down := &emulatortest.Server{}
	down.URL, down.Token = closed.URL, fleetToken("down")
	closed.Close()
	withDown := map[string]*emulatortest.Server{"prod": servers["prod"], "down": down}
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := servers["eu"].InjectFault(emulator.Fault{Method: "PUT", Path: "/clusterConfig/userSessions", Status: 503, Count: 100}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      config,
				ExpectError: words(`The Cluster API of cluster "eu" answered PUT /api/cluster/v2/clusterConfig/userSessions`, "HTTP 503"),
			},
			{
				PreConfig: func() {
					for _, name := range []string{"prod", "dr"} {
						if err := emulatorHolds(servers[name], apiPolicy(p)); err != nil {
							t.Errorf("%s, beside the cluster that failed: %v", name, err)
						}
					}
					if err := emulatorHolds(servers["eu"], eu); err != nil {
						t.Errorf("eu: %v", err)
					}
				},
				Config:      fleetProvider(withDown) + fleetPolicy("down", "down", p),
				ExpectError: words(`cluster "down": GET /api/cluster/v2/clusterConfig/userSessions`, "the connection was refused"),
			},
		},
	})
}

// TestCLIFleet covers what terraform-plugin-testing cannot: a for_each over clusters, the move from
// provider aliases (moved blocks), the fleet-wide action (one -invoke, Terraform 1.14), the
// fleet-wide terraform query, and every token kept out of output (TF_LOG=trace), plan and state.
func TestCLIFleet(t *testing.T) {
	t.Run("move from aliases", func(t *testing.T) {
		c := newCLI(t)
		servers := newFleetClusters(t, "prod", "dr")
		p := policy{UserLimit: 3, AdminLimit: 2, Enabled: true, Timeout: 900}
		var aliases strings.Builder
		for _, name := range []string{"prod", "dr"} {
			fmt.Fprintf(&aliases, "provider \"dtcluster\" {\n  alias = %q\n  host = %q\n  token = %q\n}\n", name, servers[name].URL, servers[name].Token)
			aliases.WriteString(strings.Replace(p.Resource(name, "restore_on_destroy = true"), "{\n", "{\n  provider = dtcluster."+name+"\n", 1))
		}
		c.write("main.tf", terraformBlock+aliases.String())
		c.must("apply", "-auto-approve")
		c.write("main.tf", terraformBlock+fleetProvider(servers)+`
resource "dtcluster_user_sessions_config" "policy" {
  for_each = toset(["prod", "dr"])
  cluster  = each.key
  concurrent_session_policy = { user_limit = 3, admin_limit = 2 }
  automatic_logout          = { logout_inactive_users_enabled = true, user_inactivity_timeout = 900 }
  restore_on_destroy        = true
}

moved {
  from = dtcluster_user_sessions_config.prod
  to   = dtcluster_user_sessions_config.policy["prod"]
}

moved {
  from = dtcluster_user_sessions_config.dr
  to   = dtcluster_user_sessions_config.policy["dr"]
}
`)
		// The plan holds the two moves and nothing else: each policy keeps its state.
		out := c.must("plan")
		if !strings.Contains(out, "has moved to dtcluster_user_sessions_config.policy") ||
			!strings.Contains(out, "0 to add, 0 to change, 0 to destroy") {
			t.Fatalf("plan of the move: want the moves and nothing else:\n%s", tail(out))
		}
		c.must("apply", "-auto-approve")
		if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
			t.Errorf("plan after the move is not empty:\n%s", tail(out))
		}
		c.must("destroy", "-auto-approve")
		for i, name := range []string{"prod", "dr"} {
			if err := emulatorHolds(servers[name], apiPolicy(policy{UserLimit: 10 + i, AdminLimit: 10 + i, Enabled: true, Timeout: 600 + i})); err != nil {
				t.Errorf("%s after destroy: %v (restore_policy did not survive the move)", name, err)
			}
		}
	})

	t.Run("fleet-wide offboarding with one -invoke", func(t *testing.T) {
		tf := devharness.RequireTerraform(t, 1, 14, "the action")
		c := newCLI(t)
		c.tf = tf
		servers := newFleetClusters(t, "prod", "dr", "eu")
		c.write("main.tf", terraformBlock+fleetProvider(servers)+`
action "dtcluster_remove_user_sessions" "offboard" {
  for_each = toset(["prod", "dr", "eu"])
  config {
    cluster = each.key
    user_id = "alice"
  }
}

ephemeral "dtcluster_user_sessions" "alice" {
  for_each = toset(["prod", "dr", "eu"])
  cluster  = each.key
  user_id  = "alice"
}

check "alice_has_no_session_anywhere" {
  assert {
    condition     = alltrue([for name, read in ephemeral.dtcluster_user_sessions.alice : read.session_count == 0])
    error_message = "alice still has sessions"
  }
}
`)
		if out := c.must("plan"); !strings.Contains(out, "alice still has sessions") {
			t.Errorf("the check on the ephemeral reads does not warn before the offboarding:\n%s", tail(out))
		}
		out := c.must("apply", "-auto-approve", "-invoke=action.dtcluster_remove_user_sessions.offboard")
		for name, srv := range servers {
			if got := leftUsers(srv); got != "bob,breakglass,carol,dave" {
				t.Errorf("%s: users left %s, want alice's sessions ended\n%s", name, got, tail(out))
			}
		}
		if out := c.must("plan"); strings.Contains(out, "alice still has sessions") {
			t.Errorf("the check still warns after the offboarding:\n%s", tail(out))
		}
	})

	t.Run("removal resource on every cluster with OpenTofu", func(t *testing.T) {
		tofu := devharness.OpenTofu(t)
		c := newCLI(t)
		c.tf = tofu
		servers := newFleetClusters(t, "prod", "dr")
		c.write("main.tf", terraformBlock+fleetProvider(servers)+`
resource "dtcluster_user_sessions_removal" "offboard" {
  for_each = toset(["prod", "dr"])
  cluster  = each.key
  user_ids = ["alice", "bob"]
}
`)
		c.must("apply", "-auto-approve")
		for name, srv := range servers {
			if got := leftUsers(srv); got != "breakglass,carol,dave" {
				t.Errorf("%s: users left %s", name, got)
			}
		}
	})

	t.Run("terraform query across the fleet", func(t *testing.T) {
		tf := devharness.RequireTerraform(t, 1, 14, "terraform query")
		c := newCLI(t)
		c.tf = tf
		servers := newFleetClusters(t, "prod", "dr")
		c.write("main.tf", terraformBlock+fleetProvider(servers))
		c.write("policy.tfquery.hcl", "list \"dtcluster_user_sessions_config\" \"all\" {\n  provider = dtcluster\n}\n")
		out := c.must("query", "-generate-config-out=generated.tf")
		for _, name := range []string{"prod", "dr"} {
			if !strings.Contains(out, "cluster_url="+servers[name].URL) {
				t.Errorf("query does not list %s's policy:\n%s", name, out)
			}
		}
		generated, err := os.ReadFile(filepath.Join(c.dir, "generated.tf"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`cluster                   = "prod"`, `cluster                   = "dr"`} {
			if !strings.Contains(strings.Join(strings.Fields(string(generated)), " "), strings.Join(strings.Fields(want), " ")) {
				t.Errorf("generated.tf lacks %s:\n%s", want, generated)
			}
		}
		if out := c.must("apply", "-auto-approve"); !strings.Contains(out, "2 imported, 0 added, 0 changed, 0 destroyed") {
			t.Fatalf("apply of the generated configuration:\n%s", tail(out))
		}
		if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
			t.Errorf("plan after the import is not empty:\n%s", tail(out))
		}
		// Only the clusters named.
		_ = os.Remove(filepath.Join(c.dir, "generated.tf"))
		for _, only := range []string{`clusters = ["dr"]`, `cluster = "dr"`} {
			c.write("policy.tfquery.hcl", "list \"dtcluster_user_sessions_config\" \"dr\" {\n  provider = dtcluster\n  config {\n    "+only+"\n  }\n}\n")
			if out := c.must("query"); !strings.Contains(out, "cluster_url="+servers["dr"].URL) || strings.Contains(out, "cluster_url="+servers["prod"].URL) {
				t.Errorf("query with %s does not list exactly dr:\n%s", only, out)
			}
		}
	})

	t.Run("no token in output, plan or state", func(t *testing.T) {
		c := newCLI(t)
		servers := newFleetClusters(t, "prod", "dr")
		p := policy{UserLimit: 3, AdminLimit: 2, Enabled: true, Timeout: 900}
		// dr's token comes from its environment variable, prod's from HCL.
		block := strings.Replace(fleetProvider(servers), ", token = "+devharness.Quote(servers["dr"].Token), "", 1)
		c.write("main.tf", terraformBlock+block+fleetPolicy("prod", "prod", p)+fleetPolicy("dr", "dr", p))
		env := []string{"TF_LOG=trace", "DYNATRACE_CLUSTER_API_TOKEN_DR=" + servers["dr"].Token}
		var all strings.Builder
		for _, args := range [][]string{{"plan", "-out=fleet.tfplan"}, {"apply", "-auto-approve", "fleet.tfplan"}, {"plan"}} {
			out, err := c.run(env, args...)
			if err != nil {
				t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, tail(out))
			}
			all.WriteString(out)
		}
		if err := emulatorHolds(servers["dr"], apiPolicy(p)); err != nil {
			t.Errorf("dr (token from the environment): %v", err)
		}
		state, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{"output with TF_LOG=trace": all.String(), "state": string(state)}
		// The saved plan is a zip: its files but the configuration's own snapshot (tfconfig/, which
		// holds the HCL as written, prod's token included, by Terraform's design).
		plan, err := zip.OpenReader(filepath.Join(c.dir, "fleet.tfplan"))
		if err != nil {
			t.Fatal(err)
		}
		defer plan.Close()
		for _, f := range plan.File {
			if strings.HasPrefix(f.Name, "tfconfig/") {
				continue
			}
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(r)
			_ = r.Close()
			files["saved plan's "+f.Name] = string(data)
		}
		for where, text := range files {
			for name, srv := range servers {
				if strings.Contains(text, strings.TrimPrefix(srv.Token, "dt0c01.")) {
					t.Errorf("%s's token is in the %s", name, where)
				}
			}
		}
	})
}

// TestFleetImportByIdentityOfAnUnknownCluster: an import by identity naming a URL that is none
// of the provider's clusters, with no default cluster, says so, naming the URL and the clusters.
func TestFleetImportByIdentityOfAnUnknownCluster(t *testing.T) {
	servers := newFleetClusters(t, "prod")
	p := newProtocolServerWith(t, map[string]tftypes.Value{"clusters": tftypes.NewValue(
		tftypes.Map{ElementType: clustersEntryType(t)}, map[string]tftypes.Value{"prod": clusterEntry(t, servers["prod"])})})
	ids, err := p.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	idType := ids.IdentitySchemas["dtcluster_user_sessions_config"].ValueType()
	identity, err := tfprotov6.NewDynamicValue(idType, tftypes.NewValue(idType, map[string]tftypes.Value{
		"cluster_url": tftypes.NewValue(tftypes.String, "https://cmc-elsewhere.example.com")}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
		TypeName: "dtcluster_user_sessions_config", Identity: &tfprotov6.ResourceIdentityData{IdentityData: &identity}})
	if err != nil || !strings.Contains(diagText(resp.Diagnostics), `names the cluster https://cmc-elsewhere.example.com, which is none of the provider's clusters ("prod")`) {
		t.Errorf("import: %v %s", err, diagText(resp.Diagnostics))
	}
}

// clustersEntryType is the object type of an entry of the provider's clusters.
func clustersEntryType(t *testing.T) tftypes.Object {
	t.Helper()
	p := newProtocolServer(t, "http://127.0.0.1:1", emulator.DefaultToken)
	clusters, ok := objectType(t, p.schema.Provider.ValueType()).AttributeTypes["clusters"].(tftypes.Map)
	if !ok {
		t.Fatal("the provider's clusters is not a map")
	}
	return objectType(t, clusters.ElementType)
}

// clusterEntry is srv as an entry of the provider's clusters.
func clusterEntry(t *testing.T, srv *emulatortest.Server) tftypes.Value {
	t.Helper()
	typ := clustersEntryType(t)
	vals := map[string]tftypes.Value{}
	for name, attrType := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(attrType, nil)
	}
	vals["host"], vals["token"] = tftypes.NewValue(tftypes.String, srv.URL), tftypes.NewValue(tftypes.String, srv.Token)
	return tftypes.NewValue(typ, vals)
}
