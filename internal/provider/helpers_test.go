package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// stateResource is one resource instance of a terraform.tfstate file.
type stateResource struct {
	Type      string `json:"type"`
	Instances []struct {
		Status     string         `json:"status"`
		Attributes map[string]any `json:"attributes"`
	} `json:"instances"`
}

// readStateFile returns the resources of the state file in dir (none when there is no file).
func readStateFile(t *testing.T, dir string) []stateResource {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []stateResource `json:"resources"`
	}
	if err := json.Unmarshal(data, &state); err != nil {
		t.Fatal(err)
	}
	return state.Resources
}

// testAccProtoV6ProviderFactories serves the provider in-process to the terraform binary that
// terraform-plugin-testing runs (TF_ACC_TERRAFORM_PATH, set by make test).
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"dtcluster": NewProtocolServer("test"),
}

// providerBlock configures the provider for the emulator srv.
func providerBlock(srv *emulatortest.Server) string {
	return devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "max_retries", "5")
}

// policy is a declared session policy.
type policy = devharness.Policy

// configResource renders a dtcluster_user_sessions_config "this" with p; extra lines are added
// to the resource body (for example restore_on_destroy).
func configResource(p policy, extra ...string) string { return p.Resource("this", extra...) }

// apiPolicy is p as the emulator holds it.
func apiPolicy(p policy) emulator.UserSessionsConfig {
	return emulator.UserSessionsConfig{
		ConcurrentSessionPolicy: emulator.ConcurrentSessionPolicy{UserLimit: int32(p.UserLimit), AdminLimit: int32(p.AdminLimit)},
		AutomaticLogout:         emulator.AutomaticLogout{LogoutInactiveUsersEnabled: p.Enabled, UserInactivityTimeout: int32(p.Timeout)},
	}
}

// emulatorHolds checks that the emulator's configuration is want.
func emulatorHolds(srv *emulatortest.Server, want emulator.UserSessionsConfig) error {
	if got := srv.Config(); got != want {
		return fmt.Errorf("the cluster holds %+v, want %+v", got, want)
	}
	return nil
}

// cli runs the terraform (or tofu) binary against a build of this provider (dev_overrides). It is
// the second harness, kept only for what terraform-plugin-testing cannot do; a test it can express
// (steps, ExpectError, Taint, PreConfig, CheckDestroy, plan and state checks) uses it instead
// (acceptanceTest). What stays here: OpenTofu; the text terraform prints (warnings, TF_LOG=trace,
// escape sequences a server sent); environment variables that change between commands (another
// DYNATRACE_CLUSTER_URL); exact request counts of single commands; -generate-config-out and
// terraform query; for_each instances in state (its state shim cannot hold them); files a run
// leaves (state, plans) searched for secrets and session ids.
type cli struct {
	t   *testing.T
	tf  string
	dir string
	env []string
}

// write replaces main.tf.
func (c *cli) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// run runs terraform with args and extra environment, returning the combined output and error.
func (c *cli) run(extraEnv []string, args ...string) (string, error) {
	c.t.Helper()
	cmd := exec.Command(c.tf, append(args, "-no-color")...)
	cmd.Dir = c.dir
	cmd.Env = append(append([]string(nil), c.env...), extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// must runs terraform and fails the test when it fails.
func (c *cli) must(args ...string) string {
	c.t.Helper()
	out, err := c.run(nil, args...)
	if err != nil {
		c.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	devharness.RemoveBuilds()
	os.Exit(code)
}

// The test tiers. make test-quick runs go test -short: the tests that start no terraform, and
// the acceptance tests that run through quickAcceptanceTest (one per Terraform object, and the
// validation matrices). Every other test that starts terraform goes through acceptanceTest (or
// serialAcceptanceTest) or newCLI (or devharness.Terraform), which skip in -short mode saying so; make test runs them all.
// TestAcceptanceTestsGoThroughTheTiers checks that no test calls terraform-plugin-testing's
// runners directly, so a test cannot fall out of a tier by its name.

// acceptanceTest runs tc in parallel, and skips in -short mode.
func acceptanceTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	devharness.SkipInShortMode(t)
	resource.ParallelTest(t, tc)
}

// serialAcceptanceTest runs tc alone (a test that sets environment variables), and skips in
// -short mode.
func serialAcceptanceTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	devharness.SkipInShortMode(t)
	resource.Test(t, tc)
}

// quickAcceptanceTest runs tc in parallel, in every tier.
func quickAcceptanceTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	resource.ParallelTest(t, tc)
}

