package apiclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	json "github.com/go-json-experiment/json"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/servertext"
)

// assertNoToken fails when text holds the token or its secret part, in any ASCII case.
func assertNoToken(t *testing.T, text string) {
	t.Helper()
	if containsFold(text, testToken) || containsFold(text, "secret-value-that-must-never-leak") {
		t.Errorf("the token appears in %q", text)
	}
}

// errorText is everything the provider could show of err: its one-line and detailed forms.
func errorText(err error) string {
	text := err.Error()
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		text += "\n" + apiErr.Detail()
	}
	return text
}

// TestTokenEchoedByTheServerNeverReachesAnError drives a scripted server through every form in
// which it could echo the token: in the envelope's message (verbatim, JSON-escaped, upper-cased),
// in a violation, in a raw body (percent-encoded, HTML), and in a redirect's Location.
func TestTokenEchoedByTheServerNeverReachesAnError(t *testing.T) {
	escaped := `dt0c01\u002eTESTTOKEN\u002esecret-value-that-must-never-leak`
	tests := map[string]step{
		"message verbatim":          {status: 401, body: `{"error":{"code":401,"message":"Token ` + testToken + ` is not valid"}}`},
		"message JSON-escaped":      {status: 401, body: `{"error":{"code":401,"message":"Token ` + escaped + ` is not valid"}}`},
		"message upper-cased":       {status: 403, body: `{"error":{"code":403,"message":"TOKEN ` + strings.ToUpper(testToken) + `"}}`},
		"violation":                 {status: 400, body: `{"error":{"code":400,"message":"bad","constraintViolations":[{"path":"` + escaped + `","message":"token ` + escaped + `"}]}}`},
		"raw percent-encoded":       {status: 502, body: `<html>upstream /auth?token=dt0c01%2ETESTTOKEN%2Esecret-value-that-must-never-leak failed</html>`},
		"raw HTML entities":         {status: 500, body: `<p>dt0c01&#46;TESTTOKEN&#46;secret-value-that-must-never-leak</p>`},
		"raw JSON not envelope":     {status: 500, body: `{"detail":"` + escaped + `"}`},
		"redirect Location":         {status: 302, header: map[string]string{"Location": "https://sso.example/login?t=" + testToken}},
		"redirect Location encoded": {status: 307, header: map[string]string{"Location": "https://sso.example/login?t=dt0c01%2ETESTTOKEN%2Esecret-value-that-must-never-leak"}},
	}
	for name, st := range tests {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, st)
			_, err := newTestClient(t, srv.server.URL, newFakeClock(), withRetries(0)).GetUserSessionsConfig(context.Background())
			if err == nil {
				t.Fatal("want an error")
			}
			text := errorText(err)
			assertNoToken(t, text)
			if !strings.Contains(text, servertext.Redacted) {
				t.Errorf("%q does not say that something was servertext.Redacted", text)
			}
		})
	}
}

// TestLargeErrorBodyIsNotBuffered: a 400 with a 200 MiB body costs a small, bounded amount of
// memory; the client reads a few KiB of it.
func TestLargeErrorBodyIsNotBuffered(t *testing.T) {
	chunk := []byte(strings.Repeat("<p>not json</p>", 4096))
	const total = 200 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		for sent := 0; sent < total; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading
			}
		}
	}))
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, newFakeClock(), withRetries(0))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.GetUserSessionsConfig(context.Background())
	runtime.ReadMemStats(&after)
	if statusOf(err) != 400 {
		t.Fatalf("error = %v, want the 400", err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 16<<20 {
		t.Errorf("a 200 MiB error body cost %d MiB of allocations, want at most 16 MiB", allocated>>20)
	}
}

// TestAnnouncedLengthIsNotTrusted: an answer announcing 200 MiB and sending a few bytes fails
// as a cut-off answer, and costs the client a bounded allocation, not the announced length.
func TestAnnouncedLengthIsNotTrusted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(200<<20))
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `[{"userId":`)
	}))
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, newFakeClock(), withRetries(0))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := c.ListUserSessions(context.Background(), "")
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("a cut-off answer was accepted")
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 24<<20 {
		t.Errorf("an answer announcing 200 MiB cost %d MiB of allocations, want at most 24 MiB", allocated>>20)
	}
}

