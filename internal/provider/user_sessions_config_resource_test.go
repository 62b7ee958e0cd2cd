package provider

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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

	quickAcceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Default destroy leaves the cluster as it is.
			return emulatorHolds(srv, apiPolicy(b))
		},
		Steps: []resource.TestStep{
			{
				Config: providerBlock(srv) + configResource(a),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// The create plan knows the id and the cluster, not "(known after apply)".
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(configAddr, tfjsonpath.New("id"), knownvalue.StringExact("user_sessions")),
						plancheck.ExpectKnownValue(configAddr, tfjsonpath.New("cluster_url"), knownvalue.StringExact(srv.URL)),
					},
				},
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
	acceptanceTest(t, resource.TestCase{
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
	acceptanceTest(t, resource.TestCase{
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
		return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(token))
	}
	cfg := configResource(policy{UserLimit: 3, AdminLimit: 3, Enabled: true, Timeout: 600})
	acceptanceTest(t, resource.TestCase{
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
	acceptanceTest(t, resource.TestCase{
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

// restorePolicyInState returns the restore_policy recorded for dtcluster_user_sessions_config in
// the state file of dir, with the instance's status ("tainted" or "").
func restorePolicyInState(t *testing.T, dir string) (p policy, status string, restoreOnDestroy bool) {
	t.Helper()
	for _, r := range readStateFile(t, dir) {
		if r.Type != "dtcluster_user_sessions_config" || len(r.Instances) != 1 {
			continue
		}
		inst := r.Instances[0]
		rp, _ := inst.Attributes["restore_policy"].(map[string]any)
		num := func(k string) int { f, _ := rp[k].(float64); return int(f) }
		enabled, _ := rp["logout_inactive_users_enabled"].(bool)
		restore, _ := inst.Attributes["restore_on_destroy"].(bool)
		return policy{UserLimit: num("user_limit"), AdminLimit: num("admin_limit"), Enabled: enabled, Timeout: num("user_inactivity_timeout")},
			inst.Status, restore
	}
	t.Fatalf("no dtcluster_user_sessions_config in the state")
	return policy{}, "", false
}

// TestCLICreateWithLostPutAnswer: a create whose PUT the cluster carries out but whose answer
// is lost never loses the policy from before Terraform. When a read settles it, the create
// succeeds; when the read fails too, the resource stays in state, tainted, with that policy in
// restore_policy, and the next apply and a destroy put it back.
func TestCLICreateWithLostPutAnswer(t *testing.T) {
	original := policy{UserLimit: 7, AdminLimit: 3, Enabled: true, Timeout: 1234}
	managed := policy{UserLimit: 2, AdminLimit: 1, Enabled: false, Timeout: 600}
	for _, tt := range []struct {
		name          string
		readLost      bool // the read after the PUT loses its answer too
		restoreOnDest bool
	}{
		{"a read settles it", false, true},
		{"kept for rollback, restore_on_destroy", true, true},
		{"kept for rollback, no restore_on_destroy", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			srv := emulatortest.NewServer(t)
			if err := srv.SetConfig(apiPolicy(original)); err != nil {
				t.Fatal(err)
			}
			proxy := emulatortest.NewLossyProxy(t, srv.URL)
			proxy.DropAnswers("PUT", "/clusterConfig/userSessions", 0, 1)
			if tt.readLost {
				// The reads of the plan and of the prior policy pass; the read after the PUT is lost.
				proxy.DropAnswersAfter("GET", "/clusterConfig/userSessions", "PUT", 1)
			}
			var extra []string
			if tt.restoreOnDest {
				extra = append(extra, "restore_on_destroy = true")
			}
			block := devharness.ProviderBlock("host", devharness.Quote(proxy.URL), "token", devharness.Quote(srv.Token), "max_retries", "0")
			c.write("main.tf", terraformBlock+block+configResource(managed, extra...))

			out, err := c.run(nil, "apply", "-auto-approve")
			if err := emulatorHolds(srv, apiPolicy(managed)); err != nil {
				t.Fatalf("the PUT was not carried out: %v", err)
			}
			if !tt.readLost {
				if err != nil || !strings.Contains(out, "Warning: User Sessions Configuration Applied, Its Answer Lost") {
					t.Fatalf("create with a lost answer, settled by a read: %v\n%s", err, tail(out))
				}
			} else {
				flat := strings.Join(strings.Fields(out), " ")
				if err == nil || !strings.Contains(flat, "Error: User Sessions Configuration Update Outcome Unknown") ||
					!strings.Contains(flat, "marked tainted, with that policy as restore_policy and restore_on_destroy = true") {
					t.Fatalf("create with a lost answer and a failed read: want the outcome-unknown error, got %v\n%s", err, tail(out))
				}
				got, status, restore := restorePolicyInState(t, c.dir)
				if got != original || status != "tainted" || !restore {
					t.Fatalf("state after the unknown outcome: restore_policy %+v, status %q, restore_on_destroy %v; want %+v, tainted, true",
						got, status, restore, original)
				}
				if out := c.must("apply", "-auto-approve"); !strings.Contains(out, "1 added, 0 changed, 1 destroyed") {
					t.Fatalf("the tainted resource was not replaced:\n%s", tail(out))
				}
			}
			if err := emulatorHolds(srv, apiPolicy(managed)); err != nil {
				t.Fatal(err)
			}
			if got, status, restore := restorePolicyInState(t, c.dir); got != original || status != "" || restore != tt.restoreOnDest {
				t.Fatalf("state: restore_policy %+v, status %q, restore_on_destroy %v; want %+v, not tainted, %v",
					got, status, restore, original, tt.restoreOnDest)
			}
			if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
				t.Fatalf("plan after the create is not empty:\n%s", tail(out))
			}
			c.must("destroy", "-auto-approve")
			want := managed
			if tt.restoreOnDest {
				want = original
			}
			if err := emulatorHolds(srv, apiPolicy(want)); err != nil {
				t.Errorf("after destroy: %v", err)
			}
		})
	}
}

// TestCLIStateBoundToItsCluster: state recorded for one cluster, run with the provider pointed
// at another, fails naming both before anything is read from or written to either, on every
// Terraform version; previous_hosts moves it on purpose, and every spelling of one URL is one
// cluster.
func TestCLIStateBoundToItsCluster(t *testing.T) {
	c := newCLI(t)
	a, b := emulatortest.NewServer(t), emulatortest.NewServer(t)
	originalA, originalB := policy{UserLimit: 7, AdminLimit: 3, Enabled: true, Timeout: 1234}, policy{UserLimit: 9, AdminLimit: 9, Enabled: false, Timeout: 4321}
	for srv, p := range map[*emulatortest.Server]policy{a: originalA, b: originalB} {
		if err := srv.SetConfig(apiPolicy(p)); err != nil {
			t.Fatal(err)
		}
	}
	managed := policy{UserLimit: 2, AdminLimit: 1, Enabled: false, Timeout: 600}
	with := func(host string, extra ...string) []string {
		return append([]string{"DYNATRACE_CLUSTER_URL=" + host, "DYNATRACE_CLUSTER_API_TOKEN=" + a.Token}, extra...)
	}
	c.write("main.tf", terraformBlock+"provider \"dtcluster\" {\n  max_retries = 1\n}\n"+configResource(managed, "restore_on_destroy = true"))
	if out, err := c.run(with(a.URL), "apply", "-auto-approve"); err != nil {
		t.Fatalf("apply on A: %v\n%s", err, tail(out))
	}
	a.ClearRequests()
	b.ClearRequests()
	for _, args := range [][]string{{"plan"}, {"plan", "-refresh=false"}, {"apply", "-auto-approve"}, {"apply", "-auto-approve", "-refresh=false"},
		{"destroy", "-auto-approve"}, {"destroy", "-auto-approve", "-refresh=false"}} {
		out, err := c.run(with(b.URL), args...)
		flat := strings.Join(strings.Fields(out), " ")
		if err == nil || !strings.Contains(flat, "State Belongs to Another Cluster") ||
			!strings.Contains(flat, "recorded in state for the cluster "+a.URL+", but the provider is configured for "+b.URL) {
			t.Errorf("terraform %s against B: want an error naming both clusters, got %v\n%s", strings.Join(args, " "), err, tail(out))
		}
	}
	if n, m := len(a.Requests()), len(b.Requests()); n != 0 || m != 0 {
		t.Errorf("runs against B sent %d requests to A and %d to B, want none: %+v %+v", n, m, a.Requests(), b.Requests())
	}
	if err := emulatorHolds(a, apiPolicy(managed)); err != nil {
		t.Errorf("A: %v", err)
	}
	if err := emulatorHolds(b, apiPolicy(originalB)); err != nil {
		t.Errorf("B: %v", err)
	}

	// Another spelling of A's URL is A.
	port := a.URL[strings.LastIndex(a.URL, ":")+1:]
	if out, err := c.run(with("http://127.0.0.1:0"+port+"/api/cluster/v2/"), "plan", "-detailed-exitcode"); err != nil {
		t.Errorf("plan with another spelling of A's URL: %v\n%s", err, tail(out))
	}
	// A rename: A reached as localhost is another URL, refused until previous_hosts names the old one.
	renamed := "http://localhost:" + port
	if out, err := c.run(with(renamed), "plan"); err == nil || !strings.Contains(out, "State Belongs to Another Cluster") {
		t.Fatalf("plan with A's new URL and no previous_hosts: want an error, got %v\n%s", err, tail(out))
	}
	c.write("main.tf", terraformBlock+"provider \"dtcluster\" {\n  max_retries = 1\n  previous_hosts = [\""+a.URL+"\"]\n}\n"+configResource(managed, "restore_on_destroy = true"))
	// The move is said in the plan, naming both URLs and where restore_policy was recorded (before,
	// the plan said only "No changes", also when previous_hosts named another live cluster).
	for _, args := range [][]string{{"plan"}, {"plan", "-refresh=false"}} {
		out, err := c.run(with(renamed), args...)
		flat := strings.Join(strings.Fields(out), " ")
		if err != nil || !strings.Contains(flat, "Warning: State Moves to Another Cluster URL") ||
			!strings.Contains(flat, "recorded for "+a.URL+" and now moves to "+renamed) ||
			!strings.Contains(flat, "restore_policy (what restore_on_destroy puts back) was recorded on "+a.URL) {
			t.Errorf("terraform %s with previous_hosts: want a warning naming both URLs, got %v\n%s", strings.Join(args, " "), err, tail(out))
		}
	}
	if out, err := c.run(with(renamed), "apply", "-auto-approve"); err != nil {
		t.Fatalf("apply with previous_hosts: %v\n%s", err, tail(out))
	}
	c.write("main.tf", terraformBlock+"provider \"dtcluster\" {\n  max_retries = 1\n}\n"+configResource(managed, "restore_on_destroy = true"))
	if out, err := c.run(with(renamed), "plan", "-detailed-exitcode"); err != nil {
		t.Fatalf("plan at the new URL without previous_hosts: %v\n%s", err, tail(out))
	}
	if puts := a.CountRequests("PUT", "/clusterConfig/userSessions"); puts != 0 {
		t.Errorf("the move sent %d PUT requests", puts)
	}
	if out, err := c.run(with(renamed), "destroy", "-auto-approve"); err != nil {
		t.Fatalf("destroy at the new URL: %v\n%s", err, tail(out))
	}
	if err := emulatorHolds(a, apiPolicy(originalA)); err != nil {
		t.Errorf("A after destroy: %v", err)
	}
	if err := emulatorHolds(b, apiPolicy(originalB)); err != nil {
		t.Errorf("B after destroy: %v", err)
	}
}

// configState is a dtcluster_user_sessions_config state with p, restore_policy restore (null
// when nil), restore_on_destroy and cluster_url.
func configState(tb testing.TB, ps *protocolServer, p policy, restore *policy, restoreOnDestroy bool, clusterURL string) (tftypes.Type, tftypes.Value) {
	tb.Helper()
	typ, v := configPlannedState(tb, ps, p, tftypes.NewValue(tftypes.String, "user_sessions"))
	obj := objectType(tb, typ)
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		tb.Fatal(err)
	}
	num := func(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, big.NewFloat(float64(n))) }
	attrs["restore_policy"] = tftypes.NewValue(obj.AttributeTypes["restore_policy"], nil)
	if restore != nil {
		attrs["restore_policy"] = tftypes.NewValue(obj.AttributeTypes["restore_policy"], map[string]tftypes.Value{
			"user_limit": num(restore.UserLimit), "admin_limit": num(restore.AdminLimit),
			"logout_inactive_users_enabled": tftypes.NewValue(tftypes.Bool, restore.Enabled), "user_inactivity_timeout": num(restore.Timeout),
		})
	}
	attrs["restore_on_destroy"] = tftypes.NewValue(tftypes.Bool, restoreOnDestroy)
	attrs["cluster_url"] = tftypes.NewValue(tftypes.String, clusterURL)
	return typ, tftypes.NewValue(typ, attrs)
}

// policyCluster is a scripted cluster for the policy: GET answers body (settable), PUT is
// counted and answered 200 without being stored, or, when onPut is set, calls it and holds the
// request until the client goes away.
type policyCluster struct {
	mu    sync.Mutex
	body  string
	puts  int
	onPut func()
	URL   string
}

func newPolicyCluster(t *testing.T, body string) *policyCluster {
	t.Helper()
	c := &policyCluster{body: body}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // so that the server notices when the client goes away
		c.mu.Lock()
		body, onPut := c.body, c.onPut
		if r.Method == http.MethodPut {
			c.puts++
		}
		c.mu.Unlock()
		switch {
		case r.Method == http.MethodPut && onPut != nil:
			onPut()
			<-r.Context().Done()
		case r.Method == http.MethodPut:
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, body)
		}
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

func (c *policyCluster) set(body string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.body = body
}

func (c *policyCluster) putCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.puts
}

// policyJSON is p as the API sends it.
func policyJSON(userLimit, adminLimit int64, enabled bool, timeout int64) string {
	return fmt.Sprintf(`{"concurrentSessionPolicyDto":{"userLimit":%d,"adminLimit":%d},"automaticLogoutDto":`+
		`{"logoutInactiveUsersEnabled":%t,"userInactivityTimeout":%d}}`, userLimit, adminLimit, enabled, timeout)
}

// TestCreateCancelledDuringPut: Ctrl-C while the create's PUT is in flight keeps the resource,
// tainted (the error), with the prior policy in restore_policy and marked for rollback; the
// message says what happens next.
func TestCreateCancelledDuringPut(t *testing.T) {
	original := policy{UserLimit: 7, AdminLimit: 3, Enabled: true, Timeout: 1234}
	cluster := newPolicyCluster(t, policyJSON(7, 3, true, 1234))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cluster.onPut = cancel
	ps := newProtocolServer(t, cluster.URL, emulator.DefaultToken)
	managed := policy{UserLimit: 2, AdminLimit: 1, Enabled: false, Timeout: 600}
	typ, create := createRequest(t, ps, managed)
	resp, err := ps.ApplyResourceChange(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(diagText(resp.Diagnostics)), " ")
	if !hasError(resp.Diagnostics) || !strings.Contains(text, "Outcome Unknown") || !strings.Contains(text, "cancelled") ||
		!strings.Contains(text, "The next terraform apply replaces it: it first puts that policy back") {
		t.Fatalf("diagnostics %q; want the outcome-unknown error saying what happens next", text)
	}
	state, err := resp.NewState.Unmarshal(typ)
	if err != nil || state.IsNull() {
		t.Fatalf("no state kept after the cancelled PUT: %v", err)
	}
	_, want := configState(t, ps, managed, &original, true, cluster.URL)
	if !state.Equal(want) {
		diffs, _ := state.Diff(want)
		t.Errorf("state after the cancelled PUT differs from the expectation: %v", diffs)
	}
}

// TestDestroyNeverRestoresAForbiddenPolicy: a restore_policy the API forbids is never sent back.
func TestDestroyNeverRestoresAForbiddenPolicy(t *testing.T) {
	cluster := newPolicyCluster(t, policyJSON(2, 1, false, 600))
	ps := newProtocolServer(t, cluster.URL, emulator.DefaultToken)
	managed := policy{UserLimit: 2, AdminLimit: 1, Enabled: false, Timeout: 600}
	for name, forbidden := range map[string]policy{
		"negative limit": {UserLimit: -2147483648, AdminLimit: 2, Timeout: 900},
		"one limit zero": {UserLimit: 0, AdminLimit: 3, Timeout: 900},
		"timeout zero":   {UserLimit: 1, AdminLimit: 1, Timeout: 0},
	} {
		t.Run(name, func(t *testing.T) {
			typ, prior := configState(t, ps, managed, &forbidden, true, cluster.URL)
			null := encodeValue(t, typ, tftypes.NewValue(typ, nil))
			resp, err := ps.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
				TypeName: "dtcluster_user_sessions_config", PriorState: encodeValue(t, typ, prior), PlannedState: null, Config: null,
			})
			if err != nil {
				t.Fatal(err)
			}
			if text := diagText(resp.Diagnostics); !hasError(resp.Diagnostics) || !strings.Contains(text, "Recorded Prior Configuration Not Usable") {
				t.Errorf("diagnostics %q; want an error saying the recorded policy is not put back", text)
			}
			if n := cluster.putCount(); n != 0 {
				t.Errorf("%d PUT requests sent for a forbidden policy", n)
			}
		})
	}
}

