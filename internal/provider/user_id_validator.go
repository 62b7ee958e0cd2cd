package provider

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = userIDValidator{}

// userIDValidator rejects, at validate time, a user id the API cannot use: empty, or blank at
// either end (user ids of Dynatrace Managed never are). One value gets one error.
type userIDValidator struct{}

func (userIDValidator) Description(context.Context) string {
	return "must not be empty, and must not start or end with white space"
}

func (v userIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (userIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	checkUserID(&resp.Diagnostics, req.Path, req.ConfigValue.ValueString())
}

// checkUserID is the rule of every user id a configuration gives, at the attribute p: the
// validator's, and the selection's check at plan and invoke.
func checkUserID(diags *diag.Diagnostics, p path.Path, id string) {
	switch {
	case id == "":
		diags.AddAttributeError(p, "Invalid User ID",
			fmt.Sprintf("%s must not be empty: give the user id whose sessions are meant, such as \"jane.doe\"", p))
	case strings.TrimFunc(id, unicode.IsSpace) != id:
		diags.AddAttributeError(p, "Invalid User ID",
			fmt.Sprintf("%s must not start or end with white space, got %q; did you mean %q?", p, id, strings.TrimFunc(id, unicode.IsSpace)))
	}
}

// userIDValidators are the validators of every user_id attribute.
func userIDValidators() []validator.String {
	return []validator.String{userIDValidator{}}
}