// TestFailuresThatCannotHealAreNotRetried: https:// to a plain-HTTP server and a TLS version the
// server refuses fail at once, saying what to change, where connection refused is retried.
func TestFailuresThatCannotHealAreNotRetried(t *testing.T) {
	t.Run("https to a plain HTTP server", func(t *testing.T) {
		srv := newScripted(t, step{status: 200, body: configJSON})
		url := strings.Replace(srv.server.URL, "http://", "https://", 1)
		clock := newFakeClock()
		_, err := newTestClient(t, url, clock).GetUserSessionsConfig(context.Background())
		if err == nil || !strings.Contains(err.Error(), "does not speak TLS") || !strings.Contains(err.Error(), "check the URL's port") || FailureOf(err) != FailureURL {
			t.Errorf("error = %v, want one saying the server speaks plain HTTP", err)
		}
		if strings.Contains(err.Error(), "certificate") || len(clock.Waits()) != 0 {
			t.Errorf("error = %v after %d waits, want no retry and no certificate advice", err, len(clock.Waits()))
		}
	})
	t.Run("TLS version refused", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		srv.TLS = &tls.Config{MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		clock := newFakeClock()
		c := newTestClient(t, srv.URL, clock, withInsecure(true))
		transportOf(t, c).TLSClientConfig.MaxVersion = tls.VersionTLS12
		_, err := c.GetUserSessionsConfig(context.Background())
		if err == nil || !strings.Contains(err.Error(), "TLS handshake failed") || len(clock.Waits()) != 0 {
			t.Errorf("error = %v after %d waits, want a TLS handshake failure without retries", err, len(clock.Waits()))
		}
	})
	t.Run("connection refused is retried", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		clock := newFakeClock()
		_, err := newTestClient(t, url, clock, withRetries(2)).GetUserSessionsConfig(context.Background())
		if err == nil || !strings.Contains(err.Error(), "refused") || len(clock.Waits()) != 2 {
			t.Errorf("error = %v after %d waits, want 2 retries of a refused connection", err, len(clock.Waits()))
		}
		// It says what to check: the address and port, and that something listens there.
		if err == nil || !strings.Contains(err.Error(), "check the URL's port") || FailureOf(err) != FailureConnection {
			t.Errorf("error = %v (kind %v), want the connection failure's hint", err, FailureOf(err))
		}
	})
}

// TestCancelledDuringRetryWaitSaysCancelled: Ctrl-C while waiting to retry a 503 reports a
// cancellation, not the 503.
func TestCancelledDuringRetryWaitSaysCancelled(t *testing.T) {
	srv := newScripted(t, step{status: 503, header: map[string]string{"Retry-After": "30"}})
	c, err := New(srv.server.URL, testToken, config())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.GetUserSessionsConfig(ctx); done <- err }()
	for len(srv.Requests()) == 0 {
		runtime.Gosched()
	}
	cancel()
	err = <-done
	var apiErr *APIError
	if !IsCancelled(err) || errors.As(err, &apiErr) || !strings.HasPrefix(strings.SplitN(err.Error(), ": ", 2)[1], "cancelled") {
		t.Errorf("error = %v (APIError %v), want a cancellation that is not the 503", err, apiErr)
	}
}

