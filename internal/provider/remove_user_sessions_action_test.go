package provider

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

const actionType = "dtcluster_remove_user_sessions"

func (p *protocolServer) actionConfig(tb testing.TB, userID string) *tfprotov6.DynamicValue {
	tb.Helper()
	s, ok := p.schema.ActionSchemas[actionType]
	if !ok {
		tb.Fatalf("the provider has no action %s", actionType)
	}
	return p.dynamicValue(tb, s.Schema.ValueType(), map[string]tftypes.Value{"user_id": tftypes.NewValue(tftypes.String, userID)})
}

// invoke runs the action for one user and returns its progress messages and final diagnostics.
func (p *protocolServer) invoke(ctx context.Context, tb testing.TB, userID string) ([]string, []*tfprotov6.Diagnostic) {
	tb.Helper()
	return p.invokeWith(ctx, tb, map[string]tftypes.Value{"user_id": tftypes.NewValue(tftypes.String, userID)})
}

func TestActionProtocolSchemaValidateAndPlan(t *testing.T) {
	srv := emulatortest.NewServer(t)
	p := newProtocolServer(t, srv.URL, srv.Token)
	ctx := context.Background()

	s := p.schema.ActionSchemas[actionType]
	if s == nil || s.Schema == nil || len(s.Schema.Block.Attributes) != 10 {
		t.Fatalf("action schema = %+v", s)
	}
	for _, a := range s.Schema.Block.Attributes {
		if a.Name == "user_id" && (a.Required || !a.Optional || !strings.Contains(a.Description, "Must not be empty")) {
			t.Errorf("user_id attribute = %+v", a)
		}
	}
	for _, bad := range []struct{ id, want string }{
		{"", "user_id must not be empty"},
		{" jane.doe", `user_id must not start or end with white space, got " jane.doe"`},
	} {
		resp, err := p.ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{ActionType: actionType, Config: p.actionConfig(t, bad.id)})
		// One value, one error: the empty id is not also reported as starting with white space.
		if err != nil || len(resp.Diagnostics) != 1 || !strings.Contains(diagText(resp.Diagnostics), bad.want) ||
			resp.Diagnostics[0].Attribute == nil || resp.Diagnostics[0].Attribute.String() != `AttributeName("user_id")` {
			t.Errorf("validate %q: %v %s (attribute %v)", bad.id, err, diagText(resp.Diagnostics), resp.Diagnostics)
		}
	}
	resp, err := p.ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{ActionType: actionType, Config: p.actionConfig(t, "jane.doe")})
	if err != nil || len(resp.Diagnostics) != 0 {
		t.Errorf("validate jane.doe: %v %s", err, diagText(resp.Diagnostics))
	}
	plan, err := p.PlanAction(ctx, &tfprotov6.PlanActionRequest{ActionType: actionType, Config: p.actionConfig(t, "jane.doe")})
	if err != nil || hasError(plan.Diagnostics) {
		t.Errorf("plan: %v %s", err, diagText(plan.Diagnostics))
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("validate and plan sent requests: %+v", srv.Requests())
	}
}

func TestActionProtocolInvoke(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(30))
	p := newProtocolServer(t, srv.URL, srv.Token)
	ctx := context.Background()
	jane := len(srv.Sessions("jane.doe"))
	total := len(srv.Sessions(""))

	progress, diags := p.invoke(ctx, t, "jane.doe")
	if hasError(diags) {
		t.Fatalf("invoke: %s", diagText(diags))
	}
	if left := len(srv.Sessions("jane.doe")); left != 0 || len(srv.Sessions("")) != total-jane {
		t.Errorf("after invoke jane.doe has %d sessions and %d are left, want 0 and %d", left, len(srv.Sessions("")), total-jane)
	}
	wantProgress := []string{
		`Listing the sessions of user "jane.doe"`,
		fmt.Sprintf(`Ending %d sessions of user "jane.doe"`, jane),
		fmt.Sprintf(`Ended %d sessions of user "jane.doe"`, jane),
	}
	if strings.Join(progress, "\n") != strings.Join(wantProgress, "\n") {
		t.Errorf("progress = %q, want %q", progress, wantProgress)
	}

	// A user without sessions is a success that says so.
	// A user without sessions is a success that says so, without announcing "Ending 0".
	progress, diags = p.invoke(ctx, t, "jane.doe")
	wantProgress = []string{`Listing the sessions of user "jane.doe"`, `User "jane.doe" has no sessions: nothing to end`}
	if hasError(diags) || strings.Join(progress, "\n") != strings.Join(wantProgress, "\n") {
		t.Errorf("invoke without sessions: %s, progress %q, want %q", diagText(diags), progress, wantProgress)
	}
}

