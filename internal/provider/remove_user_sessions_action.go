package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var _ action.ActionWithConfigure = (*removeUserSessionsAction)(nil)

// NewRemoveUserSessionsAction returns the dtcluster_remove_user_sessions action.
func NewRemoveUserSessionsAction() action.Action {
	return &removeUserSessionsAction{}
}

type removeUserSessionsAction struct {
	client *apiclient.Client
}

type removeUserSessionsActionModel struct {
	UserID types.String `tfsdk:"user_id"`
}

func (a *removeUserSessionsAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_remove_user_sessions"
}

func (a *removeUserSessionsAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Ends every session of a user on the cluster (Cluster API v2 `DELETE /userSessions?userId=`), " +
			"for offboarding or an incident. Needs Terraform 1.14 or later; run it with " +
			"`terraform apply -invoke=action.dtcluster_remove_user_sessions.<name>` or from a resource's " +
			"`lifecycle { action_trigger { ... } }`. It reports how many sessions it ended; a user without " +
			"sessions is a success. With older Terraform or OpenTofu, use the `dtcluster_user_sessions_removal` resource.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The user whose sessions end (API query parameter `userId`). Must not be empty.",
				Validators:          userIDValidators(),
			},
		},
	}
}

func (a *removeUserSessionsAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// Invoke ends the user's sessions, sending progress messages as it goes.
func (a *removeUserSessionsAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg removeUserSessionsActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.client == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	_, diags := removeUserSessions(ctx, a.client, cfg.UserID.ValueString(), progress)
	resp.Diagnostics.Append(diags...)
}
