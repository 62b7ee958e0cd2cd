# Offboarding: end the sessions of the users listed in a variable (a tfvars file reviewed in a
# pull request), then confirm none of them has a session left:
#
#   terraform apply -var-file=offboarding.tfvars -invoke=action.dtcluster_remove_user_sessions.offboard
#   terraform plan  -var-file=offboarding.tfvars   # the check passes when none has a session
#
# A plain plan or apply ends nothing: only -invoke runs the action. The check reads the sessions
# through the ephemeral resource (never written to a plan file or the state). Terraform 1.14 or
# later; before 1.14 and on OpenTofu, see ../offboarding-opentofu.
terraform {
  required_version = ">= 1.14"
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

action "dtcluster_remove_user_sessions" "offboard" {
  config {
    user_ids = var.offboarded_users
  }
}

ephemeral "dtcluster_user_sessions" "all" {
  exclude_personal_data = true
}

check "offboarded_users_have_no_sessions" {
  assert {
    condition     = length(setintersection(var.offboarded_users, [for s in ephemeral.dtcluster_user_sessions.all.sessions : s.user_id])) == 0
    error_message = "An offboarded user still has sessions (a login after the action, or a failed removal): invoke the action again."
  }
}