func TestActionProtocolErrors(t *testing.T) {
	ctx := context.Background()
	srv := emulatortest.NewServer(t, emulator.WithSessions(20), emulator.WithUnscopedToken("dt0c01.READONLY.token"))
	tests := []struct {
		name  string
		token string
		fault *emulator.Fault
		want  string
	}{
		{"403 wrong token", "dt0c01.WRONG.token", nil, `(?s)Unable to List User Sessions.*HTTP 403.*Token Authentication failed.*ServiceProviderAPI scope`},
		{"403 token without the scope", "dt0c01.READONLY.token", nil, `(?s)Unable to List User Sessions.*HTTP 403.*missing required scope.*ServiceProviderAPI scope`},
		{"400", srv.Token, &emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: 400}, `(?s)Unable to Remove User Sessions.*HTTP 400 Bad Request \(the user id must be filled in\): Injected fault`},
		{"500", srv.Token, &emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: 500}, `(?s)HTTP 500 Operation failed: Injected fault`},
		{"510", srv.Token, &emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: 510}, `(?s)HTTP 510 Failed to invalidate sessions: Injected fault`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fault != nil {
				if err := srv.InjectFault(*tt.fault); err != nil {
					t.Fatal(err)
				}
			}
			before := len(srv.Sessions("admin"))
			_, diags := newProtocolServer(t, srv.URL, tt.token).invoke(ctx, t, "admin")
			if !hasError(diags) || !regexp.MustCompile(tt.want).MatchString(diagText(diags)) {
				t.Errorf("diagnostics %q do not match %s", diagText(diags), tt.want)
			}
			if after := len(srv.Sessions("admin")); after != before || before == 0 {
				t.Errorf("admin sessions %d -> %d, want unchanged and non-zero", before, after)
			}
		})
	}
}

func TestActionProtocolCancellation(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(20))
	if err := srv.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", DelayMillis: 10_000}); err != nil {
		t.Fatal(err)
	}
	p := newProtocolServer(t, srv.URL, srv.Token)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, diags := p.invoke(ctx, t, "admin")
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("invoke took %s after a cancellation at 200ms", elapsed)
	}
	// The DELETE was in flight (the cluster holds it 10 s): its outcome is unknown, and said so.
	if !hasError(diags) || !strings.Contains(diagText(diags), `cancelled while the DELETE of user "admin" was in flight: its sessions may have been ended`) {
		t.Errorf("diagnostics = %s, want a cancellation error saying the sessions may have been ended", diagText(diags))
	}
}

// TestAccRemoveUserSessionsAction_trigger applies the shipped action example (jane.doe's
// sessions end after the terraform_data is created) with the terraform CLI; actions need
// Terraform 1.14.
func TestAccRemoveUserSessionsAction_trigger(t *testing.T) {
	example, err := os.ReadFile("../../examples/actions/dtcluster_remove_user_sessions/action.tf")
	if err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.NewServer(t, emulator.WithSessions(30))
	others := len(srv.Sessions("")) - len(srv.Sessions("jane.doe"))
	quickAcceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + string(example),
			PostApplyFunc: func() {
				if n := len(srv.Sessions("jane.doe")); n != 0 {
					t.Errorf("jane.doe still has %d sessions", n)
				}
				if n := len(srv.Sessions("")); n != others {
					t.Errorf("%d sessions left, want %d (others untouched)", n, others)
				}
			},
		}},
	})
}

// invokeWith runs the action with the given attributes (the others null).
func (p *protocolServer) invokeWith(ctx context.Context, tb testing.TB, attrs map[string]tftypes.Value) ([]string, []*tfprotov6.Diagnostic) {
	tb.Helper()
	cfg := p.dynamicValue(tb, p.schema.ActionSchemas[actionType].Schema.ValueType(), attrs)
	stream, err := p.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: actionType, Config: cfg})
	if err != nil {
		tb.Fatalf("InvokeAction: %v", err)
	}
	var progress []string
	var diags []*tfprotov6.Diagnostic
	completed := 0
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			diags = e.Diagnostics
			completed++
		}
	}
	if completed != 1 {
		tb.Fatalf("%d completed events, want 1", completed)
	}
	return progress, diags
}

