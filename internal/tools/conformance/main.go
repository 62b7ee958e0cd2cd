// Command conformance (make conformance) runs the Cluster API contract checks of
// internal/conformance against a cluster, or against a fresh emulator when no cluster is given.
//
// Against a cluster it reads DYNATRACE_CLUSTER_URL (or DT_CLUSTER_URL) and
// DYNATRACE_CLUSTER_API_TOKEN (or DT_CLUSTER_API_TOKEN) and is read-only unless told otherwise:
// -write puts the cluster's own current policy back and tries invalid policies the API must
// refuse; -delete-user ends that one user's sessions, and never sends a DELETE without it. It
// prints each check as it runs. On SIGINT or SIGTERM it stops, and a run that wrote puts the
// original policy back first and reads it back. It exits 1 when a check fails, 3 when the
// original policy could not be put back (the message names it), 130 after an interrupt.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/conformance"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

func main() {
	code, err := run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(os.Getenv(n)); v != "" {
			return v
		}
	}
	return ""
}

func run() (int, error) {
	write := flag.Bool("write", false, "also PUT: the cluster's own current policy, and invalid policies it must refuse (the current one is put back)")
	deleteUser := flag.String("delete-user", "", "also DELETE: end the sessions of this user (no DELETE without a user is ever sent to a cluster)")
	caFile := flag.String("ca-file", "", "PEM file of a private CA that issued the cluster's certificate")
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "delete-user" })
	if given {
		if err := conformance.CheckDeleteUser(*deleteUser); err != nil {
			return 2, err // before any request
		}
	}

	host := firstEnv("DYNATRACE_CLUSTER_URL", "DT_CLUSTER_URL")
	token := firstEnv("DYNATRACE_CLUSTER_API_TOKEN", "DT_CLUSTER_API_TOKEN")
	opts := conformance.Options{Write: *write, DeleteUser: *deleteUser}
	transport := apiclient.NewTransport()
	transport.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return 0, err
		}
		pool, _ := x509.SystemCertPool()
		if pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return 0, errors.New("-ca-file holds no PEM certificate")
		}
		transport.TLSClientConfig.RootCAs = pool
	}
	if host == "" {
		// No cluster given: a fresh emulator, with every check.
		srv, err := emulator.Start("127.0.0.1:0", emulator.WithSessions(40))
		if err != nil {
			return 0, err
		}
		defer srv.Close()
		host, token = srv.URL, emulator.DefaultToken
		opts = conformance.Options{Write: true, DeleteUser: "jane.doe", UnfilteredDelete: true}
		fmt.Printf("No DYNATRACE_CLUSTER_URL: checking a fresh emulator at %s (writes and a DELETE included)\n", srv.URL)
	} else if token == "" {
		return 0, errors.New("DYNATRACE_CLUSTER_URL is set but DYNATRACE_CLUSTER_API_TOKEN is not")
	}
	base, err := apiclient.NormalizeHost(host)
	if err != nil {
		return 0, err
	}
	target := conformance.Target{BaseURL: base.String(), Token: token, HTTP: &http.Client{
		Transport:     transport,
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	fmt.Printf("Cluster API v2 at %s\n\n", base)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts.Report = func(r conformance.Result) { fmt.Println(r) }
	results := conformance.Run(ctx, target, opts)
	failed := conformance.Failed(results)
	fmt.Printf("\n%d passed, %d failed, %d skipped\n", count(results, conformance.Pass), failed, count(results, conformance.Skip))
	switch {
	case !conformance.Restored(results):
		fmt.Fprintln(os.Stderr, "conformance: the cluster's original policy could NOT be put back; put it back by hand: see X1 above")
		return 3, nil
	case ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "conformance: interrupted; the checks above ran, and the policy is as it was")
		return 130, nil
	case failed > 0:
		return 1, nil
	}
	return 0, nil
}

func count(results []conformance.Result, o conformance.Outcome) int {
	n := 0
	for _, r := range results {
		if r.Outcome == o {
			n++
		}
	}
	return n
}
