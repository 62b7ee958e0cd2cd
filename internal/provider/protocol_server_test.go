package provider

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestProtocolServerExposesEveryFrameworkRPC: every method the framework's protocol server has
// is one the provider's server has too; a newer framework serving another RPC (an optional
// interface Terraform looks for) fails here instead of being hidden by the wrapper.
func TestProtocolServerExposesEveryFrameworkRPC(t *testing.T) {
	fw, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := NewProtocolServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	framework, wrapper := reflect.TypeOf(fw), reflect.TypeOf(ours)
	if framework.NumMethod() < 20 {
		t.Fatalf("the framework's server has %d methods: the test would prove nothing", framework.NumMethod())
	}
	for i := range framework.NumMethod() {
		if name := framework.Method(i).Name; !hasMethod(wrapper, name) {
			t.Errorf("the framework serves %s, the provider's server does not: add its interface to frameworkServer", name)
		}
	}
}

func hasMethod(t reflect.Type, name string) bool {
	_, ok := t.MethodByName(name)
	return ok
}

// TestBypassContract: each condition under which the protocol server may answer the sessions
// read itself (protocol_server.go, "The bypass's contract") still holds. A failure here means the
// bypass now skips something the framework would do: make the bypass do it, or drop the bypass.
func TestBypassContract(t *testing.T) {
	ctx := context.Background()
	server, err := NewProtocolServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Configure never defers", func(t *testing.T) {
		// With deferrals allowed and nothing known, a provider that deferred would have the
		// framework answer every later RPC "deferred"; the framework's plan of another object
		// shows it.
		ps := &protocolServer{schema: schema}
		unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
			Config:             ps.dynamicValue(t, schema.Provider.ValueType(), map[string]tftypes.Value{"host": unknown, "token": unknown}),
			ClientCapabilities: &tfprotov6.ConfigureProviderClientCapabilities{DeferralAllowed: true},
		})
		if err != nil || hasError(resp.Diagnostics) {
			t.Fatalf("ConfigureProvider: %v %s", err, diagText(resp.Diagnostics))
		}
		_, create := createRequest(t, ps, policy{UserLimit: 1, AdminLimit: 1, Timeout: 60})
		plan, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: create.TypeName,
			PriorState: create.PriorState, ProposedNewState: create.PlannedState, Config: create.Config,
			ClientCapabilities: &tfprotov6.PlanResourceChangeClientCapabilities{DeferralAllowed: true}})
		if err != nil || plan.Deferred != nil {
			t.Errorf("a plan after Configure with unknown values: deferred %+v, %v; the bypass's reads do not defer", plan.Deferred, err)
		}
	})
	t.Run("no Configure, Renew or Close of the objects", func(t *testing.T) {
		if _, ok := NewUserSessionsDataSource().(datasource.DataSourceWithConfigure); ok {
			t.Error("the data source has a Configure the bypass does not call")
		}
		e := NewUserSessionsEphemeralResource()
		_, configure := e.(ephemeral.EphemeralResourceWithConfigure)
		_, renew := e.(ephemeral.EphemeralResourceWithRenew)
		_, closes := e.(ephemeral.EphemeralResourceWithClose)
		if configure || renew || closes {
			t.Errorf("the ephemeral resource has Configure %v, Renew %v, Close %v: the bypass calls none", configure, renew, closes)
		}
	})
	t.Run("no provider meta schema", func(t *testing.T) {
		if m := schema.ProviderMeta; m != nil && m.Block != nil && (len(m.Block.Attributes) > 0 || len(m.Block.BlockTypes) > 0) {
			t.Errorf("the provider has a meta schema the bypass does not pass on: %+v", m.Block)
		}
	})
	t.Run("only framework base types", func(t *testing.T) {
		var resp datasource.SchemaResponse
		NewUserSessionsDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
		var check func(name string, typ attr.Type)
		check = func(name string, typ attr.Type) {
			if pkg := reflect.TypeOf(typ).PkgPath(); pkg != "github.com/hashicorp/terraform-plugin-framework/types/basetypes" {
				t.Errorf("%s is of a custom type %T (package %s): its semantic equality would be skipped", name, typ, pkg)
			}
			switch c := typ.(type) {
			case attr.TypeWithElementType:
				check(name+"[*]", c.ElementType())
			case attr.TypeWithAttributeTypes:
				for sub, subType := range c.AttributeTypes() {
					check(name+"."+sub, subType)
				}
			}
		}
		for name, a := range resp.Schema.Attributes {
			check(name, a.GetType())
		}
		if len(resp.Schema.Attributes) < 5 {
			t.Fatalf("%d attributes: the check would prove nothing", len(resp.Schema.Attributes))
		}
	})
}
