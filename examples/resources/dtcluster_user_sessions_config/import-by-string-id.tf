# Adopt the policy a cluster already has. With no resource block yet,
# `terraform plan -generate-config-out=generated.tf` writes one for you.
import {
  to = dtcluster_user_sessions_config.this
  id = "user_sessions"
}
