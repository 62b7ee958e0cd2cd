package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ resource.ResourceWithConfigure      = (*userSessionsRemovalResource)(nil)
	_ resource.ResourceWithValidateConfig = (*userSessionsRemovalResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*userSessionsRemovalResource)(nil)
)

// NewUserSessionsRemovalResource returns the dtcluster_user_sessions_removal resource.
func NewUserSessionsRemovalResource() resource.Resource {
	return &userSessionsRemovalResource{}
}

// userSessionsRemovalResource performs the removal of users' sessions as a resource, for
// Terraform before 1.14 and OpenTofu, which have no actions: the action's selection and the same
// removal. The removal is an event, not an object on the cluster: state records it, and nothing
// is read back.
type userSessionsRemovalResource struct {
	clusters *fleet
}

type userSessionsRemovalModel struct {
	selectionModel
	ID                     types.String `tfsdk:"id"`
	Triggers               types.Map    `tfsdk:"triggers"`
	RemovedAt              types.String `tfsdk:"removed_at"`
	SessionsRemoved        types.Int64  `tfsdk:"sessions_removed"`
	SessionsRemovedPerUser types.Map    `tfsdk:"sessions_removed_per_user"`
}

func (r *userSessionsRemovalResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_sessions_removal"
}

func (r *userSessionsRemovalResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	d := selectionDescriptions
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	replaceSet := []planmodifier.Set{setplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Ends the sessions of users on the cluster (Cluster API v2 `DELETE /userSessions?userId=`) " +
			"when created, with the selection and the removal of the `dtcluster_remove_user_sessions` action, for " +
			"Terraform before 1.14 and OpenTofu: one user (`user_id`), a set (`user_ids`), every user with a session " +
			"matching `login_type`, `node_id` and `tenant_uuid`, or every user (`all_users = true`), except " +
			"`except_user_ids`; exactly one way of selecting, checked by `terraform validate` and again at plan with the values from variables. The removal is an " +
			"event, not an object on the cluster: state records when it happened and how many sessions of whom " +
			"ended, refresh does not contact the cluster, and destroy only forgets it. A change of the selection or " +
			"of `triggers` replaces the resource, which performs the removal again. A user without sessions is a " +
			"success; a partial failure ends what it can and fails naming every user it could not end (the resource " +
			"is then not recorded, and the next apply tries again).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<user_id>@<removed_at>` for one user, `<n> users@<removed_at>` otherwise.",
			},
			"cluster": schema.StringAttribute{Optional: true, MarkdownDescription: clusterDescription + " Changing it removes again, on that cluster.",
				PlanModifiers: replaceString},
			// No validators: selectionModel.check judges every value, at validate, plan and create.
			"user_id": schema.StringAttribute{Optional: true, MarkdownDescription: d["user_id"] + " Changing it removes again.",
				PlanModifiers: replaceString},
			"user_ids": schema.SetAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: d["user_ids"],
				PlanModifiers: replaceSet},
			"login_type": schema.StringAttribute{Optional: true, MarkdownDescription: d["login_type"], PlanModifiers: replaceString},
			"node_id": schema.NumberAttribute{Optional: true, MarkdownDescription: d["node_id"],
				PlanModifiers: []planmodifier.Number{numberplanmodifier.RequiresReplace()}},
			"tenant_uuid":          schema.StringAttribute{Optional: true, MarkdownDescription: d["tenant_uuid"], PlanModifiers: replaceString},
			"created_before":       schema.StringAttribute{Optional: true, MarkdownDescription: d["created_before"], PlanModifiers: replaceString},
			"last_accessed_before": schema.StringAttribute{Optional: true, MarkdownDescription: d["last_accessed_before"], PlanModifiers: replaceString},
			"all_users": schema.BoolAttribute{Optional: true, MarkdownDescription: d["all_users"],
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()}},
			"except_user_ids": schema.SetAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: d["except_user_ids"],
				PlanModifiers: replaceSet},
			"triggers": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Arbitrary values (a ticket number, a date); any change performs the removal again.",
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"removed_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the removal was performed (RFC 3339, UTC).",
			},
			"sessions_removed": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "How many sessions the removal ended, all users together (0 when none).",
			},
			"sessions_removed_per_user": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.Int64Type,
				MarkdownDescription: "How many sessions of each selected user the removal ended, by user id.",
			},
		},
	}
}

func (r *userSessionsRemovalResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clusters = fleetFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the selection (selectionModel.check); Terraform calls it at validate and
// again at plan, with the values from variables known.
func (r *userSessionsRemovalResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg userSessionsRemovalModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if !resp.Diagnostics.HasError() {
		cfg.check(ctx, &resp.Diagnostics)
	}
}

// ModifyPlan reports, at plan, a cluster the provider cannot serve.
func (r *userSessionsRemovalResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var cluster types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("cluster"), &cluster)...)
	if !resp.Diagnostics.HasError() {
		planCluster(r.clusters, cluster, &resp.Diagnostics)
	}
}

// Create performs the removal and records it.
func (r *userSessionsRemovalResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userSessionsRemovalModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Checked again with the final values: a value known only at apply was not judged at plan.
	if plan.check(ctx, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	client := r.clusters.client(plan.Cluster, path.Root("cluster"), &resp.Diagnostics)
	if client == nil {
		return
	}
	ended, diags := removeSelected(ctx, client, plan.selection(ctx), func(msg string) { tflog.Info(ctx, msg) })
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	at := time.Now().UTC().Format(time.RFC3339)
	total := 0
	perUser := map[string]int64{}
	for user, n := range ended {
		total += n
		perUser[user] = int64(n)
	}
	perUserValue, diags := types.MapValueFrom(ctx, types.Int64Type, perUser)
	resp.Diagnostics.Append(diags...)
	plan.RemovedAt = types.StringValue(at)
	plan.SessionsRemoved = types.Int64Value(int64(total))
	plan.SessionsRemovedPerUser = perUserValue
	plan.ID = types.StringValue(userCount(len(ended)) + "@" + at)
	if isSet(plan.UserID) {
		plan.ID = types.StringValue(plan.UserID.ValueString() + "@" + at)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read keeps the recorded removal: there is nothing on the cluster to read, and the framework
// answers with the state it was given unless Read sets another.
func (r *userSessionsRemovalResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
}

// Update is never planned (every configurable attribute requires replacement); it keeps the
// plan so the framework's contract holds.
func (r *userSessionsRemovalResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan userSessionsRemovalModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete forgets the removal; the sessions stay ended.
func (r *userSessionsRemovalResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}
