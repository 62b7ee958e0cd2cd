package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// selectionModel is how the action and the removal resource choose whose sessions end: exactly
// one of one user, a set of users, the users with a session matching the filters, or every user;
// except_user_ids are never touched.
type selectionModel struct {
	Cluster            types.String `tfsdk:"cluster"`
	UserID             types.String `tfsdk:"user_id"`
	UserIDs            types.Set    `tfsdk:"user_ids"`
	LoginType          types.String `tfsdk:"login_type"`
	NodeID             types.Number `tfsdk:"node_id"`
	TenantUUID         types.String `tfsdk:"tenant_uuid"`
	CreatedBefore      types.String `tfsdk:"created_before"`
	LastAccessedBefore types.String `tfsdk:"last_accessed_before"`
	AllUsers           types.Bool   `tfsdk:"all_users"`
	ExceptUserIDs      types.Set    `tfsdk:"except_user_ids"`
}

// selection is a checked selectionModel, its user ids as configured.
type selection struct {
	users  []string // user_id or user_ids
	filter sessionsQuery
	all    bool
	except []string
}

// nodeIDRule is node_id's rule: a node id of the API's model (an int32, not negative).
var nodeIDRule = wholeNumberBetween(0, apiclient.MaxNodeID)

// check is the one check of a selection: every value's own rule (user ids, login_type, node_id,
// tenant_uuid) and the rules across values (exactly one way of selecting, nobody both selected and
// excepted), each error naming its attribute. Values not known yet are not judged. The selection's
// attributes have no validators of their own: Terraform validates an action's configuration only
// while variables are still unknown, so ValidateConfig, the action's plan and its invoke, and the
// removal resource's plan and create all call check, and a value from a variable file meets the
// same rules and messages as a literal one, before any request.
func (m selectionModel) check(ctx context.Context, diags *diag.Diagnostics) {
	before := diags.ErrorsCount()
	if isSet(m.UserID) {
		checkUserID(diags, path.Root("user_id"), m.UserID.ValueString())
	}
	for name, set := range map[string]types.Set{"user_ids": m.UserIDs, "except_user_ids": m.ExceptUserIDs} {
		for _, id := range stringsOf(ctx, set) {
			checkUserID(diags, path.Root(name).AtSetValue(types.StringValue(id)), id)
		}
	}
	checkLoginType(diags, path.Root("login_type"), m.LoginType)
	nodeIDRule.check(diags, path.Root("node_id"), m.NodeID)
	checkTime(diags, path.Root("created_before"), m.CreatedBefore)
	checkTime(diags, path.Root("last_accessed_before"), m.LastAccessedBefore)
	if isSet(m.TenantUUID) && strings.TrimSpace(m.TenantUUID.ValueString()) == "" {
		diags.AddAttributeError(path.Root("tenant_uuid"), "Invalid Attribute Value",
			"tenant_uuid must not be empty: give the UUID of an environment (or of the cluster, for the Cluster "+
				"Management Console), or leave tenant_uuid out.")
	}
	if diags.ErrorsCount() > before {
		return // the values first: a selection of bad values is not judged as a whole
	}
	m.checkWays(ctx, diags)
}

// checkWays reports, naming the attribute, a selection that is not exactly one way of selecting
// someone, or that both selects and excepts a user.
func (m selectionModel) checkWays(ctx context.Context, diags *diag.Diagnostics) {
	if m.UserID.IsUnknown() || m.UserIDs.IsUnknown() || m.LoginType.IsUnknown() || m.NodeID.IsUnknown() ||
		m.TenantUUID.IsUnknown() || m.CreatedBefore.IsUnknown() || m.LastAccessedBefore.IsUnknown() || m.AllUsers.IsUnknown() {
		return // a variable not known yet (terraform validate) may be null: plan and invoke judge the ways
	}
	// ways describes each way used; attrs holds the attribute a diagnostic about it names.
	ways, attrs := []string{}, []string{}
	if !m.UserID.IsNull() {
		ways, attrs = append(ways, "user_id"), append(attrs, "user_id")
	}
	if !m.UserIDs.IsNull() {
		ways, attrs = append(ways, "user_ids"), append(attrs, "user_ids")
		if !m.UserIDs.IsUnknown() && len(m.UserIDs.Elements()) == 0 {
			diags.AddAttributeError(path.Root("user_ids"), "Invalid Selection",
				"user_ids is empty: it selects nobody. List the users whose sessions end, or leave user_ids out.")
		}
	}
	if filter := firstFilter(m); filter != "" {
		ways, attrs = append(ways, "the filters (login_type, node_id, tenant_uuid, created_before, last_accessed_before)"), append(attrs, filter)
	}
	switch {
	case m.AllUsers.ValueBool():
		ways, attrs = append(ways, "all_users"), append(attrs, "all_users")
	case !m.AllUsers.IsNull() && len(ways) == 0:
		diags.AddAttributeError(path.Root("all_users"), "Invalid Selection",
			"all_users = false selects nobody. Set all_users = true to end every user's sessions, or select with "+
				"user_id, user_ids or the filters login_type, node_id, tenant_uuid, created_before and last_accessed_before.")
		return
	}
	switch len(ways) {
	case 0:
		diags.AddError("No Users Selected", "Select whose sessions end, in exactly one way: user_id (one user), user_ids "+
			"(a set), login_type, node_id, tenant_uuid, created_before and last_accessed_before (every user with a "+
			"matching session), or all_users = true "+
			"(every user). except_user_ids names users never touched.")
		return
	case 1:
	default:
		diags.AddAttributeError(path.Root(attrs[1]), "Invalid Selection", fmt.Sprintf(
			"%s and %s both select users: select in exactly one way.", ways[0], ways[1]))
		return
	}
	listed := map[string]bool{}
	for _, u := range m.listedUsers(ctx) {
		listed[apiclient.UserKey(u)] = true
	}
	for _, u := range stringsOf(ctx, m.ExceptUserIDs) {
		if listed[apiclient.UserKey(u)] {
			diags.AddAttributeError(path.Root("except_user_ids"), "Invalid Selection", fmt.Sprintf(
				"%q is both selected and in except_user_ids: a user is ended or spared, not both.", u))
		}
	}
}

