package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/servertext"
)

// The removal engine of the action and the removal resource: from a checked selection to the
// DELETEs, and a report of who was ended.

// maxRemovalsInFlight bounds the DELETE requests a removal of many users sends at once: enough
// to end a thousand users' sessions in seconds, few enough not to load the cluster.
const maxRemovalsInFlight = 4

// earlyStopAfter is how many users in a row may fail with the same transient answer (a 503, a
// 556, a refused connection: apiclient.Transient) before a removal stops sending DELETEs. Each of
// them already had the client's whole retry budget, so the same answer three times over is the
// cluster failing for everyone (an upgrade starting, a gateway down), not one user's problem;
// going on would spend that budget again for every user left (hours for a thousand users) to
// the same end. DESIGN.md says more.
const earlyStopAfter = 3

// maxNamesShown bounds each list of users an error shows; the progress lines name every user.
const maxNamesShown = 20

// target is one selected user: the id under which it is compared (apiclient.UserKey), the ids to
// send a DELETE for (as the cluster listed them; the configured id when none was listed), and how
// many sessions the listing showed.
type target struct {
	key      string
	ids      []string
	sessions int
}

// shown is a user id (from the configuration or a cluster) as a person reads it: one quoted line.
func shown(id string) string { return servertext.Name(id) }

// removeSelected ends the sessions of the users sel selects: it lists once, works out the users
// and how many sessions each has, and sends one DELETE per user (per form of the user's id), at
// most maxRemovalsInFlight at once. A listed user (user_id, user_ids) is sent a DELETE even with
// no session listed: a login between the two calls must not survive an offboarding. Ids are
// compared in NFC (apiclient.UserKey) and sent as the cluster listed them. It returns how many
// sessions it ended per user (by NFC id); a user it could not end is an error naming every user
// ended, failed, possibly ended and not tried. progress receives what is being done, one message
// at a time.
func removeSelected(ctx context.Context, client *apiclient.Client, sel selection, progress func(string)) (map[string]int, diag.Diagnostics) {
	var diags diag.Diagnostics
	if len(sel.users) == 0 && !sel.all && !sel.filter.filters() {
		// The check refuses a selection of nobody; one arriving empty must never fall through to
		// "every user" (an empty filter matches every session).
		diags.AddError("No Users Selected", "The selection reached the provider empty, so nothing was ended. "+
			"This is a bug in the provider; please report it.")
		return nil, diags
	}
	// One user whose id has one Unicode form is listed alone; anyone else from the whole list,
	// where an id the cluster holds in another normal form is found too.
	single := ""
	switch {
	case len(sel.users) == 1 && apiclient.NormalizationInvariant(sel.users[0]):
		single = sel.users[0]
		progress("Listing the sessions of user " + shown(single))
	case len(sel.users) == 1:
		progress("Listing every session, to find user " + shown(sel.users[0]) + " in any Unicode normal form")
	default:
		progress("Listing the sessions of every user")
	}
	sessions, others, err := client.ListUserSessions(ctx, single)
	if err != nil {
		addAPIError(&diags, "Unable to List User Sessions", err)
		return nil, diags
	}
	warnOtherUsers(&diags, single, others)
	targets := planRemoval(sel, sessions, single == "", &diags, progress)
	if len(sel.users) != 1 {
		total := 0
		for _, t := range targets {
			total += t.sessions
		}
		progress(fmt.Sprintf("Ending %s of %s, %d at a time (a DELETE ends every session of a user, of every login type)",
			sessionCount(total), userCount(len(targets)), maxRemovalsInFlight))
	} else if len(targets) == 1 && targets[0].sessions > 0 {
		progress(fmt.Sprintf("Ending %s of user %s", sessionCount(targets[0].sessions), shown(targets[0].ids[0])))
	}
	run := runRemovals(ctx, client, targets, progress)
	if len(sel.users) != 1 {
		total := 0
		for _, n := range run.ended {
			total += n
		}
		progress(fmt.Sprintf("Ended %s of %s", sessionCount(total), userCount(len(run.ended))))
	}
	run.report(&diags, len(sel.users) == 1)
	return run.ended, diags
}

