# Offboarding on OpenTofu or Terraform before 1.14 (no actions): the removal resource takes the
# same selection. Creating it ends the sessions; a new ticket replaces it and ends them again:
#
#   tofu apply -var-file=offboarding.tfvars        # or terraform apply
#   tofu plan  -var-file=offboarding.tfvars        # the check passes when none has a session
#
# Unlike the action, the removal resource is kept in the state: the user ids selected and the
# number of sessions ended per user, no session id, IP or device. The check reads through the
# ephemeral resource (OpenTofu 1.11, Terraform 1.10 or later), which is never stored.
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

variable "offboarded_users" {
  description = "Users whose sessions end: every session, of every login type."
  type        = set(string)
}

variable "ticket" {
  description = "The change ticket; a new one ends the users' sessions again."
  type        = string
}

resource "dtcluster_user_sessions_removal" "offboard" {
  user_ids = var.offboarded_users
  triggers = { ticket = var.ticket }
}

# Read after the removal (depends_on), so the check judges what the removal left.
ephemeral "dtcluster_user_sessions" "all" {
  exclude_personal_data = true
  depends_on            = [dtcluster_user_sessions_removal.offboard]
}

check "offboarded_users_have_no_sessions" {
  assert {
    condition     = length(setintersection(var.offboarded_users, [for s in ephemeral.dtcluster_user_sessions.all.sessions : s.user_id])) == 0
    error_message = "An offboarded user still has sessions (a login after the removal): apply again with a new ticket."
  }
}

output "sessions_ended_per_user" {
  value = dtcluster_user_sessions_removal.offboard.sessions_removed_per_user
}