// TestCLIForbiddenValuesFromTheClusterNeverReachState: a cluster answering a policy the API
// forbids is an error naming the field and its value, at create, import (with generated
// configuration) and refresh; nothing reaches state, restore_policy or the generated file, and
// nothing is sent.
func TestCLIForbiddenValuesFromTheClusterNeverReachState(t *testing.T) {
	for name, tt := range map[string]struct {
		body string
		want string
	}{
		"minimum int32 limit": {policyJSON(-2147483648, 2, true, 900), "concurrentSessionPolicyDto.userLimit is -2147483648"},
		"one limit zero":      {policyJSON(0, 3, true, 900), "concurrentSessionPolicyDto.userLimit is 0 and adminLimit is 3"},
		"timeout zero":        {policyJSON(5, 2, true, 0), "automaticLogoutDto.userInactivityTimeout is 0"},
	} {
		t.Run(name, func(t *testing.T) {
			c := newCLI(t)
			cluster := newPolicyCluster(t, tt.body)
			block := devharness.ProviderBlock("host", devharness.Quote(cluster.URL), "token", devharness.Quote(emulator.DefaultToken), "max_retries", "0")
			managed := policy{UserLimit: 2, AdminLimit: 1, Enabled: false, Timeout: 600}
			expectFailure := func(what string, args ...string) {
				t.Helper()
				out, err := c.run(nil, args...)
				flat := strings.Join(strings.Fields(out), " ")
				if err == nil || !strings.Contains(flat, "the cluster answered a user sessions configuration the API does not allow") ||
					!strings.Contains(flat, tt.want) {
					t.Errorf("%s: want an error naming %q, got %v\n%s", what, tt.want, err, tail(out))
				}
			}

			c.write("main.tf", terraformBlock+block+configResource(managed, "restore_on_destroy = true"))
			expectFailure("create", "apply", "-auto-approve")
			if resources := readStateFile(t, c.dir); len(resources) != 0 {
				t.Errorf("create recorded %+v", resources)
			}

			c.write("main.tf", terraformBlock+block+"import {\n  to = dtcluster_user_sessions_config.this\n  id = \"user_sessions\"\n}\n")
			expectFailure("import", "plan", "-generate-config-out=generated.tf")
			if generated, err := os.ReadFile(filepath.Join(c.dir, "generated.tf")); err == nil && strings.Contains(string(generated), "user_limit") {
				t.Errorf("generated configuration written from a forbidden policy:\n%s", generated)
			}
			_ = os.Remove(filepath.Join(c.dir, "generated.tf"))

			// A policy the cluster held when it was adopted, changed to a forbidden one later.
			cluster.set(policyJSON(2, 1, false, 600))
			c.write("main.tf", terraformBlock+block+configResource(managed, "restore_on_destroy = true"))
			if n := cluster.putCount(); n != 0 {
				t.Errorf("%d PUT requests sent before the cluster held a valid policy", n)
			}
			c.must("apply", "-auto-approve")
			putsBefore := cluster.putCount()
			cluster.set(tt.body)
			expectFailure("refresh", "plan")
			expectFailure("refresh-only apply", "apply", "-refresh-only", "-auto-approve")
			if got, _, _ := restorePolicyInState(t, c.dir); got != managed {
				t.Errorf("restore_policy after the refreshes: %+v, want %+v", got, managed)
			}
			for _, r := range readStateFile(t, c.dir) {
				if p, ok := r.Instances[0].Attributes["concurrent_session_policy"].(map[string]any); ok && p["user_limit"] != float64(2) {
					t.Errorf("state holds %v after the refreshes", p)
				}
			}
			if n := cluster.putCount() - putsBefore; n != 0 {
				t.Errorf("%d PUT requests sent after the cluster answered a forbidden policy", n)
			}
		})
	}
}