// incidentCluster is an emulator holding emulatortest.IncidentLogins.
func incidentCluster(t *testing.T, opts ...emulator.Option) *emulatortest.Server {
	t.Helper()
	srv := emulatortest.NewServer(t, append([]emulator.Option{emulator.WithSessions(0)}, opts...)...)
	if _, err := srv.AddSessions(emulatortest.IncidentLogins); err != nil {
		t.Fatal(err)
	}
	return srv
}

// leftUsers lists the users who still have sessions, sorted.
func leftUsers(srv *emulatortest.Server) string { return emulatortest.UsersLeft(srv.Emulator) }

func stringSet(values ...string) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for i, v := range values {
		elems[i] = tftypes.NewValue(tftypes.String, v)
	}
	return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
}

// TestActionProtocolSelections: each way of selecting ends exactly the selected users' sessions
// (all of them, of every login type), never an excepted user's, and reports each user.
func TestActionProtocolSelections(t *testing.T) {
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	for _, tt := range []struct {
		name  string
		attrs map[string]tftypes.Value
		left  string
	}{
		{"a set of users", map[string]tftypes.Value{"user_ids": stringSet("alice", "carol")}, "bob,breakglass,dave"},
		{"a set with a user without sessions", map[string]tftypes.Value{"user_ids": stringSet("bob", "nobody")}, "alice,breakglass,carol,dave"},
		{"every LDAP user but the break-glass admin", map[string]tftypes.Value{"login_type": str("LDAP"), "except_user_ids": stringSet("breakglass")}, "breakglass,carol,dave"},
		{"a node", map[string]tftypes.Value{"node_id": tftypes.NewValue(tftypes.Number, big.NewFloat(2))}, "alice,bob,breakglass,carol"},
		{"every user but two", map[string]tftypes.Value{"all_users": tftypes.NewValue(tftypes.Bool, true), "except_user_ids": stringSet("breakglass", "carol")}, "breakglass,carol"},
		{"one user, the old way", map[string]tftypes.Value{"user_id": str("dave")}, "alice,bob,breakglass,carol"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := incidentCluster(t)
			p := newProtocolServer(t, srv.URL, srv.Token)
			progress, diags := p.invokeWith(context.Background(), t, tt.attrs)
			if hasError(diags) {
				t.Fatalf("invoke: %s", diagText(diags))
			}
			if got := leftUsers(srv); got != tt.left {
				t.Errorf("users with sessions left: %s, want %s (progress %q)", got, tt.left, progress)
			}
			if deletes := srv.CountRequests("DELETE", "/userSessions"); deletes == 0 {
				t.Error("no DELETE was sent")
			}
			if gets := srv.CountRequests("GET", "/userSessions"); gets != 1 {
				t.Errorf("%d listings, want one", gets)
			}
			text := strings.Join(progress, "\n")
			for _, s := range srv.Requests() {
				if s.Method == http.MethodDelete && !strings.Contains(text, strings.TrimPrefix(s.Query, "userId=")) {
					t.Errorf("the progress does not name %s:\n%s", s.Query, text)
				}
			}
		})
	}
}

