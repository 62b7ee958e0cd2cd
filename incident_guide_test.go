package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// The guide "Responding to an incident" (templates/guides/responding-to-an-incident.md.tmpl)
// runs the folders of examples/incident; these tests run them as the guide says, against an
// emulator with a known set of logins.

type incidentRun struct {
	t    *testing.T
	tf   string
	dir  string
	env  []string
	srv  *emulator.Running
	seen []string // every session id the cluster had
}

// newIncidentRun copies examples/incident/<folder> into a folder of its own, with tfvars, and
// points it at a new emulator holding emulatortest.IncidentLogins.
func newIncidentRun(t *testing.T, tf, folder, tfvars string) *incidentRun {
	t.Helper()
	env, _ := devOverrides(t)
	srv := startEmulator(t, emulator.WithSessions(0))
	added, err := srv.AddSessions(emulatortest.IncidentLogins)
	if err != nil {
		t.Fatal(err)
	}
	r := &incidentRun{t: t, tf: tf, dir: t.TempDir(), srv: srv,
		env: append(env, "DYNATRACE_CLUSTER_URL="+srv.URL, "DYNATRACE_CLUSTER_API_TOKEN="+emulator.DefaultToken)}
	for _, s := range added {
		r.seen = append(r.seen, s.SessionID)
	}
	copyTree(t, filepath.Join("examples", "incident", folder), r.dir)
	writeFile(t, filepath.Join(r.dir, "incident.tfvars"), tfvars)
	return r
}

func (r *incidentRun) run(args ...string) string {
	r.t.Helper()
	return strings.Join(strings.Fields(terraformIn(r.t, r.tf, r.dir, r.env, append(args, "-var-file=incident.tfvars")...)), " ")
}

