package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

// End-to-end benchmarks: the real terraform (TF_ACC_TERRAFORM_PATH) against emulators on
// loopback, with a release-like build of the provider. make bench runs them; BENCHMARKS.md has
// the figures. Each iteration runs the compared commands in turn (A, B, A, B, ...), so the ratio
// is taken pair by pair on a machine whose speed drifts, and each figure is the median of the
// iterations (-benchtime Nx). Peak memory is the providers' processes' VmHWM from /proc, sampled
// every 5 ms while the command runs, added up over the processes of one command.

// benchRig is what every end-to-end benchmark runs with: terraform, and the environment whose CLI
// configuration points it at the provider's build (and the http provider's, when given).
type benchRig struct {
	tf, httpDir string
	env         []string
}

// newBenchRig builds the provider as a release would and writes the CLI configuration.
func newBenchRig(b *testing.B) *benchRig {
	b.Helper()
	tf := devharness.Terraform(b)
	dir := b.TempDir()
	if prebuilt := os.Getenv("DTCLUSTER_BENCH_PROVIDER"); prebuilt != "" {
		// Another build to measure (another revision's, say): it must be named as the provider is.
		dir = filepath.Dir(prebuilt)
	} else if _, err := devharness.BuildProvider(dir, "-trimpath", "-ldflags=-s -w"); err != nil {
		b.Fatal(err)
	}
	rig := &benchRig{tf: tf}
	overrides := fmt.Sprintf("%q = %q\n", devharness.ProviderAddress, dir)
	if http := os.Getenv("DTCLUSTER_HTTP_PROVIDER"); http != "" {
		rig.httpDir = filepath.Dir(http)
		overrides += fmt.Sprintf("%q = %q\n", "registry.terraform.io/hashicorp/http", rig.httpDir)
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte("provider_installation {\n  dev_overrides {\n"+overrides+"  }\n  direct {}\n}\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	rig.env = devharness.Env(rc)
	return rig
}

// workdir writes main.tf into a new folder.
func (r *benchRig) workdir(b *testing.B, config string) string {
	b.Helper()
	dir := b.TempDir()
	writeFile(b, filepath.Join(dir, "main.tf"), config)
	return dir
}

// run runs terraform in dir and returns its wall time and the peak memory of the processes
// whose binary's name starts with prefix, added up.
func (r *benchRig) run(b *testing.B, dir, prefix string, args ...string) (time.Duration, float64) {
	b.Helper()
	cmd := exec.Command(r.tf, append(args, "-no-color", "-input=false")...)
	cmd.Dir, cmd.Env = dir, r.env
	done := make(chan struct{})
	peaks := map[int]int64{}
	var mu sync.Mutex
	go func() {
		for {
			sampleVMHWM(prefix, peaks, &mu)
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	close(done)
	if err != nil {
		b.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	var total int64
	for _, kb := range peaks {
		total += kb
	}
	return wall, float64(total) / 1024
}

// sampleVMHWM records, per process whose binary's name starts with prefix, the largest VmHWM
// (peak resident set, KiB) seen.
func sampleVMHWM(prefix string, peaks map[int]int64, mu *sync.Mutex) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || !strings.HasPrefix(filepath.Base(exe), prefix) {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				mu.Lock()
				peaks[pid] = max(peaks[pid], kb)
				mu.Unlock()
			}
		}
	}
}

// figures collects one measure per iteration and reports its median.
type figures map[string][]float64

func (f figures) add(name string, v float64) { f[name] = append(f[name], v) }

func (f figures) report(b *testing.B) {
	b.Helper()
	for name, values := range f {
		slices.Sort(values)
		b.ReportMetric(values[len(values)/2], name)
	}
}

// startClusters starts n emulators, each with its own token and two sessions of alice.
func startClusters(b *testing.B, n int) []*emulator.Running {
	b.Helper()
	clusters := make([]*emulator.Running, n)
	for i := range clusters {
		clusters[i] = startEmulator(b, emulator.WithToken(fmt.Sprintf("dt0c01.C%03d.token", i)), emulator.WithSessions(0))
		if _, err := clusters[i].AddSessions([]emulator.UserSession{{UserID: "alice"}, {UserID: "alice"}, {UserID: "bob"}}); err != nil {
			b.Fatal(err)
		}
	}
	return clusters
}

const benchPolicy = `  concurrent_session_policy = { user_limit = 3, admin_limit = 2 }
  automatic_logout          = { logout_inactive_users_enabled = true, user_inactivity_timeout = 900 }
`

// fleetConfig manages the policy of every cluster through one provider configuration.
func fleetConfig(clusters []*emulator.Running) string {
	var b strings.Builder
	b.WriteString(devharness.TerraformBlock + "provider \"dtcluster\" {\n  clusters = {\n")
	for i, c := range clusters {
		fmt.Fprintf(&b, "    c%03d = { host = %q, token = %q }\n", i, c.URL, c.Token())
	}
	b.WriteString("  }\n}\n\nresource \"dtcluster_user_sessions_config\" \"policy\" {\n  for_each = toset([")
	for i := range clusters {
		fmt.Fprintf(&b, "%q, ", fmt.Sprintf("c%03d", i))
	}
	b.WriteString("])\n  cluster  = each.key\n" + benchPolicy + "}\n")
	return b.String()
}

// aliasConfig manages the same policies with a provider alias per cluster.
func aliasConfig(clusters []*emulator.Running) string {
	var b strings.Builder
	b.WriteString(devharness.TerraformBlock)
	for i, c := range clusters {
		fmt.Fprintf(&b, "provider \"dtcluster\" {\n  alias = \"c%03d\"\n  host  = %q\n  token = %q\n}\n\n", i, c.URL, c.Token())
		fmt.Fprintf(&b, "resource \"dtcluster_user_sessions_config\" \"c%03d\" {\n  provider = dtcluster.c%03d\n%s}\n\n", i, i, benchPolicy)
	}
	return b.String()
}

// BenchmarkFleetPlan: a plan refreshing the policy of 50 clusters, in fleet mode (one provider
// configuration) against the same with 50 aliases, alternately; and 200 clusters in fleet mode.
func BenchmarkFleetPlan(b *testing.B) {
	rig := newBenchRig(b)
	const prefix = "terraform-provider-dtcluster"
	b.Run("clusters=50", func(b *testing.B) {
		clusters := startClusters(b, 50)
		fleet, aliases := rig.workdir(b, fleetConfig(clusters)), rig.workdir(b, aliasConfig(clusters))
		rig.run(b, fleet, prefix, "apply", "-auto-approve")
		rig.run(b, aliases, prefix, "apply", "-auto-approve")
		f := figures{}
		for range b.N {
			fleetWall, fleetMem := rig.run(b, fleet, prefix, "plan")
			aliasWall, aliasMem := rig.run(b, aliases, prefix, "plan")
			f.add("fleet-ms", float64(fleetWall.Milliseconds()))
			f.add("aliases-ms", float64(aliasWall.Milliseconds()))
			f.add("time-ratio", fleetWall.Seconds()/aliasWall.Seconds())
			f.add("fleet-MiB", fleetMem)
			f.add("aliases-MiB", aliasMem)
			f.add("memory-ratio", fleetMem/aliasMem)
		}
		f.report(b)
	})
	b.Run("clusters=200", func(b *testing.B) {
		clusters := startClusters(b, 200)
		fleet := rig.workdir(b, fleetConfig(clusters))
		rig.run(b, fleet, prefix, "apply", "-auto-approve")
		f := figures{}
		for range b.N {
			wall, mem := rig.run(b, fleet, prefix, "plan")
			f.add("fleet-ms", float64(wall.Milliseconds()))
			f.add("fleet-MiB", mem)
		}
		f.report(b)
	})
}

// BenchmarkFleetOffboarding: one terraform apply -invoke ending one user's sessions on 50
// clusters (the action with for_each, Terraform 1.14 and later).
func BenchmarkFleetOffboarding(b *testing.B) {
	rig := newBenchRig(b)
	if !devharness.AtLeast(b, rig.tf, 1, 14) {
		b.Skip("skipped: the action needs Terraform 1.14 or later")
	}
	clusters := startClusters(b, 50)
	config := strings.SplitAfter(fleetConfig(clusters), "\n\nresource")[0]
	config = strings.TrimSuffix(config, "resource") + `action "dtcluster_remove_user_sessions" "offboard" {
  for_each = toset([` + strings.Join(clusterNames(len(clusters)), ", ") + `])
  config {
    cluster = each.key
    user_id = "alice"
  }
}
`
	dir := rig.workdir(b, config)
	f := figures{}
	for range b.N {
		for _, c := range clusters {
			if _, err := c.AddSessions([]emulator.UserSession{{UserID: "alice"}, {UserID: "alice"}}); err != nil {
				b.Fatal(err)
			}
		}
		wall, mem := rig.run(b, dir, "terraform-provider-dtcluster", "apply", "-auto-approve", "-invoke=action.dtcluster_remove_user_sessions.offboard")
		f.add("ms", float64(wall.Milliseconds()))
		f.add("MiB", mem)
		for i, c := range clusters {
			if n := len(c.Sessions("alice")); n != 0 {
				b.Fatalf("cluster %d: alice has %d sessions after the offboarding", i, n)
			}
		}
	}
	f.report(b)
}

func clusterNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%q", fmt.Sprintf("c%03d", i))
	}
	return names
}

