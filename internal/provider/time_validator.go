package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ validator.String = timeValidator{}

// timeValidator accepts an RFC 3339 time with a time zone (Z or an offset), the form of the
// selections by time (created_before, last_accessed_before).
type timeValidator struct{}

func (timeValidator) Description(context.Context) string {
	return "an RFC 3339 time with a time zone, such as 2026-12-05T14:05:00Z"
}

func (v timeValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (timeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	checkTime(&resp.Diagnostics, req.Path, req.ConfigValue)
}

// checkTime is the rule of a time a configuration gives, at the attribute p; nothing when it is
// null or unknown.
func checkTime(diags *diag.Diagnostics, p path.Path, value types.String) {
	if !isSet(value) {
		return
	}
	if _, err := parseTime(value.ValueString()); err != nil {
		diags.AddAttributeError(p, "Invalid Time", fmt.Sprintf("%s must be an RFC 3339 time with a time zone, such as "+
			"\"2026-12-05T14:05:00Z\" or \"2026-12-05T15:05:00+01:00\"; got %q.", p, value.ValueString()))
	}
}

// parseTime reads an RFC 3339 time with a time zone as milliseconds since the Unix epoch, the
// unit of the API's session times.
func parseTime(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, err
	}
	return t.UnixMilli(), nil
}

// timeDescriptions describe the selections by time, in every schema that has them (the data
// source, the ephemeral resource, the action and the removal resource).
var timeDescriptions = map[string]string{
	"created_before": "Only sessions created strictly before this time: an RFC 3339 time with a time zone, such as " +
		"`\"2026-12-05T14:05:00Z\"` (the moment a password was rotated, say). Compared with the session's " +
		"`creation_time`.",
	"last_accessed_before": "Only sessions last used strictly before this time (RFC 3339 with a time zone, as " +
		"`created_before`): idle sessions. Compared with `last_accessed_timestamp`; a session the cluster reports " +
		"without one (it is optional in the API) counts as last used when it was created.",
}
