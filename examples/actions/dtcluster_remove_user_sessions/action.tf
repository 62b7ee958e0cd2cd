# Terraform 1.14 or later. Run it on demand:
#   terraform apply -invoke=action.dtcluster_remove_user_sessions.offboard
action "dtcluster_remove_user_sessions" "offboard" {
  config {
    user_id = "jane.doe"
  }
}

# Or from a resource's lifecycle: here, end the user's sessions once the offboarding record is
# created.
resource "terraform_data" "offboarding" {
  input = "OPS-1234"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.dtcluster_remove_user_sessions.offboard]
    }
  }
}

# A selection ends many users' sessions in one invocation: here every user with an LDAP session,
# except the break-glass admins. The API ends all of a selected user's sessions, LOCAL ones too.
#   terraform apply -invoke=action.dtcluster_remove_user_sessions.ldap_incident
action "dtcluster_remove_user_sessions" "ldap_incident" {
  config {
    login_type      = "LDAP"
    except_user_ids = ["breakglass.admin"]
  }
}
