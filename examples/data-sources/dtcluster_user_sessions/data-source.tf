# Every session on the cluster.
data "dtcluster_user_sessions" "all" {}

# The sessions of one user.
data "dtcluster_user_sessions" "jane" {
  user_id = "jane.doe"
}

output "sessions_per_user" {
  value = data.dtcluster_user_sessions.all.sessions_per_user
}

# Filters applied by the provider, and the personal data (ip, device) left out of state.
data "dtcluster_user_sessions" "ldap" {
  login_type            = "LDAP"
  exclude_personal_data = true
}

output "ldap_sessions" {
  value = data.dtcluster_user_sessions.ldap.session_count
}

output "jane_logged_in_from" {
  value = compact(data.dtcluster_user_sessions.jane.sessions[*].ip)
}
