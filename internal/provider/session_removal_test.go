package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// The removal engine through the action's protocol: ids compared in one normal form, selections
// that match nothing or spare nobody, an early stop, a cancellation with DELETEs in flight.

const (
	joseNFC = "jos\u00e9"  // how Terraform holds every configuration string
	joseNFD = "jose\u0301" // how an LDAP directory may hold the same id
)

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// warnings is the text of the warnings among diags.
func warnings(diags []*tfprotov6.Diagnostic) string {
	var s string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			s += d.Summary + ": " + d.Detail + "\n"
		}
	}
	return s
}

// TestRemovalComparesIDsInNFC: a configuration's id (NFC) names the cluster's decomposed id; the
// DELETE sends the id as the cluster listed it; an NFC exception spares the NFD user in a sweep.
func TestRemovalComparesIDsInNFC(t *testing.T) {
	logins := append([]emulator.UserSession{{UserID: joseNFD, LoginType: "LDAP"}, {UserID: joseNFD, LoginType: "LDAP"}},
		emulatortest.IncidentLogins...)
	for _, tt := range []struct {
		name  string
		attrs map[string]tftypes.Value
		left  string
	}{
		{"user_id", map[string]tftypes.Value{"user_id": str(joseNFC)}, "alice,bob,breakglass,carol,dave"},
		{"user_ids", map[string]tftypes.Value{"user_ids": stringSet(joseNFC, "bob")}, "alice,breakglass,carol,dave"},
		{"an exception in an LDAP sweep", map[string]tftypes.Value{"login_type": str("LDAP"), "except_user_ids": stringSet(joseNFC, "breakglass")},
			"breakglass,carol,dave," + joseNFD},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulatortest.NewServer(t, emulator.WithSessions(0))
			if _, err := srv.AddSessions(logins); err != nil {
				t.Fatal(err)
			}
			progress, diags := newProtocolServer(t, srv.URL, srv.Token).invokeWith(context.Background(), t, tt.attrs)
			if hasError(diags) {
				t.Fatalf("invoke: %s", diagText(diags))
			}
			if got := leftUsers(srv); got != tt.left {
				t.Errorf("users left: %q, want %q (progress %q)", got, tt.left, progress)
			}
			for _, r := range srv.Requests() {
				if r.Method == http.MethodDelete && strings.Contains(r.Query, "jos%C3%A9") {
					t.Errorf("a DELETE sent the configuration's form of the id, not the cluster's: %s", r.Query)
				}
			}
		})
	}
}

// TestDataSourceCountsBothNormalForms: two ids that differ only in normal form are one key of
// sessions_per_user (Terraform keeps map keys in NFC), with both counts added.
func TestDataSourceCountsBothNormalForms(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(0))
	if _, err := srv.AddSessions([]emulator.UserSession{{UserID: joseNFD}, {UserID: joseNFD}, {UserID: joseNFC}, {UserID: "ann"}}); err != nil {
		t.Fatal(err)
	}
	ps := newProtocolServer(t, srv.URL, srv.Token)
	typ := ps.schema.DataSourceSchemas["dtcluster_user_sessions"].ValueType()
	resp, err := ps.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
		TypeName: "dtcluster_user_sessions", Config: ps.dynamicValue(t, typ, nil)})
	if err != nil || hasError(resp.Diagnostics) {
		t.Fatalf("read: %v %s", err, diagText(resp.Diagnostics))
	}
	state, err := resp.State.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	var perUser map[string]tftypes.Value
	if err := state.As(&attrs); err != nil || attrs["sessions_per_user"].As(&perUser) != nil {
		t.Fatalf("state: %v", err)
	}
	got := map[string]string{}
	for user, v := range perUser {
		got[user] = v.String()
	}
	if len(got) != 2 || got[joseNFC] != "tftypes.Number<\"3\">" || got["ann"] != "tftypes.Number<\"1\">" {
		t.Errorf("sessions_per_user = %v, want %s: 3 and ann: 1", got, joseNFC)
	}
}

