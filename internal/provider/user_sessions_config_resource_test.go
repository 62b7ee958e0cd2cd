package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

const configAddr = "dtcluster_user_sessions_config.this"

func statePolicy(p policy, restore bool) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("id"), knownvalue.StringExact("user_sessions")),
		statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("concurrent_session_policy"), knownvalue.ObjectExact(map[string]knownvalue.Check{
			"user_limit":  knownvalue.Int64Exact(int64(p.userLimit)),
			"admin_limit": knownvalue.Int64Exact(int64(p.adminLimit)),
		})),
		statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("automatic_logout"), knownvalue.ObjectExact(map[string]knownvalue.Check{
			"logout_inactive_users_enabled": knownvalue.Bool(p.enabled),
			"user_inactivity_timeout":       knownvalue.Int64Exact(int64(p.timeout)),
		})),
		statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("restore_on_destroy"), knownvalue.Bool(restore)),
	}
}

func TestAccUserSessionsConfig_lifecycle(t *testing.T) {
	srv := emulatortest.NewServer(t)
	a := policy{userLimit: 5, adminLimit: 2, enabled: true, timeout: 900}
	b := policy{userLimit: 10, adminLimit: 3, enabled: false, timeout: 1800}
	console := policy{userLimit: 1, adminLimit: 1, enabled: true, timeout: 60}
	initial := srv.Config()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Default destroy leaves the cluster as it is.
			return emulatorHolds(srv, b.api())
		},
		Steps: []resource.TestStep{
			{
				Config:            providerBlock(srv) + configResource(a, ""),
				ConfigStateChecks: statePolicy(a, false),
				Check:             func(*terraform.State) error { return emulatorHolds(srv, a.api()) },
			},
			{
				ResourceName:      configAddr,
				ImportState:       true,
				ImportStateId:     "user_sessions",
				ImportStateVerify: true,
				// Import records the policy the cluster has at import time as the one to restore;
				// the created object recorded the one from before its create.
				ImportStateVerifyIgnore: []string{"restore_policy"},
			},
			{
				ResourceName:    configAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "user_sessions",
				Config:          providerBlock(srv) + configResource(a, ""),
			},
			{
				Config: providerBlock(srv) + configResource(b, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(configAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: statePolicy(b, false),
				Check:             func(*terraform.State) error { return emulatorHolds(srv, b.api()) },
			},
			{
				// Someone changes the policy in the Cluster Management Console.
				PreConfig: func() {
					if err := srv.SetConfig(console.api()); err != nil {
						t.Fatal(err)
					}
				},
				Config: providerBlock(srv) + configResource(b, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(configAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: statePolicy(b, false),
				Check:             func(*terraform.State) error { return emulatorHolds(srv, b.api()) },
			},
		},
	})
	if initial == b.api() {
		t.Fatal("the test cannot tell destroy modes apart: the initial config equals the final one")
	}
}

func TestAccUserSessionsConfig_restoreOnDestroy(t *testing.T) {
	srv := emulatortest.NewServer(t)
	before := policy{userLimit: 4, adminLimit: 4, enabled: true, timeout: 120}
	if err := srv.SetConfig(before.api()); err != nil {
		t.Fatal(err)
	}
	a := policy{userLimit: 7, adminLimit: 1, enabled: false, timeout: 3600}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// restore_on_destroy puts back what the cluster had before Terraform applied.
			return emulatorHolds(srv, before.api())
		},
		Steps: []resource.TestStep{
			{
				Config:            providerBlock(srv) + configResource(a, "restore_on_destroy = true"),
				ConfigStateChecks: statePolicy(a, true),
				Check:             func(*terraform.State) error { return emulatorHolds(srv, a.api()) },
			},
			{
				// Changing only restore_on_destroy needs no call to the cluster.
				PreConfig: srv.ClearRequests,
				Config:    providerBlock(srv) + configResource(a, "restore_on_destroy = false"),
				Check: func(*terraform.State) error {
					if n := srv.CountRequests("PUT", "/clusterConfig/userSessions"); n != 0 {
						return fmt.Errorf("%d PUT requests for a change of restore_on_destroy alone", n)
					}
					return nil
				},
			},
			{
				Config:            providerBlock(srv) + configResource(a, "restore_on_destroy = true"),
				ConfigStateChecks: statePolicy(a, true),
			},
		},
	})
}

func TestAccUserSessionsConfig_importInvalidID(t *testing.T) {
	srv := emulatortest.NewServer(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:        providerBlock(srv) + configResource(policy{0, 0, false, 900}, ""),
				ResourceName:  configAddr,
				ImportState:   true,
				ImportStateId: "cluster-config",
				ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*"cluster-config" is not valid.*id\s+"user_sessions"`),
			},
		},
	})
}

func TestAccUserSessionsConfig_authErrors(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithUnscopedToken("dt0c01.READONLY.token"))
	block := func(token string) string {
		return fmt.Sprintf("provider \"dtcluster\" {\n  host  = %q\n  token = %q\n}\n", srv.URL, token)
	}
	cfg := configResource(policy{3, 3, true, 600}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      block("dt0c01.WRONG.token") + cfg,
				ExpectError: regexp.MustCompile(`(?s)HTTP 403 Forbidden: Token Authentication failed.*refused the API\s+token.*ServiceProviderAPI\s+scope`),
			},
			{
				Config:      block("dt0c01.READONLY.token") + cfg,
				ExpectError: regexp.MustCompile(`(?s)Unable to Read User Sessions Configuration.*HTTP 403 Forbidden: Token is missing\s+required\s+scope.*ServiceProviderAPI\s+scope`),
			},
		},
	})
	if got := srv.Config(); got != emulator.DefaultUserSessionsConfig() {
		t.Errorf("the cluster changed: %+v", got)
	}
}

func TestAccUserSessionsConfig_survivesTransientFailures(t *testing.T) {
	srv := emulatortest.NewServer(t)
	want := policy{userLimit: 6, adminLimit: 2, enabled: true, timeout: 300}
	for _, f := range []emulator.Fault{
		{Method: "GET", Path: "/clusterConfig/userSessions", Status: 429, RetryAfter: "1"},
		{Method: "PUT", Path: "/clusterConfig/userSessions", Status: 503, Count: 2},
		{Method: "PUT", Path: "/clusterConfig/userSessions", Drop: true},
	} {
		if err := srv.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            providerBlock(srv) + configResource(want, ""),
			ConfigStateChecks: statePolicy(want, false),
			Check: func(*terraform.State) error {
				if err := emulatorHolds(srv, want.api()); err != nil {
					return err
				}
				faults := map[string]int{}
				for _, r := range srv.Requests() {
					faults[r.Fault]++
				}
				if faults["status 429"] != 1 || faults["status 503"] != 2 || faults["drop"] != 1 {
					return fmt.Errorf("the faults were not all met: %v", faults)
				}
				return nil
			},
		}},
	})
}
