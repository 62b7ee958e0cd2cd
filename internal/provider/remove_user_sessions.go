package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// maxRemovalsInFlight bounds the DELETE requests a removal of many users sends at once: enough
// to end a thousand users' sessions in seconds, few enough not to load the cluster.
const maxRemovalsInFlight = 4

// selectionModel is how the action and the removal resource choose whose sessions end: exactly
// one of one user, a set of users, the users with a session matching the filters, or every user;
// except_user_ids are never touched.
type selectionModel struct {
	UserID        types.String `tfsdk:"user_id"`
	UserIDs       types.Set    `tfsdk:"user_ids"`
	LoginType     types.String `tfsdk:"login_type"`
	NodeID        types.Number `tfsdk:"node_id"`
	TenantUUID    types.String `tfsdk:"tenant_uuid"`
	AllUsers      types.Bool   `tfsdk:"all_users"`
	ExceptUserIDs types.Set    `tfsdk:"except_user_ids"`
}

// selection is a validated selectionModel.
type selection struct {
	users  []string // user_id or user_ids
	filter sessionsQuery
	all    bool
	except []string
}

// validate reports, naming the attribute, a selection that is not exactly one way of selecting
// someone. Values not known yet are not judged.
func (m selectionModel) validate(ctx context.Context, diags *diag.Diagnostics) {
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
		ways, attrs = append(ways, "the filters (login_type, node_id, tenant_uuid)"), append(attrs, filter)
	}
	switch {
	case m.AllUsers.IsUnknown(), m.AllUsers.ValueBool():
		ways, attrs = append(ways, "all_users"), append(attrs, "all_users")
	case !m.AllUsers.IsNull() && len(ways) == 0:
		diags.AddAttributeError(path.Root("all_users"), "Invalid Selection",
			"all_users = false selects nobody. Set all_users = true to end every user's sessions, or select with "+
				"user_id, user_ids or the filters login_type, node_id and tenant_uuid.")
		return
	}
	switch len(ways) {
	case 0:
		diags.AddError("No Users Selected", "Select whose sessions end, in exactly one way: user_id (one user), user_ids "+
			"(a set), login_type, node_id and tenant_uuid (every user with a matching session), or all_users = true "+
			"(every user). except_user_ids names users never touched.")
		return
	case 1:
	default:
		diags.AddAttributeError(path.Root(attrs[1]), "Invalid Selection", fmt.Sprintf(
			"%s and %s both select users: select in exactly one way.", ways[0], ways[1]))
		return
	}
	listed := m.listedUsers(ctx)
	excepted := stringsOf(ctx, m.ExceptUserIDs)
	for _, u := range excepted {
		if slices.Contains(listed, u) {
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

// selection is the validated, known selection of m.
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
	return s
}

// removeSelected ends the sessions of the users sel selects: it lists once (only that user's
// sessions for a single user), works out the users and how many sessions each has, and sends one
// DELETE per user, at most maxRemovalsInFlight at once. A listed user (user_id, user_ids) is
// sent a DELETE even with no session listed: a login between the two calls must not survive an
// offboarding. It returns how many sessions it ended per user; a user it could not end is an
// error naming every such user, after the others were ended. progress receives what is being
// done, one message at a time.
func removeSelected(ctx context.Context, client *apiclient.Client, sel selection, progress func(string)) (map[string]int, diag.Diagnostics) {
	var diags diag.Diagnostics
	byQuery := sel.all || sel.filter.loginType != nil || sel.filter.nodeID != nil || sel.filter.tenantUUID != nil
	if len(sel.users) == 0 && !byQuery {
		// Validation refuses a selection of nobody; one arriving empty must never fall through to
		// "every user" (an empty filter matches every session).
		diags.AddError("No Users Selected", "The selection reached the provider empty, so nothing was ended. "+
			"This is a bug in the provider; please report it.")
		return nil, diags
	}
	single := "" // one listed user: except_user_ids cannot name it (validation), so they do not matter
	if len(sel.users) == 1 {
		single = sel.users[0]
		progress(fmt.Sprintf("Listing the sessions of user %q", single))
	} else {
		progress("Listing the sessions of every user")
	}
	sessions, others, err := client.ListUserSessions(ctx, single)
	if err != nil {
		addAPIError(&diags, "Unable to List User Sessions", err)
		return nil, diags
	}
	warnOtherUsers(&diags, single, others)
	counts := map[string]int{}
	for _, s := range sessions {
		counts[s.UserID]++
	}
	users := sel.users
	if len(users) == 0 { // the filters, or every user: those with a matching session, in user order
		users, _ = sessionsPerUser(sel.filter.selectSessions(sessions))
	}
	users = slices.DeleteFunc(slices.Clone(users), func(u string) bool { return slices.Contains(sel.except, u) })
	if single == "" {
		total := 0
		for _, u := range users {
			total += counts[u]
		}
		progress(fmt.Sprintf("Ending %s of %s, %d at a time (a DELETE ends every session of a user, of every login type)",
			sessionCount(total), userCount(len(users)), maxRemovalsInFlight))
	} else if counts[single] > 0 {
		progress(fmt.Sprintf("Ending %s of user %q", sessionCount(counts[single]), single))
	}

	var mu sync.Mutex
	ended := map[string]int{}
	var failed []string
	var lastErr error
	report := func(user string, n int, msg string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failed, lastErr = append(failed, fmt.Sprintf("%s: %s", user, apiErrorLine(err))), err
			progress(fmt.Sprintf("Could not end the sessions of user %q: %s", user, apiErrorLine(err)))
			return
		}
		ended[user] = n
		progress(msg)
	}
	slots := make(chan struct{}, maxRemovalsInFlight)
	var wg sync.WaitGroup
	for _, user := range users {
		if ctx.Err() != nil {
			report(user, 0, "", ctx.Err())
			continue
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			n, msg, err := removeUser(ctx, client, user, counts[user])
			report(user, n, msg, err)
		}()
	}
	wg.Wait()
	if single == "" {
		total := 0
		for _, n := range ended {
			total += n
		}
		progress(fmt.Sprintf("Ended %s of %s", sessionCount(total), userCount(len(ended))))
	}
	switch {
	case len(failed) > 0 && single != "":
		addAPIError(&diags, "Unable to Remove User Sessions", lastErr)
	case len(failed) > 0:
		slices.Sort(failed)
		diags.AddError(fmt.Sprintf("Unable to End the Sessions of %s", userCount(len(failed))), fmt.Sprintf(
			"The sessions of these users were not ended; those of the other %s were (running again retries what is "+
				"left: a user without sessions is a success):\n  - %s", userCount(len(ended)), strings.Join(failed, "\n  - ")))
	}
	return ended, diags
}

