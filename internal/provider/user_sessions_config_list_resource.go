package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var _ list.ListResourceWithConfigure = (*userSessionsConfigListResource)(nil)

// NewUserSessionsConfigListResource returns the dtcluster_user_sessions_config list resource,
// which terraform query (Terraform 1.14 and later) uses to find the cluster's session policy.
func NewUserSessionsConfigListResource() list.ListResource {
	return &userSessionsConfigListResource{}
}

type userSessionsConfigListResource struct {
	client *apiclient.Client
}

func (l *userSessionsConfigListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_sessions_config"
}

func (l *userSessionsConfigListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds the user session policy of the cluster the provider is configured for: always " +
			"exactly one result, identified by the cluster's URL. With `terraform query -generate-config-out=FILE`, " +
			"Terraform writes the `dtcluster_user_sessions_config` resource and its `import` block (by identity); " +
			"applying them imports the policy with an empty plan. Takes no arguments.",
	}
}

func (l *userSessionsConfigListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// List reads the cluster's policy and returns it as the one result.
func (l *userSessionsConfigListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	result := req.NewListResult(ctx)
	if l.client == nil {
		notConfigured(&result.Diagnostics)
		stream.Results = slices.Values([]list.ListResult{result})
		return
	}
	current, err := l.client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(&result.Diagnostics, "Unable to Read User Sessions Configuration", err)
		stream.Results = slices.Values([]list.ListResult{result})
		return
	}
	result.DisplayName = "user session policy of " + l.client.ClusterURL()
	setIdentity(ctx, result.Identity, l.client, &result.Diagnostics)
	if req.IncludeResource {
		state := adoptedState(current, l.client.ClusterURL())
		result.Diagnostics.Append(result.Resource.Set(ctx, &state)...)
	}
	stream.Results = slices.Values([]list.ListResult{result})
}
