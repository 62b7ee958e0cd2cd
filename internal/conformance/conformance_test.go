package conformance

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
)

func target(url, token string) Target {
	return Target{BaseURL: url + emulator.APIBasePath, Token: token, HTTP: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// TestEmulatorConforms runs the whole suite, writes and a DELETE included, against the emulator
// and each variant of what a cluster may answer: every check passes, none is skipped.
func TestEmulatorConforms(t *testing.T) {
	variants := map[string][]emulator.Option{
		"default":                       nil,
		"PUT answers 204":               {emulator.WithPutStatus(204)},
		"no sessions: 404":              {emulator.WithNoSessionsAnswer(emulator.NoSessionsNotFound)},
		"no sessions: 204":              {emulator.WithNoSessionsAnswer(emulator.NoSessionsNoContent)},
		"no sessions: 200 without body": {emulator.WithNoSessionsAnswer(emulator.NoSessionsEmptyBody)},
	}
	for name, opts := range variants {
		t.Run(name, func(t *testing.T) {
			srv := emulatortest.NewServer(t, append(opts, emulator.WithSessions(40))...)
			before := srv.Config()
			results := Run(context.Background(), target(srv.URL, srv.Token), Options{Write: true, DeleteUser: "jane.doe", UnfilteredDelete: true})
			if len(results) < 18 {
				t.Errorf("only %d checks ran", len(results))
			}
			for _, r := range results {
				if r.Outcome != Pass {
					t.Errorf("%s", r)
				}
			}
			if srv.Config() != before {
				t.Errorf("the suite left the policy at %+v, want %+v", srv.Config(), before)
			}
			if n := len(srv.Sessions("jane.doe")); n != 0 {
				t.Errorf("jane.doe still has %d sessions", n)
			}
			if n := len(srv.Sessions("")); n == 0 {
				t.Error("the DELETE ended other users' sessions too")
			}
		})
	}
}

// TestReadOnlyByDefault: without Write and DeleteUser the suite sends only GETs.
func TestReadOnlyByDefault(t *testing.T) {
	srv := emulatortest.NewServer(t, emulator.WithSessions(10))
	results := Run(context.Background(), target(srv.URL, srv.Token), Options{})
	for _, req := range srv.Requests() {
		if req.Method != http.MethodGet {
			t.Errorf("a read-only run sent %s %s", req.Method, req.Path)
		}
	}
	if Failed(results) != 0 {
		t.Errorf("%d checks failed", Failed(results))
	}
}

// TestNonConformingServerFails: a server answering what the spec does not allow fails the
// checks that cover it, and an invalid PUT it accepts is undone.
func TestNonConformingServerFails(t *testing.T) {
	const token = "dt0c01.T.token"
	var stored = `{"concurrentSessionPolicyDto":{"userLimit":2,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":false,"userInactivityTimeout":900}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Api-Token "+token {
			w.WriteHeader(http.StatusUnauthorized) // the spec says 403 for an invalid token
			return
		}
		switch {
		case r.Method == http.MethodPut:
			body, _ := io.ReadAll(r.Body)
			stored = string(body) // accepts anything: invalid policies too
			w.WriteHeader(http.StatusOK)
		case strings.HasSuffix(r.URL.Path, "/clusterConfig/userSessions"):
			_, _ = io.WriteString(w, stored)
		default:
			_, _ = io.WriteString(w, `{"sessions":[]}`) // not a plain array
		}
	}))
	defer srv.Close()
	results := Run(context.Background(), target(srv.URL, token), Options{Write: true})
	failed := map[string]bool{}
	for _, r := range results {
		if r.Outcome == Fail {
			failed[r.ID] = true
		}
	}
	for _, id := range []string{"R4", "R5", "R6", "W3", "W4", "W5", "W6"} {
		if !failed[id] {
			t.Errorf("check %s passed against a non-conforming server", id)
		}
	}
	if !strings.Contains(stored, `"userLimit":2`) || !strings.Contains(stored, `"userInactivityTimeout":900`) {
		t.Errorf("the accepted invalid policy was not undone: %s", stored)
	}
}

// acceptingCluster is a server that accepts anything it is sent, invalid policies too, and
// calls onPut (if set) as a PUT arrives.
type acceptingCluster struct {
	mu     sync.Mutex
	stored string
	puts   int
	onPut  func(n int)
	sent   []string
}

func (c *acceptingCluster) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.sent = append(c.sent, r.Method+" "+r.URL.RequestURI())
	switch {
	case r.Method == http.MethodPut:
		c.puts++
		c.stored = string(body)
		n, onPut := c.puts, c.onPut
		c.mu.Unlock()
		if onPut != nil {
			onPut(n)
		}
		return
	case strings.HasSuffix(r.URL.Path, "/clusterConfig/userSessions"):
		_, _ = io.WriteString(w, c.stored)
	case r.Method == http.MethodDelete:
	default:
		_, _ = io.WriteString(w, "[]")
	}
	c.mu.Unlock()
}

const originalPolicy = `{"concurrentSessionPolicyDto":{"userLimit":2,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":false,"userInactivityTimeout":900}}`

// TestInterruptedRunPutsTheOriginalBack: a run against a cluster that accepts anything, interrupted
// after its first invalid PUT was accepted, still puts the original policy back, reads it back,
// and says so (X1); it reports each check as it runs.
func TestInterruptedRunPutsTheOriginalBack(t *testing.T) {
	cluster := &acceptingCluster{stored: originalPolicy}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cluster.onPut = func(n int) {
		if n == 2 { // W1 put the original; the second PUT is the first invalid policy
			cancel()
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(cluster.serve))
	defer srv.Close()
	var reported []string
	results := Run(ctx, target(srv.URL, "dt0c01.T.token"), Options{Write: true, DeleteUser: "jane.doe",
		Report: func(r Result) { reported = append(reported, r.ID) }})
	cluster.mu.Lock()
	stored, puts := cluster.stored, cluster.puts
	cluster.mu.Unlock()
	if puts < 3 {
		t.Fatalf("%d PUTs: the invalid policy was not accepted and undone, the test proves nothing", puts)
	}
	if !samePolicyJSON(t, stored, originalPolicy) {
		t.Errorf("after the interrupted run the cluster holds %s, want the original %s", stored, originalPolicy)
	}
	if !Restored(results) {
		t.Errorf("X1 does not say the original was put back: %v", results)
	}
	last := results[len(results)-1]
	var x1 Result
	for _, r := range results {
		if r.ID == "X1" {
			x1 = r
		}
	}
	if x1.Outcome != Pass {
		t.Errorf("X1 = %s", x1)
	}
	if last.ID != "D*" || !strings.Contains(last.Observed, "interrupted") {
		t.Errorf("the DELETE checks ran after the interrupt: %s", last)
	}
	if len(reported) != len(results) {
		t.Errorf("%d results reported as they ran, %d returned", len(reported), len(results))
	}
}

// TestRestoreThatFailsIsSaid: when the original cannot be put back, X1 fails naming what the
// cluster holds and the original.
func TestRestoreThatFailsIsSaid(t *testing.T) {
	cluster := &acceptingCluster{stored: originalPolicy}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cluster.mu.Lock()
		puts := cluster.puts
		cluster.mu.Unlock()
		if r.Method == http.MethodPut && puts >= 2 {
			w.WriteHeader(http.StatusServiceUnavailable) // accepts the first invalid policy, then refuses every PUT
			return
		}
		cluster.serve(w, r)
	}))
	defer srv.Close()
	results := Run(context.Background(), target(srv.URL, "dt0c01.T.token"), Options{Write: true})
	if Restored(results) {
		t.Fatalf("X1 says the original is back, though every restoring PUT was refused: %v", results)
	}
	for _, r := range results {
		if r.ID == "X1" && (!strings.Contains(r.Observed, "could NOT be put back") || !strings.Contains(r.Observed, `"userLimit":2`)) {
			t.Errorf("X1 = %s; want it to say the restore failed and name the original", r)
		}
	}
}

// TestNoUnfilteredDeleteAgainstACluster: with DeleteUser, only that user's sessions are ever
// deleted; DELETE without a user is sent only when UnfilteredDelete allows it.
func TestNoUnfilteredDeleteAgainstACluster(t *testing.T) {
	cluster := &acceptingCluster{stored: originalPolicy}
	srv := httptest.NewServer(http.HandlerFunc(cluster.serve))
	defer srv.Close()
	Run(context.Background(), target(srv.URL, "dt0c01.T.token"), Options{DeleteUser: "test.user"})
	cluster.mu.Lock()
	defer cluster.mu.Unlock()
	deletes := 0
	for _, req := range cluster.sent {
		if strings.HasPrefix(req, "DELETE ") {
			deletes++
			if !strings.Contains(req, "userId=test.user") {
				t.Errorf("sent %s", req)
			}
		}
	}
	if deletes != 1 {
		t.Errorf("%d DELETE requests, want 1 (the given user's)", deletes)
	}
}

// TestBlankDeleteUserSendsNoDelete: a DeleteUser that CheckDeleteUser refuses sends no DELETE;
// the DELETE checks are skipped saying why.
func TestBlankDeleteUserSendsNoDelete(t *testing.T) {
	cluster := &acceptingCluster{stored: originalPolicy}
	srv := httptest.NewServer(http.HandlerFunc(cluster.serve))
	defer srv.Close()
	results := Run(context.Background(), target(srv.URL, "dt0c01.T.token"), Options{DeleteUser: " "})
	cluster.mu.Lock()
	defer cluster.mu.Unlock()
	for _, req := range cluster.sent {
		if strings.HasPrefix(req, "DELETE ") {
			t.Errorf("sent %s", req)
		}
	}
	if last := results[len(results)-1]; last.Outcome != Skip || !strings.Contains(last.String(), "empty or blank") {
		t.Errorf("last result = %s, want the DELETE checks skipped for the blank user", last)
	}
}

// samePolicyJSON reports whether two policy bodies hold the same values.
func samePolicyJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
