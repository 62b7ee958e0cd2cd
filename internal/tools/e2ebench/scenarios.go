package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

// configResource times plan (a refresh) and apply (an update) of the config resource against
// the same commands on a configuration with only a terraform_data resource, interleaved.
func (b *bench) configResource(runs int) error {
	_, url, stop, err := serve(0)
	if err != nil {
		return err
	}
	defer stop()
	base, err := b.dir("baseline-resource", header+terraformData(0))
	if err != nil {
		return err
	}
	cfg, err := b.dir("config-resource", header+providerBlock(url)+policy(5))
	if err != nil {
		return err
	}
	for _, d := range []string{base, cfg} {
		if _, err := b.terraform(d, "apply", "-auto-approve"); err != nil {
			return err
		}
	}
	var basePlan, baseApply, planT, applyT []time.Duration
	var planPeak, applyPeak []int64
	for i := range runs {
		m, err := b.terraform(base, "plan")
		if err != nil {
			return err
		}
		basePlan = append(basePlan, m.wall)
		if m, err = b.terraform(cfg, "plan"); err != nil {
			return err
		}
		planT, planPeak = append(planT, m.wall), append(planPeak, m.peak)

		if err := os.WriteFile(filepath.Join(base, "main.tf"), []byte(header+terraformData(i+1)), 0o600); err != nil {
			return err
		}
		if m, err = b.terraform(base, "apply", "-auto-approve"); err != nil {
			return err
		}
		baseApply = append(baseApply, m.wall)
		if err := os.WriteFile(filepath.Join(cfg, "main.tf"), []byte(header+providerBlock(url)+policy(6+i%2)), 0o600); err != nil {
			return err
		}
		if m, err = b.terraform(cfg, "apply", "-auto-approve"); err != nil {
			return err
		}
		applyT, applyPeak = append(applyT, m.wall), append(applyPeak, m.peak)
	}
	fmt.Println("### `dtcluster_user_sessions_config`: plan and apply")
	fmt.Println()
	fmt.Println("Baseline: the same command on a configuration holding only a `terraform_data` resource (plan: a refresh; apply: a replacement), run alternately with the provider's.")
	fmt.Println()
	fmt.Println("| command | dtcluster | baseline | ratio | provider peak RSS |")
	fmt.Println("|---|---:|---:|---:|---:|")
	fmt.Printf("| `terraform plan` (refresh: 1 GET) | %s | %s | %.2f× | %s |\n", ms(median(planT)), ms(median(basePlan)), ratio(planT, basePlan), mib(median(planPeak)))
	fmt.Printf("| `terraform apply` (update: refresh, PUT, GET) | %s | %s | %.2f× | %s |\n\n", ms(median(applyT)), ms(median(baseApply)), ratio(applyT, baseApply), mib(median(applyPeak)))
	return nil
}

// dataSource times a plan that reads every session, at several session counts.
func (b *bench) dataSource(runs, largeRuns int) error {
	base, err := b.dir("baseline-data", header+terraformData(0))
	if err != nil {
		return err
	}
	var baseline []time.Duration
	for range runs {
		m, err := b.terraform(base, "plan")
		if err != nil {
			return err
		}
		baseline = append(baseline, m.wall)
	}
	fmt.Println("### `dtcluster_user_sessions`: plan reading every session")
	fmt.Println()
	fmt.Printf("Baseline: `terraform plan` of a configuration holding only a `terraform_data` resource: %s.\n\n", ms(median(baseline)))
	fmt.Println("| sessions | `terraform plan` | ratio to baseline | provider peak RSS |")
	fmt.Println("|---:|---:|---:|---:|")
	for _, n := range []int{0, 1_000, 10_000, 100_000} {
		_, url, stop, err := serve(n)
		if err != nil {
			return err
		}
		d, err := b.dir(fmt.Sprintf("data-%d", n), header+providerBlock(url)+"data \"dtcluster_user_sessions\" \"all\" {}\n")
		if err != nil {
			stop()
			return err
		}
		count := runs
		if n >= 100_000 {
			count = largeRuns
		}
		var times []time.Duration
		var peaks []int64
		for range count {
			m, err := b.terraform(d, "plan")
			if err != nil {
				stop()
				return err
			}
			times, peaks = append(times, m.wall), append(peaks, m.peak)
		}
		stop()
		fmt.Printf("| %d | %s | %.2f× | %s |\n", n, ms(median(times)), ratio(times, baseline), mib(median(peaks)))
	}
	fmt.Println()
	return nil
}

// apiCalls counts the requests each operation sends, from the emulator's request log.
func (b *bench) apiCalls() error {
	e, url, stop, err := serve(50)
	if err != nil {
		return err
	}
	defer stop()
	cfg, err := b.dir("calls-config", header+providerBlock(url)+policy(5))
	if err != nil {
		return err
	}
	if _, err := b.terraform(cfg, "apply", "-auto-approve"); err != nil {
		return err
	}
	var rows []string
	count := func(name, minimum string, dir string, args ...string) error {
		e.ClearRequests()
		if _, err := b.terraform(dir, args...); err != nil {
			return err
		}
		var calls []string
		for _, r := range e.Requests() {
			calls = append(calls, r.Method+" "+strings.TrimPrefix(r.Path, emulator.APIBasePath))
		}
		got := strings.Join(calls, ", ")
		verdict := "yes"
		if got != minimum {
			verdict = "no"
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s |", name, got, minimum, verdict))
		return nil
	}
	if err := count("refresh (`terraform plan`, config resource)", "GET /clusterConfig/userSessions", cfg, "plan"); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg, "main.tf"), []byte(header+providerBlock(url)+policy(8)), 0o600); err != nil {
		return err
	}
	if err := count("update (`terraform apply -refresh=false`)", "PUT /clusterConfig/userSessions, GET /clusterConfig/userSessions", cfg, "apply", "-auto-approve", "-refresh=false"); err != nil {
		return err
	}
	data, err := b.dir("calls-data", header+providerBlock(url)+"data \"dtcluster_user_sessions\" \"jane\" {\n  user_id = \"jane.doe\"\n}\n")
	if err != nil {
		return err
	}
	if err := count("data source read (`terraform plan`)", "GET /userSessions", data, "plan"); err != nil {
		return err
	}
	removal, err := b.dir("calls-removal", header+providerBlock(url)+"resource \"dtcluster_user_sessions_removal\" \"x\" {\n  user_id = \"jane.doe\"\n}\n")
	if err != nil {
		return err
	}
	if err := count("removal (`terraform apply`, removal resource)", "GET /userSessions, DELETE /userSessions", removal, "apply", "-auto-approve"); err != nil {
		return err
	}
	fmt.Println("### API calls per operation (emulator request log)")
	fmt.Println()
	fmt.Println("| operation | requests sent | minimum | at the minimum |")
	fmt.Println("|---|---|---|---|")
	for _, r := range rows {
		fmt.Println(r)
	}
	fmt.Println()
	return nil
}

func ratio(xs, base []time.Duration) float64 {
	return float64(median(xs)) / float64(median(base))
}

func mib(kib int64) string {
	if kib == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}
