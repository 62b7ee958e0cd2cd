package provider

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// TestAccUserSessionsDataSource_filters: login_type, node_id and tenant_uuid select, with
// user_id, exactly the sessions the emulator holds that match; session_count and
// sessions_per_user count them; exclude_personal_data leaves ip and device null.
func TestAccUserSessionsDataSource_filters(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(300))
	want := func(user, loginType string, node int32, tenant string) []emulator.UserSession {
		var out []emulator.UserSession
		for _, s := range srv.Sessions(user) {
			if (loginType == "" || s.LoginType == loginType) && (node == 0 || s.NodeID == node) && (tenant == "" || s.TenantUUID == tenant) {
				out = append(out, s)
			}
		}
		return out
	}
	check := func(expected []emulator.UserSession, personalData bool) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			a := s.RootModule().Resources["data.dtcluster_user_sessions.this"].Primary.Attributes
			if len(expected) == 0 {
				return fmt.Errorf("the test selects no session; it would prove nothing")
			}
			if a["sessions.#"] != strconv.Itoa(len(expected)) || a["session_count"] != strconv.Itoa(len(expected)) {
				return fmt.Errorf("%s sessions, session_count %s, want %d", a["sessions.#"], a["session_count"], len(expected))
			}
			perUser := map[string]int{}
			for _, e := range expected {
				perUser[e.UserID]++
			}
			if a["sessions_per_user.%"] != strconv.Itoa(len(perUser)) {
				return fmt.Errorf("sessions_per_user has %s users, want %d", a["sessions_per_user.%"], len(perUser))
			}
			for user, n := range perUser {
				if a["sessions_per_user."+user] != strconv.Itoa(n) {
					return fmt.Errorf("sessions_per_user[%s] = %s, want %d", user, a["sessions_per_user."+user], n)
				}
			}
			ids := map[string]bool{}
			for _, e := range expected {
				ids[e.SessionID] = true
			}
			sawPersonal := false
			for i := range expected {
				prefix := fmt.Sprintf("sessions.%d.", i)
				if !ids[a[prefix+"session_id"]] {
					return fmt.Errorf("session %s is not one the filters select", a[prefix+"session_id"])
				}
				sawPersonal = sawPersonal || a[prefix+"ip"] != "" || a[prefix+"device"] != ""
			}
			if sawPersonal != personalData {
				return fmt.Errorf("ip or device present: %t, want %t", sawPersonal, personalData)
			}
			return nil
		}
	}
	dataSource := func(body ...string) string {
		return "data \"dtcluster_user_sessions\" \"this\" {\n  " + strings.Join(body, "\n  ") + "\n}\n"
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      providerBlock(srv) + dataSource(`node_id = -1`),
				ExpectError: words("node_id must be a whole number between 0 and 2147483647, got -1"),
			},
			{
				Config:      providerBlock(srv) + dataSource(`node_id = 1.5`),
				ExpectError: words("node_id must be a whole number between 0 and 2147483647, got 1.5"),
			},
			{
				Config:      providerBlock(srv) + dataSource(`tenant_uuid = ""`),
				ExpectError: words("tenant_uuid string length must be at least 1"),
			},
			{
				Config: providerBlock(srv) + dataSource(`login_type = "LDAP"`, `node_id = 2`),
				Check:  check(want("", "LDAP", 2, ""), true),
			},
			{
				Config: providerBlock(srv) + dataSource(`user_id = "jane.doe"`, `tenant_uuid = "`+emulator.ClusterUUID+`"`, `exclude_personal_data = true`),
				Check:  check(want("jane.doe", "", 0, emulator.ClusterUUID), false),
			},
		},
	})
}

// TestCLIUnknownLoginTypeWarns: a login type the API does not document is a warning, and the
// filter still applies (to nothing, here).
func TestCLIUnknownLoginTypeWarns(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t, emulator.WithSessions(20))
	c.write("main.tf", terraformBlock+providerBlock(srv)+`
data "dtcluster_user_sessions" "this" {
  login_type = "PASSKEY"
}

output "count" {
  value = data.dtcluster_user_sessions.this.session_count
}
`)
	out := c.must("apply", "-auto-approve")
	if !strings.Contains(out, "Warning: Unknown Login Type") || !strings.Contains(out, `count = 0`) {
		t.Errorf("want a warning and no session:\n%s", tail(out))
	}
}
