# Incident: the LDAP directory is compromised. End the sessions of every user logged in through
# LDAP except the break-glass admins who are fixing it, as a reviewed step:
#
#   terraform plan  -var-file=incident.tfvars      # reads, ends nothing; the check below warns
#   terraform apply -var-file=incident.tfvars -invoke=action.dtcluster_remove_user_sessions.ldap_users
#   terraform plan  -var-file=incident.tfvars      # confirms: the check passes
#
# A plain plan or apply of this folder ends nothing: only -invoke runs the action. The check reads
# the sessions through the ephemeral resource, so no session (id, IP, device) is written to a plan
# file or the state; the action leaves no state either.
#
# The API ends every session of a user at once: a user selected because of an LDAP session also
# loses a LOCAL or SSO session they have. Terraform 1.14 or later (actions); before 1.14 and on
# OpenTofu, use the removal resource (../offboarding-opentofu).
terraform {
  required_version = ">= 1.14"
  required_providers {
    dtcluster = {
      source  = "dtcluster/dtcluster"
      version = "~> 0.1"
    }
  }
}

# host and token from DYNATRACE_CLUSTER_URL and DYNATRACE_CLUSTER_API_TOKEN.
provider "dtcluster" {}

variable "break_glass_admins" {
  description = "Users whose sessions are never ended: the admins responding to the incident."
  type        = set(string)
}

action "dtcluster_remove_user_sessions" "ldap_users" {
  config {
    login_type      = "LDAP"
    except_user_ids = var.break_glass_admins
  }
}

ephemeral "dtcluster_user_sessions" "ldap" {
  login_type            = "LDAP"
  exclude_personal_data = true
}

check "only_break_glass_admins_have_ldap_sessions" {
  assert {
    condition     = alltrue([for s in ephemeral.dtcluster_user_sessions.ldap.sessions : contains(var.break_glass_admins, s.user_id)])
    error_message = "Users other than the break-glass admins still have LDAP sessions: invoke the action again (it retries whoever is left)."
  }
}
