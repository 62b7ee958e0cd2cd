package provider

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

// openFDs counts this process's open file descriptors (the emulator runs in it).
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("skipped: cannot count file descriptors here: %v", err)
	}
	return len(entries)
}

// settled waits until the goroutines and descriptors are back to at most the baseline plus a
// margin (connections of exited provider processes close asynchronously) and returns them.
func settled(t *testing.T, goroutines, fds int) (int, int) {
	t.Helper()
	var g, f int
	for range 50 {
		g, f = runtime.NumGoroutine(), openFDs(t)
		if g <= goroutines+2 && f <= fds+2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return g, f
}

// TestSoak runs 200 consecutive plan/apply cycles (each terraform apply plans, then applies)
// alternating two policies, with an empty-plan check every 20 cycles, and checks that the
// emulator leaks neither goroutines nor file descriptors and ends at the last policy.
func TestSoak(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t)
	policies := [2]policy{{UserLimit: 5, AdminLimit: 2, Enabled: true, Timeout: 900}, {UserLimit: 7, AdminLimit: 3, Enabled: false, Timeout: 1800}}
	const cycles = 200
	c.write("main.tf", cliConfig(srv, srv.Token, policies[1]))
	c.must("apply", "-auto-approve")
	baseG, baseFD := settled(t, runtime.NumGoroutine(), openFDs(t))
	start := time.Now()
	failures, emptyPlans := 0, 0
	for i := range cycles {
		p := policies[i%2]
		c.write("main.tf", cliConfig(srv, srv.Token, p))
		if out, err := c.run(nil, "apply", "-auto-approve"); err != nil {
			failures++
			t.Errorf("cycle %d: apply: %v\n%s", i, err, tail(out))
			continue
		}
		if err := emulatorHolds(srv, apiPolicy(p)); err != nil {
			failures++
			t.Errorf("cycle %d: %v", i, err)
		}
		if i%20 == 19 {
			if out, err := c.run(nil, "plan", "-detailed-exitcode"); err != nil {
				failures++
				t.Errorf("cycle %d: plan after apply not empty: %v\n%s", i, err, tail(out))
			} else {
				emptyPlans++
			}
		}
	}
	g, fds := settled(t, baseG, baseFD)
	t.Logf("# soak: %d plan/apply cycles and %d empty-plan checks in %s, %d failures, %d API requests; emulator goroutines %d -> %d, open files %d -> %d",
		cycles, emptyPlans, time.Since(start).Round(time.Second), failures, len(srv.Requests()), baseG, g, baseFD, fds)
	if g > baseG+2 || fds > baseFD+2 {
		t.Errorf("leak: goroutines %d -> %d, file descriptors %d -> %d", baseG, g, baseFD, fds)
	}
	if err := emulatorHolds(srv, apiPolicy(policies[(cycles-1)%2])); err != nil {
		t.Errorf("final state: %v", err)
	}
}

// readableFailure lists what a failure after the retries says, in the client's words: a bare
// "EOF" or "context deadline exceeded" from the Go libraries is not readable enough.
var readableFailure = []string{"HTTP 429 Too Many Requests", "HTTP 503 Service Unavailable", "HTTP 556 Upgrade in progress",
	"the connection was closed before the answer was complete", "the request timed out"}

