# Terraform 1.14 or later, in a file ending in .tfquery.hcl next to the provider configuration:
#   terraform query                                   lists the cluster's policy
#   terraform query -generate-config-out=policy.tf   writes the resource and its import block
list "dtcluster_user_sessions_config" "policy" {
  provider = dtcluster
}