// firstFilter names the first filter m sets, in schema order, or is "".
func firstFilter(m selectionModel) string {
	switch {
	case !m.LoginType.IsNull():
		return "login_type"
	case !m.NodeID.IsNull():
		return "node_id"
	case !m.TenantUUID.IsNull():
		return "tenant_uuid"
	case !m.CreatedBefore.IsNull():
		return "created_before"
	case !m.LastAccessedBefore.IsNull():
		return "last_accessed_before"
	}
	return ""
}

// listedUsers is user_id or user_ids, when known (nil otherwise).
func (m selectionModel) listedUsers(ctx context.Context) []string {
	if isSet(m.UserID) {
		return []string{m.UserID.ValueString()}
	}
	return stringsOf(ctx, m.UserIDs)
}

// stringsOf is a known set of strings, sorted; nil when it is null or not known.
func stringsOf(ctx context.Context, set types.Set) []string {
	if !isSet(set) {
		return nil
	}
	var out []string
	if set.ElementsAs(ctx, &out, false).HasError() {
		return nil
	}
	slices.Sort(out)
	return out
}

// selection is the checked, known selection of m.
func (m selectionModel) selection(ctx context.Context) selection {
	var s selection
	s.users = m.listedUsers(ctx)
	s.except = stringsOf(ctx, m.ExceptUserIDs)
	s.all = m.AllUsers.ValueBool()
	if isSet(m.LoginType) {
		s.filter.loginType = m.LoginType.ValueStringPointer()
	}
	if isSet(m.TenantUUID) {
		s.filter.tenantUUID = m.TenantUUID.ValueStringPointer()
	}
	if isSet(m.NodeID) {
		n := wholeNumber(m.NodeID)
		s.filter.nodeID = &n
	}
	// Checked: a time that does not parse never gets here.
	s.filter.createdBefore, _ = newTimeBound(m.CreatedBefore.ValueStringPointer())
	s.filter.lastAccessedBefore, _ = newTimeBound(m.LastAccessedBefore.ValueStringPointer())
	return s
}

// sessionCount says "1 session" or "N sessions".
func sessionCount(n int) string {
	if n == 1 {
		return "1 session"
	}
	return fmt.Sprintf("%d sessions", n)
}

// userCount says "1 user" or "N users".
func userCount(n int) string {
	if n == 1 {
		return "1 user"
	}
	return fmt.Sprintf("%d users", n)
}

// selectionDescriptions describe the selection's attributes, in the action's and the removal
// resource's schemas alike.
var selectionDescriptions = map[string]string{
	"user_id": "One user whose sessions end (API query parameter `userId`). Must not be empty, nor start or end with " +
		"white space. Compared in Unicode NFC, so it names the cluster's user whether the cluster holds the id " +
		"composed or decomposed; the `DELETE` sends the id as the cluster listed it. One of the ways of selecting: " +
		"`user_id`, `user_ids`, the filters, `all_users`.",
	"user_ids": "The users whose sessions end, each with one `DELETE` (at most 4 at a time), after one listing of " +
		"every session. Each is sent its `DELETE` even without a listed session, so a login after the listing is " +
		"ended too. Must not be empty; each id as in `user_id`.",
	"login_type": "Select every user who has a session with exactly this login type (" + loginTypesMarkdown() +
		"; another value gives a warning). The API ends **all** sessions of a selected user: a user " +
		"selected by `login_type = \"LDAP\"` also loses any `LOCAL` session. Combinable with `node_id` and " +
		"`tenant_uuid`; filters that match none of the cluster's sessions give a warning.",
	"node_id": "Select every user who has a session on this cluster node (a whole number from 0 to 2147483647). " +
		"All sessions of a selected user end, on every node.",
	"tenant_uuid": "Select every user who has a session in this environment (the cluster's UUID for the Cluster " +
		"Management Console), in any letter case. Must not be empty. All sessions of a selected user end, in every " +
		"environment.",
	"created_before": "Select every user who has a session created strictly before this time, an RFC 3339 time with " +
		"a time zone such as `\"2026-12-05T14:05:00Z\"` (when a password was rotated, say). The API ends **all** " +
		"sessions of a selected user, also those created after it. Combinable with the other filters.",
	"last_accessed_before": "Select every user who has a session last used strictly before this time (RFC 3339 with a " +
		"time zone): idle sessions. A session the cluster reports without `lastAccessedTimestamp` (optional in the " +
		"API) counts as last used when it was created. The API ends **all** sessions of a selected user, also its " +
		"active ones. Combinable with the other filters.",
	"all_users": "`true` selects every user who has a session. Never implied: leaving everything out is an error, " +
		"and `false` alone selects nobody (an error too).",
	"except_user_ids": "Users whose sessions are never ended, whatever the selection (the break-glass admins " +
		"during an incident), compared in Unicode NFC. A user both selected by `user_id` or `user_ids` and excepted " +
		"is an error; an entry that names no user with a session on the cluster is a warning naming it (a typo of " +
		"the admin's id spares nobody).",
}
