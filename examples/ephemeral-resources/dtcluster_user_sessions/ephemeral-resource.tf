# Who is logged in, read at plan and apply but never written to the plan file or the state.
ephemeral "dtcluster_user_sessions" "jane" {
  user_id = "jane.doe"
}

# A check block warns (and a pipeline can fail on the warning) while the user still has
# sessions, for example after an offboarding. The message may not show an ephemeral value.
check "jane_is_offboarded" {
  assert {
    condition     = ephemeral.dtcluster_user_sessions.jane.session_count == 0
    error_message = "jane.doe still has sessions on the cluster."
  }
}
