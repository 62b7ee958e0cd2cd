package provider

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

const sessionsAddr = "data.dtcluster_user_sessions.this"

func sessionsDataSource(userID string) string {
	if userID == "" {
		return "data \"dtcluster_user_sessions\" \"this\" {}\n"
	}
	return fmt.Sprintf("data \"dtcluster_user_sessions\" \"this\" {\n  user_id = %q\n}\n", userID)
}

// sortedIDs is the session ids of sessions in the documented order (user, creation time, id).
func sortedIDs(sessions []emulator.UserSession) []knownvalue.Check {
	s := append([]emulator.UserSession(nil), sessions...)
	sort.Slice(s, func(i, j int) bool {
		if s[i].UserID != s[j].UserID {
			return s[i].UserID < s[j].UserID
		}
		if s[i].CreationTime != s[j].CreationTime {
			return s[i].CreationTime < s[j].CreationTime
		}
		return s[i].SessionID < s[j].SessionID
	})
	checks := make([]knownvalue.Check, len(s))
	for i, x := range s {
		checks[i] = knownvalue.StringExact(x.SessionID)
	}
	return checks
}

const idsOutput = `
output "ids" {
  value = data.dtcluster_user_sessions.this.sessions[*].session_id
}
`

func TestAccUserSessionsDataSource_allAndFiltered(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(40))
	all := srv.Sessions("")
	jane := srv.Sessions("jane.doe")
	if len(jane) == 0 {
		t.Fatal("the seed has no sessions of jane.doe")
	}
	first := jane[0]
	for _, s := range jane {
		if s.CreationTime < first.CreationTime {
			first = s
		}
	}
	optional := func(p *string) knownvalue.Check {
		if p == nil {
			return knownvalue.Null()
		}
		return knownvalue.StringExact(*p)
	}
	var last knownvalue.Check = knownvalue.Null()
	if first.LastAccessedTimestamp != nil {
		last = knownvalue.Int64Exact(*first.LastAccessedTimestamp)
	}
	quickAcceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(srv) + sessionsDataSource("") + idsOutput,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sessionsAddr, tfjsonpath.New("sessions"), knownvalue.ListSizeExact(len(all))),
					statecheck.ExpectKnownValue(sessionsAddr, tfjsonpath.New("user_id"), knownvalue.Null()),
					statecheck.ExpectKnownOutputValue("ids", knownvalue.ListExact(sortedIDs(all))),
				},
			},
			{
				Config: providerBlock(srv) + sessionsDataSource("jane.doe") + idsOutput,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("ids", knownvalue.ListExact(sortedIDs(jane))),
					// All nine fields of the oldest session, optional ones as the API gave them.
					statecheck.ExpectKnownValue(sessionsAddr, tfjsonpath.New("sessions").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"user_id":                 knownvalue.StringExact("jane.doe"),
						"node_id":                 knownvalue.Int64Exact(int64(first.NodeID)),
						"session_id":              knownvalue.StringExact(first.SessionID),
						"creation_time":           knownvalue.Int64Exact(first.CreationTime),
						"last_accessed_timestamp": last,
						"tenant_uuid":             knownvalue.StringExact(first.TenantUUID),
						"login_type":              knownvalue.StringExact(first.LoginType),
						"device":                  optional(first.Device),
						"ip":                      optional(first.IP),
					})),
				},
			},
			{
				Config: providerBlock(srv) + sessionsDataSource("nobody"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sessionsAddr, tfjsonpath.New("sessions"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
		},
	})
}

