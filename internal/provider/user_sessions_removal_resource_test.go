package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

const removalAddr = "dtcluster_user_sessions_removal.offboard"

func removalResource(userID, ticket string) string {
	return fmt.Sprintf(`
resource "dtcluster_user_sessions_removal" "offboard" {
  user_id  = %q
  triggers = { ticket = %q }
}
`, userID, ticket)
}

func TestAccUserSessionsRemoval(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(30))
	jane := len(srv.Sessions("jane.doe"))
	others := len(srv.Sessions("")) - jane
	checkCluster := func(wantOthers int) func() {
		return func() {
			if n := len(srv.Sessions("jane.doe")); n != 0 {
				t.Errorf("jane.doe still has %d sessions", n)
			}
			if n := len(srv.Sessions("")); n != wantOthers {
				t.Errorf("%d sessions left, want %d (others untouched)", n, wantOthers)
			}
		}
	}
	quickAcceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(srv) + removalResource("jane.doe", "OPS-1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(removalAddr, tfjsonpath.New("sessions_removed"), knownvalue.Int64Exact(int64(jane))),
					statecheck.ExpectKnownValue(removalAddr, tfjsonpath.New("removed_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(removalAddr, tfjsonpath.New("user_id"), knownvalue.StringExact("jane.doe")),
				},
				PostApplyFunc: checkCluster(others),
			},
			{
				// jane.doe logs in again; an unchanged configuration neither removes nor reads.
				PreConfig: func() {
					if _, err := srv.AddSessions([]emulator.UserSession{{UserID: "jane.doe"}, {UserID: "jane.doe"}}); err != nil {
						t.Fatal(err)
					}
					srv.ClearRequests()
				},
				Config:   providerBlock(srv) + removalResource("jane.doe", "OPS-1"),
				PlanOnly: true,
			},
			{
				// A new ticket performs the removal again: the new sessions end.
				PreConfig: func() {
					if n := len(srv.Sessions("jane.doe")); n != 2 {
						t.Fatalf("jane.doe has %d sessions after logging in again, want 2", n)
					}
					if n := len(srv.Requests()); n != 0 {
						t.Errorf("an unchanged removal made %d requests: %+v", n, srv.Requests())
					}
				},
				Config: providerBlock(srv) + removalResource("jane.doe", "OPS-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(removalAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(removalAddr, tfjsonpath.New("sessions_removed"), knownvalue.Int64Exact(2)),
				},
				PostApplyFunc: checkCluster(others),
			},
			{
				// A user without sessions is a success.
				Config: providerBlock(srv) + removalResource("nobody", "OPS-3"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(removalAddr, tfjsonpath.New("sessions_removed"), knownvalue.Int64Exact(0)),
				},
				PostApplyFunc: checkCluster(others),
			},
		},
	})
}

func TestAccUserSessionsRemoval_errors(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(10), emulator.WithUnscopedToken("dt0c01.READONLY.token"))
	readOnly := devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote("dt0c01.READONLY.token"))
	before := len(srv.Sessions("admin"))
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      readOnly + removalResource("admin", "OPS-9"),
				ExpectError: words("Unable to List User Sessions", "HTTP 403 Forbidden", "ServiceProviderAPI scope"),
			},
			{
				PreConfig: func() {
					if err := srv.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: 510}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      providerBlock(srv) + removalResource("admin", "OPS-9"),
				ExpectError: words("Unable to Remove User Sessions", "HTTP 510 Failed to invalidate sessions: Injected fault"),
			},
			{
				Config:      providerBlock(srv) + removalResource("", "OPS-9"),
				ExpectError: words("user_id must not be empty"),
			},
		},
	})
	if after := len(srv.Sessions("admin")); after != before {
		t.Errorf("admin sessions %d -> %d after failed removals", before, after)
	}
}

