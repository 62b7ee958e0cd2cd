package emulator

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestAuthenticationComesFirst: a request without a valid token consumes no fault, is not
// served and is not logged (only counted); the authenticated request then gets the fault.
func TestAuthenticationComesFirst(t *testing.T) {
	srv := newTestServer(t)
	if err := srv.InjectFault(Fault{Method: "GET", Path: "/clusterConfig/userSessions", Status: 503}); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"", "wrong"} {
		if status, _, _ := call(t, srv, token, "GET", configPath, ""); status != 401 && status != 403 {
			t.Fatalf("token %q: status %d", token, status)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("refused requests were logged: %+v", srv.Requests())
	}
	if n := srv.Unauthenticated(); n != 2 {
		t.Errorf("Unauthenticated() = %d, want 2", n)
	}
	if status, _, _ := call(t, srv, srv.Token, "GET", configPath, ""); status != 503 {
		t.Errorf("the authenticated request got %d, want the queued 503", status)
	}
}

// TestRequestLogIsBounded: long queries are truncated and the log keeps at most
// MaxLoggedRequests entries, so a flood cannot grow the emulator's memory without bound.
func TestRequestLogIsBounded(t *testing.T) {
	e := New()
	long := strings.Repeat("a", 512<<10)
	serve := func(token string) {
		req := httptest.NewRequest(http.MethodGet, "/api/cluster/v2/userSessions?userId="+long, nil)
		req.Header.Set("Authorization", "Api-Token "+token)
		e.ServeHTTP(httptest.NewRecorder(), req)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 200; i++ {
		serve("wrong")
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
		t.Errorf("200 unauthenticated requests with a 512 KiB query grew the heap by %d MiB", grown>>20)
	}
	for i := 0; i < MaxLoggedRequests+50; i++ {
		req := httptest.NewRequest(http.MethodGet, "/api/cluster/v2/clusterConfig/userSessions", nil)
		req.Header.Set("Authorization", "Api-Token "+DefaultToken)
		e.ServeHTTP(httptest.NewRecorder(), req)
	}
	serve(DefaultToken)
	log := e.Requests()
	if len(log) > MaxLoggedRequests {
		t.Errorf("the log holds %d entries, want at most %d", len(log), MaxLoggedRequests)
	}
	if last := log[len(log)-1]; len(last.Query) > MaxLoggedQuery+len("…") || !strings.HasPrefix(last.Query, "userId=aaa") {
		t.Errorf("the last entry keeps a query of %d bytes", len(last.Query))
	}
}

// TestDocumentedVariants: the options reproduce what a real cluster may answer.
func TestDocumentedVariants(t *testing.T) {
	valid := `{"concurrentSessionPolicyDto":{"userLimit":4,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":7200}}`
	t.Run("PUT answers 204", func(t *testing.T) {
		srv := newTestServer(t, WithPutStatus(204))
		if status, _, _ := call(t, srv, srv.Token, "PUT", configPath, valid); status != 204 {
			t.Errorf("PUT = %d, want 204", status)
		}
	})
	t.Run("a normalising cluster", func(t *testing.T) {
		srv := newTestServer(t, WithMaxInactivityTimeout(3600))
		call(t, srv, srv.Token, "PUT", configPath, valid)
		if got := srv.Config().AutomaticLogout.UserInactivityTimeout; got != 3600 {
			t.Errorf("timeout stored as %d, want 3600", got)
		}
	})
	for answer, want := range map[NoSessionsAnswer]struct {
		status int
		body   string
	}{
		NoSessionsEmptyArray: {200, "[]"}, NoSessionsNoContent: {204, ""}, NoSessionsEmptyBody: {200, ""},
		NoSessionsNotFound: {404, `"code":404`},
	} {
		t.Run("no sessions: "+string(answer), func(t *testing.T) {
			srv := newTestServer(t, WithNoSessionsAnswer(answer))
			status, _, body := call(t, srv, srv.Token, "GET", "/api/cluster/v2/userSessions?userId=nobody", "")
			if status != want.status || (want.body == "" && body != "") || !strings.Contains(body, want.body) {
				t.Errorf("GET = %d %q, want %d %q", status, body, want.status, want.body)
			}
		})
	}
	if err := Check(WithPutStatus(201)); err == nil {
		t.Error("Check accepted a PUT status of 201")
	}
	if err := Check(WithNoSessionsAnswer("maybe")); err == nil {
		t.Error("Check accepted an unknown no-sessions answer")
	}
}

// FuzzHandler sends arbitrary requests, with and without the token, and checks that the
// emulator never panics (but for the drop fault it was told to inject), never logs an
// unauthenticated request, and keeps its log within bounds.
func FuzzHandler(f *testing.F) {
	f.Add("GET", "/api/cluster/v2/clusterConfig/userSessions", "", "", true)
	f.Add("PUT", "/api/cluster/v2/clusterConfig/userSessions", "", `{"concurrentSessionPolicyDto":{"userLimit":1,"adminLimit":1},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":5}}`, true)
	f.Add("DELETE", "/api/cluster/v2/userSessions", "userId=jane.doe", "", true)
	f.Add("POST", "/emulator/sessions", "", `[{"userId":"x"}]`, true)
	f.Add("POST", "/emulator/faults", "", `{"status":503,"count":2}`, true)
	f.Add("POST", "/emulator/faults", "", `{"drop":true}`, true)
	f.Add("POST", "/emulator/chaos", "", `{"rate":1}`, true)
	f.Add("GET", "/api/cluster/v2/userSessions", "userId=%zz", "", false)
	f.Add("PATCH", "/emulator/reset", "", "{", false)
	e := New(WithSessions(5))
	f.Fuzz(func(t *testing.T, method, path, query, body string, withToken bool) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(method+path+query, " \t\r\n") || method == "" {
			return
		}
		req, err := http.NewRequest(method, "http://emulator"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.URL.RawQuery = query
		if withToken {
			req.Header.Set("Authorization", "Api-Token "+DefaultToken)
		}
		// A delay fault would only slow the fuzzer down.
		e.ClearFaults()
		_ = e.SetChaos(nil)
		before := len(e.Requests())
		func() {
			defer func() {
				if r := recover(); r != nil && !isAbort(r) {
					t.Fatalf("%s %s?%s panicked: %v", method, path, query, r)
				}
			}()
			e.ServeHTTP(httptest.NewRecorder(), req)
		}()
		log := e.Requests()
		if len(log) > MaxLoggedRequests {
			t.Fatalf("log of %d entries", len(log))
		}
		if !withToken && len(log) > before && before < MaxLoggedRequests {
			t.Fatalf("an unauthenticated request was logged: %+v", log[len(log)-1])
		}
		for _, r := range log {
			if len(r.Query) > MaxLoggedQuery+len("…") {
				t.Fatalf("a query of %d bytes was logged", len(r.Query))
			}
		}
	})
}

// isAbort reports whether a recovered panic is the http.ErrAbortHandler of a drop fault.
func isAbort(r any) bool {
	err, ok := r.(error)
	return ok && errors.Is(err, http.ErrAbortHandler)
}

// TestRequestLogBoundedInBytes: a flood of requests with long paths keeps the log's text under
// MaxLoggedBytes and the heap about that, and the printed form of a path with a decoded line
// break cannot forge a log line.
func TestRequestLogBoundedInBytes(t *testing.T) {
	e := New()
	long := "/api/cluster/v2/" + strings.Repeat("p", 900<<10)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 300 {
		req := httptest.NewRequest(http.MethodGet, long, nil)
		req.Header.Set("Authorization", "Api-Token "+DefaultToken)
		e.ServeHTTP(httptest.NewRecorder(), req)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	total := 0
	for _, r := range e.Requests() {
		total += len(r.Method) + len(r.Path) + len(r.Query) + len(r.Fault)
		if len(r.Path) > MaxLoggedPath+len("…") {
			t.Fatalf("an entry keeps a path of %d bytes", len(r.Path))
		}
	}
	if total > MaxLoggedBytes || len(e.Requests()) != 300 {
		t.Errorf("%d entries with %d bytes of text, want 300 under %d", len(e.Requests()), total, MaxLoggedBytes)
	}
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 8<<20 {
		t.Errorf("300 requests with 900 KiB paths grew the heap by %d MiB", grown>>20)
	}
	// Enough small entries to fill the bytes bound before the entries bound.
	for i := range MaxLoggedRequests {
		req := httptest.NewRequest(http.MethodGet, "/api/cluster/v2/userSessions?userId="+strings.Repeat("u", 240)+strconv.Itoa(i), nil)
		req.Header.Set("Authorization", "Api-Token "+DefaultToken)
		e.ServeHTTP(httptest.NewRecorder(), req)
	}
	total = 0
	for _, r := range e.Requests() {
		total += len(r.Method) + len(r.Path) + len(r.Query) + len(r.Fault)
	}
	if total > MaxLoggedBytes {
		t.Errorf("the log holds %d bytes of text, want at most %d", total, MaxLoggedBytes)
	}

	forged := Request{Method: "GET", Path: "/api/cluster/v2/x\n12:00:00.000 DELETE /api/cluster/v2/userSessions -> 200", Status: 404}
	if s := forged.String(); strings.Contains(s, "\n") || !strings.Contains(s, `\n`) {
		t.Errorf("the printed entry %q forges a line", s)
	}
}
