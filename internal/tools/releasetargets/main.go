// Command releasetargets builds every target .goreleaser.yml lists (each build's goos × goarch,
// less its ignore entries) with the Go in use, and fails naming each target that Go does not
// support or that does not build. goreleaser itself only warns about a target its Go lacks and
// reports the release as built; make release-check runs this after goreleaser check.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// build is the part of one .goreleaser.yml build this checks.
type build struct {
	ID     string   `yaml:"id"`
	Main   string   `yaml:"main"`
	Goos   []string `yaml:"goos"`
	Goarch []string `yaml:"goarch"`
	Ignore []target `yaml:"ignore"`
}

// target is a goos/goarch pair; an empty field of an ignore entry matches any.
type target struct {
	Goos   string `yaml:"goos"`
	Goarch string `yaml:"goarch"`
}

func main() {
	if err := run(context.Background(), ".goreleaser.yml"); err != nil {
		fmt.Fprintln(os.Stderr, "releasetargets:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, file string) error {
	data, err := os.ReadFile(file) //nolint:gosec // the release configuration the developer names
	if err != nil {
		return err
	}
	var cfg struct {
		Builds []build `yaml:"builds"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	out, err := exec.CommandContext(ctx, "go", "tool", "dist", "list").Output()
	if err != nil {
		return fmt.Errorf("go tool dist list: %w", err)
	}
	supported := strings.Fields(string(out))
	var failed []string
	dir, err := os.MkdirTemp("", "releasetargets-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, b := range cfg.Builds {
		for _, t := range targets(b) {
			name := b.ID + " " + t.Goos + "/" + t.Goarch
			if !slices.Contains(supported, t.Goos+"/"+t.Goarch) {
				failed = append(failed, name+" (this Go does not support it: go tool dist list)")
				continue
			}
			main := b.Main
			if main == "" {
				main = "."
			}
			cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", filepath.Join(dir, b.ID+"-"+t.Goos+"-"+t.Goarch), main)
			cmd.Env = append(os.Environ(), "GOOS="+t.Goos, "GOARCH="+t.Goarch, "CGO_ENABLED=0")
			if msg, err := cmd.CombinedOutput(); err != nil {
				failed = append(failed, fmt.Sprintf("%s (go build: %v: %s)", name, err, strings.TrimSpace(string(msg))))
				continue
			}
			fmt.Println("builds:", name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d release target(s) of %s cannot be built:\n  %s", len(failed), file, strings.Join(failed, "\n  "))
	}
	return nil
}

// targets lists b's goos/goarch pairs less its ignore entries.
func targets(b build) []target {
	var out []target
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			ignored := slices.ContainsFunc(b.Ignore, func(i target) bool {
				return (i.Goos == "" || i.Goos == goos) && (i.Goarch == "" || i.Goarch == goarch)
			})
			if !ignored {
				out = append(out, target{Goos: goos, Goarch: goarch})
			}
		}
	}
	return out
}
