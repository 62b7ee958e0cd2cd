package provider

import (
	"errors"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// addAPIError turns an error of the API client into an error diagnostic. The client renders the
// error (status, the server's message, each constraint violation on its own line, what to do);
// this adds where the token comes from, and says plainly when the user cancelled.
func addAPIError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary, apiErrorDetail(err))
}

func apiErrorDetail(err error) string {
	if apiclient.IsCancelled(err) {
		return "The operation was cancelled before it finished: " + err.Error() + "\n\nIf a change was being " +
			"sent, it may or may not have reached the cluster; the next plan shows what the cluster holds."
	}
	var apiErr *apiclient.APIError
	if !errors.As(err, &apiErr) {
		return "The request to the cluster failed: " + err.Error()
	}
	detail := apiErr.Detail()
	if apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden {
		detail += "\n\nCheck the token given in the provider block or in DYNATRACE_CLUSTER_API_TOKEN / DT_CLUSTER_API_TOKEN."
	}
	return detail
}

// notConfigured is reported by operations that need the cluster when the provider has no client
// (its host or token depends on something not known yet).
func notConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider Not Configured",
		"The dtcluster provider has no cluster to talk to yet: its host or token depends on a value that is "+
			"not known until apply. Create what it depends on first (for example with -target), then run again.")
}
