package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// userSessionsTypeName is the data source whose read the protocol server answers itself.
const userSessionsTypeName = "dtcluster_user_sessions"

// frameworkServer is every RPC the framework's protocol 6 server serves. The wrapper below
// exposes exactly these; TestProtocolServerExposesEveryFrameworkRPC fails when the framework
// serves one more (a later version may add some), so none is hidden by accident.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
	tfprotov6.ListResourceServer
	tfprotov6.StateStoreServer
}

// dtclusterServer is the provider as Terraform talks to it: the framework's server for every
// RPC, except the read of the dtcluster_user_sessions data source and the open of the ephemeral
// resource of the same name, which it answers with a result it writes as msgpack straight from
// the sessions (sessionsReader). A read of 100k sessions through the
// framework's values costs seconds and hundreds of MiB (BENCHMARKS.md); the schema, validation
// and everything else stay the framework's.
//
// The bypass's contract. For those two RPCs it skips what the framework's ReadDataSource and
// OpenEphemeralResource would do; each is safe only while its condition holds, and
// TestBypassContract fails when one stops holding:
//   - provider-level deferral: the framework answers "deferred" when the provider's Configure
//     deferred. Safe: Configure never defers (with unknown values it leaves the client nil, and
//     the read says "Provider Not Configured").
//   - the object's Configure (and the ephemeral resource's Renew and Close): the framework calls
//     them. Safe: neither object implements them; the read takes the client from the provider.
//   - ProviderMeta: the framework hands it to the read. Safe: the provider has no meta schema.
//   - semantic equality and custom types: the framework compares and converts values of custom
//     types. Safe: every attribute of the schema is of a framework base type.
//   - attribute paths on diagnostics: the framework keeps them. The read's diagnostics have none
//     to keep: its only attribute errors come from validation, which stays the framework's.
//
// Before a terraform-plugin-framework upgrade, CONTRIBUTING.md's checklist says what to look at.
type dtclusterServer struct {
	frameworkServer
	provider *dtclusterProvider
	sessions *sessionsReader
}

// NewProtocolServer returns the constructor of the provider's protocol 6 server, stamped with
// version, for tf6server.Serve and for the acceptance tests.
func NewProtocolServer(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := &dtclusterProvider{version: version}
		server, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		fw, ok := server.(frameworkServer)
		if !ok {
			return nil, fmt.Errorf("the framework's protocol 6 server does not serve the action, list resource and state store RPCs")
		}
		var schema datasource.SchemaResponse
		NewUserSessionsDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &schema)
		typ, ok := schema.Schema.Type().TerraformType(context.Background()).(tftypes.Object)
		if !ok {
			return nil, fmt.Errorf("the schema of %s is not an object", userSessionsTypeName)
		}
		sessions, err := newSessionsReader(typ)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", userSessionsTypeName, err)
		}
		return &dtclusterServer{frameworkServer: fw, provider: p, sessions: sessions}, nil
	}
}

// ReadDataSource answers dtcluster_user_sessions itself and passes every other data source on.
func (s *dtclusterServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	if req.TypeName != userSessionsTypeName {
		return s.frameworkServer.ReadDataSource(ctx, req)
	}
	state, diags := s.readSessions(ctx, req.Config)
	return &tfprotov6.ReadDataSourceResponse{State: state, Diagnostics: diags}, nil
}

// OpenEphemeralResource answers dtcluster_user_sessions itself, with the data source's read, and
// passes every other ephemeral resource on.
func (s *dtclusterServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	if req.TypeName != userSessionsTypeName {
		return s.frameworkServer.OpenEphemeralResource(ctx, req)
	}
	result, diags := s.readSessions(ctx, req.Config)
	return &tfprotov6.OpenEphemeralResourceResponse{Result: result, Diagnostics: diags}, nil
}

// readSessions is the one read, for either RPC: the result (nil on an error) and the diagnostics.
func (s *dtclusterServer) readSessions(ctx context.Context, config *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, []*tfprotov6.Diagnostic) {
	msgpack, diags := s.sessions.read(ctx, s.provider.clusters.Load(), config)
	if msgpack == nil {
		return nil, toProtocol(diags)
	}
	return &tfprotov6.DynamicValue{MsgPack: msgpack}, toProtocol(diags)
}

// toProtocol converts framework diagnostics (without attribute paths) for a protocol response.
func toProtocol(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		severity := tfprotov6.DiagnosticSeverityError
		if d.Severity() == diag.SeverityWarning {
			severity = tfprotov6.DiagnosticSeverityWarning
		}
		out = append(out, &tfprotov6.Diagnostic{Severity: severity, Summary: d.Summary(), Detail: d.Detail()})
	}
	return out
}
