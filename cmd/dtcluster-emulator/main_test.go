package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

var firstLine = regexp.MustCompile(`(http://127\.0\.0\.1:\d+)$`)

// get calls the API of the emulator at base with the default token.
func get(t *testing.T, base, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Authorization", "Api-Token "+emulator.DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestRunServesUntilCancelled(t *testing.T) {
	lines, stop := startRun(t, "-listen", "127.0.0.1:0", "-sessions", "7")
	m := firstLine.FindStringSubmatch(nextLine(t, lines))
	if m == nil {
		t.Fatal("the first line does not end with the base URL")
	}
	go func() {
		for range lines {
		}
	}()
	if status, body := get(t, m[1], "/api/cluster/v2/userSessions"); status != 200 || strings.Count(body, "sessionId") != 7 {
		t.Errorf("GET sessions = %d with %d sessions, want 7", status, strings.Count(body, "sessionId"))
	}
	stop()
}

// TestTokenOutsideTheProcessList: the token can come from DTCLUSTER_EMULATOR_TOKEN or a file
// given with -token-file, so it is not in the process list as -token is; the default token is
// then refused.
func TestTokenOutsideTheProcessList(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("dt0c01.FROM.file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		env   string
		args  []string
		token string
	}{
		"environment":                   {"dt0c01.FROM.env", nil, "dt0c01.FROM.env"},
		"file":                          {"", []string{"-token-file", file}, "dt0c01.FROM.file"},
		"a flag before the environment": {"dt0c01.FROM.env", []string{"-token-file", file}, "dt0c01.FROM.file"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(TokenEnv, tt.env)
			lines, stop := startRun(t, append([]string{"-listen", "127.0.0.1:0"}, tt.args...)...)
			defer stop()
			m := firstLine.FindStringSubmatch(nextLine(t, lines))
			if second := nextLine(t, lines); m == nil || strings.Contains(second, tt.token) {
				t.Fatalf("output %q / %q: want the URL, and the token not printed", m, second)
			}
			for token, want := range map[string]int{tt.token: 200, emulator.DefaultToken: 403} {
				req, _ := http.NewRequest(http.MethodGet, m[1]+"/api/cluster/v2/userSessions", nil)
				req.Header.Set("Authorization", "Api-Token "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf("token %s: %d, want %d", token, resp.StatusCode, want)
				}
			}
		})
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-sessions", "-1"}, {"-token", ""}, {"-listen", "256.0.0.1:1"}, {"-nope"}, {"-put-status", "201"},
		{"-no-sessions-answer", "maybe"}, {"-max-inactivity-timeout", "-1"}, {"extra"}, {"-token-file", empty},
		{"-token-file", filepath.Join(t.TempDir(), "missing")}, {"-token", "a", "-token-file", empty}, {"-max-connections", "0"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%v) succeeded", args)
		}
	}
}

// TestBinaryStopsOnSignals builds the command and checks it exits cleanly on SIGINT and SIGTERM.
func TestBinaryStopsOnSignals(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "dtcluster-emulator")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "-listen", "127.0.0.1:0")
			stdout, _ := cmd.StdoutPipe()
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			m := firstLine.FindStringSubmatch(strings.TrimSpace(line))
			if err != nil || m == nil {
				_ = cmd.Process.Kill()
				t.Fatalf("first line %q (%v)", line, err)
			}
			if status, _ := get(t, m[1], "/api/cluster/v2/clusterConfig/userSessions"); status != 200 {
				t.Errorf("GET config = %d", status)
			}
			_ = cmd.Process.Signal(sig)
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err := <-waited:
				if err != nil {
					t.Errorf("exit after %s: %v", sig, err)
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("still running 10s after %s", sig)
			}
		})
	}
}

func TestRunHelpAndVersion(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"-h"}, &out, io.Discard); err != nil {
		t.Fatalf("-h: %v, want success", err)
	}
	for _, want := range []string{"Usage: dtcluster-emulator", "-listen", "-url-file", "-log-requests", "-version"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"-version"}, &out, io.Discard); err != nil {
		t.Fatalf("-version: %v", err)
	}
	if !regexp.MustCompile(`^dtcluster-emulator \S+\n$`).MatchString(out.String()) {
		t.Errorf("-version printed %q", out.String())
	}
}

