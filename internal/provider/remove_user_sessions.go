package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// removeUserSessions ends every session of userID: it counts them (GET), then removes them
// (DELETE), and returns how many it ended. A user without sessions (the API's 404) is a success
// that ended 0; a 404 to a retry whose first attempt's answer was lost counts the sessions the
// listing found, which that attempt ended. progress receives what is being done.
func removeUserSessions(ctx context.Context, client *apiclient.Client, userID string, progress func(string)) (int, diag.Diagnostics) {
	var diags diag.Diagnostics
	progress(fmt.Sprintf("Listing the sessions of user %q", userID))
	sessions, others, err := client.ListUserSessions(ctx, userID)
	if err != nil {
		addAPIError(&diags, "Unable to List User Sessions", err)
		return 0, diags
	}
	warnOtherUsers(&diags, userID, others)
	if len(sessions) > 0 {
		progress(fmt.Sprintf("Ending %s of user %q", sessionCount(len(sessions)), userID))
	}
	// The DELETE is sent even when the list was empty: a login between the two calls must not
	// survive an offboarding.
	removal, err := client.RemoveUserSessions(ctx, userID)
	switch {
	case err != nil:
		addAPIError(&diags, "Unable to Remove User Sessions", err)
		return 0, diags
	case removal.NoneFound:
		progress(fmt.Sprintf("User %q has no sessions: nothing to end", userID))
		return 0, diags
	case removal.AfterLostAnswer:
		progress(fmt.Sprintf("Ended %s of user %q (the cluster's first answer was lost; a retry found none left)",
			sessionCount(len(sessions)), userID))
	case len(sessions) == 0:
		progress(fmt.Sprintf("Ended the sessions of user %q (a login came after the listing, which had none)", userID))
	default:
		progress(fmt.Sprintf("Ended %s of user %q", sessionCount(len(sessions)), userID))
	}
	return len(sessions), diags
}

// sessionCount says "1 session" or "N sessions".
func sessionCount(n int) string {
	if n == 1 {
		return "1 session"
	}
	return fmt.Sprintf("%d sessions", n)
}
