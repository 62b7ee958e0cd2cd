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

	"github.com/dtcluster/terraform-provider-dtcluster/internal/acctest"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

const configAddr = "dtcluster_user_sessions_config.this"

func statePolicy(p policy, restore bool) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("id"), knownvalue.StringExact("user_sessions")),
		statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("concurrent_session_policy"), knownvalue.ObjectExact(map[string]knownvalue.Check{
			"user_limit":  knownvalue.Int64Exact(int64(p.UserLimit)),
			"admin_limit": knownvalue.Int64Exact(int64(p.AdminLimit)),
		})),
		statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("automatic_logout"), knownvalue.ObjectExact(map[string]knownvalue.Check{
			"logout_inactive_users_enabled": knownvalue.Bool(p.Enabled),
			"user_inactivity_timeout":       knownvalue.Int64Exact(int64(p.Timeout)),
		})),
		statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("restore_on_destroy"), knownvalue.Bool(restore)),
	}
}

func TestAccUserSessionsConfig_lifecycle(t *testing.T) {
	srv := emulatortest.NewServer(t)
	a := policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}
	b := policy{UserLimit: 10, AdminLimit: 3, Enabled: false, Timeout: 1800}
	console := policy{UserLimit: 1, AdminLimit: 1, Enabled: true, Timeout: 60}
	initial := srv.Config()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Default destroy leaves the cluster as it is.
			return emulatorHolds(srv, apiPolicy(b))
		},
		Steps: []resource.TestStep{
			{
				Config:            providerBlock(srv) + configResource(a),
				ConfigStateChecks: statePolicy(a, false),
				Check:             func(*terraform.State) error { return emulatorHolds(srv, apiPolicy(a)) },
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
				Config:          providerBlock(srv) + configResource(a),
			},
			{
				Config: providerBlock(srv) + configResource(b),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(configAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: statePolicy(b, false),
				Check:             func(*terraform.State) error { return emulatorHolds(srv, apiPolicy(b)) },
			},
			{
				// Someone changes the policy in the Cluster Management Console.
				PreConfig: func() {
					if err := srv.SetConfig(apiPolicy(console)); err != nil {
						t.Fatal(err)
					}
				},
				Config: providerBlock(srv) + configResource(b),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(configAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: statePolicy(b, false),
				Check:             func(*terraform.State) error { return emulatorHolds(srv, apiPolicy(b)) },
			},
		},
	})
	if initial == apiPolicy(b) {
		t.Fatal("the test cannot tell destroy modes apart: the initial config equals the final one")
	}
}

func TestAccUserSessionsConfig_restoreOnDestroy(t *testing.T) {
	srv := emulatortest.NewServer(t)
	before := policy{UserLimit: 4, AdminLimit: 4, Enabled: true, Timeout: 120}
	if err := srv.SetConfig(apiPolicy(before)); err != nil {
		t.Fatal(err)
	}
	a := policy{UserLimit: 7, AdminLimit: 1, Enabled: false, Timeout: 3600}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// restore_on_destroy puts back what the cluster had before Terraform applied.
			return emulatorHolds(srv, apiPolicy(before))
		},
		Steps: []resource.TestStep{
			{
				Config:            providerBlock(srv) + configResource(a, "restore_on_destroy = true"),
				ConfigStateChecks: statePolicy(a, true),
				Check:             func(*terraform.State) error { return emulatorHolds(srv, apiPolicy(a)) },
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
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:        providerBlock(srv) + configResource(policy{UserLimit: 0, AdminLimit: 0, Enabled: false, Timeout: 900}),
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
		return acctest.ProviderBlock("host", acctest.Quote(srv.URL), "token", acctest.Quote(token))
	}
	cfg := configResource(policy{UserLimit: 3, AdminLimit: 3, Enabled: true, Timeout: 600})
	resource.ParallelTest(t, resource.TestCase{
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
	want := policy{UserLimit: 6, AdminLimit: 2, Enabled: true, Timeout: 300}
	for _, f := range []emulator.Fault{
		{Method: "GET", Path: "/clusterConfig/userSessions", Status: 429, RetryAfter: "1"},
		{Method: "PUT", Path: "/clusterConfig/userSessions", Status: 503, Count: 2},
		{Method: "PUT", Path: "/clusterConfig/userSessions", Drop: true},
	} {
		if err := srv.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            providerBlock(srv) + configResource(want),
			ConfigStateChecks: statePolicy(want, false),
			Check: func(*terraform.State) error {
				if err := emulatorHolds(srv, apiPolicy(want)); err != nil {
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
