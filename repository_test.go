package main

import (
	"bufio"
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

// TestMakeHelpListsEveryTarget: make help lists every documented target, digits in names
// included, with the descriptions in one column.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("skipped: needs make")
	}
	out, err := exec.Command("make", "--no-print-directory", "help").CombinedOutput()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	f, err := os.Open("GNUmakefile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	documented := regexp.MustCompile(`^([a-z0-9][a-z0-9-]*):.*## `)
	var targets []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if m := documented.FindStringSubmatch(sc.Text()); m != nil {
			targets = append(targets, m[1])
		}
	}
	if len(targets) < 10 {
		t.Fatalf("only %d documented targets found", len(targets))
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != len(targets) {
		t.Fatalf("make help printed %d lines for %d targets:\n%s", len(lines), len(targets), out)
	}
	column := -1
	for i, target := range targets {
		prefix := "  make " + target + " "
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d = %q, want target %s", i, lines[i], target)
			continue
		}
		rest := strings.TrimLeft(lines[i][len(prefix):], " ")
		at := len(lines[i]) - len(rest)
		if column >= 0 && at != column {
			t.Errorf("description of %s starts at column %d, others at %d:\n%s", target, at, column, out)
		}
		column = at
	}
	if !strings.Contains(string(out), "make bench-e2e") {
		t.Errorf("make help lacks bench-e2e:\n%s", out)
	}
}

// TestShellCannotDieOfSIGPIPE: no script or makefile pipes a command into a reader that may stop
// early (head, grep -q, grep -m): under pipefail the writer then dies of SIGPIPE at random.
func TestShellCannotDieOfSIGPIPE(t *testing.T) {
	files, _ := filepath.Glob("scripts/*.sh")
	files = append(files, "GNUmakefile", ".ci/run")
	early := regexp.MustCompile(`\|\s*(head\b|tail -n ?\+?1\b|grep\s+(-[a-zA-Z]*[qm]|--quiet|--max-count))`)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			if early.MatchString(line) {
				t.Errorf("%s:%d pipes into a reader that may stop early: %s", file, i+1, strings.TrimSpace(line))
			}
		}
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
