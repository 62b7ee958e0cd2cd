package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var _ validator.String = loginTypeValidator{}

// loginTypeValidator warns, and does not fail, on a login type the API does not document: the
// API says new values may come, and a filter on one must keep working.
type loginTypeValidator struct{}

func (loginTypeValidator) Description(context.Context) string {
	return "one of " + fmt.Sprint(apiclient.LoginTypes) + "; another value gives a warning"
}

func (v loginTypeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

// loginTypesMarkdown lists the login types the API documents (apiclient.LoginTypes) for a
// description: `LOCAL`, `LDAP`, `SSO_MANAGED` or `DEVOPSTOKEN`.
func loginTypesMarkdown() string {
	quoted := make([]string, len(apiclient.LoginTypes))
	for i, t := range apiclient.LoginTypes {
		quoted[i] = "`" + t + "`"
	}
	last := len(quoted) - 1
	return strings.Join(quoted[:last], ", ") + " or " + quoted[last]
}

func (loginTypeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	checkLoginType(&resp.Diagnostics, req.Path, req.ConfigValue)
}

// checkLoginType is the validator's rule for value at p, for callers that check a configuration
// again with its final values.
func checkLoginType(diags *diag.Diagnostics, p path.Path, value types.String) {
	if !isSet(value) || slices.Contains(apiclient.LoginTypes, value.ValueString()) {
		return
	}
	diags.AddAttributeWarning(p, "Unknown Login Type", fmt.Sprintf(
		"login_type %q is not one of the login types the Cluster API documents (%v). The filter is applied as "+
			"given; check the spelling, or ignore this warning if the cluster reports this type.",
		value.ValueString(), apiclient.LoginTypes))
}
