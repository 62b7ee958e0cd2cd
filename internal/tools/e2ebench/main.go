// Command e2ebench measures the provider end to end with the real terraform binary against the
// emulator, and prints a Markdown report: time of plan and apply as a ratio to a baseline
// measured in the same run (the same kind of configuration with only a terraform_data resource),
// data source plans at several session counts, peak memory of the provider process, API calls
// per operation, binary size and start-up to handshake time. Run it with `make bench`.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

func main() {
	runs := flag.Int("runs", 5, "runs per figure (the median is reported)")
	largeRuns := flag.Int("large-runs", 3, "runs for the 100k-session figure")
	baseline := flag.String("baseline", "", "a git revision of this repository to compare with, A/B in the same run (empty: no comparison)")
	compareOnly := flag.Bool("compare-only", false, "with -baseline: run only the A/B comparison")
	clustersOnly := flag.Bool("clusters-only", false, "run only the several-clusters scenario")
	terraform := flag.String("terraform", "terraform", "the terraform (or tofu) binary to measure")
	incidentOnly := flag.Bool("incident-only", false, "run only the ephemeral read and the incident action")
	httpProvider := flag.String("http-provider", "", "a terraform-provider-http binary: the ephemeral read is also compared with data \"http\" + jsondecode")
	flag.Parse()
	o := options{runs: *runs, largeRuns: *largeRuns, baseline: *baseline, compareOnly: *compareOnly, clustersOnly: *clustersOnly,
		incidentOnly: *incidentOnly, httpProvider: *httpProvider}
	if err := run(*terraform, o); err != nil {
		fmt.Fprintln(os.Stderr, "e2ebench:", err)
		os.Exit(1)
	}
}

type bench struct {
	tf     string
	work   string
	binDir string
	binary string
	env    []string
}

// options are the command's flags.
type options struct {
	runs, largeRuns                         int
	baseline, httpProvider                  string
	compareOnly, clustersOnly, incidentOnly bool
}

func run(terraform string, o options) error {
	runs, largeRuns, baseline := o.runs, o.largeRuns, o.baseline
	tf, err := exec.LookPath(terraform)
	if err != nil {
		return fmt.Errorf("%s: %w", terraform, err)
	}
	work, err := os.MkdirTemp("", "dtcluster-e2ebench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b := &bench{tf: tf, work: work, binDir: filepath.Join(work, "bin")}
	// A release-like build is measured; the plain build only for its size.
	if b.binary, err = devharness.BuildProvider(b.binDir, "-trimpath", "-ldflags", "-s -w"); err != nil {
		return err
	}
	debugBinary, err := devharness.BuildProvider(filepath.Join(work, "debug"))
	if err != nil {
		return err
	}
	rc := filepath.Join(work, "terraformrc")
	if err := devharness.WriteCLIConfig(rc, b.binDir); err != nil {
		return err
	}
	b.env = devharness.Env(rc)
	version, _ := exec.Command(tf, "version").Output()
	goVersion, _ := exec.Command("go", "version").Output()

	fmt.Printf("Measured %s with %s and %s; %d runs per figure (%d for 100k sessions), medians.\n\n",
		time.Now().UTC().Format("2006-01-02"), strings.TrimSpace(strings.SplitN(string(version), "\n", 2)[0]), strings.TrimSpace(string(goVersion)), runs, largeRuns)

	if o.compareOnly && baseline != "" {
		return b.compare(baseline, runs, largeRuns)
	}
	if o.clustersOnly {
		return b.clusters(runs)
	}
	if o.incidentOnly {
		return b.incidentPath(runs, o.httpProvider)
	}
	if err := b.sizeAndStartup(debugBinary, runs*4); err != nil {
		return err
	}
	if err := b.configResource(runs); err != nil {
		return err
	}
	if err := b.dataSource(runs, largeRuns); err != nil {
		return err
	}
	if err := b.clusters(runs); err != nil {
		return err
	}
	if err := b.incidentPath(runs, o.httpProvider); err != nil {
		return err
	}
	if baseline != "" {
		if err := b.compare(baseline, runs, largeRuns); err != nil {
			return err
		}
	}
	return b.apiCalls()
}

// incidentPath is the ephemeral read and, on a terraform with actions, the incident action.
func (b *bench) incidentPath(runs int, httpProvider string) error {
	if err := b.ephemeralRead(runs, httpProvider); err != nil {
		return err
	}
	if !hasActions(b.tf) {
		fmt.Println("The incident action: not measured (this terraform has no actions; Terraform 1.14 or later has).")
		fmt.Println()
		return nil
	}
	return b.incident(runs)
}

// sizeAndStartup reports the binary sizes and the time from exec to the go-plugin handshake line.
func (b *bench) sizeAndStartup(debugBinary string, runs int) error {
	release, err := os.Stat(b.binary)
	if err != nil {
		return err
	}
	debug, err := os.Stat(debugBinary)
	if err != nil {
		return err
	}
	var times []time.Duration
	for range runs {
		d, err := handshake(b.binary)
		if err != nil {
			return err
		}
		times = append(times, d)
	}
	fmt.Println("### Binary and start-up")
	fmt.Println()
	fmt.Println("| figure | value |")
	fmt.Println("|---|---:|")
	fmt.Printf("| binary size, release build (`-trimpath -ldflags \"-s -w\"`, as goreleaser builds it) | %.1f MiB |\n", float64(release.Size())/(1<<20))
	fmt.Printf("| binary size, plain `go build` | %.1f MiB |\n", float64(debug.Size())/(1<<20))
	fmt.Printf("| start-up to handshake (exec until the go-plugin handshake line), median of %d | %s |\n\n", runs, ms(median(times)))
	return nil
}

// handshake starts the provider as Terraform does and times it until it prints its handshake.
func handshake(binary string) (time.Duration, error) {
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(),
		"TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		"PLUGIN_PROTOCOL_VERSIONS=6")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	elapsed := time.Since(start)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if err != nil {
		return 0, fmt.Errorf("no handshake: %w", err)
	}
	if !strings.HasPrefix(line, "1|6|") {
		return 0, fmt.Errorf("no handshake, the provider printed %q", line)
	}
	return elapsed, nil
}

