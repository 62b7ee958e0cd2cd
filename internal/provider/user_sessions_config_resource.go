package provider

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var (
	_ resource.ResourceWithImportState    = (*userSessionsConfigResource)(nil)
	_ resource.ResourceWithValidateConfig = (*userSessionsConfigResource)(nil)
	_ resource.ResourceWithConfigure      = (*userSessionsConfigResource)(nil)
)

// userSessionsConfigID is the id of the singleton, and the only id import accepts.
const userSessionsConfigID = "user_sessions"

// legacyPriorConfigKey is the private state key where earlier versions kept the policy from
// before Terraform; private state is dropped for tainted objects, so it now lives in the
// restore_policy attribute, and this key is only read for objects created by those versions.
const legacyPriorConfigKey = "prior_config"

// NewUserSessionsConfigResource returns the dtcluster_user_sessions_config resource.
func NewUserSessionsConfigResource() resource.Resource {
	return &userSessionsConfigResource{}
}

type userSessionsConfigResource struct {
	client *apiclient.Client
}

type userSessionsConfigModel struct {
	ID                      types.String                  `tfsdk:"id"`
	ConcurrentSessionPolicy *concurrentSessionPolicyModel `tfsdk:"concurrent_session_policy"`
	AutomaticLogout         *automaticLogoutModel         `tfsdk:"automatic_logout"`
	RestoreOnDestroy        types.Bool                    `tfsdk:"restore_on_destroy"`
	RestorePolicy           types.Object                  `tfsdk:"restore_policy"`
}

type concurrentSessionPolicyModel struct {
	UserLimit  types.Int64 `tfsdk:"user_limit"`
	AdminLimit types.Int64 `tfsdk:"admin_limit"`
}

type automaticLogoutModel struct {
	LogoutInactiveUsersEnabled types.Bool  `tfsdk:"logout_inactive_users_enabled"`
	UserInactivityTimeout      types.Int64 `tfsdk:"user_inactivity_timeout"`
}

func (r *userSessionsConfigResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_sessions_config"
}

func (r *userSessionsConfigResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	limit := func(who, api string) schema.Int64Attribute {
		return schema.Int64Attribute{
			Required: true,
			MarkdownDescription: fmt.Sprintf("Maximum number of concurrent sessions of %s; `0` means no limit. "+
				"Must be `0` exactly when the other limit is `0`. API field `concurrentSessionPolicyDto.%s`.", who, api),
			Validators: []validator.Int64{int64validator.Between(0, math.MaxInt32)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The user session policy of the cluster (Cluster API v2 " +
			"`/clusterConfig/userSessions`): concurrent session limits and automatic logout of inactive users. " +
			"The cluster has exactly one such configuration, so declare this resource once per cluster. " +
			"Changes made outside Terraform (for example in the Cluster Management Console) show up in the next " +
			"plan as an in-place update.\n\n" +
			"The cluster cannot delete this setting: by default, destroying the resource leaves the cluster as " +
			"it is (with a warning). With `restore_on_destroy = true`, destroy puts back the configuration the " +
			"cluster had before Terraform first applied or imported it.\n\n" +
			"Import with the id `user_sessions`, or (Terraform 1.12 and later) by identity: the cluster's URL. " +
			"`terraform query` (Terraform 1.14 and later) finds it through the list resource of the same name.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Always `user_sessions`: the cluster has a single configuration.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"concurrent_session_policy": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "Limits on concurrent sessions per user (API `concurrentSessionPolicyDto`). " +
					"Both limits are `0` (no limit) or both are greater than `0`.",
				Attributes: map[string]schema.Attribute{
					"user_limit":  limit("a regular user", "userLimit"),
					"admin_limit": limit("an admin user", "adminLimit"),
				},
			},
			"automatic_logout": schema.SingleNestedAttribute{
				Required:            true,
				MarkdownDescription: "Automatic logout of inactive users (API `automaticLogoutDto`).",
				Attributes: map[string]schema.Attribute{
					"logout_inactive_users_enabled": schema.BoolAttribute{
						Required: true,
						MarkdownDescription: "Whether users inactive for `user_inactivity_timeout` seconds are logged " +
							"out. A new cluster has it off. API field `logoutInactiveUsersEnabled`.",
					},
					"user_inactivity_timeout": schema.Int64Attribute{
						Required: true,
						MarkdownDescription: "Inactivity, in seconds, after which a user is logged out (for example " +
							"`900` = 15 minutes), at least `1`. Required by the API, and kept by the cluster, even " +
							"while automatic logout is off. API field `userInactivityTimeout`.",
						Validators: []validator.Int64{int64validator.Between(1, math.MaxInt32)},
					},
				},
			},
			"restore_policy": schema.SingleNestedAttribute{
				Computed: true,
				MarkdownDescription: "The policy the cluster had before Terraform first applied (or imported) this " +
					"resource, as the cluster reported it: what `restore_on_destroy = true` puts back. Kept in state " +
					"(not in private state, which Terraform drops for a tainted object), so it survives a taint and " +
					"a replacement. Null when the cluster's answer could not be recorded.",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"user_limit":                    schema.Int64Attribute{Computed: true, MarkdownDescription: "`concurrentSessionPolicyDto.userLimit` before Terraform."},
					"admin_limit":                   schema.Int64Attribute{Computed: true, MarkdownDescription: "`concurrentSessionPolicyDto.adminLimit` before Terraform."},
					"logout_inactive_users_enabled": schema.BoolAttribute{Computed: true, MarkdownDescription: "`automaticLogoutDto.logoutInactiveUsersEnabled` before Terraform."},
					"user_inactivity_timeout":       schema.Int64Attribute{Computed: true, MarkdownDescription: "`automaticLogoutDto.userInactivityTimeout` before Terraform."},
				},
			},
			"restore_on_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "What destroy does. `false` (default): the cluster keeps its configuration " +
					"(the setting cannot be deleted). `true`: destroy puts back the configuration the cluster had " +
					"before Terraform first applied (or imported) this resource.",
			},
		},
	}
}