// BenchmarkReadPlan: a plan reading every session of one cluster through the data source, with a
// check over them, against what a user writes without this provider: hashicorp/http's
// data "http" doing the same GET, with the check over jsondecode of its body
// (DTCLUSTER_HTTP_PROVIDER names its binary; without it, the data source alone); alternately, at
// 0, 1k and 10k sessions.
func BenchmarkReadPlan(b *testing.B) {
	rig := newBenchRig(b)
	for _, n := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			srv := startEmulator(b, emulator.WithSessions(n))
			ours := rig.workdir(b, devharness.TerraformBlock+devharness.ProviderBlock("host", devharness.Quote(srv.URL),
				"token", devharness.Quote(srv.Token()))+`
data "dtcluster_user_sessions" "all" {}

check "jane_has_no_session" {
  assert {
    condition     = length([for s in data.dtcluster_user_sessions.all.sessions : s if s.user_id == "jane.doe"]) == 0
    error_message = "jane.doe has sessions"
  }
}
`)
			var peer string
			if rig.httpDir != "" {
				peer = rig.workdir(b, `terraform {
  required_providers {
    http = { source = "hashicorp/http" }
  }
}

data "http" "all" {
  url             = "`+srv.URL+`/api/cluster/v2/userSessions"
  request_headers = { Authorization = "Api-Token `+srv.Token()+`" }
}

check "jane_has_no_session" {
  assert {
    condition     = length([for s in jsondecode(data.http.all.response_body) : s if s.userId == "jane.doe"]) == 0
    error_message = "jane.doe has sessions"
  }
}
`)
			}
			f := figures{}
			for range b.N {
				wall, mem := rig.run(b, ours, "terraform-provider-dtcluster", "plan")
				f.add("dtcluster-ms", float64(wall.Milliseconds()))
				f.add("dtcluster-MiB", mem)
				if peer != "" {
					peerWall, peerMem := rig.run(b, peer, "terraform-provider-http", "plan")
					f.add("http-ms", float64(peerWall.Milliseconds()))
					f.add("http-MiB", peerMem)
					f.add("ratio", wall.Seconds()/peerWall.Seconds())
				}
			}
			f.report(b)
		})
	}
}