// TestCLIRequestCounts: a refresh is one GET; an update is one PUT plus one GET.
func TestCLIRequestCounts(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t)
	c.write("main.tf", cliConfig(srv, srv.Token, policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}))
	c.must("apply", "-auto-approve")

	srv.ClearRequests()
	if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("plan after apply is not empty:\n%s", out)
	}
	assertRequests(t, srv, 1, 0)

	c.write("main.tf", cliConfig(srv, srv.Token, policy{UserLimit: 6, AdminLimit: 3, Enabled: true, Timeout: 900}))
	srv.ClearRequests()
	c.must("apply", "-auto-approve", "-refresh=false")
	assertRequests(t, srv, 1, 1)
}

func assertRequests(t *testing.T, srv *emulatortest.Server, gets, puts int) {
	t.Helper()
	g := srv.CountRequests("GET", "/clusterConfig/userSessions")
	p := srv.CountRequests("PUT", "/clusterConfig/userSessions")
	if g != gets || p != puts || len(srv.Requests()) != gets+puts {
		t.Errorf("requests %+v: %d GET and %d PUT, want %d and %d", srv.Requests(), g, p, gets, puts)
	}
}

// TestCLIBrownfieldAdoption: an import block and -generate-config-out adopt a cluster's existing
// policy as valid HCL, and the next plan is empty without anything sent to change the cluster.
func TestCLIBrownfieldAdoption(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t)
	existing := policy{UserLimit: 3, AdminLimit: 1, Enabled: true, Timeout: 1800}
	if err := srv.SetConfig(apiPolicy(existing)); err != nil {
		t.Fatal(err)
	}
	c.write("main.tf", terraformBlock+providerBlock(srv)+`
import {
  to = dtcluster_user_sessions_config.this
  id = "user_sessions"
}
`)
	out := c.must("plan", "-generate-config-out=generated.tf")
	if !strings.Contains(out, "1 to import") {
		t.Fatalf("plan does not import:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(c.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"user_limit", "= 3", "user_inactivity_timeout", "= 1800", "restore_on_destroy"} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("generated.tf lacks %q:\n%s", want, generated)
		}
	}
	c.must("validate")
	c.must("apply", "-auto-approve")
	if out := c.must("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after adoption is not empty:\n%s", out)
	}
	if n := srv.CountRequests("PUT", "/clusterConfig/userSessions"); n != 0 {
		t.Errorf("adoption sent %d PUT requests", n)
	}
	if err := emulatorHolds(srv, apiPolicy(existing)); err != nil {
		t.Error(err)
	}
}

