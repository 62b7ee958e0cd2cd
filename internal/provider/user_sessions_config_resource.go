package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var (
	_ resource.ResourceWithImportState    = (*userSessionsConfigResource)(nil)
	_ resource.ResourceWithValidateConfig = (*userSessionsConfigResource)(nil)
	_ resource.ResourceWithConfigure      = (*userSessionsConfigResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*userSessionsConfigResource)(nil)
)

// userSessionsConfigID is the id of the singleton, and the only id import accepts.
const userSessionsConfigID = "user_sessions"

// NewUserSessionsConfigResource returns the dtcluster_user_sessions_config resource.
func NewUserSessionsConfigResource() resource.Resource {
	return &userSessionsConfigResource{}
}

type userSessionsConfigResource struct {
	clusters *fleet
}

func (r *userSessionsConfigResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_sessions_config"
	// The identity (the cluster's URL) changes only when the cluster was renamed and
	// previous_hosts says so; checkCluster guards every other change, with an error that names
	// both clusters rather than the framework's generic one.
	resp.ResourceBehavior.MutableIdentity = true
}

func (r *userSessionsConfigResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	limit := func(who, api string) schema.NumberAttribute {
		return schema.NumberAttribute{
			Required: true,
			MarkdownDescription: fmt.Sprintf("Maximum number of concurrent sessions of %s, a whole number; `0` means "+
				"no limit. Must be `0` exactly when the other limit is `0`. API field `concurrentSessionPolicyDto.%s`.", who, api),
			Validators: []validator.Number{wholeNumberBetween(0, apiclient.MaxSessionLimit)},
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
			"cluster": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: clusterDescription + " Changing it to another cluster replaces the resource: the " +
					"destroy, on the old cluster, honours `restore_on_destroy` there. Moving state from a provider alias " +
					"to an entry of `clusters` (a `moved` block) keeps it, when the entry's URL is the one recorded in " +
					"`cluster_url`.",
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Always `user_sessions`: the cluster has a single configuration.",
				Default:             stringdefault.StaticString(userSessionsConfigID),
			},
			"cluster_url": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The cluster this policy belongs to: its normalised base URL (scheme, lower-case " +
					"host, port unless the default; no path), such as `https://cmc.example.com`. A plan, apply or " +
					"destroy with the provider pointed at another cluster fails, naming both, before anything is " +
					"read or written; after a rename of the cluster's URL, the provider's `previous_hosts` moves it.",
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
					"user_inactivity_timeout": schema.NumberAttribute{
						Required: true,
						MarkdownDescription: "Inactivity, in whole seconds, after which a user is logged out (for example " +
							"`900` = 15 minutes), at least `1`. Required by the API, and kept by the cluster, even " +
							"while automatic logout is off. API field `userInactivityTimeout`.",
						Validators: []validator.Number{wholeNumberBetween(apiclient.MinUserInactivityTimeout, apiclient.MaxUserInactivityTimeout)},
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
					"before Terraform first applied (or imported) this resource. A create that fails after its change " +
					"may have reached the cluster is kept in state, tainted, with `true` here whatever is declared: " +
					"its replacement (the next apply) or a destroy first puts that configuration back, so it is never lost.",
			},
		},
	}
}

func (r *userSessionsConfigResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clusters = fleetFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig applies the API's cross-field rule at validate time: both limits 0 or both
// non-zero.
func (r *userSessionsConfigResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	policy := path.Root("concurrent_session_policy")
	var userLimit, adminLimit types.Number
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, policy.AtName("user_limit"), &userLimit)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, policy.AtName("admin_limit"), &adminLimit)...)
	if resp.Diagnostics.HasError() || !isSet(userLimit) || !isSet(adminLimit) {
		return
	}
	if u, a := userLimit.ValueBigFloat(), adminLimit.ValueBigFloat(); (u.Sign() == 0) != (a.Sign() == 0) {
		resp.Diagnostics.AddAttributeError(policy, "Invalid Concurrent Session Policy", fmt.Sprintf(
			"user_limit is %s and admin_limit is %s: the Cluster API requires both limits to be 0 (no limit) or both "+
				"to be greater than 0. Set the zero limit to a positive number, or both to 0.", u.Text('g', 20), a.Text('g', 20)))
	}
}

