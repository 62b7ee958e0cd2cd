# Offboarding on every cluster at once (fleet mode, Terraform 1.14 or later): one reviewed
# -invoke ends the listed users' sessions on every cluster of the provider configuration.
#
#   terraform plan  -var-file=offboarding.tfvars   # reads only: the check warns while a listed user has sessions anywhere
#   terraform apply -var-file=offboarding.tfvars -invoke=action.dtcluster_remove_user_sessions.offboard
#   terraform plan  -var-file=offboarding.tfvars   # confirms: the check passes
#
# -invoke=action.dtcluster_remove_user_sessions.offboard invokes every instance of the action,
# one per cluster; a cluster that fails is named in its error, and the others are ended. A plain
# plan or apply of this folder ends nothing. Tokens come from DYNATRACE_CLUSTER_API_TOKEN_<NAME>
# (the cluster's name in upper case, - as _). On OpenTofu and Terraform before 1.14, use the
# removal resource with the same for_each and cluster = each.key.
terraform {
  required_version = ">= 1.14"
  required_providers {
    dtcluster = {
      source  = "dtcluster/dtcluster"
      version = "~> 0.1"
    }
  }
}

variable "clusters" {
  description = "The clusters, by name: each one's URL."
  type        = map(string)
}

variable "offboarded_users" {
  description = "The users whose sessions end on every cluster."
  type        = set(string)
}

provider "dtcluster" {
  clusters = { for name, url in var.clusters : name => { host = url } }
}

action "dtcluster_remove_user_sessions" "offboard" {
  for_each = var.clusters
  config {
    cluster  = each.key
    user_ids = var.offboarded_users
  }
}

ephemeral "dtcluster_user_sessions" "cluster" {
  for_each              = var.clusters
  cluster               = each.key
  exclude_personal_data = true
}

check "no_offboarded_user_has_sessions_anywhere" {
  assert {
    condition     = alltrue([for name, read in ephemeral.dtcluster_user_sessions.cluster : length(setintersection(keys(read.sessions_per_user), var.offboarded_users)) == 0])
    error_message = "An offboarded user still has sessions on a cluster: invoke the action again (it retries whoever is left)."
  }
}