// TestAccUserSessionsConfig_restorePolicySurvivesTaint: a failed create changes nothing and
// records nothing; after terraform taint, the replacement puts the recorded policy back before it
// creates anew, and a destroy still puts back the policy from before Terraform.
func TestAccUserSessionsConfig_restorePolicySurvivesTaint(t *testing.T) {
	srv := emulatortest.NewServer(t)
	original := policy{UserLimit: 7, AdminLimit: 3, Enabled: true, Timeout: 1234}
	if err := srv.SetConfig(apiPolicy(original)); err != nil {
		t.Fatal(err)
	}
	managed := policy{UserLimit: 2, AdminLimit: 1, Enabled: false, Timeout: 600}
	config := providerBlock(srv) + configResource(managed, "restore_on_destroy = true")
	holds := func(p policy) func(*terraform.State) error {
		return func(*terraform.State) error { return emulatorHolds(srv, apiPolicy(p)) }
	}
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             holds(original), // the pre-Terraform policy was not lost
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := srv.InjectFault(emulator.Fault{Method: "PUT", Path: "/clusterConfig/userSessions", Status: 500}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      config,
				ExpectError: words("HTTP 500"),
			},
			{
				PreConfig: func() {
					if err := emulatorHolds(srv, apiPolicy(original)); err != nil {
						t.Errorf("after the failed create: %v", err)
					}
				},
				Config: config,
				Check:  holds(managed),
			},
			{
				Taint:  []string{configAddr},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(configAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(configAddr, tfjsonpath.New("restore_policy"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"user_limit": knownvalue.Int64Exact(7), "admin_limit": knownvalue.Int64Exact(3),
						"logout_inactive_users_enabled": knownvalue.Bool(true), "user_inactivity_timeout": knownvalue.Int64Exact(1234),
					})),
				},
				Check: holds(managed),
			},
		},
	})
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

