package provider

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// TestCLIRestorePolicySurvivesTaint: the policy from before Terraform survives a taint and the
// replacement that follows; destroy with restore_on_destroy puts exactly it back.
func TestCLIRestorePolicySurvivesTaint(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t)
	original := policy{UserLimit: 7, AdminLimit: 3, Enabled: true, Timeout: 1234}
	if err := srv.SetConfig(apiPolicy(original)); err != nil {
		t.Fatal(err)
	}
	managed := policy{UserLimit: 2, AdminLimit: 1, Enabled: false, Timeout: 600}
	c.write("main.tf", terraformBlock+providerBlock(srv)+configResource(managed, "restore_on_destroy = true"))

	// A failed create changes nothing and records nothing.
	if err := srv.InjectFault(emulator.Fault{Method: "PUT", Path: "/clusterConfig/userSessions", Status: 500}); err != nil {
		t.Fatal(err)
	}
	if out, err := c.run(nil, "apply", "-auto-approve"); err == nil || !strings.Contains(out, "HTTP 500") {
		t.Fatalf("apply with a failing PUT: %v\n%s", err, tail(out))
	}
	if err := emulatorHolds(srv, apiPolicy(original)); err != nil {
		t.Fatal(err)
	}
	c.must("apply", "-auto-approve")
	c.must("taint", "dtcluster_user_sessions_config.this")
	if out := c.must("apply", "-auto-approve"); !strings.Contains(out, "1 added, 0 changed, 1 destroyed") {
		t.Fatalf("the tainted resource was not replaced:\n%s", tail(out))
	}
	if err := emulatorHolds(srv, apiPolicy(managed)); err != nil {
		t.Fatal(err)
	}
	if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("plan after the replacement is not empty:\n%s", tail(out))
	}
	c.must("destroy", "-auto-approve")
	if err := emulatorHolds(srv, apiPolicy(original)); err != nil {
		t.Errorf("after taint, apply and destroy: %v (the pre-Terraform policy was lost)", err)
	}
}

// TestCLINormalisingCluster: a cluster that stores another value than declared gives a warning
// naming the field, declared and stored, and the difference shows as an in-place update; no
// error, no taint, no replacement.
func TestCLINormalisingCluster(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t, emulator.WithMaxInactivityTimeout(3600))
	c.write("main.tf", terraformBlock+providerBlock(srv)+configResource(policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 7200}))
	out := c.must("apply", "-auto-approve")
	if !regexp.MustCompile(`(?s)Warning: Cluster Stored a Different User Sessions Configuration.*automatic_logout.user_inactivity_timeout: declared\s+7200, the cluster stores 3600`).MatchString(out) {
		t.Fatalf("no warning naming the field:\n%s", tail(out))
	}
	for i := 0; i < 2; i++ {
		out, err := c.run(nil, "plan", "-detailed-exitcode")
		if err == nil || !strings.Contains(out, "updated in-place") || strings.Contains(out, "replace") || strings.Contains(out, "tainted") {
			t.Fatalf("plan %d: want an in-place update of the normalised value, got %v\n%s", i, err, tail(out))
		}
		if !regexp.MustCompile(`user_inactivity_timeout\s+= 3600 -> 7200`).MatchString(out) {
			t.Errorf("plan %d does not show the stored and declared values:\n%s", i, tail(out))
		}
		c.must("apply", "-auto-approve")
	}
	c.write("main.tf", terraformBlock+providerBlock(srv)+configResource(policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 3600}))
	c.must("apply", "-auto-approve")
	if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after declaring the stored value is not empty:\n%s", tail(out))
	}
}

// TestCLIIncompleteConfigAnswerNeverReachesState: a cluster (or proxy) answering the policy
// with a missing, null or differently cased field fails the read naming it; nothing is written
// to state or to generated configuration.
func TestCLIIncompleteConfigAnswerNeverReachesState(t *testing.T) {
	c := newCLI(t)
	answers := map[string]struct{ body, want string }{
		"empty object":   {`{}`, "concurrentSessionPolicyDto is missing"},
		"null object":    {`{"concurrentSessionPolicyDto":null,"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":5}}`, "concurrentSessionPolicyDto is null"},
		"missing field":  {`{"concurrentSessionPolicyDto":{"userLimit":1,"adminLimit":1},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true}}`, "automaticLogoutDto.userInactivityTimeout is missing"},
		"key case":       {`{"concurrentSessionPolicyDto":{"USERLIMIT":3,"adminLimit":1},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":5}}`, "concurrentSessionPolicyDto.userLimit is missing"},
		"null field":     {`{"concurrentSessionPolicyDto":{"userLimit":null,"adminLimit":1},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":5}}`, "concurrentSessionPolicyDto.userLimit is null"},
		"not an integer": {`{"concurrentSessionPolicyDto":{"userLimit":1.5,"adminLimit":1},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":5}}`, "concurrentSessionPolicyDto.userLimit is not a valid int32"},
	}
	for name, a := range answers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, a.body)
			}))
			defer srv.Close()
			_ = os.Remove(filepath.Join(c.dir, "generated.tf"))
			_ = os.Remove(filepath.Join(c.dir, "terraform.tfstate"))
			c.write("main.tf", terraformBlock+devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote("dt0c01.T.token"))+
				"import {\n  to = dtcluster_user_sessions_config.this\n  id = \"user_sessions\"\n}\n")
			out, err := c.run(nil, "plan", "-generate-config-out=generated.tf")
			if err == nil || !strings.Contains(strings.Join(strings.Fields(out), " "), a.want) {
				t.Fatalf("plan: want an error naming %q, got %v\n%s", a.want, err, tail(out))
			}
			if data, err := os.ReadFile(filepath.Join(c.dir, "generated.tf")); err == nil && strings.Contains(string(data), "user_limit") {
				t.Errorf("generated.tf holds values from an incomplete answer:\n%s", data)
			}
			if _, err := os.Stat(filepath.Join(c.dir, "terraform.tfstate")); err == nil {
				state, _ := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
				if strings.Contains(string(state), "user_limit") {
					t.Errorf("state holds values from an incomplete answer:\n%s", state)
				}
			}
		})
	}
}

// TestAccNoSessionsAnswers: every answer a cluster may give for a user without sessions is an
// empty list for the data source and a removal of 0 sessions for the removal resource.
func TestAccNoSessionsAnswers(t *testing.T) {
	for _, answer := range emulator.NoSessionsAnswers {
		t.Run(string(answer), func(t *testing.T) {
			srv := emulatortest.NewServer(t, emulator.WithSessions(20), emulator.WithNoSessionsAnswer(answer))
			resource.ParallelTest(t, resource.TestCase{
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
