// Package provider implements the dtcluster Terraform provider on terraform-plugin-framework.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var _ provider.Provider = (*dtclusterProvider)(nil)

// New returns a constructor of the provider for providerserver, stamped with version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &dtclusterProvider{version: version} }
}

type dtclusterProvider struct {
	version string
}

func (p *dtclusterProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "dtcluster"
	resp.Version = p.version
}

func (p *dtclusterProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the user session policy of a Dynatrace Managed cluster through Cluster API v2.",
	}
}

func (p *dtclusterProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *dtclusterProvider) Resources(context.Context) []func() resource.Resource { return nil }

func (p *dtclusterProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
