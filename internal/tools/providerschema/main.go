// Command providerschema prints the provider's schemas in the format of
// `terraform providers schema -json`, read from the provider server itself. tfplugindocs takes
// it (--providers-schema) so the docs can be generated, action included, whatever Terraform is
// installed, without building the provider for a Terraform run.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/provider"
)

// providerKey names the provider in the output. tfplugindocs looks a schema up by the provider's
// short name (or under registry.terraform.io/hashicorp/), not by its full source address.
const providerKey = "dtcluster"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "providerschema:", err)
		os.Exit(1)
	}
}

func run() error {
	server, err := provider.NewProtocolServer("docs")()
	if err != nil {
		return err
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return err
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return fmt.Errorf("%s: %s", d.Summary, d.Detail)
		}
	}
	ps := &tfjson.ProviderSchema{
		ResourceSchemas:          map[string]*tfjson.Schema{},
		DataSourceSchemas:        map[string]*tfjson.Schema{},
		ActionSchemas:            map[string]*tfjson.ActionSchema{},
		ListResourceSchemas:      map[string]*tfjson.Schema{},
		EphemeralResourceSchemas: map[string]*tfjson.Schema{},
		ResourceIdentitySchemas:  map[string]*tfjson.IdentitySchema{},
	}
	if ps.ConfigSchema, err = convertSchema(resp.Provider); err != nil {
		return err
	}
	for name, s := range resp.ResourceSchemas {
		if ps.ResourceSchemas[name], err = convertSchema(s); err != nil {
			return err
		}
	}
	for name, s := range resp.DataSourceSchemas {
		if ps.DataSourceSchemas[name], err = convertSchema(s); err != nil {
			return err
		}
	}
	for name, s := range resp.ActionSchemas {
		block, err := convertBlock(s.Schema.Block)
		if err != nil {
			return err
		}
		ps.ActionSchemas[name] = &tfjson.ActionSchema{Block: block}
	}
	for name, s := range resp.ListResourceSchemas {
		if ps.ListResourceSchemas[name], err = convertSchema(s); err != nil {
			return err
		}
	}
	for name, s := range resp.EphemeralResourceSchemas {
		if ps.EphemeralResourceSchemas[name], err = convertSchema(s); err != nil {
			return err
		}
	}
	identities, err := server.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return err
	}
	for name, s := range identities.IdentitySchemas {
		identity := &tfjson.IdentitySchema{Version: uint64(s.Version), Attributes: map[string]*tfjson.IdentityAttribute{}} //nolint:gosec // versions are small
		for _, a := range s.IdentityAttributes {
			typ, err := ctyType(a.Type)
			if err != nil {
				return fmt.Errorf("identity attribute %s: %w", a.Name, err)
			}
			identity.Attributes[a.Name] = &tfjson.IdentityAttribute{IdentityType: typ, Description: a.Description,
				RequiredForImport: a.RequiredForImport, OptionalForImport: a.OptionalForImport}
		}
		ps.ResourceIdentitySchemas[name] = identity
	}
	out := tfjson.ProviderSchemas{FormatVersion: "1.0", Schemas: map[string]*tfjson.ProviderSchema{providerKey: ps}}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func convertSchema(s *tfprotov6.Schema) (*tfjson.Schema, error) {
	block, err := convertBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &tfjson.Schema{Version: uint64(s.Version), Block: block}, nil
}

func descriptionKind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

