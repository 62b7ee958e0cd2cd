# For the emulator only: simulated logins through its control API (POST /emulator/sessions),
# which a real cluster does not have. Run from the module's folder with
#   terraform test -test-directory=tests/emulator
# with DYNATRACE_CLUSTER_URL and DYNATRACE_CLUSTER_API_TOKEN pointing at a dtcluster-emulator.
# The first run stops, before anything changes, when the cluster is not the emulator. The apply
# restores the policy on teardown, as in tests/session_policy.tftest.hcl.

variables {
  environment        = "production"
  restore_on_destroy = true
  report_sessions    = true
}

run "simulated_logins" {
  module {
    source = "./tests/emulator/setup"
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