// planRemoval turns the listing into the users to end: the listed users (user_id, user_ids), or
// every user with a session the filters match (all of them for all_users), less except_user_ids.
// It warns, as a diagnostic and at once as progress, of an exception naming no user with a
// session (whole is true when the listing holds every user) and of filters matching none of the
// cluster's sessions.
func planRemoval(sel selection, sessions []apiclient.UserSession, whole bool, diags *diag.Diagnostics, progress func(string)) []target {
	warn := func(summary, detail string) {
		diags.AddWarning(summary, detail)
		progress("Warning: " + detail)
	}
	counts := map[string]int{}     // sessions per id as listed
	forms := map[string][]string{} // ids as listed, by key
	for _, s := range sessions {
		if counts[s.UserID] == 0 {
			key := apiclient.UserKey(s.UserID)
			forms[key] = append(forms[key], s.UserID)
		}
		counts[s.UserID]++
	}
	var keys []string
	configured := map[string]string{} // the configured id, by key, for a listed user without sessions
	if len(sel.users) > 0 {
		for _, u := range sel.users {
			key := apiclient.UserKey(u)
			if _, dup := configured[key]; !dup {
				keys, configured[key] = append(keys, key), u
			}
		}
	} else {
		matched := sel.filter.selectSessions(sessions)
		seen := map[string]bool{}
		for _, s := range matched {
			if key := apiclient.UserKey(s.UserID); !seen[key] {
				seen[key], keys = true, append(keys, key)
			}
		}
		if !sel.all && len(matched) == 0 && len(sessions) > 0 {
			warn("Filters Matched No Session", fmt.Sprintf("%s matches none of the %s on the cluster: nothing is "+
				"ended. Check the values (login types are upper case, node ids are the cluster's, tenant_uuid is the "+
				"environment's UUID).", sel.filter.describe(), sessionCount(len(sessions))))
		}
	}
	excepted := map[string]bool{}
	for _, e := range sel.except {
		key := apiclient.UserKey(e)
		excepted[key] = true
		if whole && len(forms[key]) == 0 {
			warn("Exception Names No User With Sessions", fmt.Sprintf("except_user_ids names %s, but no user "+
				"with that id has a session on the cluster. If it is a typo, the user meant is not spared; check "+
				"the spelling against the data source dtcluster_user_sessions.", shown(e)))
		}
	}
	slices.Sort(keys)
	var targets []target
	for _, key := range keys {
		if excepted[key] {
			continue
		}
		t := target{key: key, ids: slices.Sorted(slices.Values(forms[key]))}
		for _, id := range t.ids {
			t.sessions += counts[id]
		}
		if len(t.ids) == 0 {
			t.ids = []string{configured[key]}
		}
		targets = append(targets, t)
	}
	return targets
}

// removalRun is what the DELETEs of a removal achieved, by user key.
type removalRun struct {
	ended    map[string]int
	failed   []failedUser
	unsure   []string // cancelled while a DELETE was in flight: it may have been carried out
	notTried []string
	stopped  string // why the run stopped early, when it did
}

type failedUser struct {
	name string
	err  error
}

// runRemovals sends the DELETEs of targets, at most maxRemovalsInFlight at once, and stops
// sending when earlyStopAfter users in a row fail with the same transient answer or the context
// ends; the users left are not tried.
func runRemovals(ctx context.Context, client *apiclient.Client, targets []target, progress func(string)) *removalRun {
	run := &removalRun{ended: map[string]int{}}
	var mu sync.Mutex
	streak, streakOf := 0, ""
	report := func(t target, n int, msg string, err error) {
		mu.Lock()
		defer mu.Unlock()
		name := shown(t.ids[0])
		switch {
		case err == nil:
			run.ended[t.key] = n
			streak, streakOf = 0, ""
			progress(msg)
			return
		case apiclient.IsCancelled(err) && apiclient.OutcomeUnknown(err):
			run.unsure = append(run.unsure, name)
			progress("The run was cancelled while the DELETE of user " + name + " was in flight: its sessions may have been ended")
			return
		case apiclient.IsCancelled(err):
			run.notTried = append(run.notTried, name)
			return
		}
		line := err.Error()
		run.failed = append(run.failed, failedUser{name: name, err: err})
		progress("Could not end the sessions of user " + name + ": " + line)
		if signature, transient := apiclient.Transient(err); !transient {
			streak, streakOf = 0, ""
		} else if signature == streakOf {
			streak++
		} else {
			streak, streakOf = 1, signature
		}
		if streak >= earlyStopAfter && run.stopped == "" {
			run.stopped = fmt.Sprintf("%d users in a row failed with the same answer (%s), each after its retries: "+
				"the cluster is failing for everyone, so no further DELETE was sent", streak, streakOf)
			progress("Stopping: " + run.stopped)
		}
	}
	stopping := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return run.stopped != ""
	}
	slots := make(chan struct{}, maxRemovalsInFlight)
	var wg sync.WaitGroup
	for i, t := range targets {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil || stopping() {
			mu.Lock()
			for _, left := range targets[i:] {
				run.notTried = append(run.notTried, shown(left.ids[0]))
			}
			mu.Unlock()
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			n, msg, err := removeUser(ctx, client, t)
			report(t, n, msg, err)
		}()
	}
	wg.Wait()
	return run
}