// TestAccUserSessionsConfig_badConfigurations: every bad configuration of the resource fails
// at validate, before anything is sent to the cluster, with a message naming the attribute and
// what is allowed.
func TestAccUserSessionsConfig_badConfigurations(t *testing.T) {
	valid := policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}
	resourceWith := func(policyBody, logoutBody string) string {
		return fmt.Sprintf(`
resource "dtcluster_user_sessions_config" "this" {
  concurrent_session_policy = %s
  automatic_logout = %s
}
`, policyBody, logoutBody)
	}
	const okPolicy = `{ user_limit = 5, admin_limit = 2 }`
	const okLogout = `{ logout_inactive_users_enabled = true, user_inactivity_timeout = 900 }`
	testBadConfigurations(t, []badConfiguration{
		{"negative limit", nil, resourceWith(`{ user_limit = -1, admin_limit = 2 }`, okLogout),
			words("concurrent_session_policy.user_limit must be a whole number between 0 and 2147483647, got -1")},
		{"limit beyond int32", nil, resourceWith(`{ user_limit = 5, admin_limit = 3000000000 }`, okLogout),
			words("concurrent_session_policy.admin_limit must be a whole number between 0 and 2147483647, got 3000000000")},
		{"one limit zero", nil, resourceWith(`{ user_limit = 0, admin_limit = 2 }`, okLogout),
			words("Invalid Concurrent Session Policy", "user_limit is 0 and admin_limit is 2", "both limits to be 0 (no limit) or both to be greater than 0")},
		{"timeout zero", nil, resourceWith(okPolicy, `{ logout_inactive_users_enabled = true, user_inactivity_timeout = 0 }`),
			words("automatic_logout.user_inactivity_timeout must be a whole number between 1 and 2147483647, got 0")},
		{"fractional limit", nil, resourceWith(`{ user_limit = 1.5, admin_limit = 2 }`, okLogout),
			words("concurrent_session_policy.user_limit must be a whole number between 0 and 2147483647, got 1.5")},
		{"fractional timeout", nil, resourceWith(okPolicy, `{ logout_inactive_users_enabled = true, user_inactivity_timeout = 900.25 }`),
			words("automatic_logout.user_inactivity_timeout must be a whole number between 1 and 2147483647, got 900.25")},
		{"missing policy", nil, `resource "dtcluster_user_sessions_config" "this" {
  automatic_logout = ` + okLogout + `
}`, words(`The argument "concurrent_session_policy" is required`)},
		{"missing automatic logout", nil, `resource "dtcluster_user_sessions_config" "this" {
  concurrent_session_policy = ` + okPolicy + `
}`, words(`The argument "automatic_logout" is required`)},
		{"missing timeout", nil, resourceWith(okPolicy, `{ logout_inactive_users_enabled = false }`),
			words(`attribute "user_inactivity_timeout" is required`)},
		{"limit of the wrong type", nil, resourceWith(`{ user_limit = "five", admin_limit = 2 }`, okLogout),
			words(`Inappropriate value for attribute "concurrent_session_policy"`, "a number is required")},
		{"flag of the wrong type", nil, resourceWith(okPolicy, `{ logout_inactive_users_enabled = "maybe", user_inactivity_timeout = 900 }`),
			words(`Inappropriate value for attribute "automatic_logout"`, "a bool is required")},
		{"unknown attribute", nil, strings.Replace(configResource(valid), "concurrent_session_policy", "session_limit = 3\n  concurrent_session_policy", 1),
			words(`An argument named "session_limit" is not expected here`)},
	})
}