// startRun runs the command in the background and returns its stdout lines as they come, and a
// function that stops it and waits.
func startRun(t *testing.T, args ...string) (<-chan string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, pw, io.Discard); pw.Close() }()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return lines, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("run did not stop")
		}
	}
}

func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l := <-lines:
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("no output line within 10 s")
		return ""
	}
}

// TestRunReadiness: -url-file appears once the emulator serves, holding the base URL; the health
// endpoint answers without a token; the second line names the token; the file goes on stop.
func TestRunReadiness(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "emulator.url")
	lines, stop := startRun(t, "-listen", "127.0.0.1:0", "-url-file", urlFile)
	first := nextLine(t, lines)
	if second := nextLine(t, lines); !strings.Contains(second, emulator.DefaultToken) {
		t.Errorf("second line %q does not name the token", second)
	}
	m := firstLine.FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("first line %q", first)
	}
	var data []byte
	for i := 0; i < 100; i++ {
		if data, _ = os.ReadFile(urlFile); len(data) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := strings.TrimSpace(string(data)); got != m[1] {
		t.Fatalf("url file holds %q, want %q", got, m[1])
	}
	resp, err := http.Get(m[1] + emulator.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health = %d, want 200 without a token", resp.StatusCode)
	}
	go func() {
		for range lines {
		}
	}()
	stop()
	if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
		t.Errorf("url file left after stop: %v", err)
	}
}

// TestRunLogRequests: -log-requests prints each API request with its status.
func TestRunLogRequests(t *testing.T) {
	lines, stop := startRun(t, "-listen", "127.0.0.1:0", "-log-requests")
	m := firstLine.FindStringSubmatch(nextLine(t, lines))
	if m == nil {
		t.Fatal("no base URL on the first line")
	}
	nextLine(t, lines)
	get(t, m[1], "/api/cluster/v2/userSessions?userId=jane.doe")
	if l := nextLine(t, lines); !regexp.MustCompile(`GET /api/cluster/v2/userSessions\?userId=jane\.doe -> 200$`).MatchString(l) {
		t.Errorf("request line %q", l)
	}
	go func() {
		for range lines {
		}
	}()
	stop()
}

// TestRunTLS: -tls serves HTTPS with a certificate that the CA written to -ca-file verifies, for
// the names given with -tls-hosts; plain HTTP to it fails.
func TestRunTLS(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	lines, stop := startRun(t, "-listen", "127.0.0.1:0", "-tls", "-ca-file", caFile, "-tls-hosts", "127.0.0.1,dtcluster-emulator")
	first := nextLine(t, lines)
	m := regexp.MustCompile(`(https://127\.0\.0\.1:\d+)$`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("first line %q does not end with an https URL", first)
	}
	go func() {
		for range lines {
		}
	}()
	defer stop()
	pemData, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatalf("-ca-file holds no certificate: %q", pemData)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := client.Get(m[1] + emulator.HealthPath)
	if err != nil {
		t.Fatalf("HTTPS with the written CA: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health = %d", resp.StatusCode)
	}
	if _, err := http.Get(m[1] + emulator.HealthPath); err == nil {
		t.Error("the system roots trusted the emulator's certificate")
	}
	if err := run(context.Background(), []string{"-ca-file", caFile}, io.Discard, io.Discard); err == nil {
		t.Error("-ca-file without -tls was accepted")
	}
}

