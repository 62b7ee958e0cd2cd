# OpenTofu 1.9 or later: any number of clusters, written once, with for_each on the provider
# block and on the module. (Terraform has no provider for_each: see ../multi-cluster.)
terraform {
  required_providers {
    dtcluster = {
      source  = "dtcluster/dtcluster"
      version = "~> 0.1"
    }
  }
}

variable "clusters" {
  description = "The clusters by name: their base URL and the environment they serve."
  type = map(object({
    url         = string
    environment = string
  }))
}

variable "tokens" {
  description = "The API token of each cluster, by the same names (TF_VAR_tokens in a pipeline)."
  type        = map(string)
  sensitive   = true
}

provider "dtcluster" {
  alias    = "by_cluster"
  for_each = var.clusters
  host     = each.value.url
  token    = var.tokens[each.key]
}

module "policy" {
  source      = "../modules/session-policy"
  for_each    = var.clusters
  environment = each.value.environment
  providers   = { dtcluster = dtcluster.by_cluster[each.key] }
}

output "policies" {
  value = { for name, m in module.policy : name => m.policy }
}