// ModifyPlan stops a plan against another cluster than the one state was recorded for, before
// anything is read or written (with -refresh=false no read would catch it); plans a replacement
// when cluster names another cluster (the destroy, on the old one, honours restore_on_destroy),
// and an update of state alone when it names the same cluster under another name (state moved
// from a provider alias); plans the cluster_url the apply records; and plans a create against
// the cluster (planCreate). Without the provider's clusters (host or token not known at plan)
// nothing is read.
func (r *userSessionsConfigResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.clusters == nil {
		return
	}
	var planned types.String
	if !req.Plan.Raw.IsNull() {
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("cluster"), &planned)...)
		if resp.Diagnostics.HasError() || planned.IsUnknown() {
			return
		}
	}
	var client *apiclient.Client
	if !req.Plan.Raw.IsNull() {
		if client = r.clusters.client(planned, path.Root("cluster"), &resp.Diagnostics); client == nil {
			return
		}
	}
	if !req.State.Raw.IsNull() {
		var recorded, stateCluster types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("cluster_url"), &recorded)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("cluster"), &stateCluster)...)
		if resp.Diagnostics.HasError() {
			return
		}
		owner := r.clusters.owner(stateCluster, recorded)
		var resolve diag.Diagnostics
		stateClient := r.clusters.client(owner, path.Root("cluster"), &resolve)
		if stateClient == nil {
			// A destroy that restores nothing needs no cluster (its entry may be gone with it).
			var restore types.Bool
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("restore_on_destroy"), &restore)...)
			if !req.Plan.Raw.IsNull() || restore.ValueBool() {
				resp.Diagnostics.Append(resolve...)
			}
			return
		}
		if !checkCluster(stateClient, recorded, &resp.Diagnostics) {
			return
		}
		if client != nil && !planned.Equal(owner) && !client.KnownAs(recorded.ValueString()) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("cluster"))
		} else if client != nil && !checkCluster(client, recorded, &resp.Diagnostics) {
			return
		}
	}
	if req.State.Raw.IsNull() && client != nil {
		r.planCreate(ctx, client, req, resp)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if client != nil {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("cluster_url"), client.ClusterURL())...)
	}
}

// planCreate reads the cluster's policy for a new resource, so that a refused token, a missing
// scope, an unreachable host or a host that is not the Cluster API fails the plan a reviewer
// approves, as a read would, rather than the apply. The policy read is planned as restore_policy
// (what restore_on_destroy puts back), unless the cluster already holds the declared policy:
// then it is most likely a replacement whose destroy puts the recorded policy back first, and
// restore_policy stays known after apply. Create refuses to go on when the cluster no longer
// holds the planned restore_policy.
func (r *userSessionsConfigResource) planCreate(ctx context.Context, client *apiclient.Client, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	current, err := client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read User Sessions Configuration", err)
		return
	}
	if !req.Config.Raw.IsFullyKnown() {
		return
	}
	var declared userSessionsConfigModel
	if req.Config.Get(ctx, &declared).HasError() || declared.toAPI() == *current {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("restore_policy"), restorePolicyValue(current))...)
}

// Create records the cluster's current configuration (for restore_on_destroy), puts the
// declared one and reads it back. Nothing is put when the current one cannot be recorded, and
// a PUT that fails without having changed anything records nothing. A PUT whose outcome is
// unknown is settled by a read where possible; see createOutcomeUnknown.
func (r *userSessionsConfigResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userSessionsConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.clusters.client(plan.Cluster, path.Root("cluster"), &resp.Diagnostics)
	if client == nil {
		return
	}
	prior, err := client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read User Sessions Configuration", err)
		return
	}
	if planned := plan.RestorePolicy; isSet(planned) && !planned.Equal(restorePolicyValue(prior)) {
		resp.Diagnostics.AddError("User Sessions Configuration Changed Since the Plan", fmt.Sprintf(
			"The plan recorded %s as the policy the cluster had (what restore_on_destroy puts back), but the cluster now "+
				"holds %s: it was changed after the plan. Nothing was changed or stored. Run terraform plan again and "+
				"review the policy it shows.", describePolicy(planned), describePolicy(restorePolicyValue(prior))))
		return
	}
	plan.RestorePolicy = restorePolicyValue(prior)
	plan.ID = types.StringValue(userSessionsConfigID)
	plan.ClusterURL = types.StringValue(client.ClusterURL())
	declared := plan.toAPI()
	err = client.UpdateUserSessionsConfig(ctx, declared)
	switch {
	case err == nil:
		if err := r.readBack(ctx, client, declared, &resp.Diagnostics); err != nil {
			// The PUT went through but could not be checked: Terraform must track the resource
			// (the error marks it tainted), and its replacement must put the prior policy back.
			plan.RestoreOnDestroy = types.BoolValue(true)
			resp.Diagnostics.AddError("Unable to Read User Sessions Configuration", apiErrorDetail(err)+
				"\n\nThe declared configuration was applied, but reading it back failed. "+keptForRollback)
		}
	case !apiclient.OutcomeUnknown(err):
		addAPIError(&resp.Diagnostics, "Unable to Update User Sessions Configuration", err)
		return // the cluster refused it: nothing changed, nothing is recorded
	default:
		if !r.createOutcomeUnknown(ctx, client, &plan, *prior, err, &resp.Diagnostics) {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, client, &resp.Diagnostics)
}