// TestFlagErrorsGoToStderr: a bad flag is reported on stderr (with the usage), never on stdout,
// where scripts read the URL; -h prints on stdout.
func TestFlagErrorsGoToStderr(t *testing.T) {
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"-nope"}, &stdout, &stderr); err == nil {
		t.Fatal("-nope succeeded")
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "flag provided but not defined: -nope") || !strings.Contains(stderr.String(), "Usage:") {
		t.Errorf("-nope: stdout %q, stderr %q; want the error and the usage on stderr only", stdout.String(), stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if err := run(context.Background(), []string{"-h"}, &stdout, &stderr); err != nil || stderr.Len() != 0 || !strings.Contains(stdout.String(), "Usage:") {
		t.Errorf("-h: %v, stdout %q, stderr %q; want the usage on stdout", err, stdout.String(), stderr.String())
	}
}

// TestURLOfAnUnspecifiedListenAddress: listening on every address, the printed and written URL
// is one a client can use: the loopback address, or over TLS the certificate's first name.
func TestURLOfAnUnspecifiedListenAddress(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-listen", "0.0.0.0:0"}, `^http://127\.0\.0\.1:\d+$`},
		{[]string{"-listen", "[::]:0"}, `^http://127\.0\.0\.1:\d+$`},
		{[]string{"-listen", "0.0.0.0:0", "-tls"}, `^https://localhost:\d+$`},
		{[]string{"-listen", "0.0.0.0:0", "-tls", "-tls-hosts", "dtcluster-emulator,localhost"}, `^https://dtcluster-emulator:\d+$`},
		{[]string{"-listen", "0.0.0.0:0", "-tls", "-tls-hosts", "10.1.2.3"}, `^https://10\.1\.2\.3:\d+$`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			urlFile := filepath.Join(t.TempDir(), "url")
			lines, stop := startRun(t, append(tt.args, "-url-file", urlFile, "-token", "dt0c01.CI.a-secret-of-the-job")...)
			defer stop()
			first := nextLine(t, lines)
			var written []byte
			for i := 0; i < 100 && len(written) == 0; i++ {
				written, _ = os.ReadFile(urlFile)
				time.Sleep(20 * time.Millisecond)
			}
			url := strings.TrimSpace(string(written))
			if !regexp.MustCompile(tt.want).MatchString(url) || !strings.HasSuffix(first, "serving "+url) {
				t.Errorf("URL %q (first line %q), want %s", url, first, tt.want)
			}
			go func() {
				for range lines {
				}
			}()
		})
	}
}

// TestDefaultTokenOnlyOnLoopback: listening where other machines reach the emulator needs a
// token of one's own; the default one is public.
func TestDefaultTokenOnlyOnLoopback(t *testing.T) {
	for _, listen := range []string{"0.0.0.0:0", "[::]:0", ":0", "10.1.2.3:8021", "cmc.example.com:8021"} {
		var stderr strings.Builder
		err := run(context.Background(), []string{"-listen", listen}, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), "set -token to a secret of your own") {
			t.Errorf("-listen %s with the default token: %v, want a refusal naming -token", listen, err)
		}
	}
	for _, listen := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		lines, stop := startRun(t, "-listen", listen)
		if first := nextLine(t, lines); !strings.Contains(first, "serving http://") {
			t.Errorf("-listen %s: %q", listen, first)
		}
		go func() {
			for range lines {
			}
		}()
		stop()
	}
}

// TestFilesForOtherUsersAndAConstrainedCA: the URL file and the CA file are readable by others
// (a CI job running as another user reads them), and the CA can sign only for the names served,
// with no intermediate.
func TestFilesForOtherUsersAndAConstrainedCA(t *testing.T) {
	dir := t.TempDir()
	urlFile, caFile := filepath.Join(dir, "url"), filepath.Join(dir, "ca.pem")
	lines, stop := startRun(t, "-listen", "127.0.0.1:0", "-tls", "-tls-hosts", "dtcluster-emulator,127.0.0.1", "-url-file", urlFile, "-ca-file", caFile)
	defer stop()
	nextLine(t, lines)
	go func() {
		for range lines {
		}
	}()
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(urlFile); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, f := range []string{urlFile, caFile} {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o644 {
			t.Errorf("%s has mode %o, want 644", filepath.Base(f), mode)
		}
	}
	data, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("the CA file holds no PEM")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.IsCA || !ca.MaxPathLenZero || ca.MaxPathLen != 0 || !ca.PermittedDNSDomainsCritical ||
		!slices.Equal(ca.PermittedDNSDomains, []string{"dtcluster-emulator"}) || len(ca.PermittedIPRanges) != 1 ||
		ca.PermittedIPRanges[0].String() != "127.0.0.1/32" {
		t.Errorf("CA constraints: path length %d (zero %v), DNS %v, IP %v, critical %v",
			ca.MaxPathLen, ca.MaxPathLenZero, ca.PermittedDNSDomains, ca.PermittedIPRanges, ca.PermittedDNSDomainsCritical)
	}
	// The served certificate verifies against the constrained CA for a name it serves.
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	url := strings.TrimSpace(mustRead(t, urlFile))
	conn, err := tls.Dial("tcp", strings.TrimPrefix(url, "https://"), &tls.Config{RootCAs: pool, ServerName: "dtcluster-emulator", MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("the served certificate does not verify for dtcluster-emulator: %v", err)
	}
	_ = conn.Close()
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
