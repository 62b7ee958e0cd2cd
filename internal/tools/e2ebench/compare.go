package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
)

// compare measures, in one run, the same terraform commands with the provider built from the
// baseline revision and with this build, alternately, so that both see the same machine.
func (b *bench) compare(ref string, runs, largeRuns int) error {
	src := filepath.Join(b.work, "baseline-src")
	if err := os.MkdirAll(src, 0o750); err != nil {
		return err
	}
	archive := exec.Command("sh", "-c", `git archive --format=tar "$0" | tar -x -C "$1"`, ref, src)
	archive.Dir = devharness.ModuleRoot()
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
	if err := devharness.WriteCLIConfig(rc, binDir); err != nil {
		return err
	}
	env := devharness.Env(rc)

	fmt.Printf("### A/B: this build against %s, alternately in the same run\n\n", ref)
	fmt.Println("| command | baseline | this build | ratio | baseline peak RSS | this build peak RSS |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	var reads []readShare
	for _, c := range []struct {
		n       int
		applied bool
	}{{10_000, false}, {10_000, true}, {100_000, false}} {
		_, url, stop, err := serve(c.n)
		if err != nil {
			return err
		}
		count := runs
		if c.n >= 100_000 {
			count = largeRuns
		}
		label, name := fmt.Sprintf("`terraform plan` reading %d sessions", c.n), fmt.Sprintf("ab-data-%d", c.n)
		config := header + providerBlock(url) + "data \"dtcluster_user_sessions\" \"all\" {}\n"
		if c.applied {
			// As a pipeline runs it: the policy and the sessions in one configuration, applied
			// before, so the plan refreshes the policy and reads the sessions again.
			label = fmt.Sprintf("`terraform plan` refreshing the policy and reading %d sessions, state holding both", c.n)
			name += "-applied"
			config += policy(5)
		}
		share, err := b.alternate(label, name, config, c.applied, env, binary, count)
		stop()
		if err != nil {
			return err
		}
		reads = append(reads, share)
	}
	_, url, stop, err := serve(0)
	if err != nil {
		return err
	}
	defer stop()
	configPlan := header + providerBlock(url) + policy(5)
	if _, err := b.alternate("`terraform plan` of the config resource (refresh)", "ab-config", configPlan, true, env, binary, runs); err != nil {
		return err
	}
	if err := b.alternateApply(env, binary, runs); err != nil {
		return err
	}
	fmt.Println()
	fmt.Println("Terraform's own share of those plans: the provider's `ReadDataSource` (request to response, HTTP")
	fmt.Println("answer included, `tf_req_duration_ms` from one more plan of each build with `TF_LOG_PROVIDER=trace`),")
	fmt.Println("the plan's median less that read, and the ratio a provider whose read took no time at all would reach")
	fmt.Println("(this build's plan less its read, over the baseline's plan):")
	fmt.Println()
	fmt.Println("| command | baseline's read | this build's read | plan less the read: baseline | this build | ratio with a read of 0 ms |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, r := range reads {
		fmt.Printf("| %s | %s | %s | %s | %s | %.2f× |\n", r.label, ms(r.baseRead), ms(r.thisRead),
			ms(r.basePlan-r.baseRead), ms(r.thisPlan-r.thisRead), float64(r.thisPlan-r.thisRead)/float64(r.basePlan))
	}
	fmt.Println()
	return nil
}

// readShare is one A/B row's plan medians and each build's ReadDataSource time.
type readShare struct {
	label              string
	basePlan, thisPlan time.Duration
	baseRead, thisRead time.Duration
}

// alternate runs terraform plan in two folders with the same configuration, one for the baseline
// build and one for this build, alternately, and prints a table row. With applied, each folder's
// state is applied first by its build, so each plan starts from a state holding the result. It
// returns the medians and, for a data source plan, each build's ReadDataSource time.
func (b *bench) alternate(label, name, config string, applied bool, baselineEnv []string, baselineBinary string, runs int) (readShare, error) {
	share := readShare{label: label}
	baseDir, err := b.dir(name+"-baseline", config)
	if err != nil {
		return share, err
	}
	thisDir, err := b.dir(name+"-this", config)
	if err != nil {
		return share, err
	}
	if applied {
		if _, err := b.terraformWith(baselineEnv, baselineBinary, baseDir, "apply", "-auto-approve"); err != nil {
			return share, err
		}
		if _, err := b.terraform(thisDir, "apply", "-auto-approve"); err != nil {
			return share, err
		}
	}
	var baseTimes, thisTimes []time.Duration
	var basePeaks, thisPeaks []int64
	for range runs {
		m, err := b.terraformWith(baselineEnv, baselineBinary, baseDir, "plan")
		if err != nil {
			return share, err
		}
		baseTimes, basePeaks = append(baseTimes, m.wall), append(basePeaks, m.peak)
		m, err = b.terraform(thisDir, "plan")
		if err != nil {
			return share, err
		}
		thisTimes, thisPeaks = append(thisTimes, m.wall), append(thisPeaks, m.peak)
	}
	share.basePlan, share.thisPlan = median(baseTimes), median(thisTimes)
	fmt.Printf("| %s | %s | %s | %.2f× | %s | %s |\n", label, ms(share.basePlan), ms(share.thisPlan),
		float64(share.thisPlan)/float64(share.basePlan), mib(median(basePeaks)), mib(median(thisPeaks)))
	if share.baseRead, err = b.readDataSourceTime(baselineEnv, baselineBinary, baseDir); err != nil {
		return share, err
	}
	if share.thisRead, err = b.readDataSourceTime(b.env, b.binary, thisDir); err != nil {
		return share, err
	}
	return share, nil
}

// readDataSourceTime runs one more plan in dir with the provider's trace log and returns the
// ReadDataSource time the provider logged (terraform-plugin-go's tf_req_duration_ms, from request
// to response), or 0 when the plan read no data source.
func (b *bench) readDataSourceTime(env []string, binary, dir string) (time.Duration, error) {
	return b.rpcTime(env, binary, dir, "ReadDataSource")
}

// rpcTime runs one more plan in dir with the providers' trace log and returns the time the first
// rpc call took in the provider (tf_req_duration_ms), or 0 when the plan made no such call.
func (b *bench) rpcTime(env []string, binary, dir, rpc string) (time.Duration, error) {
	logPath := filepath.Join(dir, "provider-trace.log")
	traced := append(append([]string(nil), env...), "TF_LOG_PROVIDER=trace", "TF_LOG_PATH="+logPath)
	if _, err := b.terraformWith(traced, binary, dir, "plan"); err != nil {
		return 0, err
	}
	data, err := os.ReadFile(logPath) //nolint:gosec // a file in the bench's own temporary folder
	if err != nil {
		return 0, err
	}
	_ = os.Remove(logPath)
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, "Received downstream response") || !strings.Contains(line, "tf_rpc="+rpc) {
			continue
		}
		_, rest, _ := strings.Cut(line, "tf_req_duration_ms=")
		value, _, _ := strings.Cut(rest, " ")
		n, err := strconv.Atoi(value)
		if err != nil {
			return 0, fmt.Errorf("no tf_req_duration_ms in %q", line)
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	return 0, nil
}

// alternateApply times an update of the config resource (refresh, PUT, GET) with each build,
// alternately. Each build has its own emulator, so that each apply changes the policy its state
// holds, and each run declares the other of two limits.
func (b *bench) alternateApply(baselineEnv []string, baselineBinary string, runs int) error {
	type side struct {
		env    []string
		binary string
		dir    string
		url    string
		times  []time.Duration
		peaks  []int64
	}
	sides := []*side{{env: baselineEnv, binary: baselineBinary}, {env: b.env, binary: b.binary}}
	for i, sd := range sides {
		_, url, stop, err := serve(0)
		if err != nil {
			return err
		}
		defer stop()
		sd.url = url
		if sd.dir, err = b.dir(fmt.Sprintf("ab-apply-%d", i), header+providerBlock(url)+policy(5)); err != nil {
			return err
		}
		if _, err := b.terraformWith(sd.env, sd.binary, sd.dir, "apply", "-auto-approve"); err != nil {
			return err
		}
	}
	for i := range runs {
		for _, sd := range sides {
			if err := os.WriteFile(filepath.Join(sd.dir, "main.tf"), []byte(header+providerBlock(sd.url)+policy(6+i%2)), 0o600); err != nil {
				return err
			}
			m, err := b.terraformWith(sd.env, sd.binary, sd.dir, "apply", "-auto-approve")
			if err != nil {
				return err
			}
			sd.times, sd.peaks = append(sd.times, m.wall), append(sd.peaks, m.peak)
		}
	}
	base, this := sides[0], sides[1]
	fmt.Printf("| `terraform apply` of the config resource (update: refresh, PUT, GET) | %s | %s | %.2f× | %s | %s |\n",
		ms(median(base.times)), ms(median(this.times)), float64(median(this.times))/float64(median(base.times)),
		mib(median(base.peaks)), mib(median(this.peaks)))
	return nil
}
