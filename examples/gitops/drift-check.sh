#!/usr/bin/env bash
# Scheduled drift check of the session policy: changes nothing, and exits
#   0  the cluster holds what the code declares
#   2  drift: someone changed the policy outside Terraform (the plan below shows how)
#   1  the check itself failed (no token, cluster unreachable, ...)
# Run it in the configuration's folder, after terraform init, with DYNATRACE_CLUSTER_URL and
# DYNATRACE_CLUSTER_API_TOKEN set. Logins do not count as drift as long as the configuration
# reports no sessions (no output reads dtcluster_user_sessions).
set -uo pipefail
terraform plan -detailed-exitcode -lock=false -input=false -no-color
