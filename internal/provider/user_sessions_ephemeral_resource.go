package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
)

var _ ephemeral.EphemeralResource = (*userSessionsEphemeralResource)(nil)

// NewUserSessionsEphemeralResource returns the dtcluster_user_sessions ephemeral resource.
func NewUserSessionsEphemeralResource() ephemeral.EphemeralResource {
	return &userSessionsEphemeralResource{}
}

// userSessionsEphemeralResource is the read of the sessions that Terraform never stores: the data
// source's schema (converted, so the shape stays written once) and validation; each open is
// answered by the provider's protocol server (dtclusterServer) with sessionsReader, the one read
// path, exactly as a read of the data source.
type userSessionsEphemeralResource struct{}

func (e *userSessionsEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_sessions"
}

func (e *userSessionsEphemeralResource) Schema(ctx context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	var ds datasource.SchemaResponse
	NewUserSessionsDataSource().Schema(ctx, datasource.SchemaRequest{}, &ds)
	converted, err := ephemeralSchemaOf(ds.Schema)
	if err != nil {
		resp.Diagnostics.AddError("Provider Defect", err.Error())
		return
	}
	converted.MarkdownDescription = "The user sessions on the cluster (Cluster API v2 `GET /userSessions`), as the " +
		"`dtcluster_user_sessions` data source reads them (the same filters, attributes and order, one request per " +
		"open), but **never stored**: Terraform keeps an ephemeral resource's result in neither the plan file nor " +
		"the state. Use it where session data (user ids, IP addresses, devices, session ids: personal data) must " +
		"not end up in a state bucket: in `check` blocks, in other ephemeral resources, in provider configuration, " +
		"in write-only arguments, in ephemeral outputs and locals. It cannot feed `for_each`, `count` or a managed " +
		"resource's ordinary arguments (they are stored); use the data source there. Terraform 1.10 or later, " +
		"OpenTofu 1.11 or later."
	resp.Schema = converted
}

// Open is never called: dtclusterServer answers every open of this ephemeral resource. Reaching
// it means the provider was served without that server, a defect.
func (e *userSessionsEphemeralResource) Open(_ context.Context, _ ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	resp.Diagnostics.AddError("Provider Defect", "The opens of "+userSessionsTypeName+" are answered by the provider's "+
		"protocol server, which this provider was served without. Please report it.")
}

// ephemeralSchemaOf is the data source's schema as an ephemeral resource's: the same
// attributes, types, validators and descriptions, so the two cannot differ.
func ephemeralSchemaOf(ds dsschema.Schema) (schema.Schema, error) {
	attrs, err := ephemeralAttributes(ds.Attributes)
	return schema.Schema{Attributes: attrs, MarkdownDescription: ds.MarkdownDescription}, err
}

func ephemeralAttributes(in map[string]dsschema.Attribute) (map[string]schema.Attribute, error) {
	out := make(map[string]schema.Attribute, len(in))
	for name, a := range in {
		switch a := a.(type) {
		case dsschema.StringAttribute:
			out[name] = schema.StringAttribute{Required: a.Required, Optional: a.Optional, Computed: a.Computed,
				MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case dsschema.NumberAttribute:
			out[name] = schema.NumberAttribute{Required: a.Required, Optional: a.Optional, Computed: a.Computed,
				MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case dsschema.Int64Attribute:
			out[name] = schema.Int64Attribute{Required: a.Required, Optional: a.Optional, Computed: a.Computed,
				MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case dsschema.BoolAttribute:
			out[name] = schema.BoolAttribute{Required: a.Required, Optional: a.Optional, Computed: a.Computed,
				MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case dsschema.MapAttribute:
			out[name] = schema.MapAttribute{ElementType: a.ElementType, Required: a.Required, Optional: a.Optional,
				Computed: a.Computed, MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case dsschema.ListNestedAttribute:
			nested, err := ephemeralAttributes(a.NestedObject.Attributes)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			out[name] = schema.ListNestedAttribute{NestedObject: schema.NestedAttributeObject{Attributes: nested},
				Required: a.Required, Optional: a.Optional, Computed: a.Computed, MarkdownDescription: a.MarkdownDescription,
				Validators: a.Validators}
		default:
			return nil, fmt.Errorf("the attribute %s (%T) has no ephemeral form", name, a)
		}
	}
	return out, nil
}
