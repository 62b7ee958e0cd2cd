package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ action.ActionWithConfigure      = (*removeUserSessionsAction)(nil)
	_ action.ActionWithValidateConfig = (*removeUserSessionsAction)(nil)
	_ action.ActionWithModifyPlan     = (*removeUserSessionsAction)(nil)
)

// NewRemoveUserSessionsAction returns the dtcluster_remove_user_sessions action.
func NewRemoveUserSessionsAction() action.Action {
	return &removeUserSessionsAction{}
}

type removeUserSessionsAction struct {
	clusters *fleet
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
			"`except_user_ids`. Exactly one way of selecting, checked by `terraform validate`, and again at plan and " +
			"before any request with the values from variables. It lists the sessions " +
			"once, ends each selected user's with one `DELETE` (at most 4 at a time), reports each user and count as " +
			"progress, and on a partial failure ends what it can and fails naming every user it could not end. A user " +
			"without sessions is a success. Needs Terraform 1.14 or later; run it with " +
			"`terraform apply -invoke=action.dtcluster_remove_user_sessions.<name>` or from a resource's " +
			"`lifecycle { action_trigger { ... } }`. With older Terraform or OpenTofu, use the " +
			"`dtcluster_user_sessions_removal` resource.",
		Attributes: map[string]schema.Attribute{
			"cluster": schema.StringAttribute{Optional: true, MarkdownDescription: clusterDescription + " With `for_each` " +
				"over cluster names, one `terraform apply -invoke` ends a user's sessions on every cluster."},
			// No validators: selectionModel.check judges every value, at validate, plan and invoke.
			"user_id":              schema.StringAttribute{Optional: true, MarkdownDescription: d["user_id"]},
			"user_ids":             schema.SetAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: d["user_ids"]},
			"login_type":           schema.StringAttribute{Optional: true, MarkdownDescription: d["login_type"]},
			"node_id":              schema.NumberAttribute{Optional: true, MarkdownDescription: d["node_id"]},
			"tenant_uuid":          schema.StringAttribute{Optional: true, MarkdownDescription: d["tenant_uuid"]},
			"created_before":       schema.StringAttribute{Optional: true, MarkdownDescription: d["created_before"]},
			"last_accessed_before": schema.StringAttribute{Optional: true, MarkdownDescription: d["last_accessed_before"]},
			"all_users":            schema.BoolAttribute{Optional: true, MarkdownDescription: d["all_users"]},
			"except_user_ids":      schema.SetAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: d["except_user_ids"]},
		},
	}
}

func (a *removeUserSessionsAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.clusters = fleetFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the selection (selectionModel.check). Terraform calls it only while
// variables are still unknown, so ModifyPlan and Invoke check again.
func (a *removeUserSessionsAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	checkSelection(ctx, req.Config, &resp.Diagnostics)
}

// ModifyPlan checks the selection with the values the plan knows: a bad value from a variable
// file fails terraform plan, as a literal one fails terraform validate.
func (a *removeUserSessionsAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	cfg := checkSelection(ctx, req.Config, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		planCluster(a.clusters, cfg.Cluster, &resp.Diagnostics)
	}
}

// checkSelection reads a configuration's selection and checks it.
func checkSelection(ctx context.Context, config interface {
	Get(context.Context, any) diag.Diagnostics
}, diags *diag.Diagnostics) selectionModel {
	var cfg selectionModel
	diags.Append(config.Get(ctx, &cfg)...)
	if !diags.HasError() {
		cfg.check(ctx, diags)
	}
	return cfg
}

// Invoke checks the selection with its final values, then ends the selected users' sessions,
// sending progress messages as it goes; nothing is sent for a bad selection.
func (a *removeUserSessionsAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	cfg := checkSelection(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	client := a.clusters.client(cfg.Cluster, path.Root("cluster"), &resp.Diagnostics)
	if client == nil {
		return
	}
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	_, diags := removeSelected(ctx, client, cfg.selection(ctx), progress)
	resp.Diagnostics.Append(diags...)
}
