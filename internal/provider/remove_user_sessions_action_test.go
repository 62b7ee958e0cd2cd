package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

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

// invoke runs the action and returns its progress messages and final diagnostics.
func (p *protocolServer) invoke(ctx context.Context, tb testing.TB, userID string) ([]string, []*tfprotov6.Diagnostic) {
	tb.Helper()
	stream, err := p.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: actionType, Config: p.actionConfig(tb, userID)})
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

func TestActionProtocolSchemaValidateAndPlan(t *testing.T) {
	srv := emulatortest.NewServer(t)
	p := newProtocolServer(t, srv.URL, srv.Token)
	ctx := context.Background()

	s := p.schema.ActionSchemas[actionType]
	if s == nil || s.Schema == nil || len(s.Schema.Block.Attributes) != 1 {
		t.Fatalf("action schema = %+v", s)
	}
	if a := s.Schema.Block.Attributes[0]; a.Name != "user_id" || !a.Required || !strings.Contains(a.Description, "Must not be empty") {
		t.Errorf("user_id attribute = %+v", a)
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
	if !hasError(diags) || !strings.Contains(diagText(diags), "The operation was cancelled") {
		t.Errorf("diagnostics = %s, want a cancellation error", diagText(diags))
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
	resource.ParallelTest(t, resource.TestCase{
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