// TestAccUserSessionsConfig_createPlansAgainstTheCluster: a create is planned against the
// cluster. A refused token, an unreachable host and a host that is not the Cluster API fail
// terraform plan (before, the plan was green and the apply failed after the review) with nothing
// written; the plan shows the policy the cluster has now as restore_policy; and an apply after the
// policy changed behind the plan changes nothing and says so.
func TestAccUserSessionsConfig_createPlansAgainstTheCluster(t *testing.T) {
	srv := emulatortest.NewServer(t)
	current := policy{UserLimit: 7, AdminLimit: 3, Enabled: true, Timeout: 1234}
	if err := srv.SetConfig(apiPolicy(current)); err != nil {
		t.Fatal(err)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	block := func(host, token string) string {
		return devharness.ProviderBlock("host", devharness.Quote(host), "token", devharness.Quote(token), "max_retries", "0")
	}
	a := policy{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: block(srv.URL, "dt0c01.WRONG.token") + configResource(a), PlanOnly: true,
				ExpectError: words("Unable to Read User Sessions Configuration", "HTTP 403", "ServiceProviderAPI scope"),
			},
			{
				Config: block(closedURL, srv.Token) + configResource(a), PlanOnly: true,
				ExpectError: words("Unable to Read User Sessions Configuration", "the connection was refused",
					"nothing accepts connections at that address and port", "Check host", "HTTPS_PROXY"),
			},
			{
				Config: block(notTheAPI(t).URL, srv.Token) + configResource(a), PlanOnly: true,
				ExpectError: words("Unable to Read User Sessions Configuration", "does not look like the Cluster API"),
			},
			{
				Config: providerBlock(srv) + configResource(a, "restore_on_destroy = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(configAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(configAddr, tfjsonpath.New("restore_policy"), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"user_limit": knownvalue.Int64Exact(7), "admin_limit": knownvalue.Int64Exact(3),
							"logout_inactive_users_enabled": knownvalue.Bool(true), "user_inactivity_timeout": knownvalue.Int64Exact(1234),
						})),
					},
				},
				ConfigStateChecks: statePolicy(a, true),
			},
		},
	})
	if puts := srv.CountRequests("PUT", "/clusterConfig/userSessions"); puts != 2 {
		t.Errorf("%d PUTs, want 2 (the create and the destroy's restore; none from the failed plans)", puts)
	}
}

