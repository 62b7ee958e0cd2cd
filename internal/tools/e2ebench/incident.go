package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

// sessionsCheck is the check the three reads feed: does jane.doe still have a session? sessions
// is the expression listing the sessions, user the attribute naming their user.
func sessionsCheck(sessions, user string) string {
	return fmt.Sprintf(`
check "jane_has_no_sessions" {
  assert {
    condition     = length([for s in %s : s if s.%s == "jane.doe"]) == 0
    error_message = "jane.doe still has sessions."
  }
}
`, sessions, user)
}

// ephemeralRead times a plan in which a check block reads 10,000 sessions three ways: through
// the ephemeral resource, through the data source, and as users write it without this provider
// (hashicorp/http's data "http" and jsondecode, the same GET), alternately in one run.
// httpProvider is a built terraform-provider-http binary; empty leaves that row out, saying so.
func (b *bench) ephemeralRead(runs int, httpProvider string) error {
	const n = 10000
	_, url, stop, err := serve(n)
	if err != nil {
		return err
	}
	defer stop()
	type variant struct {
		label, name, config, rpc string
		env                      []string
		binary                   string
		times                    []time.Duration
		peaks                    []int64
	}
	variants := []*variant{
		{label: "`ephemeral \"dtcluster_user_sessions\"` + check", name: "ephemeral", rpc: "OpenEphemeralResource",
			config: header + providerBlock(url) + "ephemeral \"dtcluster_user_sessions\" \"all\" {}\n" +
				sessionsCheck("ephemeral.dtcluster_user_sessions.all.sessions", "user_id")},
		{label: "`data \"dtcluster_user_sessions\"` + check", name: "data-source", rpc: "ReadDataSource",
			config: header + providerBlock(url) + "data \"dtcluster_user_sessions\" \"all\" {}\n" +
				sessionsCheck("data.dtcluster_user_sessions.all.sessions", "user_id")},
	}
	for _, v := range variants {
		v.env, v.binary = b.env, b.binary
	}
	if httpProvider != "" {
		env, binary, err := b.httpProviderEnv(httpProvider)
		if err != nil {
			return err
		}
		variants = append(variants, &variant{label: "`data \"http\"` + `jsondecode` + check (hashicorp/http)", name: "http", rpc: "ReadDataSource",
			env: env, binary: binary, config: fmt.Sprintf(`terraform {
  required_providers {
    http = { source = "hashicorp/http" }
  }
}

data "http" "sessions" {
  url             = "%s%s/userSessions"
  request_headers = { Authorization = "Api-Token %s" }
}
`, url, emulator.APIBasePath, emulator.DefaultToken) + sessionsCheck("jsondecode(data.http.sessions.response_body)", "userId")})
	}
	for _, v := range variants {
		d, err := b.dir("read-"+v.name, v.config)
		if err != nil {
			return err
		}
		v.name = d
		if _, err := b.terraformWith(v.env, v.binary, d, "plan"); err != nil { // warm-up
			return err
		}
	}
	for range runs {
		for _, v := range variants {
			m, err := b.terraformWith(v.env, v.binary, v.name, "plan")
			if err != nil {
				return err
			}
			v.times, v.peaks = append(v.times, m.wall), append(v.peaks, m.peak)
		}
	}
	fmt.Printf("### A check block reading %d sessions: `terraform plan`, alternately in one run\n\n", n)
	if httpProvider == "" {
		fmt.Println("hashicorp/http: not measured (no -http-provider binary given).")
		fmt.Println()
	}
	fmt.Println("| read | `terraform plan` | ephemeral's ratio to it | the provider's read (`tf_req_duration_ms`) | plan less the read | provider peak RSS |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	eph := median(variants[0].times)
	for _, v := range variants {
		read, err := b.rpcTime(v.env, v.binary, v.name, v.rpc)
		if err != nil {
			return err
		}
		t := median(v.times)
		fmt.Printf("| %s | %s | %.2f× | %s | %s | %s |\n", v.label, ms(t), float64(eph)/float64(t), ms(read), ms(t-read), mib(median(v.peaks)))
	}
	fmt.Println()
	return nil
}

// httpProviderEnv is a CLI configuration whose dev_overrides also point hashicorp/http at the
// given binary, and the path terraform runs it from.
func (b *bench) httpProviderEnv(binary string) ([]string, string, error) {
	dir := filepath.Join(b.work, "http-provider")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, "", err
	}
	data, err := os.ReadFile(binary) //nolint:gosec // a path the person running the bench gave
	if err != nil {
		return nil, "", err
	}
	target := filepath.Join(dir, "terraform-provider-http")
	if err := os.WriteFile(target, data, 0o700); err != nil { //nolint:gosec // an executable
		return nil, "", err
	}
	rc := filepath.Join(b.work, "terraformrc-http")
	config := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", "hashicorp/http", dir)
	if err := os.WriteFile(rc, []byte(config), 0o600); err != nil {
		return nil, "", err
	}
	return devharness.Env(rc), target, nil
}