// TestRemovalWarnsOfSelectionsMatchingNothing: an exception naming nobody (a typo of the admin's
// id) and filters matching none of the cluster's sessions are warnings naming the value, shown as
// progress before any DELETE; tenant_uuid matches in any case.
func TestRemovalWarnsOfSelectionsMatchingNothing(t *testing.T) {
	ctx := context.Background()
	t.Run("a typo'd exception", func(t *testing.T) {
		srv := incidentCluster(t)
		progress, diags := newProtocolServer(t, srv.URL, srv.Token).invokeWith(ctx, t, map[string]tftypes.Value{
			"login_type": str("LDAP"), "except_user_ids": stringSet("breakglas")})
		text := warnings(diags)
		if !strings.Contains(text, `except_user_ids names "breakglas", but no user with that id has a session`) {
			t.Errorf("warnings %q do not name the exception that spares nobody", text)
		}
		first := strings.Join(progress, "\n")
		if i, j := strings.Index(first, `"breakglas"`), strings.Index(first, "Ended"); i < 0 || j < 0 || i > j {
			t.Errorf("the warning is not in the progress before the first user is ended:\n%s", first)
		}
		if got := leftUsers(srv); got != "carol,dave" {
			t.Errorf("users left: %s (the typo spared nobody, as warned)", got)
		}
	})
	t.Run("filters matching nothing", func(t *testing.T) {
		srv := incidentCluster(t)
		_, diags := newProtocolServer(t, srv.URL, srv.Token).invokeWith(ctx, t, map[string]tftypes.Value{"login_type": str("ldap")})
		if text := warnings(diags); !strings.Contains(text, `login_type = "ldap" matches none of the 6 sessions on the cluster`) {
			t.Errorf("warnings %q; want one saying the filter matched none of the sessions", text)
		}
	})
	t.Run("tenant_uuid in upper case", func(t *testing.T) {
		srv := incidentCluster(t)
		_, diags := newProtocolServer(t, srv.URL, srv.Token).invokeWith(ctx, t, map[string]tftypes.Value{
			"tenant_uuid": str(strings.ToUpper(emulator.ClusterUUID)), "except_user_ids": stringSet("breakglass")})
		if hasError(diags) || warnings(diags) != "" {
			t.Errorf("diagnostics: %s", diagText(diags))
		}
		if got := leftUsers(srv); got != "breakglass" {
			t.Errorf("users left: %q, want breakglass only (tenant_uuid matches in any case)", got)
		}
	})
}

// upgradingCluster holds 24 users with a session each and answers every DELETE with 556
// "Upgrade in progress", as a cluster whose upgrade starts after the listing.
func upgradingCluster(t *testing.T) *emulatortest.Server {
	t.Helper()
	srv := emulatortest.NewServer(t, emulator.WithSessions(0))
	var logins []emulator.UserSession
	for i := range 24 {
		logins = append(logins, emulator.UserSession{UserID: fmt.Sprintf("user%02d", i)})
	}
	if _, err := srv.AddSessions(logins); err != nil {
		t.Fatal(err)
	}
	if err := srv.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: 556, Count: 1000}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestRemovalStopsEarly: when the cluster answers every DELETE with 556 after a good listing (an
// upgrade starting mid-incident), the removal stops after earlyStopAfter users in a row, and the
// error names who failed and who was not tried.
func TestRemovalStopsEarly(t *testing.T) {
	srv := upgradingCluster(t)
	p := newProtocolServerWith(t, map[string]tftypes.Value{"host": str(srv.URL), "token": str(srv.Token),
		"max_retries": tftypes.NewValue(tftypes.Number, 1)})
	start := time.Now()
	_, diags := p.invokeWith(context.Background(), t, map[string]tftypes.Value{"all_users": tftypes.NewValue(tftypes.Bool, true)})
	text := diagText(diags)
	deletes := srv.CountRequests("DELETE", "/userSessions")
	// At most the users in flight when the third failure arrived, each with its two attempts.
	if most := 2 * (earlyStopAfter + maxRemovalsInFlight - 1); deletes > most {
		t.Errorf("%d DELETEs sent, want at most %d (took %s)", deletes, most, time.Since(start))
	}
	for _, want := range []string{"Stopped early: 3 users in a row failed with the same answer (HTTP 556)", "0 ended", "not tried",
		"Not tried (", "Failed ("} {
		if !strings.Contains(text, want) {
			t.Errorf("the error does not say %q:\n%s", want, text)
		}
	}
	if n := len(srv.Sessions("")); n != 24 {
		t.Errorf("%d sessions left, want all 24", n)
	}
}

// TestRemovalCancelledInFlight: a cancellation while DELETEs are in flight reports those users as
// "may have been ended" (the cluster may have carried them out) and the rest as not tried.
func TestRemovalCancelledInFlight(t *testing.T) {
	srv := incidentCluster(t)
	if err := srv.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", DelayMillis: 10_000, Count: 10}); err != nil {
		t.Fatal(err)
	}
	p := newProtocolServer(t, srv.URL, srv.Token)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	_, diags := p.invokeWith(ctx, t, map[string]tftypes.Value{"all_users": tftypes.NewValue(tftypes.Bool, true)})
	text := diagText(diags)
	if !strings.Contains(text, "0 ended, 0 failed, 4 may have been ended, 1 not tried") ||
		!strings.Contains(text, `May have been ended: cancelled while the DELETE was in flight`) || strings.Contains(text, "Failed (") {
		t.Errorf("diagnostics:\n%s\nwant 4 users that may have been ended (in flight) and 1 not tried", text)
	}
}

