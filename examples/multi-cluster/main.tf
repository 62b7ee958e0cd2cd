# Two clusters, one provider configuration (alias) and one module instance each. Hosts and tokens
# come from variables here (TF_VAR_prod_token and so on in a pipeline); environment variables per
# alias are not possible, since DYNATRACE_CLUSTER_URL would apply to both.
terraform {
  required_version = ">= 1.11"
  required_providers {
    dtcluster = {
      source  = "dtcluster/dtcluster"
      version = "~> 0.1"
    }
  }
}

variable "prod_url" {
  type = string
}

variable "prod_token" {
  type      = string
  sensitive = true
}

variable "staging_url" {
  type = string
}

variable "staging_token" {
  type      = string
  sensitive = true
}

provider "dtcluster" {
  alias = "prod"
  host  = var.prod_url
  token = var.prod_token
}

provider "dtcluster" {
  alias = "staging"
  host  = var.staging_url
  token = var.staging_token
}

module "prod" {
  source      = "../modules/session-policy"
  environment = "production"
  providers   = { dtcluster = dtcluster.prod }
}

module "staging" {
  source      = "../modules/session-policy"
  environment = "staging"
  providers   = { dtcluster = dtcluster.staging }
}

output "policies" {
  value = {
    prod    = module.prod.policy
    staging = module.staging.policy
  }
}
