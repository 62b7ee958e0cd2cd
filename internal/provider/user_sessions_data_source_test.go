package provider

import (
	"fmt"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
	resource.ParallelTest(t, resource.TestCase{
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
