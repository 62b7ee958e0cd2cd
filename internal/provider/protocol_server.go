package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// userSessionsTypeName is the data source whose read the protocol server answers itself.
const userSessionsTypeName = "dtcluster_user_sessions"

// frameworkServer is what the framework's protocol 6 server implements and Terraform may call.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
	tfprotov6.ListResourceServer
}

// dtclusterServer is the provider as Terraform talks to it: the framework's server for every
// RPC, except the read of dtcluster_user_sessions, which it answers with state it encodes as
// msgpack straight from the sessions. A read of 100k sessions through the framework's values
// costs seconds and hundreds of MiB (BENCHMARKS.md); the schema, validation and everything else
// stay the framework's.
type dtclusterServer struct {
	frameworkServer
	provider *dtclusterProvider
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
			return nil, errUnexpectedServer
		}
		return &dtclusterServer{frameworkServer: fw, provider: p}, nil
	}
}

// ReadDataSource answers dtcluster_user_sessions itself and passes every other data source on.
func (s *dtclusterServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	if req.TypeName != userSessionsTypeName || req.Config == nil {
		return s.frameworkServer.ReadDataSource(ctx, req)
	}
	config, err := req.Config.Unmarshal(userSessionsStateType)
	if err != nil || !config.IsFullyKnown() {
		return s.frameworkServer.ReadDataSource(ctx, req)
	}
	q, err := queryFromConfig(config)
	if err != nil {
		return s.frameworkServer.ReadDataSource(ctx, req)
	}
	var diags diag.Diagnostics
	client := s.provider.client.Load()
	if client == nil {
		notConfigured(&diags)
		return &tfprotov6.ReadDataSourceResponse{Diagnostics: toProtocol(diags)}, nil
	}
	sessions, others, err := client.ListUserSessions(ctx, q.apiUserID())
	if err != nil {
		addAPIError(&diags, "Unable to List User Sessions", err)
		return &tfprotov6.ReadDataSourceResponse{Diagnostics: toProtocol(diags)}, nil
	}
	warnOtherUsers(&diags, q.apiUserID(), others)
	state := encodeSessionsState(q, q.selectSessions(sessions))
	return &tfprotov6.ReadDataSourceResponse{State: &tfprotov6.DynamicValue{MsgPack: state}, Diagnostics: toProtocol(diags)}, nil
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