// TestChaos applies and reads while the emulator fails 30% of the API requests at random (429,
// 503, 556 with and without Retry-After, delays beyond the 1 s request timeout, dropped
// connections). Every operation must either succeed with the cluster in the declared state or
// fail with a readable error, never leave another state, never panic.
func TestChaos(t *testing.T) {
	c := newCLI(t)
	srv := emulatortest.NewServer(t, emulator.WithSessions(200))
	policies := [2]policy{{UserLimit: 4, AdminLimit: 2, Enabled: true, Timeout: 600}, {UserLimit: 9, AdminLimit: 9, Enabled: false, Timeout: 3600}}
	const operations = 30
	start := time.Now()
	var results [2]chaosResult
	previous := emulator.DefaultUserSessionsConfig()
	// Phase 0: 30% of requests fail, with the default budget of retries: operations should
	// succeed. Phase 1: 85% fail with two retries: most operations run out of retries and must
	// fail cleanly.
	for phase, setup := range []struct {
		rate    float64
		retries int
	}{{0.3, 6}, {0.85, 2}} {
		if err := srv.SetChaos(&emulator.Chaos{Rate: setup.rate, Seed: 2026, DelayMillis: 1500, RetryAfter: "1"}); err != nil {
			t.Fatal(err)
		}
		block := devharness.ProviderBlock("host", devharness.Quote(srv.URL), "token", devharness.Quote(srv.Token), "request_timeout", "1", "max_retries", strconv.Itoa(setup.retries))
		n := operations
		if phase == 1 {
			n = 12
		}
		for i := range n {
			results[phase].run(t, c, srv, block, policies[i%2], i%3 == 2, &previous)
		}
	}
	faults := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Fault != "" {
			faults[r.Fault]++
		}
	}
	t.Logf("# chaos: 30%% faults: %d succeeded, %d failed with a readable error; 85%% faults with 2 retries: %d succeeded, %d failed with a readable error; %d API requests in %s, faults injected %v",
		results[0].succeeded, results[0].failed, results[1].succeeded, results[1].failed, len(srv.Requests()), time.Since(start).Round(time.Second), faults)
	if len(faults) < 5 {
		t.Errorf("too few kinds of faults were met to prove anything: %v", faults)
	}
	if results[0].succeeded < operations*9/10 {
		t.Errorf("with 30%% faults and 6 retries only %d of %d operations succeeded", results[0].succeeded, operations)
	}
	if results[1].failed == 0 {
		t.Error("no operation ran out of retries: the failure path was not exercised")
	}
}

type chaosResult struct{ succeeded, failed int }

// run applies one operation (an apply of p, or a read of every session) and checks its outcome.
func (r *chaosResult) run(t *testing.T, c *cli, srv *emulatortest.Server, block string, p policy, read bool, previous *emulator.UserSessionsConfig) {
	t.Helper()
	config := terraformBlock + block + configResource(p)
	if read {
		config = terraformBlock + block + sessionsDataSource("") + idsOutput
	}
	c.write("main.tf", config)
	if read {
		// Each operation starts from an empty state, so an apply always creates or reads.
		_ = os.Remove(c.dir + "/terraform.tfstate")
	}
	out, err := c.run(nil, "apply", "-auto-approve")
	if strings.Contains(out, "panic") || strings.Contains(out, "crashed") {
		t.Fatalf("the provider crashed:\n%s", tail(out))
	}
	got := srv.Config()
	if err != nil {
		r.failed++
		readable := false
		flat := strings.Join(strings.Fields(out), " ") // terraform wraps long lines
		for _, phrase := range readableFailure {
			readable = readable || strings.Contains(flat, phrase)
		}
		if !readable || !strings.Contains(out, "Error: ") {
			t.Errorf("failed without a readable error:\n%s", tail(out))
		}
		if !read && got != *previous && got != apiPolicy(p) {
			t.Errorf("a failed apply left %+v, neither the old nor the declared policy", got)
		}
		*previous = got
		return
	}
	r.succeeded++
	if !read {
		if got != apiPolicy(p) {
			t.Errorf("an apply succeeded but the cluster holds %+v, want %+v", got, apiPolicy(p))
		}
		*previous = got
	}
}

// TestConcurrentReadsAndApplies runs 8 goroutines of data source reads and applies through one
// provider server (the race detector watches them in make test).
func TestConcurrentReadsAndApplies(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(500))
	ps := newProtocolServer(t, srv.URL, srv.Token)
	want := policy{UserLimit: 6, AdminLimit: 6, Enabled: true, Timeout: 1200}
	_, apply := createRequest(t, ps, want)
	read := &tfprotov6.ReadDataSourceRequest{
		TypeName: "dtcluster_user_sessions",
		Config:   ps.dynamicValue(t, ps.schema.DataSourceSchemas["dtcluster_user_sessions"].ValueType(), map[string]tftypes.Value{}),
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var reads, applies int
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				if (g+i)%2 == 0 {
					resp, err := ps.ReadDataSource(ctx, read)
					if err != nil || hasError(resp.Diagnostics) {
						t.Errorf("read: %v %s", err, diagText(resp.Diagnostics))
						return
					}
					mu.Lock()
					reads++
					mu.Unlock()
					continue
				}
				resp, err := ps.ApplyResourceChange(ctx, apply)
				if err != nil || hasError(resp.Diagnostics) {
					t.Errorf("apply: %v %s", err, diagText(resp.Diagnostics))
					return
				}
				mu.Lock()
				applies++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if reads != 24 || applies != 24 {
		t.Errorf("%d reads and %d applies completed, want 24 each", reads, applies)
	}
	if err := emulatorHolds(srv, apiPolicy(want)); err != nil {
		t.Error(err)
	}
}
