package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var _ resource.ResourceWithConfigure = (*userSessionsRemovalResource)(nil)

// NewUserSessionsRemovalResource returns the dtcluster_user_sessions_removal resource.
func NewUserSessionsRemovalResource() resource.Resource {
	return &userSessionsRemovalResource{}
}

// userSessionsRemovalResource performs the removal of a user's sessions as a resource, for
// Terraform before 1.14 and OpenTofu, which have no actions. The removal is an event, not an
// object on the cluster: state records it, and nothing is read back.
type userSessionsRemovalResource struct {
	client *apiclient.Client
}

type userSessionsRemovalModel struct {
	ID              types.String `tfsdk:"id"`
	UserID          types.String `tfsdk:"user_id"`
	Triggers        types.Map    `tfsdk:"triggers"`
	RemovedAt       types.String `tfsdk:"removed_at"`
	SessionsRemoved types.Int64  `tfsdk:"sessions_removed"`
}

func (r *userSessionsRemovalResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_sessions_removal"
}

func (r *userSessionsRemovalResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Ends every session of a user on the cluster (Cluster API v2 `DELETE /userSessions?userId=`) " +
			"when created, the same operation as the `dtcluster_remove_user_sessions` action, for Terraform before " +
			"1.14 and OpenTofu. The removal is an event, not an object on the cluster: state records when it " +
			"happened and how many sessions ended, refresh does not contact the cluster, and destroy only forgets " +
			"it. A change of `user_id` or `triggers` replaces the resource, which performs the removal again. A " +
			"user without sessions is a success.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<user_id>@<removed_at>`.",
			},
			"user_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The user whose sessions end (API query parameter `userId`). Must not be empty. Changing it removes again.",
				Validators:          userIDValidators(),
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
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
				MarkdownDescription: "How many sessions the user had just before the removal (0 when none).",
			},
		},
	}
}

func (r *userSessionsRemovalResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// Create performs the removal and records it.
func (r *userSessionsRemovalResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userSessionsRemovalModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.client == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	ended, diags := removeUserSessions(ctx, r.client, plan.UserID.ValueString(), func(msg string) {
		tflog.Info(ctx, msg)
	})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	at := time.Now().UTC().Format(time.RFC3339)
	plan.RemovedAt = types.StringValue(at)
	plan.SessionsRemoved = types.Int64Value(int64(ended))
	plan.ID = types.StringValue(plan.UserID.ValueString() + "@" + at)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read keeps the recorded removal: there is nothing on the cluster to read.
func (r *userSessionsRemovalResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userSessionsRemovalModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
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
