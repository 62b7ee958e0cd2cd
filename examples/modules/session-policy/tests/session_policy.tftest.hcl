# terraform test against the emulator (or any cluster): the provider reads DYNATRACE_CLUSTER_URL
# and DYNATRACE_CLUSTER_API_TOKEN. The logins run needs the emulator's control API.

variables {
  environment = "production"
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

run "simulated_logins" {
  module {
    source = "./tests/setup"
  }

  variables {
    logins = ["test.alice", "test.alice", "test.bob"]
  }
}

run "logins_are_listed" {
  assert {
    condition     = output.sessions_per_user["test.alice"] == 2 && output.sessions_per_user["test.bob"] == 1
    error_message = "the simulated logins are not listed"
  }
}