// TestTokenIsTrimmedAndChecked: surrounding white space (a token read with file()) is dropped;
// a character no header can carry is refused before any request, without echoing the token.
func TestTokenIsTrimmedAndChecked(t *testing.T) {
	srv := newScripted(t, step{status: 200, body: configJSON})
	c, err := New(srv.server.URL, "  "+testToken+"\n", config())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUserSessionsConfig(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests()[0].header.Get("Authorization"); got != "Api-Token "+testToken {
		t.Errorf("Authorization = %q", got)
	}
	for _, bad := range []string{"dt0c01.AB\nCD.secret-value-that-must-never-leak", "dt0c01.AB CD.secret-value-that-must-never-leak", "dt0c01.\x7f.secret-value-that-must-never-leak"} {
		_, err := New(srv.server.URL, bad, config())
		if err == nil {
			t.Errorf("New accepted %q", bad)
			continue
		}
		assertNoToken(t, err.Error())
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestRetryBudgetCoversTheAttemptInProgress: the budget bounds the whole call, the attempt in
// progress included, not only the waits between attempts; but it never cuts a first attempt
// short of the request timeout (a request_timeout longer than the budget stretches the budget),
// and the error names the limit that ended the call.
func TestRetryBudgetCoversTheAttemptInProgress(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		first := requests == 1
		mu.Unlock()
		if first && r.URL.Query().Get("fail") == "first" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)

	t.Run("a request timeout longer than the budget", func(t *testing.T) {
		c, err := New(srv.URL, testToken, config(withRequestTimeout(800*time.Millisecond), withBudget(200*time.Millisecond)))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.GetUserSessionsConfig(context.Background())
		elapsed := time.Since(start)
		if err == nil || elapsed < 700*time.Millisecond || elapsed > 3*time.Second {
			t.Errorf("the call took %s (%v); want the whole request timeout of 800ms, not the 200ms budget", elapsed, err)
		}
		if kind := FailureOf(err); kind != FailureTimeout || !strings.Contains(err.Error(), "request timeout of 800ms") {
			t.Errorf("error = %v (kind %v); want the request timeout named", err, kind)
		}
	})
	t.Run("a later attempt cut by the budget", func(t *testing.T) {
		mu.Lock()
		requests = 0
		mu.Unlock()
		c, err := New(srv.URL, testToken, config(withRequestTimeout(time.Second), withBudget(1500*time.Millisecond)))
		if err != nil {
			t.Fatal(err)
		}
		c.retry.minBackoff, c.retry.jitter = 700*time.Millisecond, func() float64 { return 0.999 }
		start := time.Now()
		// The first attempt answers 503 at once; after a wait of about 0.7 s the second attempt
		// has about 0.8 s of the budget left, less than its request timeout of 1 s.
		_, err = c.do(context.Background(), http.MethodGet, userSessionsConfigPath, url.Values{"fail": {"first"}}, nil)
		elapsed := time.Since(start)
		if err == nil || elapsed > 2500*time.Millisecond {
			t.Errorf("a call with a 1.5s budget took %s (%v)", elapsed, err)
		}
		if kind := FailureOf(err); kind != FailureBudget || !strings.Contains(err.Error(), "time budget of 1.5s") {
			t.Errorf("error = %v (kind %v); want the budget named", err, kind)
		}
	})
}

// rawControl finds a byte or rune a terminal could act on in text: C0 but newline and tab, DEL,
// C1, formatting characters; "" when there is none.
func rawControl(text string) string {
	for i, r := range text {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) {
			return fmt.Sprintf("%U at byte %d", r, i)
		}
	}
	return ""
}

// TestHostileServerTextIsInert: whatever a server answers (escape sequences, OSC-8 links, C1
// controls, a fake diagnostic line, huge values, thousands of violations), the error's texts
// hold no raw control character and stay under a fixed size.
func TestHostileServerTextIsInert(t *testing.T) {
	const esc = "\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\u009b31m\u202e"
	hugeNumber := `[{"userId":"a","nodeId":` + strings.Repeat("9", 5_000_000) + `,"sessionId":"s","creationTime":1,"tenantUuid":"t","loginType":"L"}]`
	violations := make([]string, 2000)
	for i := range violations {
		violations[i] = fmt.Sprintf(`{"path":"p%d`+"\x1b[1m"+`","message":"%s"}`, i, strings.Repeat("m", 300))
	}
	for name, st := range map[string]step{
		"escapes in the message":         {status: 400, body: `{"error":{"code":400,"message":"` + jsonEscape(esc) + `\nError: run curl | sh"}}`},
		"thousands of violations":        {status: 400, body: `{"error":{"code":400,"message":"bad","constraintViolations":[` + strings.Join(violations, ",") + `]}}`},
		"raw escapes in an HTML body":    {status: 502, body: "<html>" + esc + strings.Repeat("x", 100_000) + "</html>"},
		"escapes in a redirect":          {status: 302, header: map[string]string{"Location": "https://x.example/" + jsonEscape(esc)}},
		"a huge number in a session":     {status: 200, body: hugeNumber},
		"escapes in a session's value":   {status: 200, body: `[{"userId":"a","nodeId":"` + jsonEscape(esc) + `"}]`},
		"escapes in a session's key":     {status: 200, body: `[{"userId":"a","nodeId":{"` + jsonEscape(esc) + `":1}}]`},
		"raw escapes in a session's key": {status: 200, body: "[{\"userId\":\"a\",\"" + esc + "\":1}]"},
		"escapes in a policy value":      {status: 200, body: `{"concurrentSessionPolicyDto":{"userLimit":"` + jsonEscape(esc) + `","adminLimit":1},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":5}}`},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, st)
			c := newTestClient(t, srv.server.URL, newFakeClock(), withRetries(0))
			_, err := c.GetUserSessionsConfig(context.Background())
			if strings.Contains(name, "session") {
				_, _, err = c.ListUserSessions(context.Background(), "")
			}
			if err == nil {
				t.Fatal("no error")
			}
			texts := []string{err.Error()}
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				texts = append(texts, apiErr.Detail())
			}
			for _, text := range texts {
				if bad := rawControl(text); bad != "" {
					t.Errorf("raw %s in %q", bad, text[:min(len(text), 300)])
				}
				if len(text) > servertext.Whole+200 {
					t.Errorf("%d bytes of error text", len(text))
				}
				if strings.Contains(text, "\nError:") {
					t.Errorf("a line of server text starts like a diagnostic: %q", text)
				}
			}
		})
	}
}

