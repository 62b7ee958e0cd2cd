package provider

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// Selections by time (created_before, last_accessed_before), with the cluster's sessions at
// known times around 14:05, when a password was rotated:
//
//	alice  created 13:00, no last access reported (counts as 13:00)
//	bob    created 14:10
//	carol  created 12:00, last accessed 14:30
//	dave   created 12:00, last accessed 12:30
const rotatedAt = "2026-12-05T14:05:00Z"

func at(clock string) int64 {
	t, err := time.Parse(time.RFC3339, "2026-12-05T"+clock+":00Z")
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

// timedCluster is an emulator holding the sessions above.
func timedCluster(t *testing.T) *emulatortest.Server {
	t.Helper()
	srv := emulatortest.NewServer(t, emulator.WithSessions(0))
	carolLast, daveLast := at("14:30"), at("12:30")
	if _, err := srv.AddSessions([]emulator.UserSession{
		{UserID: "alice", LoginType: "LDAP", CreationTime: at("13:00")},
		{UserID: "bob", LoginType: "LDAP", CreationTime: at("14:10")},
		{UserID: "carol", LoginType: "LOCAL", CreationTime: at("12:00"), LastAccessedTimestamp: &carolLast},
		{UserID: "dave", LoginType: "LDAP", CreationTime: at("12:00"), LastAccessedTimestamp: &daveLast},
	}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestAccRemoveUserSessionsAction_byTime: the action ends the users with a session created
// before the rotation (or idle since before 14:00), and a malformed time is refused with nothing
// sent (Terraform 1.14).
func TestAccRemoveUserSessionsAction_byTime(t *testing.T) {
	for _, tt := range []struct{ name, body, left string }{
		{"created before the rotation", `created_before = "` + rotatedAt + `"`, "bob"},
		{"idle since before 14:00 (CET)", `last_accessed_before = "2026-12-05T15:00:00+01:00"`, "bob,carol"},
		{"LDAP and created before, except alice", `login_type = "LDAP"` + "\n" + `created_before = "` + rotatedAt + `"` + "\n" +
			`except_user_ids = ["alice"]`, "alice,bob,carol"},
	} {
		t.Run(tt.name, func(t *testing.T) { actionLeaves(t, timedCluster(t), tt.body, tt.left) })
	}
	t.Run("a malformed time", func(t *testing.T) {
		srv := timedCluster(t)
		acceptanceTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
			Steps: []resource.TestStep{{
				Config:      incidentAction(srv, `created_before = "2026-12-05 14:05"`),
				ExpectError: words("Invalid Time", `created_before must be an RFC 3339 time with a time zone`, `got "2026-12-05 14:05"`),
			}},
		})
		noDeletes(t, srv)
	})
}

// noDeletes fails t when srv received a DELETE, and checks every user still has sessions.
func noDeletes(t *testing.T, srv *emulatortest.Server) {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Method == http.MethodDelete {
			t.Errorf("sent %s %s?%s", r.Method, r.Path, r.Query)
		}
	}
	if got := leftUsers(srv); got != "alice,bob,carol,dave" {
		t.Errorf("users left: %s, want every user", got)
	}
}

// TestAccUserSessionsRemoval_byTime: the removal resource selects by time on every Terraform;
// a malformed time is refused at plan with nothing sent.
func TestAccUserSessionsRemoval_byTime(t *testing.T) {
	srv := timedCluster(t)
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      removalSelection(srv, `last_accessed_before = "14:00"`),
				ExpectError: words("Invalid Time", `last_accessed_before must be an RFC 3339 time with a time zone`),
			},
			{
				PreConfig: func() { noDeletes(t, srv) },
				Config:    removalSelection(srv, `created_before = "`+rotatedAt+`"`),
				PostApplyFunc: func() {
					if got := leftUsers(srv); got != "bob" {
						t.Errorf("users left: %s, want bob", got)
					}
				},
			},
		},
	})
}

// TestCLIRemovalByTimeConfirmedByTheEphemeralRead: with Terraform and with OpenTofu, the removal
// resource ends every user with a session created before the rotation, and a check on the
// ephemeral read with the same time confirms none is left (it warns before the removal).
func TestCLIRemovalByTimeConfirmedByTheEphemeralRead(t *testing.T) {
	for name, binary := range map[string]func(devharness.TB) string{"terraform": devharness.Terraform, "opentofu": devharness.OpenTofu} {
		t.Run(name, func(t *testing.T) {
			tf := binary(t)
			c := newCLI(t)
			c.tf = tf
			srv := timedCluster(t)
			check := `
ephemeral "dtcluster_user_sessions" "before_rotation" {
  created_before = "` + rotatedAt + `"
}

check "no_session_from_before_the_rotation" {
  assert {
    condition     = ephemeral.dtcluster_user_sessions.before_rotation.session_count == 0
    error_message = "sessions from before the rotation are left"
  }
}
`
			block := providerBlock(srv)
			c.write("main.tf", terraformBlock+block+check)
			if out := c.must("plan"); !strings.Contains(out, "sessions from before the rotation are left") {
				t.Errorf("the check does not warn before the removal:\n%s", tail(out))
			}
			c.write("main.tf", terraformBlock+block+check+`
resource "dtcluster_user_sessions_removal" "rotation" {
  created_before = "`+rotatedAt+`"
}
`)
			c.must("apply", "-auto-approve")
			if got := leftUsers(srv); got != "bob" {
				t.Errorf("users left: %s, want bob", got)
			}
			if out := c.must("plan"); strings.Contains(out, "sessions from before the rotation are left") {
				t.Errorf("the check still warns after the removal:\n%s", tail(out))
			}
		})
	}
}