func (r *userSessionsConfigResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig applies the API's cross-field rule at validate time: both limits 0 or both
// non-zero.
func (r *userSessionsConfigResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	policy := path.Root("concurrent_session_policy")
	var userLimit, adminLimit types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, policy.AtName("user_limit"), &userLimit)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, policy.AtName("admin_limit"), &adminLimit)...)
	if resp.Diagnostics.HasError() || !isSet(userLimit) || !isSet(adminLimit) {
		return
	}
	if (userLimit.ValueInt64() == 0) != (adminLimit.ValueInt64() == 0) {
		resp.Diagnostics.AddAttributeError(policy, "Invalid Concurrent Session Policy", fmt.Sprintf(
			"user_limit is %d and admin_limit is %d: the Cluster API requires both limits to be 0 (no limit) or both "+
				"to be greater than 0. Set the zero limit to a positive number, or both to 0.",
			userLimit.ValueInt64(), adminLimit.ValueInt64()))
	}
}

// Create records the cluster's current configuration (for restore_on_destroy), puts the
// declared one and reads it back. Nothing is put when the current one cannot be recorded.
func (r *userSessionsConfigResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userSessionsConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.client == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	prior, err := r.client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read User Sessions Configuration", err)
		return
	}
	plan.RestorePolicy = restorePolicyValue(prior)
	plan.ID = types.StringValue(userSessionsConfigID)
	if r.apply(ctx, &plan, &resp.Diagnostics) {
		// Once the PUT went through, Terraform must track the resource, even when reading it back
		// failed (the error then marks it tainted; its restore_policy survives that).
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		setIdentity(ctx, resp.Identity, r.client, &resp.Diagnostics)
	}
}

// Read puts whatever the cluster holds into state, so changes made outside Terraform appear in
// the next plan.
func (r *userSessionsConfigResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userSessionsConfigModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.client == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	r.readInto(ctx, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, r.client, &resp.Diagnostics)
}