// BenchmarkIncidentAction: terraform apply -invoke of the action ending the sessions of 1,000
// users (all_users, one excepted) on one cluster (Terraform 1.14 and later).
func BenchmarkIncidentAction(b *testing.B) {
	rig := newBenchRig(b)
	if !devharness.AtLeast(b, rig.tf, 1, 14) {
		b.Skip("skipped: the action needs Terraform 1.14 or later")
	}
	srv := startEmulator(b, emulator.WithSessions(0))
	dir := rig.workdir(b, devharness.TerraformBlock+devharness.ProviderBlock("host", devharness.Quote(srv.URL),
		"token", devharness.Quote(srv.Token()))+`
action "dtcluster_remove_user_sessions" "incident" {
  config {
    all_users       = true
    except_user_ids = ["user0000"]
  }
}
`)
	f := figures{}
	for range b.N {
		logins := make([]emulator.UserSession, 0, 2000)
		for i := range 1000 {
			id := fmt.Sprintf("user%04d", i)
			logins = append(logins, emulator.UserSession{UserID: id}, emulator.UserSession{UserID: id})
		}
		if _, err := srv.AddSessions(logins); err != nil {
			b.Fatal(err)
		}
		srv.ClearRequests()
		wall, _ := rig.run(b, dir, "terraform-provider-dtcluster", "apply", "-auto-approve", "-invoke=action.dtcluster_remove_user_sessions.incident")
		f.add("ms", float64(wall.Milliseconds()))
		f.add("deletes", float64(srv.CountRequests("DELETE", "/userSessions")))
		if left := len(srv.Sessions("")); left != 2 {
			b.Fatalf("%d sessions left, want the excepted user's 2", left)
		}
		srv.RemoveSessions("user0000")
	}
	f.report(b)
}
