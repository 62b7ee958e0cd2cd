package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// userIDValidators reject, at validate time, a user id the API cannot use: empty, or blank at
// either end (user ids of Dynatrace Managed never are).
func userIDValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthAtLeast(1),
		stringvalidator.RegexMatches(regexp.MustCompile(`^\S(.*\S)?$`), "must not start or end with white space"),
	}
}

// removeUserSessions ends every session of userID: it counts them (GET), then removes them
// (DELETE), and returns how many there were. A user without sessions (the API's 404) is a
// success that ended 0. progress receives what is being done.
func removeUserSessions(ctx context.Context, client *apiclient.Client, userID string, progress func(string)) (int, diag.Diagnostics) {
	var diags diag.Diagnostics
	progress(fmt.Sprintf("Listing the sessions of user %q", userID))
	sessions, err := client.ListUserSessions(ctx, userID)
	if err != nil {
		addAPIError(&diags, "Unable to List User Sessions", err)
		return 0, diags
	}
	progress(fmt.Sprintf("Ending %d session(s) of user %q", len(sessions), userID))
	err = client.RemoveUserSessions(ctx, userID)
	switch {
	case apiclient.IsNotFound(err):
		progress(fmt.Sprintf("User %q has no sessions: nothing to end", userID))
		return 0, diags
	case err != nil:
		addAPIError(&diags, "Unable to Remove User Sessions", err)
		return 0, diags
	}
	progress(fmt.Sprintf("Ended %d session(s) of user %q", len(sessions), userID))
	return len(sessions), diags
}