// removeUser sends the DELETE of one user who had listed sessions, and says what it ended. A
// 404 after an attempt whose answer was lost counts the listed sessions: that attempt ended them.
func removeUser(ctx context.Context, client *apiclient.Client, user string, listed int) (int, string, error) {
	removal, err := client.RemoveUserSessions(ctx, user)
	switch {
	case err != nil:
		return 0, "", err
	case removal.NoneFound:
		return 0, fmt.Sprintf("User %q has no sessions: nothing to end", user), nil
	case removal.AfterLostAnswer:
		return listed, fmt.Sprintf("Ended %s of user %q (the cluster's first answer was lost; a retry found none left)",
			sessionCount(listed), user), nil
	case listed == 0:
		return 0, fmt.Sprintf("Ended the sessions of user %q (a login came after the listing, which had none)", user), nil
	}
	return listed, fmt.Sprintf("Ended %s of user %q", sessionCount(listed), user), nil
}

// apiErrorLine is err on one line, as the client renders it.
func apiErrorLine(err error) string {
	if apiclient.IsCancelled(err) {
		return "cancelled"
	}
	return err.Error()
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
	"user_id": "One user whose sessions end (API query parameter `userId`). Must not be empty. One of the ways of " +
		"selecting: `user_id`, `user_ids`, the filters, `all_users`.",
	"user_ids": "The users whose sessions end, each with one `DELETE` (at most 4 at a time), after one listing of " +
		"every session. Each is sent its `DELETE` even without a listed session, so a login after the listing is " +
		"ended too. Must not be empty.",
	"login_type": "Select every user who has a session with this login type (" + loginTypesMarkdown() +
		"; another value gives a warning). The API ends **all** sessions of a selected user: a user " +
		"selected by `login_type = \"LDAP\"` also loses any `LOCAL` session. Combinable with `node_id` and `tenant_uuid`.",
	"node_id": "Select every user who has a session on this cluster node (a whole number from 0 to 2147483647). " +
		"All sessions of a selected user end, on every node.",
	"tenant_uuid": "Select every user who has a session in this environment (the cluster's UUID for the Cluster " +
		"Management Console). All sessions of a selected user end, in every environment.",
	"all_users": "`true` selects every user who has a session. Never implied: leaving everything out is an error, " +
		"and `false` alone selects nobody (an error too).",
	"except_user_ids": "Users whose sessions are never ended, whatever the selection (the break-glass admins " +
		"during an incident). A user both selected by `user_id` or `user_ids` and excepted is an error.",
}
