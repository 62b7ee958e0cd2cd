package main

import (
	"encoding/json"
	"fmt"
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
	env, _ := devOverrides(t)
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), `terraform {
  required_providers {
    dtcluster = { source = "dtcluster/dtcluster" }
  }
}

provider "dtcluster" {}
`)
	cmd := exec.Command(tf, "validate", "-no-color")
	cmd.Dir = work
	cmd.Env = env
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

// TestExamplesValidate: every example is formatted and valid against the built provider.
func TestExamplesValidate(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		t.Skip("skipped: needs the terraform CLI (set TF_ACC_TERRAFORM_PATH; make test does)")
	}
	env, bin := devOverrides(t)
	fmtCmd := exec.Command(tf, "fmt", "-check", "-diff", "-recursive", "examples")
	fmtCmd.Env = env
	if out, err := fmtCmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform fmt -check examples: %v\n%s", err, out)
	}
	dirs, err := filepath.Glob("examples/*/*")
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, "examples/provider")
	actions := terraformAtLeast(t, tf, 1, 14)
	validated := 0
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
		if len(files) == 0 {
			continue
		}
		t.Run(dir, func(t *testing.T) {
			if strings.HasPrefix(dir, filepath.Join("examples", "actions")) && !actions {
				t.Skip("skipped: actions need Terraform 1.14 or later; this terraform is older")
			}
			work := t.TempDir()
			required := false
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				required = required || strings.Contains(string(data), "required_providers")
				writeFile(t, filepath.Join(work, filepath.Base(f)), string(data))
			}
			if !required {
				writeFile(t, filepath.Join(work, "versions.tf"), "terraform {\n  required_providers {\n    dtcluster = { source = \"dtcluster/dtcluster\" }\n  }\n}\n")
			}
			cmd := exec.Command(tf, "validate", "-no-color")
			cmd.Dir = work
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "The configuration is valid") || !strings.Contains(string(out), bin) {
				t.Fatalf("terraform validate %s: %v\n%s", dir, err, out)
			}
		})
		validated++
	}
	if validated < 5 {
		t.Errorf("only %d example folders found", validated)
	}
}

// devOverrides builds the provider and returns an environment whose terraform uses it, and the
// folder holding the binary.
func devOverrides(t *testing.T) ([]string, string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-dtcluster"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "terraformrc")
	writeFile(t, rc, "provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/dtcluster/dtcluster\" = \""+bin+"\"\n  }\n  direct {}\n}\n")
	return append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"), bin
}

// terraformAtLeast reports whether the terraform binary is at least major.minor.
func terraformAtLeast(t *testing.T, tf string, major, minor int) bool {
	t.Helper()
	out, err := exec.Command(tf, "version", "-json").Output()
	if err != nil {
		t.Fatalf("terraform version: %v", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	var gotMajor, gotMinor int
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &gotMajor, &gotMinor); err != nil {
		t.Fatalf("terraform version %q: %v", v.Version, err)
	}
	return gotMajor > major || (gotMajor == major && gotMinor >= minor)
}
