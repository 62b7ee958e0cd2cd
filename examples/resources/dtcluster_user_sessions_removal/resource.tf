# Ends every session of jane.doe when created. Any change of user_id or triggers replaces the
# resource and ends the sessions again. For Terraform before 1.14 and OpenTofu; newer Terraform
# can use the dtcluster_remove_user_sessions action instead.
resource "dtcluster_user_sessions_removal" "offboard" {
  user_id = "jane.doe"
  triggers = {
    ticket = "OPS-1234"
  }
}

output "sessions_ended" {
  value = dtcluster_user_sessions_removal.offboard.sessions_removed
}
