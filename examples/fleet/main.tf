# Fleet mode: one provider configuration governs every cluster, served by one provider process
# (Terraform has no for_each on provider blocks). Each cluster gets its environment's policy
# from the session-policy module, and one plan checks every cluster for drift.
#
# The clusters come from a variable; their tokens from the environment, one variable per cluster:
# DYNATRACE_CLUSTER_API_TOKEN_<NAME>, the name in upper case with - as _ (for "prod",
# DYNATRACE_CLUSTER_API_TOKEN_PROD), so no token is written in HCL, a plan file or the state.
# A token can also be given in an entry (token = var.tokens["prod"], a sensitive variable).
terraform {
  required_version = ">= 1.11"
  required_providers {
    dtcluster = {
      source  = "dtcluster/dtcluster"
      version = "~> 0.1"
    }
  }
}

variable "clusters" {
  description = "The clusters, by name: each one's URL and the environment it serves (production, staging or development)."
  type = map(object({
    url         = string
    environment = string
  }))
}

provider "dtcluster" {
  clusters = { for name, c in var.clusters : name => { host = c.url } }
}

module "policy" {
  source      = "../modules/session-policy"
  for_each    = var.clusters
  cluster     = each.key
  environment = each.value.environment
}

output "policies" {
  value = { for name, m in module.policy : name => m.policy }
}