// TestRemovalShowsHostileIDsInert: user ids the cluster lists reach progress lines and the
// partial-failure error as one quoted line each: no raw control byte, no forged line.
func TestRemovalShowsHostileIDsInert(t *testing.T) {
	srv := hostileRemovalServer(t)
	p := newProtocolServer(t, srv.URL, "dt0c01.TOKEN")
	progress, diags := p.invokeWith(context.Background(), t, map[string]tftypes.Value{"all_users": tftypes.NewValue(tftypes.Bool, true)})
	text := diagText(diags) + strings.Join(progress, "\n")
	if !hasError(diags) {
		t.Fatalf("no error: %s", text)
	}
	for i, r := range text {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("raw %U at %d: …%q…", r, i, text[max(0, i-40):min(len(text), i+40)])
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Apply complete!") {
			t.Errorf("a forged line: %q", line)
		}
	}
	if !strings.Contains(text, `\x1b[31m`) || !strings.Contains(text, `\nApply complete!`) {
		t.Errorf("the hostile id is not shown, escaped:\n%s", text)
	}
}

// hostileUserID is a user id a hostile cluster lists: colour, a bell, a hyperlink and a newline
// that starts a forged "Apply complete!" line.
const hostileUserID = "mallory\x1b[31m\x07\x1b]8;;https://evil.example\x07x\x1b]8;;\x07\nApply complete! Resources: 0 added, 0 changed, 0 destroyed."

