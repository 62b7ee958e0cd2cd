package conformance

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
			results := Run(context.Background(), target(srv.URL, srv.Token), Options{Write: true, DeleteUser: "jane.doe"})
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