// newCLI gives t a folder and environment of its own to run terraform in; such tests are
// hermetic, so they run in parallel.
func newCLI(t *testing.T) *cli {
	t.Helper()
	tf := devharness.Terraform(t)
	t.Parallel()
	bin, err := devharness.ProviderDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, ".terraformrc")
	if err := devharness.WriteCLIConfig(rc, bin); err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, tf: tf, dir: dir, env: devharness.Env(rc)}
}

const terraformBlock = devharness.TerraformBlock

func cliConfig(srv *emulatortest.Server, token string, p policy) string {
	return terraformBlock + devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(token)) + configResource(p)
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// words matches the words of phrase with any white space between them (terraform wraps long
// diagnostics), in order, anywhere in the output.
func words(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		fields := strings.Fields(p)
		for j, f := range fields {
			fields[j] = regexp.QuoteMeta(f)
		}
		parts[i] = strings.Join(fields, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// protocolServer is the provider behind its protocol-6 server, as Terraform sees it, without the
// Terraform CLI.
type protocolServer struct {
	tfprotov6.ProviderServerWithActions
	schema *tfprotov6.GetProviderSchemaResponse
}

// dynamicValue encodes an object of type typ with the given attributes, the others null.
func (p *protocolServer) dynamicValue(tb testing.TB, typ tftypes.Type, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	tb.Helper()
	obj := objectType(tb, typ)
	vals := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, t := range obj.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(t, nil)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		tb.Fatal(err)
	}
	return &dv
}

// newProtocolServer starts the provider server and configures it with host and token.
func newProtocolServer(tb testing.TB, host, token string) *protocolServer {
	tb.Helper()
	return newProtocolServerWith(tb, map[string]tftypes.Value{
		"host":  tftypes.NewValue(tftypes.String, host),
		"token": tftypes.NewValue(tftypes.String, token),
	})
}

// newProtocolServerWith starts the provider server and configures it with the provider
// attributes in settings (the others null).
func newProtocolServerWith(tb testing.TB, settings map[string]tftypes.Value) *protocolServer {
	tb.Helper()
	ctx := context.Background()
	server, err := NewProtocolServer("test")()
	if err != nil {
		tb.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasError(schema.Diagnostics) {
		tb.Fatalf("GetProviderSchema: %v %v", err, schema.Diagnostics)
	}
	//nolint:staticcheck // action RPCs are only on this interface in terraform-plugin-go v0.31
	withActions, ok := server.(tfprotov6.ProviderServerWithActions)
	if !ok {
		tb.Fatal("the provider server does not serve actions")
	}
	p := &protocolServer{ProviderServerWithActions: withActions, schema: schema}
	cfg := p.dynamicValue(tb, schema.Provider.ValueType(), settings)
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: cfg})
	if err != nil || hasError(resp.Diagnostics) {
		tb.Fatalf("ConfigureProvider: %v %v", err, diagText(resp.Diagnostics))
	}
	return p
}

// objectType is typ as an object type; anything else fails tb.
func objectType(tb testing.TB, typ tftypes.Type) tftypes.Object {
	tb.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		tb.Fatalf("%s is not an object type", typ)
	}
	return obj
}

