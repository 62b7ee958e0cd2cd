# terraform test of the module against any cluster, a real one included: the provider reads
# DYNATRACE_CLUSTER_URL and DYNATRACE_CLUSTER_API_TOKEN. The runs that apply set
# restore_on_destroy, so the teardown at the end puts back the policy the cluster had before:
# the cluster is left exactly as it was found. Nothing here needs the emulator; the simulated
# logins, which do, are in tests/emulator (terraform test -test-directory=tests/emulator).

variables {
  environment        = "production"
  restore_on_destroy = true
}

run "plan_has_the_production_policy" {
  command = plan

  assert {
    condition     = dtcluster_user_sessions_config.this.concurrent_session_policy.user_limit == 3
    error_message = "production allows 3 sessions per user"
  }
  assert {
    condition     = dtcluster_user_sessions_config.this.automatic_logout.user_inactivity_timeout == 900
    error_message = "production logs out after 15 minutes"
  }
}

run "staging_with_an_override_is_applied" {
  variables {
    environment = "staging"
    user_limit  = 7
  }

  assert {
    condition     = output.policy == { user_limit = 7, admin_limit = 3, timeout = 1800 }
    error_message = "the cluster does not hold the staging policy with the override"
  }
  assert {
    condition     = output.session_count == null && output.sessions_per_user == null
    error_message = "sessions are reported although report_sessions is off"
  }
}

run "sessions_are_reported_when_asked" {
  variables {
    environment     = "staging"
    user_limit      = 7
    report_sessions = true
  }

  assert {
    condition     = output.session_count == sum(concat([0], values(output.sessions_per_user)))
    error_message = "session_count and sessions_per_user disagree"
  }
}

run "unknown_environment_is_refused" {
  command = plan

  variables {
    environment = "prod"
  }

  expect_failures = [var.environment]
}

run "user_limit_out_of_range_is_refused" {
  command = plan

  variables {
    user_limit = 0
  }

  expect_failures = [var.user_limit]
}

# The name is the message: this file never calls the emulator's control API.
run "simulated_logins_skipped_they_are_in_tests_emulator_for_the_emulator_only" {
  command = plan
}
