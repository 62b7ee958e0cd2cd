# End the sessions of everyone leaving this week in one removal. A change of the set replaces it,
# which ends the sessions of every listed user again (a user without sessions is a success).
variable "offboarded_users" {
  type    = set(string)
  default = ["jane.doe", "john.smith"]
}

resource "dtcluster_user_sessions_removal" "offboarded" {
  user_ids = var.offboarded_users
  triggers = { ticket = "OPS-1234" }
}

output "sessions_ended_per_user" {
  value = dtcluster_user_sessions_removal.offboarded.sessions_removed_per_user
}

# Or one removal per user with for_each: adding a user ends only that user's sessions on the next
# apply; removing one only forgets its record.
resource "dtcluster_user_sessions_removal" "per_user" {
  for_each = var.offboarded_users

  user_id  = each.value
  triggers = { ticket = "OPS-1234" }
}