// TestAccUserSessionsRemoval_lostAnswer: the first DELETE ends the sessions but its answer is
// lost; the retry's 404 is not "had no sessions": sessions_removed counts what was ended.
func TestAccUserSessionsRemoval_lostAnswer(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(30))
	proxy := emulatortest.NewLossyProxy(t, srv.URL)
	proxy.DropAnswers("DELETE", "/userSessions", 0, 1)
	had := len(srv.Sessions("jane.doe"))
	if had == 0 {
		t.Fatal("the seeded sessions have none of jane.doe: the test would prove nothing")
	}
	block := devharness.ProviderBlock("host", devharness.Quote(proxy.URL), "token", devharness.Quote(srv.Token), "max_retries", "2")
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: block + removalResource("jane.doe", "OPS-7"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(removalAddr, tfjsonpath.New("sessions_removed"), knownvalue.Int64Exact(int64(had))),
			},
		}},
	})
	if left := len(srv.Sessions("jane.doe")); left != 0 {
		t.Errorf("jane.doe has %d sessions left", left)
	}
	if n := srv.CountRequests("DELETE", "/userSessions"); n != 2 {
		t.Errorf("%d DELETE requests reached the cluster, want 2 (the lost one and its retry)", n)
	}
}

func removalSelection(srv *emulatortest.Server, body string) string {
	return providerBlock(srv) + fmt.Sprintf(`
resource "dtcluster_user_sessions_removal" "incident" {
%s
  triggers = { ticket = "INC-1" }
}
`, body)
}

// TestAccUserSessionsRemoval_selection: the removal resource takes the action's selection and
// records what it ended per user; an unchanged configuration ends nothing more.
func TestAccUserSessionsRemoval_selection(t *testing.T) {
	srv := incidentCluster(t)
	const addr = "dtcluster_user_sessions_removal.incident"
	config := removalSelection(srv, `login_type = "LDAP"`+"\n"+`except_user_ids = ["breakglass"]`)
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					// alice had an LDAP and a LOCAL session: DELETE ends both.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sessions_removed_per_user"), knownvalue.MapExact(map[string]knownvalue.Check{
						"alice": knownvalue.Int64Exact(2), "bob": knownvalue.Int64Exact(1),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sessions_removed"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^2 users@\d{4}-`))),
				},
				PostApplyFunc: func() {
					if got := leftUsers(srv); got != "breakglass,carol,dave" {
						t.Errorf("users left: %s, want breakglass,carol,dave", got)
					}
				},
			},
			{
				PreConfig: func() {
					if _, err := srv.AddSessions([]emulator.UserSession{{UserID: "bob", LoginType: "LDAP", NodeID: 1}}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}

// TestAccUserSessionsRemoval_badSelections: each bad selection is refused before a plan, naming
// what is wrong, and nothing reaches the cluster.
func TestAccUserSessionsRemoval_badSelections(t *testing.T) {
	srv := incidentCluster(t)
	var steps []resource.TestStep
	for _, tt := range badSelections {
		steps = append(steps, resource.TestStep{Config: removalSelection(srv, tt.body), ExpectError: selectionError(tt.want)})
	}
	acceptanceTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
	for _, r := range srv.Requests() {
		if r.Method == http.MethodDelete {
			t.Errorf("a bad selection sent %s %s", r.Method, r.Path)
		}
	}
	if got := leftUsers(srv); got != "alice,bob,breakglass,carol,dave" {
		t.Errorf("users left: %s", got)
	}
}

// TestCLIRemovalSelectionOpenTofu: OpenTofu has no actions; the removal resource's selection
// ends every LDAP user's sessions but the break-glass admin's, and a bad selection is refused by
// tofu validate.
func TestCLIRemovalSelectionOpenTofu(t *testing.T) {
	tofu := devharness.OpenTofu(t)
	c := newCLI(t)
	c.tf = tofu
	srv := incidentCluster(t)
	c.write("main.tf", terraformBlock+removalSelection(srv, `user_ids = ["alice"]`+"\n"+`except_user_ids = ["alice"]`))
	if out, err := c.run(nil, "validate"); err == nil || !words(`"alice" is both selected and in except_user_ids`).MatchString(out) {
		t.Errorf("tofu validate accepted a user both listed and excepted: %v\n%s", err, tail(out))
	}
	c.write("main.tf", terraformBlock+removalSelection(srv, `login_type = "LDAP"`+"\n"+`except_user_ids = ["breakglass"]`)+`
output "ended" {
  value = dtcluster_user_sessions_removal.incident.sessions_removed_per_user
}
`)
	out := c.must("apply", "-auto-approve")
	if got := leftUsers(srv); got != "breakglass,carol,dave" {
		t.Errorf("users left after tofu apply: %s, want breakglass,carol,dave", got)
	}
	if !words(`"alice" = 2`, `"bob" = 1`).MatchString(out) {
		t.Errorf("the output does not count what was ended per user:\n%s", tail(out))
	}
}
