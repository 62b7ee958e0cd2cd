# Simulated logins through the emulator's control API (POST /emulator/sessions), found through
# the provider's own environment variables. Needs curl. It first asks for the emulator's
# readiness endpoint and stops when there is none: a real cluster has no control API. Then it
# ends the sessions these users have from an earlier run (DELETE /userSessions?userId=, a 404
# when there are none), so the tests pass against a long-running emulator however often they run.
variable "logins" {
  description = "User ids to log in, one session each."
  type        = list(string)
}

resource "terraform_data" "logins" {
  input = var.logins

  provisioner "local-exec" {
    command = <<-EOT
      if ! curl --silent --fail "$DYNATRACE_CLUSTER_URL/emulator/health" >/dev/null; then
        echo "$DYNATRACE_CLUSTER_URL is not a dtcluster-emulator (no /emulator/health): these tests are for the emulator only; nothing was changed" >&2
        exit 1
      fi
      for user in ${join(" ", [for u in distinct(var.logins) : format("'%s'", u)])}; do
        curl --silent --output /dev/null -X DELETE -H "Authorization: Api-Token $DYNATRACE_CLUSTER_API_TOKEN" \
          "$DYNATRACE_CLUSTER_URL/api/cluster/v2/userSessions?userId=$user"
      done
      curl --silent --show-error --fail -X POST \
        -H "Authorization: Api-Token $DYNATRACE_CLUSTER_API_TOKEN" -H "Content-Type: application/json" \
        --data '${jsonencode([for u in var.logins : { userId = u }])}' \
        "$DYNATRACE_CLUSTER_URL/emulator/sessions" >/dev/null
    EOT
  }
}