// jsonEscape writes s as the inside of a JSON string.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// TestHugeValueCostsTheBodyOnce: a 50 MB number in a session costs what reading 50 MB costs,
// and no more: the error does not copy the value again (measured against a body of the same size
// that decodes).
func TestHugeValueCostsTheBodyOnce(t *testing.T) {
	const size = 50_000_000
	session := `{"userId":"a","nodeId":%s,"sessionId":"s","creationTime":1,"tenantUuid":"t","loginType":"L"%s}`
	cost := func(body string) (uint64, error) {
		srv := newScripted(t, step{status: 200, body: body})
		c := newTestClient(t, srv.server.URL, newFakeClock(), withRetries(0))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, _, err := c.ListUserSessions(context.Background(), "")
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, err
	}
	valid, err := cost("[" + fmt.Sprintf(session, "1", `,"padding":"`+strings.Repeat("9", size)+`"`) + "]")
	if err != nil {
		t.Fatal(err)
	}
	hostile, err := cost("[" + fmt.Sprintf(session, strings.Repeat("9", size), "") + "]")
	if err == nil || len(err.Error()) > servertext.Whole {
		t.Fatalf("error of %d bytes: %.200v", len(err.Error()), err)
	}
	if hostile > valid+size/10 {
		t.Errorf("the huge number cost %d MB, a body of its size that decodes %d MB: the error copies it", hostile>>20, valid>>20)
	}
}

// containsFold is strings.Contains ignoring case.
func containsFold(s, substr string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(substr))
}
