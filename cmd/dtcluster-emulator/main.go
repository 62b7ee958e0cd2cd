// Command dtcluster-emulator serves an in-memory emulation of the Dynatrace Managed Cluster API v2
// user management endpoints, to try the dtcluster provider and to test Terraform modules without
// a cluster. Its first line on stdout ends with the base URL to configure as the provider's host;
// the second says which token to use.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

// version is set by the release build (-ldflags "-X main.version=..."); go install reports the
// module version instead.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dtcluster-emulator:", err)
		os.Exit(2)
	}
}

// buildVersion is the version given at build time, or the module version of go install.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return version
}

// TokenEnv is the environment variable the token may come from, so that it is not in the
// process list as -token is.
const TokenEnv = "DTCLUSTER_EMULATOR_TOKEN" //nolint:gosec // the name of a variable, not a credential

// chooseToken sets *token from the one source given: -token, -token-file or TokenEnv, in that
// order of precedence between a flag and the environment; both flags at once is an error. With
// none, the public default token.
func chooseToken(fs *flag.FlagSet, token *string, tokenFile string) error {
	tokenGiven := false
	fs.Visit(func(f *flag.Flag) { tokenGiven = tokenGiven || f.Name == "token" })
	switch {
	case tokenGiven && tokenFile != "":
		return errors.New("give the token once: -token or -token-file, not both")
	case tokenFile != "":
		data, err := os.ReadFile(tokenFile) //nolint:gosec // the operator names the file
		if err != nil {
			return fmt.Errorf("-token-file: %w", err)
		}
		*token = strings.TrimSpace(string(data))
		if *token == "" {
			return fmt.Errorf("-token-file %s is empty", tokenFile)
		}
	case tokenGiven:
		if strings.TrimSpace(*token) == "" {
			return errors.New("-token must not be empty")
		}
	case strings.TrimSpace(os.Getenv(TokenEnv)) != "":
		*token = strings.TrimSpace(os.Getenv(TokenEnv))
	default:
		*token = emulator.DefaultToken
	}
	return nil
}