// TestAccUserSessionsDataSource_nullsAndOrder: optional fields the API leaves out are null, and the
// list keeps its order when the cluster answers in another one; one GET per read.
func TestAccUserSessionsDataSource_nullsAndOrder(t *testing.T) {
	srv := emulatortest.NewServer(t)
	device, ip, lastAccess := "Firefox 133 on Ubuntu 24.04", "198.51.100.7", int64(1767254400500)
	sessions := []emulator.UserSession{
		{UserID: "ops.test", SessionID: "B0000000000000000000000000000002", CreationTime: 1767254400000, LoginType: "LDAP", NodeID: 2},
		{UserID: "ops.test", SessionID: "A0000000000000000000000000000001", CreationTime: 1767254400000, LoginType: "LOCAL", NodeID: 1,
			Device: &device, IP: &ip, LastAccessedTimestamp: &lastAccess},
		{UserID: "ops.test", SessionID: "C0000000000000000000000000000003", CreationTime: 1767250000000, LoginType: "DEVOPSTOKEN", NodeID: 3},
	}
	add := func(order ...int) func() {
		return func() {
			srv.RemoveSessions("ops.test")
			for _, i := range order {
				if _, err := srv.AddSessions([]emulator.UserSession{sessions[i]}); err != nil {
					t.Fatal(err)
				}
			}
			srv.ClearRequests()
		}
	}
	// Oldest first, then by id for equal creation times.
	wantIDs := knownvalue.ListExact([]knownvalue.Check{
		knownvalue.StringExact("C0000000000000000000000000000003"),
		knownvalue.StringExact("A0000000000000000000000000000001"),
		knownvalue.StringExact("B0000000000000000000000000000002"),
	})
	oneGET := func(*terraform.State) error {
		// Each terraform command reads once; the step's apply runs a plan and an apply.
		if n, total := srv.CountRequests("GET", "/userSessions"), len(srv.Requests()); n == 0 || n != total {
			return fmt.Errorf("requests %+v: want only GET /userSessions", srv.Requests())
		}
		return nil
	}
	cfg := providerBlock(srv) + sessionsDataSource("ops.test") + idsOutput
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: add(0, 1, 2),
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("ids", wantIDs),
					statecheck.ExpectKnownValue(sessionsAddr, tfjsonpath.New("sessions").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"last_accessed_timestamp": knownvalue.Null(),
						"device":                  knownvalue.Null(),
						"ip":                      knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(sessionsAddr, tfjsonpath.New("sessions").AtSliceIndex(1), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"last_accessed_timestamp": knownvalue.Int64Exact(lastAccess),
						"device":                  knownvalue.StringExact(device),
						"ip":                      knownvalue.StringExact(ip),
					})),
				},
				Check: oneGET,
			},
			{
				PreConfig:         add(2, 0, 1),
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownOutputValue("ids", wantIDs)},
			},
			{
				PreConfig:         add(1, 2, 0),
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownOutputValue("ids", wantIDs)},
			},
		},
	})
}

func TestAccUserSessionsDataSource_emptyUserID(t *testing.T) {
	srv := emulatortest.NewServer(t)
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerBlock(srv) + sessionsDataSource("") + `data "dtcluster_user_sessions" "empty" { user_id = "" }`,
			ExpectError: words("user_id must not be empty"),
		}},
	})
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the cluster for an invalid configuration", n)
	}
}

