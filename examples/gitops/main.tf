# The configuration a GitOps repository keeps for one cluster: the session policy through the
# module, nothing that changes with every login (no session outputs), so the scheduled drift
# check (drift-check.sh) reports only changes to the policy. The provider reads
# DYNATRACE_CLUSTER_URL and DYNATRACE_CLUSTER_API_TOKEN from the pipeline.
terraform {
  required_version = ">= 1.11"
  required_providers {
    dtcluster = {
      source  = "dtcluster/dtcluster"
      version = "~> 0.1"
    }
  }
}

provider "dtcluster" {}

module "session_policy" {
  source             = "../modules/session-policy"
  environment        = "production"
  restore_on_destroy = true
}

output "policy" {
  value = module.session_policy.policy
}
