terraform {
  required_providers {
    dtcluster = {
      source  = "dtcluster/dtcluster"
      version = "~> 0.1"
    }
  }
}

variable "cluster_token" {
  description = "Cluster API token with the ServiceProviderAPI scope."
  type        = string
  sensitive   = true
}

# host and token may also come from DYNATRACE_CLUSTER_URL and DYNATRACE_CLUSTER_API_TOKEN
# (or DT_CLUSTER_URL and DT_CLUSTER_API_TOKEN); then the block can stay empty.
provider "dtcluster" {
  host  = "https://cmc.example.com"
  token = var.cluster_token

  # A cluster certificate issued by a private CA:
  # ca_certificate = file("${path.module}/cluster-ca.pem")

  # Defaults shown.
  request_timeout = 30
  max_retries     = 5
}