// run serves until ctx ends (SIGINT or SIGTERM in main), then shuts down gracefully. -h and
// -version print on stdout and return nil; a flag error and the usage that follows it go to
// stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dtcluster-emulator", flag.ContinueOnError)
	var parseOutput strings.Builder // the flag package's own text: the usage for -h, or an error and the usage
	fs.SetOutput(&parseOutput)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: dtcluster-emulator [flags]\n\n"+
			"Serves the Dynatrace Managed Cluster API v2 user management endpoints in memory, for the\n"+
			"dtcluster Terraform provider. Point the provider at it with DYNATRACE_CLUSTER_URL and\n"+
			"DYNATRACE_CLUSTER_API_TOKEN. Stops on SIGINT or SIGTERM.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8021", "address to listen on; port 0 picks a free port (an address other machines reach needs -token)")
	token := fs.String("token", "", "API token with full access; visible to every local user in the process list: prefer -token-file or "+
		TokenEnv+" (without any of them the public default "+emulator.DefaultToken+", refused when -listen is not loopback)")
	tokenFile := fs.String("token-file", "", "read the API token from this file (surrounding white space is ignored)")
	maxConns := fs.Int("max-connections", emulator.DefaultMaxConnections, "connections held open at most; at the bound the longest-waiting one is closed for a new one")
	unscoped := fs.String("unscoped-token", "", "optional valid API token without the ServiceProviderAPI scope: every operation answers it 403")
	sessions := fs.Int("sessions", 25, "number of seeded user sessions")
	urlFile := fs.String("url-file", "", "once serving, write the base URL to this file (atomically), so a script can wait for it")
	logRequests := fs.Bool("log-requests", false, "print each API request and its status on stdout")
	showVersion := fs.Bool("version", false, "print the version and exit")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a certificate of a CA made at start (for a CI service reached by name); see -ca-file and -tls-hosts")
	caFile := fs.String("ca-file", "", "with -tls: write the CA certificate (PEM) to this file, for the provider's ca_certificate")
	tlsHosts := fs.String("tls-hosts", "localhost,127.0.0.1,::1", "with -tls: comma-separated host names and addresses the certificate names (add the service's name, such as dtcluster-emulator)")
	putStatus := fs.Int("put-status", 200, "status of a successful PUT: 200 (documented) or 204 (the docs' example)")
	noSessions := fs.String("no-sessions-answer", string(emulator.NoSessionsEmptyArray),
		fmt.Sprintf("how a filtered session list answers for a user without sessions (undocumented): one of %v", emulator.NoSessionsAnswers))
	maxTimeout := fs.Int("max-inactivity-timeout", 0, "store at most this many seconds as the inactivity timeout, as a normalising cluster would (0: store what is sent)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = io.WriteString(stdout, parseOutput.String())
			return nil
		}
		_, _ = io.WriteString(stderr, parseOutput.String())
		return err
	}
	if *showVersion {
		fmt.Fprintln(stdout, "dtcluster-emulator", buildVersion())
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; see -h", fs.Arg(0))
	}
	if *sessions < 0 {
		return errors.New("-sessions must not be negative")
	}
	if err := chooseToken(fs, token, *tokenFile); err != nil {
		return err
	}
	if *maxConns < 1 {
		return errors.New("-max-connections must be at least 1")
	}
	if *maxTimeout < 0 || *maxTimeout > math.MaxInt32 {
		return errors.New("-max-inactivity-timeout must be between 0 and 2147483647")
	}
	if *token == emulator.DefaultToken && !loopbackOnly(*listen) {
		return fmt.Errorf("-listen %s is reachable from other machines, and the default token is public (it is in the "+
			"provider's documentation): set -token to a secret of your own, such as -token \"$(openssl rand -hex 24)\"", *listen)
	}
	opts := []emulator.Option{
		emulator.WithToken(*token), emulator.WithSessions(*sessions), emulator.WithPutStatus(*putStatus),
		emulator.WithNoSessionsAnswer(emulator.NoSessionsAnswer(*noSessions)), emulator.WithMaxInactivityTimeout(int32(*maxTimeout)),
		emulator.WithMaxConnections(*maxConns),
	}
	if *unscoped != "" {
		opts = append(opts, emulator.WithUnscopedToken(*unscoped))
	}
	if err := emulator.Check(opts...); err != nil {
		return err
	}
	if *logRequests {
		opts = append(opts, emulator.WithRequestObserver(func(r emulator.Request) {
			fmt.Fprintf(stdout, "%s %s\n", time.Now().UTC().Format("15:04:05.000"), r)
		}))
	}
	var tlsConfig *tls.Config
	if *useTLS {
		config, caPEM, err := emulator.SelfSignedTLS(strings.Split(*tlsHosts, ","))
		if err != nil {
			return fmt.Errorf("-tls: %w", err)
		}
		tlsConfig = config
		if *caFile != "" {
			if err := writeAtomically(*caFile, strings.TrimSpace(string(caPEM))); err != nil {
				return fmt.Errorf("-ca-file: %w", err)
			}
		}
	} else if *caFile != "" {
		return errors.New("-ca-file needs -tls")
	}
	srv, err := emulator.StartTLS(*listen, tlsConfig, opts...)
	if err != nil {
		return err
	}
	base := srv.URL
	fmt.Fprintf(stdout, "dtcluster-emulator %s: Cluster API v2 at %s%s, serving %s\n", buildVersion(), base, emulator.APIBasePath, base)
	if *token == emulator.DefaultToken {
		fmt.Fprintf(stdout, "dtcluster-emulator: token %s (export DYNATRACE_CLUSTER_URL=%s DYNATRACE_CLUSTER_API_TOKEN=%s)\n", *token, base, *token)
	} else {
		fmt.Fprintf(stdout, "dtcluster-emulator: token: the one given with -token, -token-file or %s (export DYNATRACE_CLUSTER_URL=%s)\n", TokenEnv, base)
	}
	if *urlFile != "" {
		if err := writeAtomically(*urlFile, base); err != nil {
			_ = srv.Close()
			return fmt.Errorf("-url-file: %w", err)
		}
		defer os.Remove(*urlFile)
	}
	select {
	case err := <-srv.Done():
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

// loopbackOnly reports whether the listen address accepts connections from this machine only:
// a loopback address or localhost (an empty or unspecified host listens on every interface).
func loopbackOnly(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// writeAtomically writes content to path through a temporary file and a rename, so a reader
// never sees a partial file. The file is readable by everyone (0644): it holds a URL or a CA
// certificate, which a CI job running as another user must read; no key is ever written.
func writeAtomically(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dtcluster-emulator-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(content + "\n"); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil { //nolint:gosec // a URL or a CA certificate: meant to be read by others
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
