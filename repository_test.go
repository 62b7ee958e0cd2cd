package main

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
)

// registryDocs is where the Terraform Registry serves this provider's docs/ folder. It serves a
// page without the .md ending, so docs link to each other with absolute registry URLs.
const registryDocs = "https://registry.terraform.io/providers/dtcluster/dtcluster/latest/docs"

var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocsLinksResolveOnRegistry checks every link in docs/ the way the registry resolves it: a
// link to another page of this provider is an absolute registry URL naming a page that exists;
// a relative link or one ending in .md would 404 there.
func TestDocsLinksResolveOnRegistry(t *testing.T) {
	checked := 0
	err := filepath.WalkDir("docs", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range markdownLink.FindAllStringSubmatch(string(data), -1) {
			link := m[1]
			checked++
			switch {
			case strings.HasPrefix(link, "#"):
			case strings.HasPrefix(link, registryDocs):
				page := strings.TrimPrefix(strings.TrimPrefix(link, registryDocs), "/")
				page, _, _ = strings.Cut(page, "#")
				file := filepath.Join("docs", page+".md")
				if page == "" {
					file = filepath.Join("docs", "index.md")
				}
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s: %s names no page (no %s)", path, link, file)
				}
			default:
				u, err := url.Parse(link)
				if err != nil || u.Scheme != "https" || u.Host == "" {
					t.Errorf("%s: link %q does not resolve on the registry; link pages as %s/<kind>/<name>", path, link, registryDocs)
				} else if strings.HasSuffix(u.Path, ".md") && u.Host == "registry.terraform.io" {
					t.Errorf("%s: link %q ends in .md", path, link)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 5 {
		t.Fatalf("only %d links found in docs/; the test would prove nothing", checked)
	}
}

// TestAcceptanceTestsGoThroughTheTiers: no test calls terraform-plugin-testing's runners but
// the tier helpers of internal/provider (acceptanceTest, serialAcceptanceTest, quickAcceptanceTest), so every
// acceptance test belongs to a tier by what it calls, never by its name: make test-quick
// (go test -short) runs the quick ones and skips the others saying so, make test runs all.
func TestAcceptanceTestsGoThroughTheTiers(t *testing.T) {
	runner := regexp.MustCompile(`\bresource\.(ParallelTest|Test|UnitTest)\(`)
	files, _ := filepath.Glob("internal/*/*_test.go")
	root, _ := filepath.Glob("*_test.go")
	checked := 0
	for _, file := range append(files, root...) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(data), "\n") {
			if runner.MatchString(line) && file != filepath.Join("internal", "provider", "helpers_test.go") {
				t.Errorf("%s:%d calls terraform-plugin-testing directly: use acceptanceTest, serialAcceptanceTest or quickAcceptanceTest", file, i+1)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d test files found", checked)
	}
}

// TestMakeInstallIsFoundByTerraform: make install with its defaults puts the provider where
// terraform init finds it, offline, without dev_overrides, in the version the docs' constraint
// accepts: init of the index page's example (examples/provider/provider.tf, version = "~> 0.1")
// installs it.
func TestMakeInstallIsFoundByTerraform(t *testing.T) {
	tf := devharness.Terraform(t)
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("skipped: needs make")
	}
	home := t.TempDir()
	env := []string{"HOME=" + home, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_CLI_CONFIG_FILE=" + filepath.Join(home, "none.tfrc")}
	// The Go caches stay where they are, so the build does not download modules into home.
	for _, name := range []string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOFLAGS", "GOPROXY", "GONOSUMDB", "GOTOOLCHAIN"} {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, name+"="+strings.TrimSpace(string(out)))
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	install := exec.Command("make", "--no-print-directory", "install")
	install.Env = env
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	example, err := os.ReadFile(filepath.Join("examples", "provider", "provider.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(example), `version = "~> 0.1"`) {
		t.Fatalf("the index page's example no longer pins ~> 0.1; this test checks what it says:\n%s", example)
	}
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), string(example))
	init := exec.Command(tf, "init", "-no-color", "-input=false")
	init.Dir = work
	init.Env = env
	out, err := init.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Installed dtcluster/dtcluster v0.1.0") {
		t.Fatalf("terraform init of the index page's example after make install: %v\n%s", err, out)
	}
	validate := exec.Command(tf, "validate", "-no-color")
	validate.Dir = work
	validate.Env = env
	if out, err := validate.CombinedOutput(); err != nil {
		t.Fatalf("terraform validate of the index page's example with the installed provider: %v\n%s", err, out)
	}
	tofu := os.Getenv("DTCLUSTER_TOFU_PATH")
	if tofu == "" {
		return // OpenTofu's init runs where make test has TOFU set (CI)
	}
	work = t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), string(example))
	init = exec.Command(tofu, "init", "-no-color", "-input=false")
	init.Dir = work
	init.Env = env
	if out, err := init.CombinedOutput(); err != nil || !strings.Contains(string(out), "Installed dtcluster/dtcluster v0.1.0") {
		t.Fatalf("tofu init of the index page's example after make install: %v\n%s", err, out)
	}
}