// TestCreateRefusesAPolicyChangedSinceThePlan: the plan showed the cluster's policy as
// restore_policy; when the cluster holds another one at apply (changed after the review), the
// create changes nothing and says so, rather than record a policy the plan did not show.
func TestCreateRefusesAPolicyChangedSinceThePlan(t *testing.T) {
	srv := emulatortest.NewServer(t)
	before, after := policy{UserLimit: 7, AdminLimit: 3, Enabled: true, Timeout: 1234}, policy{UserLimit: 9, AdminLimit: 9, Timeout: 60}
	if err := srv.SetConfig(apiPolicy(before)); err != nil {
		t.Fatal(err)
	}
	ps := newProtocolServer(t, srv.URL, srv.Token)
	ctx := context.Background()
	typ, create := createRequest(t, ps, policy{UserLimit: 2, AdminLimit: 1, Timeout: 600})
	plan, err := ps.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: create.TypeName,
		PriorState: create.PriorState, ProposedNewState: create.PlannedState, Config: create.Config})
	if err != nil || hasError(plan.Diagnostics) {
		t.Fatalf("plan: %v %s", err, diagText(plan.Diagnostics))
	}
	planned, err := plan.PlannedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := planned.As(&attrs); err != nil || !attrs["restore_policy"].IsFullyKnown() || attrs["restore_policy"].IsNull() {
		t.Fatalf("planned restore_policy = %v, want the cluster's policy", attrs["restore_policy"])
	}
	if err := srv.SetConfig(apiPolicy(after)); err != nil {
		t.Fatal(err)
	}
	create.PlannedState = plan.PlannedState
	resp, err := ps.ApplyResourceChange(ctx, create)
	if err != nil || !strings.Contains(diagText(resp.Diagnostics), "User Sessions Configuration Changed Since the Plan") {
		t.Fatalf("apply: %v %s; want the changed-since-the-plan error", err, diagText(resp.Diagnostics))
	}
	if puts := srv.CountRequests("PUT", "/clusterConfig/userSessions"); puts != 0 {
		t.Errorf("%d PUTs after the policy changed behind the plan", puts)
	}
}
