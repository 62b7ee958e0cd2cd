terraform {
  required_version = ">= 1.11"
  required_providers {
    dtcluster = {
      source  = "dtcluster/dtcluster"
      version = "~> 0.1"
    }
  }
}
