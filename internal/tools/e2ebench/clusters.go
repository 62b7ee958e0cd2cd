package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/devharness"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

// clusters times a plan (a refresh of every policy) of one configuration managing the policy
// of 1, 10 and 50 clusters, each behind its own provider alias and its own emulator.
func (b *bench) clusters(runs int) error {
	fmt.Println("### Several clusters: `terraform plan` refreshing the policy of N clusters")
	fmt.Println()
	fmt.Println("One provider alias, one emulator and one `dtcluster_user_sessions_config` per cluster, state already applied.")
	fmt.Println()
	fmt.Println("| clusters | `terraform plan` | per cluster | provider processes' peak RSS, each |")
	fmt.Println("|---:|---:|---:|---:|")
	var single time.Duration
	for _, n := range []int{1, 10, 50} {
		var config strings.Builder
		config.WriteString(header)
		for i := range n {
			srv, err := emulator.Start("127.0.0.1:0")
			if err != nil {
				return err
			}
			defer srv.Close()
			alias := fmt.Sprintf("c%d", i)
			config.WriteString(devharness.ProviderBlock("alias", devharness.Quote(alias), "host", devharness.Quote(srv.URL),
				"token", devharness.Quote(emulator.DefaultToken)))
			config.WriteString(strings.Replace(policy(5), `"dtcluster_user_sessions_config" "this" {`,
				fmt.Sprintf(`"dtcluster_user_sessions_config" %q {`+"\n  provider = dtcluster.%s", alias, alias), 1))
		}
		d, err := b.dir(fmt.Sprintf("clusters-%d", n), config.String())
		if err != nil {
			return err
		}
		if _, err := b.terraform(d, "apply", "-auto-approve"); err != nil {
			return err
		}
		var times []time.Duration
		var peaks []int64
		for range runs {
			m, err := b.terraform(d, "plan")
			if err != nil {
				return err
			}
			times, peaks = append(times, m.wall), append(peaks, m.peak)
		}
		t := median(times)
		if n == 1 {
			single = t
		}
		perCluster := t
		if n > 1 {
			perCluster = (t - single) / time.Duration(n-1)
		}
		fmt.Printf("| %d | %s | %s | %s |\n", n, ms(t), ms(perCluster), mib(median(peaks)))
	}
	fmt.Println()
	fmt.Println("\"Per cluster\" is, from 10 clusters on, what each cluster beyond the first adds.")
	fmt.Println()
	return nil
}