// listOfObjects is the element type of typ, a list of objects; anything else fails tb.
func listOfObjects(tb testing.TB, typ tftypes.Type) tftypes.Object {
	tb.Helper()
	list, ok := typ.(tftypes.List)
	if !ok {
		tb.Fatalf("%s is not a list type", typ)
	}
	return objectType(tb, list.ElementType)
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(diags []*tfprotov6.Diagnostic) string {
	var s string
	for _, d := range diags {
		s += d.Summary + ": " + d.Detail + "\n"
	}
	return s
}

// configPlannedState is the planned state of a new dtcluster_user_sessions_config with p; id
// and restore_policy take the value of id (unknown in a plan, null in a configuration).
func configPlannedState(tb testing.TB, ps *protocolServer, p policy, id tftypes.Value) (tftypes.Type, tftypes.Value) {
	tb.Helper()
	typ := objectType(tb, ps.schema.ResourceSchemas["dtcluster_user_sessions_config"].ValueType())
	num := func(v int) tftypes.Value { return tftypes.NewValue(tftypes.Number, big.NewFloat(float64(v))) }
	policyType := objectType(tb, typ.AttributeTypes["concurrent_session_policy"])
	logoutType := objectType(tb, typ.AttributeTypes["automatic_logout"])
	restore := tftypes.NewValue(typ.AttributeTypes["restore_policy"], nil)
	var clusterURL any
	if !id.IsKnown() {
		restore = tftypes.NewValue(typ.AttributeTypes["restore_policy"], tftypes.UnknownValue)
		clusterURL = tftypes.UnknownValue
	}
	return typ, tftypes.NewValue(typ, map[string]tftypes.Value{
		"id": id,
		"concurrent_session_policy": tftypes.NewValue(policyType, map[string]tftypes.Value{
			"user_limit": num(p.UserLimit), "admin_limit": num(p.AdminLimit),
		}),
		"automatic_logout": tftypes.NewValue(logoutType, map[string]tftypes.Value{
			"logout_inactive_users_enabled": tftypes.NewValue(tftypes.Bool, p.Enabled),
			"user_inactivity_timeout":       num(p.Timeout),
		}),
		"restore_on_destroy": tftypes.NewValue(tftypes.Bool, false),
		"restore_policy":     restore,
		"cluster_url":        tftypes.NewValue(tftypes.String, clusterURL),
		"cluster":            tftypes.NewValue(tftypes.String, nil),
	})
}

// badConfiguration is a configuration that must fail at validate: the provider block (nil for
// the emulator's), the rest, and the error it must give.
type badConfiguration struct {
	name     string
	provider func(srv *emulatortest.Server) string
	resource string
	want     *regexp.Regexp
}

// testBadConfigurations applies each configuration against an emulator of its own and checks
// the error and that the cluster was left alone.
func testBadConfigurations(t *testing.T, tests []badConfiguration) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := emulatortest.NewServer(t)
			block := providerBlock(srv)
			if tt.provider != nil {
				block = tt.provider(srv)
			}
			quickAcceptanceTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: block + tt.resource, ExpectError: tt.want}},
			})
			if n := srv.CountRequests("PUT", "/clusterConfig/userSessions"); n != 0 {
				t.Errorf("%d PUT requests reached the cluster", n)
			}
			if got := srv.Config(); got != emulator.DefaultUserSessionsConfig() {
				t.Errorf("the cluster changed: %+v", got)
			}
		})
	}
}

// encodeValue is v, of type typ, as the protocol carries it.
func encodeValue(tb testing.TB, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	tb.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		tb.Fatal(err)
	}
	return &dv
}

// createRequest is the ApplyResourceChange that creates a dtcluster_user_sessions_config with p.
func createRequest(tb testing.TB, ps *protocolServer, p policy) (tftypes.Type, *tfprotov6.ApplyResourceChangeRequest) {
	tb.Helper()
	typ, planned := configPlannedState(tb, ps, p, tftypes.NewValue(tftypes.String, tftypes.UnknownValue))
	_, config := configPlannedState(tb, ps, p, tftypes.NewValue(tftypes.String, nil))
	return typ, &tfprotov6.ApplyResourceChangeRequest{
		TypeName:     "dtcluster_user_sessions_config",
		PriorState:   encodeValue(tb, typ, tftypes.NewValue(typ, nil)),
		PlannedState: encodeValue(tb, typ, planned),
		Config:       encodeValue(tb, typ, config),
	}
}