// Update puts the declared configuration and reads it back. A change of restore_on_destroy
// alone needs no call to the cluster.
func (r *userSessionsConfigResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userSessionsConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = state.ID
	plan.RestorePolicy = state.RestorePolicy
	if plan.toAPI() != state.toAPI() {
		if r.client == nil {
			notConfigured(&resp.Diagnostics)
			return
		}
		if !r.apply(ctx, &plan, &resp.Diagnostics) {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, r.client, &resp.Diagnostics)
}

// apply puts the declared configuration of m and reads it back. When the cluster stores a value
// other than the one declared (it normalised it), m keeps the declared value, as Terraform
// requires of an apply, and a warning names each field, declared and stored: the next refresh
// then shows the difference as drift, with no taint and no replacement. It reports whether the
// PUT was accepted.
func (r *userSessionsConfigResource) apply(ctx context.Context, m *userSessionsConfigModel, diags *diag.Diagnostics) (put bool) {
	declared := m.toAPI()
	if err := r.client.UpdateUserSessionsConfig(ctx, declared); err != nil {
		addAPIError(diags, "Unable to Update User Sessions Configuration", err)
		return false
	}
	stored, err := r.client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(diags, "Unable to Read User Sessions Configuration", err)
		return true
	}
	if differences := configDifferences(declared, *stored); len(differences) > 0 {
		diags.AddWarning("Cluster Stored a Different User Sessions Configuration",
			"The cluster accepted the configuration but stores other values than declared:\n  - "+
				strings.Join(differences, "\n  - ")+"\n\nThe cluster normalises these values (for example to a maximum it "+
				"enforces). The next plan shows the difference. Declare the stored values to make it go away.")
	}
	return true
}

// Delete leaves the cluster as it is (with a warning), or puts back the prior configuration when
// restore_on_destroy is true.
func (r *userSessionsConfigResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userSessionsConfigModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !state.RestoreOnDestroy.ValueBool() {
		resp.Diagnostics.AddWarning("User Sessions Configuration Left on the Cluster",
			"The cluster's user session configuration cannot be deleted, so it was left as it is and is no longer "+
				"managed by Terraform. Set restore_on_destroy = true to put back, on destroy, the configuration the "+
				"cluster had before Terraform managed it.")
		return
	}
	prior, diags := restorePolicyFromState(ctx, state.RestorePolicy, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if prior == nil {
		resp.Diagnostics.AddWarning("No Prior User Sessions Configuration Recorded",
			"restore_on_destroy is true, but no configuration from before Terraform managed the cluster was "+
				"recorded. The cluster was left as it is.")
		return
	}
	if r.client == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	if err := r.client.UpdateUserSessionsConfig(ctx, *prior); err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Restore User Sessions Configuration", err)
	}
}

// ImportState accepts the singleton's id (user_sessions) or, on Terraform 1.12 and later, an
// identity naming the configured cluster, and records the cluster's configuration at import as
// the one restore_on_destroy puts back.
func (r *userSessionsConfigResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.client == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	switch {
	case req.ID == "" && req.Identity != nil:
		checkImportIdentity(ctx, req.Identity, r.client, &resp.Diagnostics)
	case req.ID != userSessionsConfigID:
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf(
			"The import id %q is not valid: the cluster has a single user sessions configuration, imported with the id %q "+
				"(terraform import dtcluster_user_sessions_config.<name> %s, or an import block with id = %q), or on "+
				"Terraform 1.12 and later with an import block with identity = { cluster_url = %q }.",
			req.ID, userSessionsConfigID, userSessionsConfigID, userSessionsConfigID, r.client.ClusterURL()))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	current, err := r.client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read User Sessions Configuration", err)
		return
	}
	state := adoptedState(current)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, r.client, &resp.Diagnostics)
}

// readInto reads the cluster's configuration into m. restore_policy is kept as it is.
func (r *userSessionsConfigResource) readInto(ctx context.Context, m *userSessionsConfigModel, diags *diag.Diagnostics) {
	cfg, err := r.client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(diags, "Unable to Read User Sessions Configuration", err)
		return
	}
	m.fromAPI(cfg)
}
