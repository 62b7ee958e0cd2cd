package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// TestAccUserSessionsConfig_identity: the identity is the cluster's URL, kept in state on create;
// an import block by identity imports the policy and plans empty; another cluster's URL is an
// error naming the configured one. Resource identity needs Terraform 1.12.
func TestAccUserSessionsConfig_identity(t *testing.T) {
	srv := emulatortest.NewServer(t)
	p := policy{UserLimit: 4, AdminLimit: 2, Enabled: true, Timeout: 600}
	acceptanceTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: providerBlock(srv) + configResource(p),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(configAddr, map[string]knownvalue.Check{"cluster_url": knownvalue.StringExact(srv.URL)}),
				},
			},
			{
				ResourceName:    configAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          providerBlock(srv) + configResource(p),
			},
			{
				Config: providerBlock(srv) + configResource(p) + `
import {
  to = dtcluster_user_sessions_config.other
  identity = {
    cluster_url = "https://cmc.example.com"
  }
}
` + p.Resource("other"),
				ExpectError: regexp.MustCompile(`(?s)Import Identity Names Another Cluster.*https://cmc\.example\.com.*` + regexp.QuoteMeta(srv.URL)),
			},
		},
	})
}
