package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// protocolServer is the provider behind its protocol-6 server, as Terraform sees it, without the
// Terraform CLI.
type protocolServer struct {
	tfprotov6.ProviderServerWithActions
	schema *tfprotov6.GetProviderSchemaResponse
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

// dynamicValue encodes an object of type typ with the given attributes, the others null.
func (p *protocolServer) dynamicValue(tb testing.TB, typ tftypes.Type, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	tb.Helper()
	obj := typ.(tftypes.Object)
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
