package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ list.ListResourceWithConfigure = (*userSessionsConfigListResource)(nil)

// NewUserSessionsConfigListResource returns the dtcluster_user_sessions_config list resource,
// which terraform query (Terraform 1.14 and later) uses to find the clusters' session policies.
func NewUserSessionsConfigListResource() list.ListResource {
	return &userSessionsConfigListResource{}
}

type userSessionsConfigListResource struct {
	clusters *fleet
}

// listConfigModel is the list resource's configuration.
type listConfigModel struct {
	Cluster  types.String `tfsdk:"cluster"`
	Clusters types.List   `tfsdk:"clusters"`
}

func (l *userSessionsConfigListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_sessions_config"
}

func (l *userSessionsConfigListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds the user session policy of every cluster the provider configuration governs: its " +
			"default cluster and each of its `clusters`, one result per cluster, identified by the cluster's URL. " +
			"With `terraform query -generate-config-out=FILE`, Terraform writes a `dtcluster_user_sessions_config` " +
			"resource per cluster (with `cluster` for a named one) and its `import` block (by identity); applying " +
			"them imports the policies with an empty plan.",
		Attributes: map[string]listschema.Attribute{
			"cluster": listschema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only this cluster: the name of one of the provider's `clusters`, as every object's " +
					"`cluster`. Conflicts with `clusters`.",
			},
			"clusters": listschema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only these clusters of the provider's `clusters`, by name. Unset: every cluster, " +
					"the default one first.",
			},
		},
	}
}

func (l *userSessionsConfigListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.clusters = fleetFrom(req.ProviderData, &resp.Diagnostics)
}

// List reads the policy of each cluster asked for and returns one result per cluster; a cluster
// that fails is a result with its error, and the others are still listed.
func (l *userSessionsConfigListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg listConfigModel
	var diags diag.Diagnostics
	diags.Append(req.Config.Get(ctx, &cfg)...)
	var names []types.String
	switch {
	case l.clusters == nil:
		notConfigured(&diags)
	case isSet(cfg.Cluster) && isSet(cfg.Clusters):
		diags.AddAttributeError(path.Root("cluster"), "Invalid Attribute Combination",
			"cluster and clusters both name the clusters to list: set one of them.")
	case isSet(cfg.Cluster):
		names = []types.String{cfg.Cluster}
	case isSet(cfg.Clusters):
		diags.Append(cfg.Clusters.ElementsAs(ctx, &names, false)...)
	default:
		if l.clusters.defaultClient != nil {
			names = append(names, types.StringNull())
		}
		for _, n := range l.clusters.names() {
			names = append(names, types.StringValue(n))
		}
	}
	if diags.HasError() {
		result := req.NewListResult(ctx)
		result.Diagnostics = diags
		stream.Results = slices.Values([]list.ListResult{result})
		return
	}
	stream.Results = func(yield func(list.ListResult) bool) {
		for _, name := range names {
			if !yield(l.listOne(ctx, req, name)) {
				return
			}
		}
	}
}

// listOne is the result of one cluster's policy.
func (l *userSessionsConfigListResource) listOne(ctx context.Context, req list.ListRequest, name types.String) list.ListResult {
	result := req.NewListResult(ctx)
	client := l.clusters.client(name, path.Root("cluster"), &result.Diagnostics)
	if client == nil {
		return result
	}
	current, err := client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(&result.Diagnostics, "Unable to Read User Sessions Configuration", err)
		return result
	}
	result.DisplayName = "user session policy of " + client.ClusterURL()
	if client.Name() != "" {
		result.DisplayName = fmt.Sprintf("user session policy of cluster %q (%s)", client.Name(), client.ClusterURL())
	}
	setIdentity(ctx, result.Identity, client, &result.Diagnostics)
	if req.IncludeResource {
		state := adoptedState(current, client)
		result.Diagnostics.Append(result.Resource.Set(ctx, &state)...)
	}
	return result
}
