package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// scopeHint says what a token needs; 401 and 403 answers carry it.
const scopeHint = "The API token needs the ServiceProviderAPI scope (\"Service Provider API\"), created in " +
	"the Cluster Management Console. Check the token given in the provider block or in " +
	"DYNATRACE_CLUSTER_API_TOKEN / DT_CLUSTER_API_TOKEN."

// addAPIError turns an error of the API client into an error diagnostic: the status, the
// server's message and each constraint violation on its own line; for 401 and 403 the scope the
// token needs.
func addAPIError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary, apiErrorDetail(err))
}

func apiErrorDetail(err error) string {
	var apiErr *apiclient.APIError
	if !errors.As(err, &apiErr) {
		return "The request to the cluster failed: " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The Cluster API answered %s %s with HTTP %d", apiErr.Method, apiErr.Path, apiErr.StatusCode)
	if text := http.StatusText(apiErr.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	switch {
	case apiErr.Message != "":
		b.WriteString(": " + apiErr.Message)
	case apiErr.Body != "":
		b.WriteString(": " + apiErr.Body)
	}
	for _, v := range apiErr.ConstraintViolations {
		b.WriteString("\n  - " + v.String())
	}
	if apiErr.Attempts > 1 {
		fmt.Fprintf(&b, "\n(gave up after %d attempts)", apiErr.Attempts)
	}
	switch {
	case apiErr.StatusCode == http.StatusUnauthorized:
		b.WriteString("\n\nThe cluster did not accept the API token (missing, wrong or expired). " + scopeHint)
	case apiErr.StatusCode == http.StatusForbidden:
		b.WriteString("\n\nThe API token is not allowed to do this. " + scopeHint)
	case apiErr.Location != "":
		fmt.Fprintf(&b, "\n\nThe cluster redirects to %s. Redirects are not followed, so the token is never sent "+
			"to another URL: set host to the cluster's own URL.", apiErr.Location)
	}
	return b.String()
}

// notConfigured is reported by operations that need the cluster when the provider has no client
// (its host or token depends on something not known yet).
func notConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider Not Configured",
		"The dtcluster provider has no cluster to talk to yet: its host or token depends on a value that is "+
			"not known until apply. Create what it depends on first (for example with -target), then run again.")
}