func convertBlock(b *tfprotov6.SchemaBlock) (*tfjson.SchemaBlock, error) {
	out := &tfjson.SchemaBlock{
		Attributes:      map[string]*tfjson.SchemaAttribute{},
		NestedBlocks:    map[string]*tfjson.SchemaBlockType{},
		Description:     b.Description,
		DescriptionKind: descriptionKind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	for _, a := range b.Attributes {
		attr, err := convertAttribute(a)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		out.Attributes[a.Name] = attr
	}
	for _, nb := range b.BlockTypes {
		inner, err := convertBlock(nb.Block)
		if err != nil {
			return nil, err
		}
		out.NestedBlocks[nb.TypeName] = &tfjson.SchemaBlockType{
			NestingMode: tfjson.SchemaNestingMode(map[tfprotov6.SchemaNestedBlockNestingMode]string{
				tfprotov6.SchemaNestedBlockNestingModeSingle: "single", tfprotov6.SchemaNestedBlockNestingModeList: "list",
				tfprotov6.SchemaNestedBlockNestingModeSet: "set", tfprotov6.SchemaNestedBlockNestingModeMap: "map",
				tfprotov6.SchemaNestedBlockNestingModeGroup: "group",
			}[nb.Nesting]),
			Block: inner, MinItems: uint64(nb.MinItems), MaxItems: uint64(nb.MaxItems),
		}
	}
	return out, nil
}

func convertAttribute(a *tfprotov6.SchemaAttribute) (*tfjson.SchemaAttribute, error) {
	out := &tfjson.SchemaAttribute{
		Description:     a.Description,
		DescriptionKind: descriptionKind(a.DescriptionKind),
		Deprecated:      a.Deprecated,
		Required:        a.Required,
		Optional:        a.Optional,
		Computed:        a.Computed,
		Sensitive:       a.Sensitive,
		WriteOnly:       a.WriteOnly,
	}
	if a.NestedType != nil {
		nested := &tfjson.SchemaNestedAttributeType{
			Attributes: map[string]*tfjson.SchemaAttribute{},
			NestingMode: tfjson.SchemaNestingMode(map[tfprotov6.SchemaObjectNestingMode]string{
				tfprotov6.SchemaObjectNestingModeSingle: "single", tfprotov6.SchemaObjectNestingModeList: "list",
				tfprotov6.SchemaObjectNestingModeSet: "set", tfprotov6.SchemaObjectNestingModeMap: "map",
			}[a.NestedType.Nesting]),
		}
		for _, na := range a.NestedType.Attributes {
			attr, err := convertAttribute(na)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", na.Name, err)
			}
			nested.Attributes[na.Name] = attr
		}
		out.AttributeNestedType = nested
		return out, nil
	}
	t, err := ctyType(a.Type)
	if err != nil {
		return nil, err
	}
	out.AttributeType = t
	return out, nil
}

// ctyType converts a protocol type into the cty type the schema JSON carries.
func ctyType(t tftypes.Type) (cty.Type, error) {
	switch {
	case t.Is(tftypes.String):
		return cty.String, nil
	case t.Is(tftypes.Number):
		return cty.Number, nil
	case t.Is(tftypes.Bool):
		return cty.Bool, nil
	case t.Is(tftypes.DynamicPseudoType):
		return cty.DynamicPseudoType, nil
	}
	switch t := t.(type) {
	case tftypes.List:
		e, err := ctyType(t.ElementType)
		return cty.List(e), err
	case tftypes.Set:
		e, err := ctyType(t.ElementType)
		return cty.Set(e), err
	case tftypes.Map:
		e, err := ctyType(t.ElementType)
		return cty.Map(e), err
	case tftypes.Object:
		attrs := make(map[string]cty.Type, len(t.AttributeTypes))
		var optional []string
		for name, at := range t.AttributeTypes {
			c, err := ctyType(at)
			if err != nil {
				return cty.NilType, err
			}
			attrs[name] = c
			if _, ok := t.OptionalAttributes[name]; ok {
				optional = append(optional, name)
			}
		}
		return cty.ObjectWithOptionalAttrs(attrs, optional), nil
	case tftypes.Tuple:
		elems := make([]cty.Type, len(t.ElementTypes))
		for i, et := range t.ElementTypes {
			c, err := ctyType(et)
			if err != nil {
				return cty.NilType, err
			}
			elems[i] = c
		}
		return cty.Tuple(elems), nil
	}
	return cty.NilType, fmt.Errorf("unsupported type %s", t)
}
