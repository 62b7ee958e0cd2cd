package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMAfterAWritePutsTheOriginalBack runs the command with -write against a cluster that
// accepts anything, sends it SIGTERM while its first invalid policy is being accepted, and
// checks that it printed the checks as they ran, put the original policy back, and exited with
// the interrupt's code.
func TestSIGTERMAfterAWritePutsTheOriginalBack(t *testing.T) {
	const original = `{"concurrentSessionPolicyDto":{"userLimit":2,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":false,"userInactivityTimeout":900}}`
	var mu sync.Mutex
	stored, puts := original, 0
	secondPut, signalled := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodPut:
			puts++
			stored = string(body) // invalid policies too
			if puts == 2 {
				// The first invalid policy is stored; its answer waits for the signal.
				close(secondPut)
				mu.Unlock()
				select {
				case <-signalled:
				case <-r.Context().Done():
				}
				mu.Lock()
			}
		case strings.HasSuffix(r.URL.Path, "/clusterConfig/userSessions"):
			_, _ = io.WriteString(w, stored)
		default:
			_, _ = io.WriteString(w, "[]")
		}
	}))
	defer srv.Close()
	bin := filepath.Join(t.TempDir(), "conformance")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-write")
	cmd.Env = append(os.Environ(), "DYNATRACE_CLUSTER_URL="+srv.URL, "DYNATRACE_CLUSTER_API_TOKEN=dt0c01.T.token")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	done := make(chan struct{})
	go func() {
		for sc := bufio.NewScanner(stdout); sc.Scan(); {
			lines = append(lines, sc.Text())
		}
		close(done)
	}()
	select {
	case <-secondPut:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the command sent no invalid policy")
	}
	_ = cmd.Process.Signal(syscall.SIGTERM) // the PUT in flight ends with the command's context
	<-done
	close(signalled)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("exit: %v, want 130 (interrupted)\n%s", err, strings.Join(lines, "\n"))
	}
	mu.Lock()
	final := stored
	mu.Unlock()
	var got, want any
	_ = json.Unmarshal([]byte(final), &got)
	_ = json.Unmarshal([]byte(original), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the cluster holds %s after the interrupt, want the original", final)
	}
	output := strings.Join(lines, "\n")
	for _, want := range []string{"PASS R1", "PASS X1", "interrupted"} {
		if !strings.Contains(output, want) {
			t.Errorf("the output lacks %q:\n%s", want, output)
		}
	}
}

// TestDeleteUserRefusesBlankIDs: -delete-user with an empty or blank id, white space at either
// end, or a control character exits 2 before any request; before, ' ' sent
// DELETE /userSessions?userId=+ to the cluster.
func TestDeleteUserRefusesBlankIDs(t *testing.T) {
	var requests sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Store(r.Method+" "+r.URL.RequestURI(), true)
		_, _ = io.WriteString(w, "[]")
	}))
	defer srv.Close()
	bin := filepath.Join(t.TempDir(), "conformance")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, id := range []string{"", " ", "\t", " jane.doe", "jane.doe\n", "jane\x1b[2J", "jane\u202e"} {
		cmd := exec.Command(bin, "-delete-user", id)
		cmd.Env = append(os.Environ(), "DYNATRACE_CLUSTER_URL="+srv.URL, "DYNATRACE_CLUSTER_API_TOKEN=dt0c01.T.token")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "-delete-user") {
			t.Errorf("-delete-user %q: %v\n%s\nwant exit 2 naming -delete-user", id, err, out)
		}
	}
	requests.Range(func(k, _ any) bool {
		t.Errorf("a refused -delete-user still sent %s", k)
		return true
	})
}
