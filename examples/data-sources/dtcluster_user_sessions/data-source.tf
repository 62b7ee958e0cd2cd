# Every session on the cluster.
data "dtcluster_user_sessions" "all" {}

# The sessions of one user.
data "dtcluster_user_sessions" "jane" {
  user_id = "jane.doe"
}

output "sessions_per_user" {
  value = {
    for user in distinct(data.dtcluster_user_sessions.all.sessions[*].user_id) :
    user => length([for s in data.dtcluster_user_sessions.all.sessions : s if s.user_id == user])
  }
}

output "jane_logged_in_from" {
  value = compact(data.dtcluster_user_sessions.jane.sessions[*].ip)
}
