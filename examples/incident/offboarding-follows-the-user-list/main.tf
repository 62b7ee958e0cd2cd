# Offboarding that follows the user list (Terraform 1.16 or later): removing a user from
# var.users ends that user's sessions on the cluster in the same apply that removes the user,
# before the user's resource is destroyed (NIST SP 800-53 AC-12, session termination).
#
#   terraform apply -var-file=users.tfvars   # after deleting a user from users.tfvars
#
# terraform_data stands for the resource that manages the user in the identity system
# (dynatrace_user, okta_user, azuread_user, ...): give its action_trigger to that resource, and
# set user_id to the attribute that holds the id the cluster knows the user by
# (caller.<attribute>). Adding a user ends nothing; only a destroy of a user's resource does.
#
# on_failure decides what a refused DELETE does to the apply. halt (the default): the apply
# fails and the user stays in state, so the next apply tries again: nobody leaves the list with
# sessions open. continue: the user leaves the state anyway and the failure is a warning; their
# sessions stay until they expire or someone ends them. Terraform before 1.16 and OpenTofu have
# no destroy-triggered actions: use ../offboarding-opentofu (the removal resource) there.
terraform {
  required_version = ">= 1.16"
  required_providers {
    dtcluster = {
      source  = "dtcluster/dtcluster"
      version = "~> 0.1"
    }
  }
}

# host and token from DYNATRACE_CLUSTER_URL and DYNATRACE_CLUSTER_API_TOKEN.
provider "dtcluster" {}

variable "users" {
  description = "The cluster's users, as the identity system has them; removing one ends their sessions."
  type        = set(string)
}

resource "terraform_data" "user" {
  for_each = var.users
  input    = each.key

  lifecycle {
    action_trigger {
      events     = [before_destroy]
      actions    = [action.dtcluster_remove_user_sessions.departing]
      on_failure = halt
    }
  }
}

action "dtcluster_remove_user_sessions" "departing" {
  config {
    user_id = caller.input
  }
}
