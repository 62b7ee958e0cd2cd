# Terraform 1.12 or later: adopt the policy by identity, the cluster's URL. It must be the
# cluster the provider configuration points at.
import {
  to = dtcluster_user_sessions_config.this
  identity = {
    cluster_url = "https://cmc.example.com"
  }
}
