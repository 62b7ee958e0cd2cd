# End the sessions of everyone leaving this week, one removal per user.
variable "offboarded_users" {
  type    = set(string)
  default = ["jane.doe", "john.smith"]
}

resource "dtcluster_user_sessions_removal" "offboarded" {
  for_each = var.offboarded_users

  user_id  = each.value
  triggers = { ticket = "OPS-1234" }
}

output "sessions_ended_per_user" {
  value = { for user, removal in dtcluster_user_sessions_removal.offboarded : user => removal.sessions_removed }
}
