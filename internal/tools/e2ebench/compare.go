package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/acctest"
)

// compare measures, in one run, the same terraform commands with the provider built from the
// baseline revision and with this build, alternately, so that both see the same machine.
func (b *bench) compare(ref string, runs, largeRuns int) error {
	src := filepath.Join(b.work, "baseline-src")
	if err := os.MkdirAll(src, 0o750); err != nil {
		return err
	}
	archive := exec.Command("sh", "-c", `git archive --format=tar "$0" | tar -x -C "$1"`, ref, src)
	archive.Dir = acctest.ModuleRoot()
	if out, err := archive.CombinedOutput(); err != nil {
		return fmt.Errorf("git archive %s: %w\n%s", ref, err, out)
	}
	binDir := filepath.Join(b.work, "baseline-bin")
	binary := filepath.Join(binDir, "terraform-provider-dtcluster")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", binary, ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build of %s: %w\n%s", ref, err, out)
	}
	rc := filepath.Join(b.work, "baseline.tfrc")
	if err := acctest.WriteCLIConfig(rc, binDir); err != nil {
		return err
	}
	env := acctest.Env(rc)

	fmt.Printf("### A/B: this build against %s, alternately in the same run\n\n", ref)
	fmt.Println("| command | baseline | this build | ratio | baseline peak RSS | this build peak RSS |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, n := range []int{10_000, 100_000} {
		_, url, stop, err := serve(n)
		if err != nil {
			return err
		}
		count := runs
		if n >= 100_000 {
			count = largeRuns
		}
		config := header + providerBlock(url) + "data \"dtcluster_user_sessions\" \"all\" {}\n"
		err = b.alternate(fmt.Sprintf("`terraform plan` reading %d sessions", n), fmt.Sprintf("ab-data-%d", n), config, env, binary, count)
		stop()
		if err != nil {
			return err
		}
	}
	_, url, stop, err := serve(0)
	if err != nil {
		return err
	}
	defer stop()
	configPlan := header + providerBlock(url) + policy(5)
	for _, who := range []struct {
		suffix string
		env    []string
	}{{"-baseline", env}, {"-this", b.env}} {
		// Both states hold the policy first, so each timed plan is a refresh.
		d, err := b.dir("ab-config"+who.suffix, configPlan)
		if err != nil {
			return err
		}
		if _, err := b.terraformWith(who.env, "", d, "apply", "-auto-approve"); err != nil {
			return err
		}
	}
	if err := b.alternate("`terraform plan` of the config resource (refresh)", "ab-config", configPlan, env, binary, runs); err != nil {
		return err
	}
	fmt.Println()
	return nil
}

// alternate runs terraform plan in two folders with the same configuration, one for the baseline
// build and one for this build, alternately, and prints a table row.
func (b *bench) alternate(label, name, config string, baselineEnv []string, baselineBinary string, runs int) error {
	baseDir, err := b.dir(name+"-baseline", config)
	if err != nil {
		return err
	}
	thisDir, err := b.dir(name+"-this", config)
	if err != nil {
		return err
	}
	var baseTimes, thisTimes []time.Duration
	var basePeaks, thisPeaks []int64
	for range runs {
		m, err := b.terraformWith(baselineEnv, baselineBinary, baseDir, "plan")
		if err != nil {
			return err
		}
		baseTimes, basePeaks = append(baseTimes, m.wall), append(basePeaks, m.peak)
		m, err = b.terraform(thisDir, "plan")
		if err != nil {
			return err
		}
		thisTimes, thisPeaks = append(thisTimes, m.wall), append(thisPeaks, m.peak)
	}
	fmt.Printf("| %s | %s | %s | %.2f× | %s | %s |\n", label, ms(median(baseTimes)), ms(median(thisTimes)),
		float64(median(thisTimes))/float64(median(baseTimes)), mib(median(basePeaks)), mib(median(thisPeaks)))
	return nil
}
