package provider

import (
	"errors"
	"fmt"

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
		return "The request to the cluster failed: " + err.Error() + settingHint(err)
	}
	return apiErr.Detail() + settingHint(err)
}

// notConfigured is reported by operations that need the cluster when the provider has no client
// (its host or token depends on something not known yet).
func notConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider Not Configured",
		"The dtcluster provider has no cluster to talk to yet: its host or token depends on a value that is "+
			"not known until apply. Create what it depends on first (for example with -target), then run again.")
}

// warnOtherUsers reports sessions of other users in an answer filtered by userID, which the
// client left out: the cluster (or a proxy) did not apply the filter.
func warnOtherUsers(diags *diag.Diagnostics, userID string, others int) {
	if others == 0 {
		return
	}
	diags.AddWarning("Cluster Answered Sessions of Other Users", fmt.Sprintf(
		"The cluster was asked for the sessions of user %q and also answered %s of other users. Those were left out: "+
			"only the sessions of %q are used. The cluster (or a proxy in front of it) does not apply the userId "+
			"filter; make conformance (check R10) shows it.", userID, sessionCount(others), userID))
}

// settingHint names the provider setting to change for a failure the client describes in the
// API's terms.
func settingHint(err error) string {
	switch apiclient.FailureOf(err) {
	case apiclient.FailureURL:
		return "\n\nCheck host (or DYNATRACE_CLUSTER_URL / DT_CLUSTER_URL): it must be the cluster's own base URL, " +
			"such as https://cmc.example.com, with its HTTPS port."
	case apiclient.FailureCertificate:
		return "\n\nFor a cluster whose certificate is issued by a private CA, set ca_certificate (or " +
			"DYNATRACE_CLUSTER_CA_CERTIFICATE) to that CA's PEM."
	case apiclient.FailureAuth:
		return "\n\nCheck the token given in the provider block or in DYNATRACE_CLUSTER_API_TOKEN / DT_CLUSTER_API_TOKEN."
	case apiclient.FailureConnection:
		return "\n\nCheck host (or DYNATRACE_CLUSTER_URL / DT_CLUSTER_URL): its name and port must reach the cluster " +
			"from this machine. Behind a proxy, HTTPS_PROXY (or HTTP_PROXY for a loopback http:// URL) and NO_PROXY decide " +
			"whether the request goes through it."
	case apiclient.FailureTimeout:
		return "\n\nrequest_timeout (in the provider block, in seconds; default 30) ended it. Raise it if the cluster is slow to answer."
	case apiclient.FailureBudget:
		return "\n\nThe call's time budget ended it: one call, its retries and their waits included, takes at most the " +
			"larger of 2 minutes and request_timeout. Raise request_timeout (or lower max_retries) in the provider block " +
			"if the cluster is slow."
	}
	return ""
}