// serve starts an emulator with n sessions on a loopback port.
func serve(n int) (*emulator.Emulator, string, func(), error) {
	r, err := emulator.Start("127.0.0.1:0", emulator.WithSessions(n))
	if err != nil {
		return nil, "", nil, err
	}
	return r.Emulator, r.URL, func() { _ = r.Close() }, nil
}

const header = devharness.TerraformBlock

func providerBlock(url string) string {
	return devharness.ProviderBlock("host", devharness.Quote(url), "token", devharness.Quote(emulator.DefaultToken))
}

func policy(userLimit int) string {
	return devharness.Policy{UserLimit: userLimit, AdminLimit: userLimit, Enabled: true, Timeout: 900}.Resource("this")
}

func terraformData(input int) string {
	return fmt.Sprintf("resource \"terraform_data\" \"this\" {\n  input = %d\n}\n", input)
}

// measurement is one terraform command: its wall time and the provider's peak resident memory.
type measurement struct {
	wall time.Duration
	peak int64 // KiB, 0 when no provider process ran
}

// terraform runs terraform in dir and watches the provider processes it starts for their peak memory.
func (b *bench) terraform(dir string, args ...string) (measurement, error) {
	return b.terraformWith(b.env, b.binary, dir, args...)
}

// terraformWith runs terraform in dir with env, watching the processes of the provider binary.
func (b *bench) terraformWith(env []string, binary, dir string, args ...string) (measurement, error) {
	cmd := exec.Command(b.tf, append(args, "-no-color")...)
	cmd.Dir = dir
	cmd.Env = env
	var peak int64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ticker := time.NewTicker(5 * time.Millisecond)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				if hwm := providerPeak(binary); hwm > 0 {
					mu.Lock()
					peak = max(peak, hwm)
					mu.Unlock()
				}
			}
		}
	}()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	close(done)
	wg.Wait()
	if err != nil {
		return measurement{}, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return measurement{wall: wall, peak: peak}, nil
}

// providerPeak returns the largest VmHWM (peak resident set, KiB) of running processes of binary.
func providerPeak(binary string) int64 {
	entries, _ := os.ReadDir("/proc")
	var peak int64
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err != nil || exe != binary {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				peak = max(peak, kb)
			}
		}
	}
	return peak
}

// dir makes a fresh working folder with main.tf.
func (b *bench) dir(name, config string) (string, error) {
	d := filepath.Join(b.work, name)
	if err := os.MkdirAll(d, 0o750); err != nil {
		return "", err
	}
	return d, os.WriteFile(filepath.Join(d, "main.tf"), []byte(config), 0o600)
}

func median[T int64 | time.Duration](xs []T) T {
	s := append([]T(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
