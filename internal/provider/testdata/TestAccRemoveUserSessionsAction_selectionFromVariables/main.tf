# The incident action with its whole selection from variables, as the incident guide's folders
# pass it: the test sets them through ConfigVariables, which terraform-plugin-testing writes to a
# variable file (*.auto.tfvars.json), so Terraform validates the action while they are unknown.
variable "host" {
  type = string
}

variable "token" {
  type      = string
  sensitive = true
}

variable "user_id" {
  type    = string
  default = null
}

variable "user_ids" {
  type    = set(string)
  default = null
}

variable "login_type" {
  type    = string
  default = null
}

variable "node_id" {
  type    = number
  default = null
}

variable "tenant_uuid" {
  type    = string
  default = null
}

variable "created_before" {
  type    = string
  default = null
}

variable "except_user_ids" {
  type    = set(string)
  default = null
}

provider "dtcluster" {
  host        = var.host
  token       = var.token
  max_retries = 1
}

action "dtcluster_remove_user_sessions" "incident" {
  config {
    user_id         = var.user_id
    user_ids        = var.user_ids
    login_type      = var.login_type
    node_id         = var.node_id
    tenant_uuid     = var.tenant_uuid
    created_before  = var.created_before
    except_user_ids = var.except_user_ids
  }
}

resource "terraform_data" "incident" {
  input = "INC-1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.dtcluster_remove_user_sessions.incident]
    }
  }
}