// TestActionProtocolBadSelections: a selection that is not exactly one way of selecting someone
// is refused at validate, naming the attribute, with nothing sent.
func TestActionProtocolBadSelections(t *testing.T) {
	srv := incidentCluster(t)
	p := newProtocolServer(t, srv.URL, srv.Token)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	for name, tt := range map[string]struct {
		attrs     map[string]tftypes.Value
		attribute string
		want      string
	}{
		"nothing":                     {map[string]tftypes.Value{}, "", "Select whose sessions end, in exactly one way"},
		"only an exception":           {map[string]tftypes.Value{"except_user_ids": stringSet("alice")}, "", "Select whose sessions end"},
		"two ways":                    {map[string]tftypes.Value{"user_id": str("alice"), "user_ids": stringSet("bob")}, "user_ids", "user_id and user_ids both select users"},
		"users and a filter":          {map[string]tftypes.Value{"user_ids": stringSet("bob"), "login_type": str("LDAP")}, "login_type", "user_ids and the filters"},
		"all users and a filter":      {map[string]tftypes.Value{"all_users": tftypes.NewValue(tftypes.Bool, true), "node_id": tftypes.NewValue(tftypes.Number, big.NewFloat(1))}, "all_users", "both select users"},
		"an empty set":                {map[string]tftypes.Value{"user_ids": stringSet()}, "user_ids", "user_ids is empty: it selects nobody"},
		"all users false alone":       {map[string]tftypes.Value{"all_users": tftypes.NewValue(tftypes.Bool, false)}, "all_users", "all_users = false selects nobody"},
		"a user listed and excepted":  {map[string]tftypes.Value{"user_ids": stringSet("alice", "bob"), "except_user_ids": stringSet("bob")}, "except_user_ids", `"bob" is both selected and in except_user_ids`},
		"an empty user id in the set": {map[string]tftypes.Value{"user_ids": stringSet("alice", "")}, "user_ids", "must not be empty"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := p.dynamicValue(t, p.schema.ActionSchemas[actionType].Schema.ValueType(), tt.attrs)
			resp, err := p.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{ActionType: actionType, Config: cfg})
			if err != nil || !hasError(resp.Diagnostics) || !strings.Contains(diagText(resp.Diagnostics), tt.want) {
				t.Fatalf("validate: %v %s; want an error saying %q", err, diagText(resp.Diagnostics), tt.want)
			}
			if tt.attribute != "" {
				if a := resp.Diagnostics[0].Attribute; a == nil || !strings.Contains(a.String(), `"`+tt.attribute+`"`) {
					t.Errorf("the error names attribute %v, want %s", a, tt.attribute)
				}
			}
		})
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("validation sent %d requests", n)
	}
}

// TestActionProtocolPartialFailure: when the cluster refuses one user's DELETE, the others are
// ended and the error names exactly the user left.
func TestActionProtocolPartialFailure(t *testing.T) {
	srv := incidentCluster(t)
	if err := srv.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: 510}); err != nil {
		t.Fatal(err)
	}
	p := newProtocolServer(t, srv.URL, srv.Token)
	_, diags := p.invokeWith(context.Background(), t, map[string]tftypes.Value{"all_users": tftypes.NewValue(tftypes.Bool, true)})
	left := leftUsers(srv)
	if strings.Contains(left, ",") || left == "" {
		t.Fatalf("users left: %q, want exactly the one whose DELETE failed", left)
	}
	text := diagText(diags)
	if !hasError(diags) || !strings.Contains(text, "Unable to End the Sessions of 1 user") || !strings.Contains(text, `"`+left+`": DELETE`) ||
		!strings.Contains(text, "Failed to invalidate sessions") || !strings.Contains(text, "4 ended, 1 failed, 0 may have been ended, 0 not tried") {
		t.Errorf("diagnostics %q; want an error naming %s and the cluster's answer", text, left)
	}
}

// TestActionProtocolLostAnswers: DELETEs whose answers are lost are retried; the retries' 404s
// count the sessions the first attempts ended, and every selected user ends without an error.
func TestActionProtocolLostAnswers(t *testing.T) {
	srv := incidentCluster(t)
	proxy := emulatortest.NewLossyProxy(t, srv.URL)
	proxy.DropAnswers("DELETE", "/userSessions", 0, 2)
	p := newProtocolServer(t, proxy.URL, srv.Token)
	progress, diags := p.invokeWith(context.Background(), t, map[string]tftypes.Value{
		"login_type": tftypes.NewValue(tftypes.String, "LDAP"), "except_user_ids": stringSet("breakglass"),
	})
	if hasError(diags) {
		t.Fatalf("invoke: %s", diagText(diags))
	}
	if got := leftUsers(srv); got != "breakglass,carol,dave" {
		t.Errorf("users left: %s", got)
	}
	text := strings.Join(progress, "\n")
	if strings.Count(text, "first answer was lost") != 2 || !strings.Contains(text, "Ended 3 sessions of 2 users") {
		t.Errorf("progress does not count the sessions the lost answers ended:\n%s", text)
	}
}

// incidentAction is an action with the given config body, triggered once by a terraform_data's
// creation (how terraform-plugin-testing applies an action).
func incidentAction(srv *emulatortest.Server, body string) string {
	return providerBlock(srv) + triggeredAction(body)
}

// triggeredAction is the action of incidentAction without a provider block.
func triggeredAction(body string) string {
	return fmt.Sprintf(`
action "dtcluster_remove_user_sessions" "incident" {
  config {
%s
  }
}

resource "terraform_data" "incident" {
  input = "INC-1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.dtcluster_remove_user_sessions.incident]
    }
  }
}
`, body)
}

