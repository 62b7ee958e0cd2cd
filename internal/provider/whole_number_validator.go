package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ validator.Number = wholeNumberValidator{}

// wholeNumberValidator accepts a whole number between min and max. Attributes that take whole
// numbers are declared as numbers with this validator rather than as Int64: the framework's Int64
// conversion fails on a fraction such as 1.5 before any validator runs, with an error that names
// neither the attribute nor the rule.
type wholeNumberValidator struct {
	min, max int64
}

// wholeNumberBetween returns a validator of a whole number in [minimum, maximum].
func wholeNumberBetween(minimum, maximum int64) wholeNumberValidator {
	return wholeNumberValidator{min: minimum, max: maximum}
}

func (v wholeNumberValidator) Description(context.Context) string {
	return fmt.Sprintf("a whole number between %d and %d", v.min, v.max)
}

func (v wholeNumberValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v wholeNumberValidator) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	v.check(&resp.Diagnostics, req.Path, req.ConfigValue)
}

// check is the validator's rule for value at p (nothing when it is null or unknown), for callers
// that check a configuration again with its final values.
func (v wholeNumberValidator) check(diags *diag.Diagnostics, p path.Path, value types.Number) {
	if !isSet(value) {
		return
	}
	f := value.ValueBigFloat()
	n, accuracy := f.Int64()
	if !f.IsInt() || accuracy != big.Exact || n < v.min || n > v.max {
		diags.AddAttributeError(p, "Invalid Attribute Value", fmt.Sprintf(
			"%s must be a whole number between %d and %d, got %s.", p, v.min, v.max, f.Text('g', 20)))
	}
}

// wholeNumber is v (validated by wholeNumberValidator) as an int64; 0 when null or unknown.
func wholeNumber(v types.Number) int64 {
	if !isSet(v) {
		return 0
	}
	n, _ := v.ValueBigFloat().Int64()
	return n
}

// numberValue is n as a number attribute's value.
func numberValue(n int64) types.Number {
	return types.NumberValue(new(big.Float).SetInt64(n))
}
