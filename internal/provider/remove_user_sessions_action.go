package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var (
	_ action.ActionWithConfigure      = (*removeUserSessionsAction)(nil)
	_ action.ActionWithValidateConfig = (*removeUserSessionsAction)(nil)
)

// NewRemoveUserSessionsAction returns the dtcluster_remove_user_sessions action.
func NewRemoveUserSessionsAction() action.Action {
	return &removeUserSessionsAction{}
}

type removeUserSessionsAction struct {
	client *apiclient.Client
}

func (a *removeUserSessionsAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_remove_user_sessions"
}

func (a *removeUserSessionsAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	d := selectionDescriptions
	resp.Schema = schema.Schema{
		MarkdownDescription: "Ends the sessions of users on the cluster (Cluster API v2 `DELETE /userSessions?userId=`), " +
			"for offboarding or an incident: one user (`user_id`), a set (`user_ids`), every user with a session " +
			"matching `login_type`, `node_id` and `tenant_uuid`, or every user (`all_users = true`), except " +
			"`except_user_ids`. Exactly one way of selecting, checked by `terraform validate`. It lists the sessions " +
			"once, ends each selected user's with one `DELETE` (at most 4 at a time), reports each user and count as " +
			"progress, and on a partial failure ends what it can and fails naming every user it could not end. A user " +
			"without sessions is a success. Needs Terraform 1.14 or later; run it with " +
			"`terraform apply -invoke=action.dtcluster_remove_user_sessions.<name>` or from a resource's " +
			"`lifecycle { action_trigger { ... } }`. With older Terraform or OpenTofu, use the " +
			"`dtcluster_user_sessions_removal` resource.",
		Attributes: map[string]schema.Attribute{
			"user_id":  schema.StringAttribute{Optional: true, MarkdownDescription: d["user_id"], Validators: userIDValidators()},
			"user_ids": schema.SetAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: d["user_ids"], Validators: userIDSetValidators()},
			"login_type": schema.StringAttribute{Optional: true, MarkdownDescription: d["login_type"],
				Validators: []validator.String{loginTypeValidator{}}},
			"node_id": schema.NumberAttribute{Optional: true, MarkdownDescription: d["node_id"],
				Validators: []validator.Number{wholeNumberBetween(0, apiclient.MaxNodeID)}},
			"tenant_uuid": schema.StringAttribute{Optional: true, MarkdownDescription: d["tenant_uuid"],
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
			"all_users":       schema.BoolAttribute{Optional: true, MarkdownDescription: d["all_users"]},
			"except_user_ids": schema.SetAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: d["except_user_ids"], Validators: userIDSetValidators()},
		},
	}
}

// userIDSetValidators check each element of a set of user ids as a user_id.
func userIDSetValidators() []validator.Set {
	return []validator.Set{setvalidator.ValueStringsAre(userIDValidators()...)}
}

func (a *removeUserSessionsAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks that the selection is exactly one way of selecting someone.
func (a *removeUserSessionsAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var cfg selectionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if !resp.Diagnostics.HasError() {
		cfg.validate(ctx, &resp.Diagnostics)
	}
}

// Invoke ends the selected users' sessions, sending progress messages as it goes.
func (a *removeUserSessionsAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg selectionModel
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
	_, diags := removeSelected(ctx, a.client, cfg.selection(ctx), progress)
	resp.Diagnostics.Append(diags...)
}