// TestAccRemoveUserSessionsAction_selections applies, with the terraform CLI, the action with
// each way of selecting users, and checks on the cluster who is left.
func TestAccRemoveUserSessionsAction_selections(t *testing.T) {
	for _, tt := range []struct{ name, body, left string }{
		{"a set of users", `user_ids = ["alice", "carol"]`, "bob,breakglass,dave"},
		{"every LDAP user but the break-glass admin", `login_type = "LDAP"` + "\n" + `except_user_ids = ["breakglass"]`, "breakglass,carol,dave"},
		{"a node", `node_id = 2`, "alice,bob,breakglass,carol"},
		{"a tenant nobody is logged in to", `tenant_uuid = "00000000-0000-0000-0000-000000000000"`, "alice,bob,breakglass,carol,dave"},
		{"every user but two", `all_users = true` + "\n" + `except_user_ids = ["breakglass", "carol"]`, "breakglass,carol"},
		{"one user", `user_id = "alice"`, "bob,breakglass,carol,dave"},
	} {
		t.Run(tt.name, func(t *testing.T) { actionLeaves(t, incidentCluster(t), tt.body, tt.left) })
	}
}

// TestAccRemoveUserSessionsAction_partialFailure: one user's DELETE is refused; the apply fails
// naming that user, and every other selected user's sessions are ended.
func TestAccRemoveUserSessionsAction_partialFailure(t *testing.T) {
	srv := incidentCluster(t)
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if err := srv.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: 510}); err != nil {
					t.Fatal(err)
				}
			},
			Config:      incidentAction(srv, `all_users = true`),
			ExpectError: words("Unable to End the Sessions of 1 user", "4 ended, 1 failed", "HTTP 510 Failed to invalidate sessions"),
		}},
	})
	left := leftUsers(srv)
	if left == "" || strings.Contains(left, ",") {
		t.Errorf("users left: %q, want exactly the one whose DELETE failed", left)
	}
}

// TestAccRemoveUserSessionsAction_lostAnswers: the answers to two DELETEs are lost; the retries
// succeed and the apply succeeds with every selected user's sessions ended.
func TestAccRemoveUserSessionsAction_lostAnswers(t *testing.T) {
	srv := incidentCluster(t)
	proxy := emulatortest.NewLossyProxy(t, srv.URL)
	proxy.DropAnswers("DELETE", "/userSessions", 0, 2)
	block := devharness.ProviderBlock("host", devharness.Quote(proxy.URL), "token", devharness.Quote(srv.Token), "max_retries", "2")
	config := strings.Replace(incidentAction(srv, `login_type = "LDAP"`+"\n"+`except_user_ids = ["breakglass"]`), providerBlock(srv), block, 1)
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{{
			Config: config,
			PostApplyFunc: func() {
				if got := leftUsers(srv); got != "breakglass,carol,dave" {
					t.Errorf("users left: %s, want breakglass,carol,dave", got)
				}
			},
		}},
	})
	deletes := 0
	for _, r := range proxy.Requests() {
		if strings.HasPrefix(r, "DELETE") {
			deletes++
		}
	}
	if deletes != 4 {
		t.Errorf("%d DELETEs through the proxy, want 4 (2 users, 2 answers lost and retried): %v", deletes, proxy.Requests())
	}
}

// actionLeaves applies the action with body on srv (Terraform 1.14) and checks who still has
// sessions.
func actionLeaves(t *testing.T, srv *emulatortest.Server, body, left string) {
	t.Helper()
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{{
			Config: incidentAction(srv, body),
			PostApplyFunc: func() {
				if got := leftUsers(srv); got != left {
					t.Errorf("users with sessions after the action: %s, want %s", got, left)
				}
			},
		}},
	})
}

// badSelections are selections refused at validate: none, two at once, an empty set, all_users =
// false alone, a user both listed and excepted.
var badSelections = []struct{ name, body, want string }{
	{"nothing", ``, "Select whose sessions end, in exactly one way"},
	{"only an exception", `except_user_ids = ["alice"]`, "Select whose sessions end, in exactly one way"},
	{"two ways", `user_id = "alice"` + "\n" + `login_type = "LDAP"`, "user_id and the filters (login_type, node_id, tenant_uuid, created_before, last_accessed_before) both select users"},
	{"an empty set", `user_ids = []`, "user_ids is empty: it selects nobody"},
	{"all users false alone", `all_users = false`, "all_users = false selects nobody"},
	{"a user listed and excepted", `user_ids = ["alice", "bob"]` + "\n" + `except_user_ids = ["bob"]`, `"bob" is both selected and in except_user_ids`},
}

