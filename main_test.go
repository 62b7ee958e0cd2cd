package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryAnswersTerraform builds the provider and has the real terraform validate a
// configuration using it through dev_overrides.
func TestBinaryAnswersTerraform(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Skip("skipped: needs the terraform CLI (set TF_ACC_TERRAFORM_PATH or put terraform on PATH; make test does)")
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-dtcluster"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cliConfig := filepath.Join(dir, "terraformrc")
	writeFile(t, cliConfig, `provider_installation {
  dev_overrides {
    "registry.terraform.io/dtcluster/dtcluster" = "`+bin+`"
  }
  direct {}
}
`)
	work := filepath.Join(dir, "work")
	writeFile(t, filepath.Join(work, "main.tf"), `terraform {
  required_providers {
    dtcluster = { source = "dtcluster/dtcluster" }
  }
}

provider "dtcluster" {}
`)
	cmd := exec.Command(tf, "validate", "-no-color")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "The configuration is valid") {
		t.Fatalf("terraform validate: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "dtcluster/dtcluster") {
		t.Errorf("terraform did not report the dev override of the provider:\n%s", out)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
