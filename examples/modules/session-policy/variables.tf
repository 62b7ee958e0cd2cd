variable "environment" {
  description = "Which environment the cluster serves: production, staging or development. Each has its own session policy."
  type        = string

  validation {
    condition     = contains(["production", "staging", "development"], var.environment)
    error_message = "environment must be production, staging or development."
  }
}

variable "cluster" {
  description = "The cluster, by its name in the provider's clusters (fleet mode); null for the provider's default cluster."
  type        = string
  default     = null
}

variable "user_limit" {
  description = "Overrides the environment's concurrent sessions per user (1 to 100); null keeps the environment's."
  type        = number
  default     = null

  validation {
    condition     = var.user_limit == null || (try(var.user_limit >= 1 && var.user_limit <= 100 && floor(var.user_limit) == var.user_limit, false))
    error_message = "user_limit must be a whole number from 1 to 100, or null."
  }
}

variable "restore_on_destroy" {
  description = "Put back the cluster's previous policy when this module is destroyed."
  type        = bool
  default     = false
}

variable "report_sessions" {
  description = "Also read who is logged in (session_count, sessions_per_user). Off by default: those outputs change with every login, so a scheduled drift check of a configuration that reports them would fire all day."
  type        = bool
  default     = false
}