// keptForRollback says what happens to a create that failed after its change may have reached
// the cluster.
const keptForRollback = "So that the policy the cluster had before Terraform is not lost, the resource is kept in " +
	"state, marked tainted, with that policy as restore_policy and restore_on_destroy = true. The next terraform apply " +
	"replaces it: it first puts that policy back, then records it again and applies the declared one. terraform " +
	"destroy puts it back as well."

// createOutcomeUnknown handles a PUT of a create that failed in a way that may have changed the
// cluster (a lost answer, a timeout, Ctrl-C). A read settles it where the call can go on: the
// declared policy means the PUT was carried out (a warning, and the create succeeds); the prior
// one means nothing changed (an error, and nothing is recorded). Otherwise m is kept for state,
// tainted by the error and marked for rollback, and it reports true.
func (r *userSessionsConfigResource) createOutcomeUnknown(ctx context.Context, client *apiclient.Client, m *userSessionsConfigModel, prior apiclient.UserSessionsConfig, putErr error, diags *diag.Diagnostics) (keep bool) {
	declared := m.toAPI()
	current, readErr := (*apiclient.UserSessionsConfig)(nil), ctx.Err()
	if readErr == nil {
		current, readErr = client.GetUserSessionsConfig(ctx)
	}
	switch {
	case readErr == nil && *current == declared:
		diags.AddWarning("User Sessions Configuration Applied, Its Answer Lost",
			"The answer to the update did not arrive ("+putErr.Error()+"), but reading the configuration back "+
				"shows the cluster holds the declared one: the create succeeded.")
		return true
	case readErr == nil && *current == prior:
		diags.AddError("Unable to Update User Sessions Configuration", apiErrorDetail(putErr)+
			"\n\nReading the configuration back shows the cluster still holds its configuration from before: nothing "+
			"was changed and nothing was recorded. Run terraform apply again.")
		return false
	}
	what := "Reading the configuration back to find out failed too: " + errorText(readErr)
	if readErr == nil {
		// Neither the prior nor the declared policy: state says what the cluster said.
		m.fromAPI(current)
		what = "The cluster now holds neither its configuration from before nor the declared one."
	}
	m.RestoreOnDestroy = types.BoolValue(true)
	diags.AddError("User Sessions Configuration Update Outcome Unknown",
		"The update may or may not have reached the cluster: "+errorText(putErr)+"\n\n"+what+"\n\n"+keptForRollback)
	return true
}

// errorText is err for a person: an API error as the client renders it, a cancellation named.
func errorText(err error) string {
	if apiclient.IsCancelled(err) {
		return "the operation was cancelled (" + err.Error() + ")"
	}
	return err.Error()
}

// Read puts whatever the cluster holds into state, so changes made outside Terraform appear in
// the next plan. State recorded for another cluster is an error before any request.
func (r *userSessionsConfigResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userSessionsConfigModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// State without a cluster name, moved from a provider alias, finds its cluster by its URL.
	state.Cluster = r.clusters.owner(state.Cluster, state.ClusterURL)
	client := r.clusters.client(state.Cluster, path.Root("cluster"), &resp.Diagnostics)
	if client == nil {
		return
	}
	if !checkCluster(client, state.ClusterURL, &resp.Diagnostics) {
		return
	}
	cfg, err := client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read User Sessions Configuration", err)
		return
	}
	state.fromAPI(cfg)
	state.ClusterURL = types.StringValue(client.ClusterURL())
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, client, &resp.Diagnostics)
}

