package provider

import (
	"fmt"
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
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	proxy := newLossyProxy(t, srv.URL)
	proxy.dropAnswers("DELETE", "/userSessions", 0, 1)
	had := len(srv.Sessions("jane.doe"))
	if had == 0 {
		t.Fatal("the seeded sessions have none of jane.doe: the test would prove nothing")
	}
	block := devharness.ProviderBlock("host", devharness.Quote(proxy.URL), "token", devharness.Quote(srv.Token), "max_retries", "2")
	resource.ParallelTest(t, resource.TestCase{
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