// fails runs terraform as run does, and fails the test unless terraform fails; it returns the
// output on one line.
func (r *incidentRun) fails(args ...string) string {
	r.t.Helper()
	cmd := exec.Command(r.tf, append(args, "-var-file=incident.tfvars", "-no-color")...)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	if err == nil {
		r.t.Fatalf("terraform %s succeeded:\n%s", strings.Join(args, " "), out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// left lists the users who still have sessions.
func (r *incidentRun) left() string { return emulatortest.UsersLeft(r.srv.Emulator) }

// noSessionStored fails when a session id is in any file the runs left (state, backups, plans).
func (r *incidentRun) noSessionStored() {
	r.t.Helper()
	_ = filepath.WalkDir(r.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(path, string(filepath.Separator)+".terraform"+string(filepath.Separator)) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, id := range r.seen {
			if strings.Contains(string(data), id) {
				r.t.Errorf("session id %s is in %s", id, filepath.Base(path))
			}
		}
		return nil
	})
}

// TestCLIIncidentGuideLDAPCompromise: a plan and an apply end nothing, and the check warns; -invoke ends
// every LDAP user's sessions (alice's LOCAL one too) but the break-glass admin's; the next plan's
// check passes; no session is stored anywhere.
func TestCLIIncidentGuideLDAPCompromise(t *testing.T) {
	tf := devharness.RequireTerraform(t, 1, 14, "the incident guide's actions")
	r := newIncidentRun(t, tf, "ldap-compromise", `break_glass_admins = ["breakglass"]`+"\n")
	const warning = "Users other than the break-glass admins still have LDAP sessions"
	if out := r.run("plan", "-out=review.tfplan"); !strings.Contains(out, warning) {
		t.Errorf("the plan's check does not warn of the LDAP sessions:\n%s", out)
	}
	if got := r.left(); got != "alice,bob,breakglass,carol,dave" {
		t.Fatalf("a plan ended sessions: left %s", got)
	}
	r.run("apply", "-auto-approve") // without -invoke: the guide says it ends nothing
	if got := r.left(); got != "alice,bob,breakglass,carol,dave" {
		t.Fatalf("an apply without -invoke ended sessions: left %s", got)
	}
	out := r.run("apply", "-auto-approve", "-invoke=action.dtcluster_remove_user_sessions.ldap_users")
	if got := r.left(); got != "breakglass,carol,dave" {
		t.Errorf("after the action: %s have sessions, want breakglass,carol,dave\n%s", got, out)
	}
	if out := r.run("plan"); strings.Contains(out, warning) || !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the action still warns or plans a change:\n%s", out)
	}
	r.noSessionStored()
}

// TestCLIIncidentGuideLDAPCompromiseTypos: the LDAP folder run as written, with a hurried edit
// of its variable file: a blank after the break-glass admin's id fails the plan and the invoke
// naming except_user_ids, and ends nobody (before, it ended the admin; a plain plan plans no
// action, so there is nothing to check there); a misspelt admin is a
// warning naming the entry, shown before the first user is ended.
func TestCLIIncidentGuideLDAPCompromiseTypos(t *testing.T) {
	tf := devharness.RequireTerraform(t, 1, 14, "the incident guide's actions")
	r := newIncidentRun(t, tf, "ldap-compromise", `break_glass_admins = ["breakglass "]`+"\n")
	const want = `except_user_ids[Value("breakglass ")] must not start or end with white space`
	if out := r.fails("plan", "-invoke=action.dtcluster_remove_user_sessions.ldap_users"); !strings.Contains(out, want) {
		t.Errorf("plan -invoke: want an error saying %q:\n%s", want, out)
	}
	if out := r.fails("apply", "-auto-approve", "-invoke=action.dtcluster_remove_user_sessions.ldap_users"); !strings.Contains(out, want) {
		t.Errorf("apply -invoke: want an error saying %q:\n%s", want, out)
	}
	if got := r.left(); got != "alice,bob,breakglass,carol,dave" {
		t.Fatalf("a refused selection ended sessions: left %s", got)
	}
	writeFile(t, filepath.Join(r.dir, "incident.tfvars"), `break_glass_admins = ["breakglas"]`+"\n")
	out := r.run("apply", "-auto-approve", "-invoke=action.dtcluster_remove_user_sessions.ldap_users")
	if !strings.Contains(out, `except_user_ids names "breakglas", but no user with that id has a session`) {
		t.Errorf("no warning names the misspelt admin:\n%s", out)
	}
}

// TestCLIIncidentGuideOffboarding: -invoke ends the listed users' sessions, of every login type,
// and the check confirms none of them has one left.
func TestCLIIncidentGuideOffboarding(t *testing.T) {
	tf := devharness.RequireTerraform(t, 1, 14, "the incident guide's actions")
	r := newIncidentRun(t, tf, "offboarding", `offboarded_users = ["alice", "dave"]`+"\n")
	const warning = "An offboarded user still has sessions"
	if out := r.run("plan"); !strings.Contains(out, warning) {
		t.Errorf("the plan's check does not warn of the offboarded users' sessions:\n%s", out)
	}
	r.run("apply", "-auto-approve", "-invoke=action.dtcluster_remove_user_sessions.offboard")
	if got := r.left(); got != "bob,breakglass,carol" {
		t.Errorf("after the action: %s have sessions, want bob,breakglass,carol", got)
	}
	if out := r.run("plan"); strings.Contains(out, warning) {
		t.Errorf("the plan after the action still warns:\n%s", out)
	}
	r.noSessionStored()
}

// TestCLIIncidentGuideOffboardingFollowsTheUserList: removing a user from the list ends exactly
// that user's sessions in the same apply (Terraform 1.16: a before_destroy action trigger).
func TestCLIIncidentGuideOffboardingFollowsTheUserList(t *testing.T) {
	tf := devharness.RequireTerraform(t, 1, 16, "destroy-triggered actions")
	r := newIncidentRun(t, tf, "offboarding-follows-the-user-list", `users = ["alice", "bob", "breakglass", "carol", "dave"]`+"\n")
	r.run("apply", "-auto-approve")
	if got := r.left(); got != "alice,bob,breakglass,carol,dave" {
		t.Fatalf("adding users ended sessions: left %s", got)
	}
	writeFile(t, filepath.Join(r.dir, "incident.tfvars"), `users = ["alice", "breakglass", "carol", "dave"]`+"\n")
	out := r.run("apply", "-auto-approve")
	if got := r.left(); got != "alice,breakglass,carol,dave" {
		t.Errorf("after removing bob from the list: %s have sessions, want alice,breakglass,carol,dave\n%s", got, out)
	}
	if !strings.Contains(out, "1 destroyed") || !strings.Contains(out, "Actions: 1 invoked") {
		t.Errorf("the apply did not remove bob and invoke the action once:\n%s", out)
	}
	r.noSessionStored()
}

// TestCLIIncidentGuideOffboardingFleet: one -invoke ends the listed users' sessions on every
// cluster of the provider configuration (three emulators, each token from its own variable),
// and the check on the ephemeral reads confirms it.
func TestCLIIncidentGuideOffboardingFleet(t *testing.T) {
	tf := devharness.RequireTerraform(t, 1, 14, "the incident guide's actions")
	env, _ := devOverrides(t)
	clusters := map[string]*emulator.Running{}
	var urls []string
	for _, name := range []string{"prod", "dr", "eu-west"} {
		token := "dt0c01.FLEET.token-of-" + name
		srv := startEmulator(t, emulator.WithToken(token), emulator.WithSessions(0))
		if _, err := srv.AddSessions(emulatortest.IncidentLogins); err != nil {
			t.Fatal(err)
		}
		clusters[name] = srv
		urls = append(urls, fmt.Sprintf("%q = %q", name, srv.URL))
		env = append(env, "DYNATRACE_CLUSTER_API_TOKEN_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+"="+token)
	}
	dir := t.TempDir()
	copyTree(t, filepath.Join("examples", "incident", "offboarding-fleet"), dir)
	writeFile(t, filepath.Join(dir, "offboarding.tfvars"), "clusters = {"+strings.Join(urls, ", ")+"}\noffboarded_users = [\"alice\", \"dave\"]\n")
	run := func(args ...string) string {
		return strings.Join(strings.Fields(terraformIn(t, tf, dir, env, append(args, "-var-file=offboarding.tfvars")...)), " ")
	}
	const warning = "An offboarded user still has sessions on a cluster"
	if out := run("plan"); !strings.Contains(out, warning) {
		t.Errorf("the plan's check does not warn:\n%s", out)
	}
	run("apply", "-auto-approve", "-invoke=action.dtcluster_remove_user_sessions.offboard")
	for name, srv := range clusters {
		if got := emulatortest.UsersLeft(srv.Emulator); got != "bob,breakglass,carol" {
			t.Errorf("%s after the action: %s have sessions, want bob,breakglass,carol", name, got)
		}
	}
	if out := run("plan"); strings.Contains(out, warning) {
		t.Errorf("the plan after the action still warns:\n%s", out)
	}
}

// TestCLIIncidentGuideOffboardingWithoutActions runs the removal resource's folder with the
// terraform under test, and with OpenTofu when it is given.
func TestCLIIncidentGuideOffboardingWithoutActions(t *testing.T) {
	t.Run("terraform", func(t *testing.T) { offboardingWithoutActions(t, devharness.Terraform(t)) })
	t.Run("opentofu", func(t *testing.T) { offboardingWithoutActions(t, devharness.OpenTofu(t)) })
}

func offboardingWithoutActions(t *testing.T, tf string) {
	r := newIncidentRun(t, tf, "offboarding-opentofu", `offboarded_users = ["alice", "dave"]`+"\n"+`ticket = "OPS-1"`+"\n")
	const warning = "An offboarded user still has sessions"
	out := r.run("apply", "-auto-approve")
	if got := r.left(); got != "bob,breakglass,carol" {
		t.Errorf("after apply: %s have sessions, want bob,breakglass,carol", got)
	}
	if !strings.Contains(out, `"alice" = 2`) || !strings.Contains(out, `"dave" = 1`) || strings.Contains(out, warning) {
		t.Errorf("apply does not count the ended sessions per user, or its check warns:\n%s", out)
	}
	if out := r.run("plan"); strings.Contains(out, warning) || !strings.Contains(out, "No changes") {
		t.Errorf("the plan after apply warns or plans a change:\n%s", out)
	}
	r.noSessionStored()
}