// removeUser sends the DELETE of each form of one user's id and says what it ended. A 404 after
// an attempt whose answer was lost counts the listed sessions: that attempt ended them.
func removeUser(ctx context.Context, client *apiclient.Client, t target) (int, string, error) {
	name := shown(t.ids[0])
	noneFound, lost := true, false
	for _, id := range t.ids {
		removal, err := client.RemoveUserSessions(ctx, id)
		if err != nil {
			return 0, "", err
		}
		noneFound, lost = noneFound && removal.NoneFound, lost || removal.AfterLostAnswer
	}
	switch {
	case noneFound:
		return 0, fmt.Sprintf("User %s has no sessions: nothing to end", name), nil
	case lost:
		return t.sessions, fmt.Sprintf("Ended %s of user %s (the cluster's first answer was lost; a retry found none left)",
			sessionCount(t.sessions), name), nil
	case t.sessions == 0:
		return 0, fmt.Sprintf("Ended the sessions of user %s (a login came after the listing, which had none)", name), nil
	}
	return t.sessions, fmt.Sprintf("Ended %s of user %s", sessionCount(t.sessions), name), nil
}

// report adds the run's error, if any: for one listed user the client's error as it is; for
// several, who was ended, who failed and why, who may have been ended and who was not tried, so
// that a rerun (which retries exactly what is left) can be judged.
func (r *removalRun) report(diags *diag.Diagnostics, oneUser bool) {
	notDone := len(r.failed) + len(r.unsure) + len(r.notTried)
	if notDone == 0 {
		return
	}
	switch {
	case oneUser && len(r.failed) == 1:
		addAPIError(diags, "Unable to Remove User Sessions", r.failed[0].err)
		return
	case oneUser && len(r.unsure) == 1:
		diags.AddError("Unable to Remove User Sessions", "The operation was cancelled while the DELETE of user "+r.unsure[0]+
			" was in flight: its sessions may have been ended, or not. The data source dtcluster_user_sessions (or running "+
			"again) shows which.")
		return
	case oneUser && len(r.notTried) == 1:
		diags.AddError("Unable to Remove User Sessions", "The operation was cancelled before the DELETE of user "+
			r.notTried[0]+" was sent: nothing was ended.")
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Not every selected user's sessions were ended: %d ended, %d failed, %d may have been ended, %d not tried. "+
		"Running again retries what is left (a user without sessions is a success).",
		len(r.ended), len(r.failed), len(r.unsure), len(r.notTried))
	if r.stopped != "" {
		b.WriteString("\n\nStopped early: " + r.stopped + ". Run again once the cluster answers.")
	}
	slices.SortFunc(r.failed, func(a, b failedUser) int { return strings.Compare(a.name, b.name) })
	if len(r.failed) > 0 {
		fmt.Fprintf(&b, "\n\nFailed (%s):", userCount(len(r.failed)))
		for i, f := range r.failed {
			if i == maxNamesShown {
				fmt.Fprintf(&b, "\n  - …and %d more (the progress lines name each)", len(r.failed)-i)
				break
			}
			b.WriteString("\n  - " + f.name + ": " + servertext.Cap(f.err.Error(), servertext.Value))
		}
	}
	names := func(heading string, list []string) {
		if len(list) == 0 {
			return
		}
		slices.Sort(list)
		fmt.Fprintf(&b, "\n\n%s (%s): %s", heading, userCount(len(list)), strings.Join(list[:min(len(list), maxNamesShown)], ", "))
		if len(list) > maxNamesShown {
			fmt.Fprintf(&b, ", …and %d more", len(list)-maxNamesShown)
		}
	}
	names("May have been ended: cancelled while the DELETE was in flight; the data source dtcluster_user_sessions shows", r.unsure)
	names("Not tried", r.notTried)
	ended := make([]string, 0, len(r.ended))
	for key := range r.ended {
		ended = append(ended, shown(key))
	}
	names("Ended", ended)
	diags.AddError(fmt.Sprintf("Unable to End the Sessions of %s", userCount(notDone)), b.String())
}
