# A read of the sessions with every filter settable; the test sets them step by step through
# ConfigVariables.
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

variable "exclude_personal_data" {
  type    = bool
  default = null
}

provider "dtcluster" {
  host        = var.host
  token       = var.token
  max_retries = 5
}

data "dtcluster_user_sessions" "this" {
  user_id               = var.user_id
  login_type            = var.login_type
  node_id               = var.node_id
  tenant_uuid           = var.tenant_uuid
  exclude_personal_data = var.exclude_personal_data
}
