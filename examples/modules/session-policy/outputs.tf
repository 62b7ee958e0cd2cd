output "policy" {
  description = "The session policy the cluster holds."
  value = {
    user_limit  = dtcluster_user_sessions_config.this.concurrent_session_policy.user_limit
    admin_limit = dtcluster_user_sessions_config.this.concurrent_session_policy.admin_limit
    timeout     = dtcluster_user_sessions_config.this.automatic_logout.user_inactivity_timeout
  }
}

output "session_count" {
  description = "How many sessions the cluster holds; null unless report_sessions is true."
  value       = var.report_sessions ? data.dtcluster_user_sessions.all[0].session_count : null
}

output "sessions_per_user" {
  description = "The number of sessions of each user; null unless report_sessions is true."
  value       = var.report_sessions ? data.dtcluster_user_sessions.all[0].sessions_per_user : null
}
