// Command devoverrides builds the provider into DIR/bin and writes DIR/terraformrc, a CLI
// configuration whose dev_overrides point Terraform and OpenTofu at that build; it prints the
// configuration's path. make demo uses it, the Go tests use the same package (devharness), so there
// is one way to do it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
)

func main() {
	dir := flag.String("dir", "", "folder for bin/ and terraformrc (created)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "devoverrides: -dir is required")
		os.Exit(2)
	}
	bin := filepath.Join(*dir, "bin")
	if err := os.MkdirAll(bin, 0o750); err != nil {
		fmt.Fprintln(os.Stderr, "devoverrides:", err)
		os.Exit(1)
	}
	if _, err := devharness.BuildProvider(bin); err != nil {
		fmt.Fprintln(os.Stderr, "devoverrides:", err)
		os.Exit(1)
	}
	rc := filepath.Join(*dir, "terraformrc")
	if err := devharness.WriteCLIConfig(rc, bin); err != nil {
		fmt.Fprintln(os.Stderr, "devoverrides:", err)
		os.Exit(1)
	}
	fmt.Println(rc)
}