// TestAccRemoveUserSessionsAction_badSelections: Terraform refuses each bad selection before it
// plans, and nothing reaches the cluster.
func TestAccRemoveUserSessionsAction_badSelections(t *testing.T) {
	srv := incidentCluster(t)
	var steps []resource.TestStep
	for _, tt := range badSelections {
		steps = append(steps, resource.TestStep{Config: incidentAction(srv, tt.body), ExpectError: selectionError(tt.want)})
	}
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps:                    steps,
	})
	for _, r := range srv.Requests() {
		if r.Method == http.MethodDelete {
			t.Errorf("a bad selection sent %s %s", r.Method, r.Path)
		}
	}
	if got := leftUsers(srv); got != "alice,bob,breakglass,carol,dave" {
		t.Errorf("users left: %s", got)
	}
}

// selectionError matches a refused selection's summary and then its detail.
func selectionError(detail string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)(Invalid Selection|No Users Selected).*` + strings.TrimPrefix(words(detail).String(), "(?s)"))
}

// TestEmptySelectionNeverMeansEveryone: a selection that reaches removeSelected empty (no users,
// no filter, all_users unset) is an error with no request sent, never "every user" (an empty
// filter matches every session).
func TestEmptySelectionNeverMeansEveryone(t *testing.T) {
	srv := incidentCluster(t)
	client, err := apiclient.New(srv.URL, srv.Token, apiclient.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ended, diags := removeSelected(context.Background(), client, selection{except: []string{"breakglass"}}, func(string) {})
	if !diags.HasError() || len(ended) != 0 {
		t.Fatalf("an empty selection: ended %v, diagnostics %v; want an error and nothing ended", ended, diags)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("an empty selection sent %d requests", n)
	}
	if got := leftUsers(srv); got != "alice,bob,breakglass,carol,dave" {
		t.Errorf("users left: %s", got)
	}
}

// TestAccRemoveUserSessionsAction_selectionFromVariables: a bad selection given in a variable
// file is refused at plan, naming the attribute, with no DELETE sent. Terraform validates an
// action only while variables are unknown, so each of these reached the cluster before the
// action checked its selection at plan and invoke: a blank after the break-glass admin's id ended
// the admin, a blank after a user's id ended nobody and said so, node_id = 2.5 ended node 2, a
// user both listed and excepted was "ended" with nothing sent, and an empty set was "a bug".
func TestAccRemoveUserSessionsAction_selectionFromVariables(t *testing.T) {
	srv := incidentCluster(t)
	vars := func(v config.Variables) config.Variables {
		v["host"], v["token"] = config.StringVariable(srv.URL), config.StringVariable(srv.Token)
		return v
	}
	set := func(ids ...string) config.Variable {
		vs := make([]config.Variable, len(ids))
		for i, id := range ids {
			vs[i] = config.StringVariable(id)
		}
		return config.SetVariable(vs...)
	}
	var steps []resource.TestStep
	for _, tt := range []struct {
		vars config.Variables
		want string
	}{
		{config.Variables{"login_type": config.StringVariable("LDAP"), "except_user_ids": set("breakglass ")},
			`except_user_ids[Value("breakglass ")] must not start or end with white space`},
		{config.Variables{"user_ids": set("alice ")}, `user_ids[Value("alice ")] must not start or end with white space`},
		{config.Variables{"node_id": config.FloatVariable(2.5)}, "node_id must be a whole number between 0 and 2147483647, got 2.5"},
		{config.Variables{"user_ids": set("alice"), "except_user_ids": set("alice")}, `"alice" is both selected and in except_user_ids`},
		{config.Variables{"user_ids": set()}, "user_ids is empty: it selects nobody"},
		{config.Variables{"tenant_uuid": config.StringVariable(" ")}, "tenant_uuid must not be empty"},
		{config.Variables{"created_before": config.StringVariable("yesterday")}, `created_before must be an RFC 3339 time with a time zone`},
	} {
		steps = append(steps, resource.TestStep{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			ConfigDirectory:          config.TestNameDirectory(),
			ConfigVariables:          vars(tt.vars),
			ExpectError:              words(tt.want),
		})
	}
	quickAcceptanceTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps:                  steps,
	})
	for _, r := range srv.Requests() {
		if r.Method == http.MethodDelete {
			t.Errorf("a bad selection from a variable file sent %s %s?%s", r.Method, r.Path, r.Query)
		}
	}
	if got := leftUsers(srv); got != "alice,bob,breakglass,carol,dave" {
		t.Errorf("users left: %s, want every user", got)
	}
}

// hclList renders strings as an HCL list.
func hclList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = devharness.Quote(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// userList is a for_each list of users whose before_destroy trigger ends a departing user's
// sessions through caller (Terraform 1.16), with on_failure as given.
func userList(srv *emulatortest.Server, onFailure string, users ...string) string {
	return providerBlock(srv) + fmt.Sprintf(`