// incident times the action ending the sessions of 1,000 users (2 sessions each, every user
// selected by all_users but one excepted), with the cluster answering each DELETE at once and
// after 20 ms, and records the most DELETEs in flight at any time.
func (b *bench) incident(runs int) error {
	const users = 1000
	fmt.Printf("### The incident action ending the sessions of %d users\n\n", users)
	fmt.Println("`terraform apply -invoke` of `dtcluster_remove_user_sessions` with `all_users = true` and one user in `except_user_ids`; each user has 2 sessions.")
	fmt.Println()
	fmt.Println("| cluster's answer to each DELETE | `terraform apply -invoke` | DELETEs sent | most DELETEs in flight |")
	fmt.Println("|---|---:|---:|---:|")
	for _, delay := range []int{0, 20} {
		var times []time.Duration
		var sent, most int64
		for range runs {
			em := emulator.New(emulator.WithSessions(0))
			var logins []emulator.UserSession
			for i := range users {
				u := fmt.Sprintf("user%04d", i)
				logins = append(logins, emulator.UserSession{UserID: u, LoginType: "LDAP"}, emulator.UserSession{UserID: u, LoginType: "LOCAL"})
			}
			if _, err := em.AddSessions(logins); err != nil {
				return err
			}
			if delay > 0 {
				if err := em.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", Count: users * 2, DelayMillis: delay}); err != nil {
					return err
				}
			}
			var inFlight, peak, deletes atomic.Int64
			handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodDelete {
					deletes.Add(1)
					now := inFlight.Add(1)
					for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
					}
					defer inFlight.Add(-1)
				}
				em.ServeHTTP(w, r)
			})
			l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
			go func() { _ = srv.Serve(l) }()
			url := "http://" + l.Addr().String()
			d, err := b.dir(fmt.Sprintf("incident-%d", delay), header+providerBlock(url)+`
action "dtcluster_remove_user_sessions" "incident" {
  config {
    all_users       = true
    except_user_ids = ["user0000"]
  }
}
`)
			if err != nil {
				_ = srv.Close()
				return err
			}
			m, err := b.terraform(d, "apply", "-auto-approve", "-invoke=action.dtcluster_remove_user_sessions.incident")
			_ = srv.Close()
			if err != nil {
				return err
			}
			if left := len(em.Sessions("")); left != 2 {
				return fmt.Errorf("the action left %d sessions, want 2 (user0000's)", left)
			}
			times = append(times, m.wall)
			sent, most = deletes.Load(), max(most, peak.Load())
		}
		answer := "at once (emulator)"
		if delay > 0 {
			answer = fmt.Sprintf("after %d ms", delay)
		}
		fmt.Printf("| %s | %s | %d | %d |\n", answer, ms(median(times)), sent, most)
	}
	fmt.Println()
	return nil
}

// hasActions reports whether tf has actions (Terraform 1.14 or later; OpenTofu has none).
func hasActions(tf string) bool {
	out, err := exec.Command(tf, "version").Output()
	if err != nil || strings.Contains(string(out), "OpenTofu") {
		return false
	}
	major, minor, err := devharness.TerraformVersion(tf)
	return err == nil && (major > 1 || major == 1 && minor >= 14)
}
