// Command dtcluster-emulator serves an in-memory emulation of the Dynatrace Managed Cluster API v2
// user management endpoints, to try the dtcluster provider and to test Terraform modules without
// a cluster. Its first line on stdout ends with the base URL to configure as the provider's host.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dtcluster-emulator:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends (SIGINT or SIGTERM in main), then shuts down gracefully.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dtcluster-emulator", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8021", "address to listen on; port 0 picks a free port")
	token := fs.String("token", emulator.DefaultToken, "API token with full access")
	readOnly := fs.String("read-only-token", "", "optional API token that may read but gets 403 on writes")
	sessions := fs.Int("sessions", 25, "number of seeded user sessions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sessions < 0 {
		return errors.New("-sessions must not be negative")
	}
	if *token == "" {
		return errors.New("-token must not be empty")
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *listen)
	if err != nil {
		return err
	}
	opts := []emulator.Option{emulator.WithToken(*token), emulator.WithSessions(*sessions)}
	if *readOnly != "" {
		opts = append(opts, emulator.WithReadOnlyToken(*readOnly))
	}
	srv := &http.Server{Handler: emulator.New(opts...), ReadHeaderTimeout: 10 * time.Second}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "dtcluster-emulator: Cluster API v2 at http://%s%s, serving http://%s\n", ln.Addr(), emulator.APIBasePath, ln.Addr())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "dtcluster-emulator: stopped")
	return nil
}