resource "terraform_data" "user" {
  for_each = toset(%s)
  input    = each.key
  lifecycle {
    action_trigger {
      events     = [before_destroy]
      actions    = [action.dtcluster_remove_user_sessions.departing]
      on_failure = %s
    }
  }
}

action "dtcluster_remove_user_sessions" "departing" {
  config {
    user_id = caller.input
  }
}
`, hclList(users), onFailure)
}

// TestCLIOffboardingFollowsTheUserList (Terraform 1.16): removing a user from a for_each list
// ends exactly that user's sessions in the same apply; against a cluster refusing the DELETE,
// on_failure = halt fails the apply and keeps the user in state until a later apply ends the
// sessions, and on_failure = continue removes the user with a warning, the sessions left.
// terraform-plugin-testing cannot hold a for_each instance in its state shim ("for_each is not
// supported"), so this runs the CLI.
func TestCLIOffboardingFollowsTheUserList(t *testing.T) {
	tf := devharness.RequireTerraform(t, 1, 16, "a before_destroy action trigger")
	c := newCLI(t)
	c.tf = tf
	srv := incidentCluster(t)
	apply := func(onFailure string, users ...string) (string, error) {
		c.write("main.tf", terraformBlock+userList(srv, onFailure, users...))
		out, err := c.run(nil, "apply", "-auto-approve")
		return strings.Join(strings.Fields(out), " "), err
	}
	left := func(want, when string) {
		t.Helper()
		if got := leftUsers(srv); got != want {
			t.Errorf("%s: users with sessions %s, want %s", when, got, want)
		}
	}
	inState := func(user string) bool {
		out, _ := c.run(nil, "state", "list")
		return strings.Contains(out, `terraform_data.user["`+user+`"]`)
	}
	if out, err := apply("halt", "alice", "bob", "breakglass", "carol", "dave"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	left("alice,bob,breakglass,carol,dave", "after adding every user")
	if out, err := apply("halt", "alice", "breakglass", "carol", "dave"); err != nil || !strings.Contains(out, "Actions: 1 invoked") {
		t.Fatalf("apply without bob: %v\n%s", err, out)
	}
	left("alice,breakglass,carol,dave", "after removing bob")

	if err := srv.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: 510, Count: 100}); err != nil {
		t.Fatal(err)
	}
	if out, err := apply("halt", "alice", "breakglass", "dave"); err == nil || !strings.Contains(out, "Unable to Remove User Sessions") {
		t.Errorf("on_failure = halt against a refusing cluster: want a failed apply, got %v\n%s", err, out)
	}
	left("alice,breakglass,carol,dave", "after a halted removal of carol")
	if !inState("carol") {
		t.Error("on_failure = halt: carol left the state though her sessions were not ended")
	}
	srv.ClearFaults()
	if out, err := apply("halt", "alice", "breakglass", "dave"); err != nil {
		t.Fatalf("the next apply: %v\n%s", err, out)
	}
	left("alice,breakglass,dave", "after the next apply")

	if err := srv.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: 510, Count: 100}); err != nil {
		t.Fatal(err)
	}
	out, err := apply("continue", "alice", "breakglass")
	if err != nil || !strings.Contains(out, "Warning: Unable to Remove User Sessions") {
		t.Errorf("on_failure = continue: want a successful apply with a warning, got %v\n%s", err, out)
	}
	if inState("dave") {
		t.Error("on_failure = continue: dave is still in state")
	}
	left("alice,breakglass,dave", "after a continued removal of dave (his sessions stay)")
}
