package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
)

// TestBinaryAnswersTerraform builds the provider and has the real terraform validate a
// configuration using it through dev_overrides.
func TestBinaryAnswersTerraform(t *testing.T) {
	tf := devharness.Terraform(t)
	env, _ := devOverrides(t)
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), devharness.TerraformBlock+devharness.ProviderBlock())
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

func writeFile(t testing.TB, path, content string) {
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
	tf := devharness.Terraform(t)
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
	// An example set is validated together; some need a newer Terraform than others.
	type exampleSet struct {
		name     string
		files    []string
		minor    int    // the least Terraform 1.x minor version it needs
		needs    string // what needs that version
		validate []string
	}
	var sets []exampleSet
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
		queries, _ := filepath.Glob(filepath.Join(dir, "*.tfquery.hcl"))
		var plain []string
		for _, f := range files {
			if filepath.Base(f) != "import-by-identity.tf" {
				plain = append(plain, f)
			}
		}
		minor, needs := 11, ""
		for _, f := range plain {
			data, err := os.ReadFile(f)
			if err == nil && regexp.MustCompile(`(?m)^action "`).Match(data) {
				minor, needs = 14, "actions"
			}
			// An example that says which Terraform it needs (destroy-triggered actions: 1.16).
			if m := regexp.MustCompile(`required_version\s*=\s*">=\s*1\.(\d+)"`).FindSubmatch(data); m != nil {
				if n, _ := strconv.Atoi(string(m[1])); n > minor {
					minor, needs = n, "its required_version"
				}
			}
		}
		if len(plain) > 0 {
			sets = append(sets, exampleSet{dir, plain, minor, needs, []string{"validate"}})
		}
		if identity := filepath.Join(dir, "import-by-identity.tf"); slices.Contains(files, identity) {
			// Import by identity needs Terraform 1.12, and one import block per address.
			sets = append(sets, exampleSet{identity, []string{filepath.Join(dir, "resource.tf"), identity}, 12, "import by identity", []string{"validate"}})
		}
		if len(queries) > 0 {
			sets = append(sets, exampleSet{dir, queries, 14, "list resources (terraform query)", []string{"validate", "-query"}})
		}
	}
	validated := 0
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			if !devharness.AtLeast(t, tf, 1, set.minor) {
				t.Skipf("skipped: %s need Terraform 1.%d or later; this terraform is older", set.needs, set.minor)
			}
			work := t.TempDir()
			required := false
			for _, f := range set.files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				required = required || strings.Contains(string(data), "required_providers")
				writeFile(t, filepath.Join(work, filepath.Base(f)), string(data))
			}
			if !required {
				writeFile(t, filepath.Join(work, "versions.tf"), devharness.TerraformBlock)
			}
			cmd := exec.Command(tf, append(set.validate, "-no-color")...)
			cmd.Dir = work
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "The configuration is valid") || !strings.Contains(string(out), bin) {
				t.Fatalf("terraform %s %s: %v\n%s", strings.Join(set.validate, " "), set.name, err, out)
			}
		})
		validated++
	}
	if validated < 5 {
		t.Errorf("only %d example folders found", validated)
	}
}

// devOverrides returns an environment whose terraform uses the provider built once for this
// run, and the folder holding the binary.
func devOverrides(t *testing.T) ([]string, string) {
	t.Helper()
	bin, err := devharness.ProviderDir()
	if err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(t.TempDir(), "terraformrc")
	if err := devharness.WriteCLIConfig(rc, bin); err != nil {
		t.Fatal(err)
	}
	return devharness.Env(rc), bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	devharness.RemoveBuilds()
	os.Exit(code)
}