// Update puts the declared configuration and reads it back. A change of restore_on_destroy
// alone (or of cluster_url, after a rename) needs no call to the cluster.
func (r *userSessionsConfigResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userSessionsConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.clusters.client(plan.Cluster, path.Root("cluster"), &resp.Diagnostics)
	if client == nil {
		return
	}
	if !checkCluster(client, state.ClusterURL, &resp.Diagnostics) {
		return
	}
	plan.ID = types.StringValue(userSessionsConfigID)
	plan.RestorePolicy = state.RestorePolicy
	plan.ClusterURL = types.StringValue(client.ClusterURL())
	if declared := plan.toAPI(); declared != state.toAPI() {
		if err := client.UpdateUserSessionsConfig(ctx, declared); err != nil {
			addAPIError(&resp.Diagnostics, "Unable to Update User Sessions Configuration", err)
			return
		}
		// A failed read-back leaves the state as it was: the next refresh reads what the cluster holds.
		if err := r.readBack(ctx, client, declared, &resp.Diagnostics); err != nil {
			addAPIError(&resp.Diagnostics, "Unable to Read User Sessions Configuration", err)
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, client, &resp.Diagnostics)
}

// readBack reads the configuration after a PUT of declared and returns the read's error. When the cluster stores a value
// other than the one declared (it normalised it), state keeps the declared value, as Terraform
// requires of an apply, and a warning names each field, declared and stored: the next refresh
// then shows the difference as drift, with no taint and no replacement.
func (r *userSessionsConfigResource) readBack(ctx context.Context, client *apiclient.Client, declared apiclient.UserSessionsConfig, diags *diag.Diagnostics) error {
	stored, err := client.GetUserSessionsConfig(ctx)
	if err != nil {
		return err
	}
	if differences := configDifferences(declared, *stored); len(differences) > 0 {
		diags.AddWarning("Cluster Stored a Different User Sessions Configuration",
			"The cluster accepted the configuration but stores other values than declared:\n  - "+
				strings.Join(differences, "\n  - ")+"\n\nThe cluster normalises these values (for example to a maximum it "+
				"enforces). The next plan shows the difference. Declare the stored values to make it go away.")
	}
	return nil
}

// Delete leaves the cluster as it is (with a warning), or puts back the prior configuration when
// restore_on_destroy is true. Nothing is sent to another cluster than the one state belongs to.
func (r *userSessionsConfigResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userSessionsConfigModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The cluster is needed to restore; without restore_on_destroy, one that can no longer be
	// resolved (its entry removed from clusters) is no reason to keep the object.
	var client *apiclient.Client
	if r.clusters != nil {
		var resolve diag.Diagnostics
		client = r.clusters.client(r.clusters.owner(state.Cluster, state.ClusterURL), path.Root("cluster"), &resolve)
		if state.RestoreOnDestroy.ValueBool() {
			resp.Diagnostics.Append(resolve...)
		}
		if resp.Diagnostics.HasError() || (client != nil && !checkCluster(client, state.ClusterURL, &resp.Diagnostics)) {
			return
		}
	}
	if !state.RestoreOnDestroy.ValueBool() {
		resp.Diagnostics.AddWarning("User Sessions Configuration Left on the Cluster",
			"The cluster's user session configuration cannot be deleted, so it was left as it is and is no longer "+
				"managed by Terraform. Set restore_on_destroy = true to put back, on destroy, the configuration the "+
				"cluster had before Terraform managed it.")
		return
	}
	prior, diags := restorePolicyFromState(ctx, state.RestorePolicy)
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
	if client == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	if err := client.UpdateUserSessionsConfig(ctx, *prior); err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Restore User Sessions Configuration", err)
	}
}

// ImportState accepts the singleton's id (user_sessions, for the default cluster;
// user_sessions@<name> for a cluster of the provider's clusters) or, on Terraform 1.12 and later,
// an identity naming a configured cluster by its URL, and records the cluster's configuration at
// import as the one restore_on_destroy puts back.
func (r *userSessionsConfigResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clusters == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var name types.String
	switch id, cluster, named := strings.Cut(req.ID, "@"); {
	case req.ID == "" && req.Identity != nil:
		// The identity names the cluster by its URL: the default cluster, or an entry of clusters.
		var identity userSessionsConfigIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		if url, err := apiclient.ClusterURLOf(identity.ClusterURL.ValueString()); err == nil {
			name = r.clusters.owner(types.StringNull(), types.StringValue(url))
			if name.IsNull() && r.clusters.defaultClient == nil {
				resp.Diagnostics.AddAttributeError(path.Root("cluster_url"), "Import Identity Names Another Cluster", fmt.Sprintf(
					"The import identity names the cluster %s, which is none of the provider's clusters (%s). Add it to "+
						"clusters in the provider block, or import through a provider configuration for it.", url,
					strings.TrimPrefix(r.clusters.knownNames(), "the provider's clusters are ")))
			}
		}
	case id == userSessionsConfigID && named && cluster != "":
		name = types.StringValue(cluster)
	case req.ID != userSessionsConfigID:
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf(
			"The import id %q is not valid: a cluster has a single user sessions configuration, imported with the id %q "+
				"(terraform import dtcluster_user_sessions_config.<name> %s, or an import block with id = %q), %q for "+
				"the cluster named prod in the provider's clusters, or on Terraform 1.12 and later with an import block "+
				"with identity = { cluster_url = \"<the cluster's URL>\" }.",
			req.ID, userSessionsConfigID, userSessionsConfigID, userSessionsConfigID, userSessionsConfigID+"@prod"))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.clusters.client(name, path.Root("cluster"), &resp.Diagnostics)
	if client == nil {
		return
	}
	if req.ID == "" && req.Identity != nil {
		checkImportIdentity(ctx, req.Identity, client, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	current, err := client.GetUserSessionsConfig(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read User Sessions Configuration", err)
		return
	}
	state := adoptedState(current, client)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, client, &resp.Diagnostics)
}
