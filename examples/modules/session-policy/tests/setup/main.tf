# Simulated logins through the emulator's control API (POST /emulator/sessions), found through
# the provider's own environment variables. Needs curl.
variable "logins" {
  description = "User ids to log in, one session each."
  type        = list(string)
}

resource "terraform_data" "logins" {
  input = var.logins

  provisioner "local-exec" {
    command = <<-EOT
      curl --silent --show-error --fail -X POST \
        -H "Authorization: Api-Token $DYNATRACE_CLUSTER_API_TOKEN" -H "Content-Type: application/json" \
        --data '${jsonencode([for u in var.logins : { userId = u }])}' \
        "$DYNATRACE_CLUSTER_URL/emulator/sessions" >/dev/null
    EOT
  }
}