// TestAccNoSessionsAnswers: every answer a cluster may give for a user without sessions is an
// empty list for the data source and a removal of 0 sessions for the removal resource.
func TestAccNoSessionsAnswers(t *testing.T) {
	for _, answer := range emulator.NoSessionsAnswers {
		t.Run(string(answer), func(t *testing.T) {
			srv := emulatortest.NewServer(t, emulator.WithSessions(20), emulator.WithNoSessionsAnswer(answer))
			acceptanceTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: providerBlock(srv) + sessionsDataSource("nobody") + removalResource("nobody", "OPS-1"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.dtcluster_user_sessions.this", tfjsonpath.New("sessions"), knownvalue.ListExact([]knownvalue.Check{})),
						statecheck.ExpectKnownValue("dtcluster_user_sessions_removal.offboard", tfjsonpath.New("sessions_removed"), knownvalue.Int64Exact(0)),
					},
				}},
			})
			if n := len(srv.Sessions("")); n != 20 {
				t.Errorf("%d sessions left, want all 20", n)
			}
		})
	}
}

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
	// The configuration is testdata/TestAccUserSessionsDataSource_filters/main.tf; each step sets
	// its filters.
	with := func(vars config.Variables) config.Variables {
		vars["host"], vars["token"] = config.StringVariable(srv.URL), config.StringVariable(srv.Token)
		return vars
	}
	// The provider block is in the file, so the factories go with each step.
	acceptanceTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          config.TestNameDirectory(),
				ConfigVariables:          with(config.Variables{"node_id": config.IntegerVariable(-1)}),
				ExpectError:              words("node_id must be a whole number between 0 and 2147483647, got -1"),
			},
			{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          config.TestNameDirectory(),
				ConfigVariables:          with(config.Variables{"node_id": config.FloatVariable(1.5)}),
				ExpectError:              words("node_id must be a whole number between 0 and 2147483647, got 1.5"),
			},
			{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          config.TestNameDirectory(),
				ConfigVariables:          with(config.Variables{"tenant_uuid": config.StringVariable("")}),
				ExpectError:              words("tenant_uuid string length must be at least 1"),
			},
			{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          config.TestNameDirectory(),
				ConfigVariables:          with(config.Variables{"login_type": config.StringVariable("LDAP"), "node_id": config.IntegerVariable(2)}),
				Check:                    check(want("", "LDAP", 2, ""), true),
			},
			{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigDirectory:          config.TestNameDirectory(),
				ConfigVariables: with(config.Variables{"user_id": config.StringVariable("jane.doe"),
					"tenant_uuid": config.StringVariable(emulator.ClusterUUID), "exclude_personal_data": config.BoolVariable(true)}),
				Check: check(want("jane.doe", "", 0, emulator.ClusterUUID), false),
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

// TestCLIRequestCountsSessions: a data source read is one GET; a removal is one GET (to count)
// and one DELETE; a refresh of a recorded removal makes no request.
func TestCLIRequestCountsSessions(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t, emulator.WithSessions(50))
	c.write("main.tf", terraformBlock+providerBlock(srv)+sessionsDataSource("")+idsOutput)
	srv.ClearRequests()
	c.must("plan")
	if n := srv.CountRequests("GET", "/userSessions"); n != 1 || len(srv.Requests()) != 1 {
		t.Errorf("data source read: requests %+v, want one GET", srv.Requests())
	}

	c.write("main.tf", terraformBlock+providerBlock(srv)+removalResource("jane.doe", "OPS-1"))
	srv.ClearRequests()
	c.must("apply", "-auto-approve")
	if g, d := srv.CountRequests("GET", "/userSessions"), srv.CountRequests("DELETE", "/userSessions"); g != 1 || d != 1 || len(srv.Requests()) != 2 {
		t.Errorf("removal: requests %+v, want one GET and one DELETE", srv.Requests())
	}
	srv.ClearRequests()
	c.must("plan")
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("refresh of a removal: requests %+v, want none", srv.Requests())
	}
}

// TestCLISessionsOfOtherUsersAreDropped: a cluster (here a proxy in front of it) that ignores
// the userId filter answers everyone's sessions; the data source keeps only the user's, the
// removal counts only theirs, and both warn.
func TestCLISessionsOfOtherUsersAreDropped(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t, emulator.WithSessions(30))
	proxy := emulatortest.NewLossyProxy(t, srv.URL)
	proxy.IgnoreFilterOnGet = true
	jane, all := len(srv.Sessions("jane.doe")), len(srv.Sessions(""))
	if jane == 0 || jane == all {
		t.Fatalf("jane.doe has %d of %d sessions: the test would prove nothing", jane, all)
	}
	block := devharness.ProviderBlock("host", devharness.Quote(proxy.URL), "token", devharness.Quote(srv.Token))
	c.write("main.tf", terraformBlock+block+sessionsDataSource("jane.doe")+`
output "count" {
  value = data.dtcluster_user_sessions.this.session_count
}
output "users" {
  value = distinct([for s in data.dtcluster_user_sessions.this.sessions : s.user_id])
}
`+removalResource("jane.doe", "OPS-8")+`
output "removed" {
  value = dtcluster_user_sessions_removal.offboard.sessions_removed
}
`)
	out := c.must("apply", "-auto-approve")
	flat := strings.Join(strings.Fields(out), " ")
	// Terraform folds warnings of one summary into the first ("and one more similar warning").
	n := strings.Count(flat, "Warning: Cluster Answered Sessions of Other Users")
	if strings.Contains(flat, "(and one more similar warning elsewhere)") {
		n++
	}
	if n < 2 {
		t.Errorf("%d warnings about other users' sessions, want one for the data source and one for the removal:\n%s", n, tail(out))
	}
	for _, want := range []string{fmt.Sprintf("count = %d", jane), `users = tolist([ "jane.doe", ])`, fmt.Sprintf("removed = %d", jane)} {
		if !strings.Contains(flat, want) {
			t.Errorf("outputs lack %q:\n%s", want, tail(out))
		}
	}
	if left := len(srv.Sessions("")); left != all-jane {
		t.Errorf("%d sessions left, want %d (only jane.doe's ended)", left, all-jane)
	}
}
