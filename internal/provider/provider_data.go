package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// clientFrom turns the provider data a Configure method receives into the API client. nil
// provider data (the provider is not configured yet, or its configuration is not known) gives
// nil without a diagnostic; data of any other type is reported, as it is a defect.
func clientFrom(data any, diags *diag.Diagnostics) *apiclient.Client {
	if data == nil {
		return nil
	}
	client, ok := data.(*apiclient.Client)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *apiclient.Client, got %T. This is a defect in the provider; please report it.", data))
		return nil
	}
	return client
}
