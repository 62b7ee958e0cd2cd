# The session policy of one cluster, by environment: production is strict, development lenient.
locals {
  policies = {
    production  = { user_limit = 3, admin_limit = 2, logout = true, timeout = 900 }
    staging     = { user_limit = 5, admin_limit = 3, logout = true, timeout = 1800 }
    development = { user_limit = 10, admin_limit = 5, logout = false, timeout = 3600 }
  }
  policy = merge(local.policies[var.environment], var.user_limit == null ? {} : { user_limit = var.user_limit })
}

resource "dtcluster_user_sessions_config" "this" {
  cluster = var.cluster
  concurrent_session_policy = {
    user_limit  = local.policy.user_limit
    admin_limit = local.policy.admin_limit
  }
  automatic_logout = {
    logout_inactive_users_enabled = local.policy.logout
    user_inactivity_timeout       = local.policy.timeout
  }
  restore_on_destroy = var.restore_on_destroy
}

# Who is logged in, only when asked for: session counts change with every login, so a
# configuration that reports them is never quiet in a drift check (plan -detailed-exitcode).
# ip and device stay out of state.
data "dtcluster_user_sessions" "all" {
  count                 = var.report_sessions ? 1 : 0
  cluster               = var.cluster
  exclude_personal_data = true
  depends_on            = [dtcluster_user_sessions_config.this]
}
