# The cluster's session policy: at most 5 concurrent sessions per user and 2 per admin, and
# users inactive for 15 minutes are logged out.
resource "dtcluster_user_sessions_config" "this" {
  concurrent_session_policy = {
    user_limit  = 5
    admin_limit = 2
  }
  automatic_logout = {
    logout_inactive_users_enabled = true
    user_inactivity_timeout       = 900
  }

  # Put back the cluster's previous policy when this resource is destroyed.
  restore_on_destroy = true
}