// hostileRemovalServer lists a session of hostileUserID and of ann, ends ann's and refuses the
// hostile user's DELETE with 510.
func hostileRemovalServer(t *testing.T) *httptest.Server {
	t.Helper()
	var deletes atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/cluster/v2/userSessions":
			id, _ := json.Marshal(hostileUserID)
			_, _ = fmt.Fprintf(w, `[{"userId":%s,"nodeId":1,"sessionId":"s1","creationTime":1,"tenantUuid":"t","loginType":"LDAP"},`+
				`{"userId":"ann","nodeId":1,"sessionId":"s2","creationTime":1,"tenantUuid":"t","loginType":"LDAP"}]`, id)
		case r.Method == http.MethodDelete && r.URL.Query().Get("userId") == "ann":
			deletes.Add(1)
		case r.Method == http.MethodDelete:
			deletes.Add(1)
			w.WriteHeader(http.StatusNotExtended)
			_, _ = io.WriteString(w, `{"error":{"code":510,"message":"Failed to invalidate sessions"}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// notTheAPI is a host that answers 404 with an HTML page to everything: an ingress without the
// route to the Cluster API, or a wrong virtual host.
func notTheAPI(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAccNotTheClusterAPI: offboarding a user, and reading the sessions, against a host that is
// not the Cluster API fail naming the host; before, both read as "no sessions".
func TestAccNotTheClusterAPI(t *testing.T) {
	srv := notTheAPI(t)
	block := devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(emulator.DefaultToken), "max_retries", "0")
	want := words(srv.URL+" does not look like the Cluster API", "Check host")
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: block + removalResource("jane.doe", "OPS-1"), ExpectError: want},
			{Config: block + "data \"dtcluster_user_sessions\" \"jane\" {\n  user_id = \"jane.doe\"\n}\n", ExpectError: want},
		},
	})
}

// TestAccRemoveUserSessionsAction_notTheClusterAPI: the action offboarding one user against a
// host that is not the Cluster API fails naming the host (Terraform 1.14).
func TestAccRemoveUserSessionsAction_notTheClusterAPI(t *testing.T) {
	srv := notTheAPI(t)
	block := devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(emulator.DefaultToken), "max_retries", "0")
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{{
			Config:      block + triggeredAction(`user_id = "jane.doe"`),
			ExpectError: words(srv.URL + " does not look like the Cluster API"),
		}},
	})
}

// hostileOutputIsInert fails t when terraform's output holds a raw control byte or a line that
// starts as terraform's own success line.
func hostileOutputIsInert(t *testing.T, out string) {
	t.Helper()
	for i, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("raw %U at byte %d of the output: …%q…", r, i, out[max(0, i-80):min(len(out), i+40)])
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, "│ "), "Apply complete!") {
			t.Errorf("a forged line in the output: %q", line)
		}
	}
	if !strings.Contains(out, `mallory\x1b[31m`) {
		t.Errorf("the output does not show the user who was not ended:\n%s", tail(out))
	}
}

// TestCLIHostileUserIDStaysInert: a user id a hostile cluster lists, in the partial-failure error
// of the action on Terraform 1.14 and of the removal resource on OpenTofu, is one inert quoted
// line; before, its escape sequences reached the terminal and its newline forged a line.
func TestCLIHostileUserIDStaysInert(t *testing.T) {
	t.Run("action", func(t *testing.T) {
		tf := devharness.RequireTerraform(t, 1, 14, "the action")
		c := newCLI(t)
		c.tf = tf
		srv := hostileRemovalServer(t)
		block := devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(emulator.DefaultToken), "max_retries", "0")
		c.write("main.tf", terraformBlock+block+triggeredAction(`all_users = true`))
		out, err := c.run(nil, "apply", "-auto-approve")
		if err == nil {
			t.Fatalf("apply succeeded:\n%s", tail(out))
		}
		hostileOutputIsInert(t, out)
	})
	t.Run("removal resource on OpenTofu", func(t *testing.T) {
		tofu := devharness.OpenTofu(t)
		c := newCLI(t)
		c.tf = tofu
		srv := hostileRemovalServer(t)
		block := devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(emulator.DefaultToken), "max_retries", "0")
		c.write("main.tf", terraformBlock+block+"resource \"dtcluster_user_sessions_removal\" \"incident\" {\n  all_users = true\n}\n")
		out, err := c.run(nil, "apply", "-auto-approve")
		if err == nil {
			t.Fatalf("apply succeeded:\n%s", tail(out))
		}
		hostileOutputIsInert(t, out)
	})
}

// TestAccRemovalComparesIDsInNFC: through terraform (which keeps configuration strings in NFC),
// the removal resource ends the sessions of a user the cluster holds decomposed, and an LDAP
// sweep's NFC exception spares that user; before, both compared bytes and missed.
func TestAccRemovalComparesIDsInNFC(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(0))
	if _, err := srv.AddSessions(append([]emulator.UserSession{{UserID: joseNFD, LoginType: "LDAP"}}, emulatortest.IncidentLogins...)); err != nil {
		t.Fatal(err)
	}
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: removalSelection(srv, `login_type = "LDAP"`+"\n"+`except_user_ids = ["`+joseNFC+`", "breakglass"]`),
				PostApplyFunc: func() {
					if got := leftUsers(srv); got != "breakglass,carol,dave,"+joseNFD {
						t.Errorf("users left: %q, want the NFD user spared by the NFC exception", got)
					}
				},
			},
			{
				Config: removalSelection(srv, `user_id = "`+joseNFC+`"`),
				PostApplyFunc: func() {
					if got := leftUsers(srv); got != "breakglass,carol,dave" {
						t.Errorf("users left: %q, want the NFD user ended by the NFC user_id", got)
					}
				},
			},
		},
	})
}

// TestAccRemoveUserSessionsAction_stopsEarly: through terraform, a cluster answering every
// DELETE with 556 after a good listing stops the action after 3 users in a row, and the error
// says so and names who was not tried (Terraform 1.14).
func TestAccRemoveUserSessionsAction_stopsEarly(t *testing.T) {
	srv := upgradingCluster(t)
	block := devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "max_retries", "1")
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{{
			Config:      block + triggeredAction(`all_users = true`),
			ExpectError: words("Stopped early: 3 users in a row failed with the same answer (HTTP 556)", "Not tried ("),
		}},
	})
	if deletes, most := srv.CountRequests("DELETE", "/userSessions"), 2*(earlyStopAfter+maxRemovalsInFlight-1); deletes > most {
		t.Errorf("%d DELETEs sent, want at most %d", deletes, most)
	}
}
