package apiclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

const configJSON = `{"concurrentSessionPolicyDto":{"userLimit":5,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":900}}`

func TestRetryMatrix(t *testing.T) {
	ok := step{status: 200, body: configJSON}
	unavailable := step{status: 503, body: `{"error":{"code":503,"message":"Service unavailable"}}`}
	pastDate := time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	futureDate := time.Date(2026, 3, 1, 12, 0, 20, 0, time.UTC).Format(http.TimeFormat)
	farDate := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	// ceilings of the backoff with jitter 0.999: 500ms, 1s, 2s, 4s
	backoff := func(retry int) time.Duration {
		return time.Duration(0.999 * float64(DefaultMinBackoff<<(retry-1)))
	}
	type retryCase struct {
		name      string
		steps     []step
		attempts  int
		waits     []time.Duration
		wantErr   string
		wantState int
	}
	tests := []retryCase{
		{name: "success first try", steps: []step{ok}, attempts: 1},
		{name: "503 three times then success", steps: []step{unavailable, unavailable, unavailable, ok},
			attempts: 4, waits: []time.Duration{backoff(1), backoff(2), backoff(3)}},
		{name: "429 with Retry-After seconds", steps: []step{{status: 429, header: map[string]string{"Retry-After": "7"}}, ok},
			attempts: 2, waits: []time.Duration{7 * time.Second}},
		{name: "429 with Retry-After seconds clamped", steps: []step{{status: 429, header: map[string]string{"Retry-After": "86400"}}, ok},
			attempts: 2, waits: []time.Duration{MaxRetryAfter}},
		{name: "429 with Retry-After HTTP date", steps: []step{{status: 429, header: map[string]string{"Retry-After": futureDate}}, ok},
			attempts: 2, waits: []time.Duration{20 * time.Second}},
		{name: "429 with Retry-After HTTP date clamped", steps: []step{{status: 429, header: map[string]string{"Retry-After": farDate}}, ok},
			attempts: 2, waits: []time.Duration{MaxRetryAfter}},
		{name: "429 with Retry-After in the past falls back to backoff", steps: []step{{status: 429, header: map[string]string{"Retry-After": pastDate}}, ok},
			attempts: 2, waits: []time.Duration{backoff(1)}},
		{name: "429 without Retry-After", steps: []step{{status: 429}, ok}, attempts: 2, waits: []time.Duration{backoff(1)}},
		{name: "556 upgrade in progress", steps: []step{{status: 556}, ok}, attempts: 2, waits: []time.Duration{backoff(1)}},
		{name: "502 and 504", steps: []step{{status: 502}, {status: 504}, ok}, attempts: 3, waits: []time.Duration{backoff(1), backoff(2)}},
		{name: "dropped connection then success", steps: []step{{drop: true}, ok}, attempts: 2, waits: []time.Duration{backoff(1)}},
		{name: "exhaustion returns the last status", steps: []step{unavailable, unavailable, unavailable, unavailable, {status: 556}},
			attempts: 5, waits: []time.Duration{backoff(1), backoff(2), backoff(3), backoff(4)},
			wantErr: "HTTP 556 Upgrade in progress", wantState: 556},
		{name: "exhausted dropped connections", steps: []step{{drop: true}},
			attempts: 5, waits: []time.Duration{backoff(1), backoff(2), backoff(3), backoff(4)}, wantErr: "gave up after 5 attempts"},
	}
	for _, code := range []int{400, 401, 403, 404, 500, 501, 510} {
		tests = append(tests, retryCase{name: "never retried " + http.StatusText(code), steps: []step{{status: code, body: `{"error":{"code":1,"message":"scripted failure"}}`}, ok},
			attempts: 1, wantErr: "scripted failure", wantState: code})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, tt.steps...)
			clock := newFakeClock()
			c := newTestClient(t, srv.server.URL, clock)
			cfg, err := c.GetUserSessionsConfig(context.Background())
			if got := len(srv.Requests()); got != tt.attempts {
				t.Errorf("attempts = %d, want %d", got, tt.attempts)
			}
			if waits := clock.Waits(); !equalDurations(waits, tt.waits) {
				t.Errorf("waits = %v, want %v", waits, tt.waits)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if cfg.ConcurrentSessionPolicy.UserLimit != 5 || cfg.AutomaticLogout.UserInactivityTimeout != 900 {
					t.Errorf("decoded config = %+v", cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
			if tt.wantState != 0 && statusOf(err) != tt.wantState {
				t.Errorf("status of error = %d, want %d", statusOf(err), tt.wantState)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRetryBudgetBoundsTheCall(t *testing.T) {
	srv := newScripted(t, step{status: 429, header: map[string]string{"Retry-After": "50"}})
	clock := newFakeClock()
	c := newTestClient(t, srv.server.URL, clock, withRetries(10), withBudget(2*time.Minute))
	_, err := c.GetUserSessionsConfig(context.Background())
	if statusOf(err) != 429 {
		t.Fatalf("error = %v, want the last answer 429", err)
	}
	// 50 s + 50 s fit in the two minutes, a third wait would not.
	if got := len(srv.Requests()); got != 3 {
		t.Errorf("attempts = %d, want 3", got)
	}
	if waits := clock.Waits(); !equalDurations(waits, []time.Duration{50 * time.Second, 50 * time.Second}) {
		t.Errorf("waits = %v", waits)
	}
}

func TestFullJitterStaysUnderTheCeiling(t *testing.T) {
	p := defaultRetryPolicy()
	for retry := 1; retry <= 12; retry++ {
		ceiling := min(DefaultMaxBackoff, DefaultMinBackoff<<(retry-1))
		for range 200 {
			if d := p.backoff(retry); d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %s, outside [0, %s]", retry, d, ceiling)
			}
		}
	}
}

func TestBodyIsReplayedByteForByte(t *testing.T) {
	srv := newScripted(t, step{status: 503}, step{drop: true}, step{status: 204})
	c := newTestClient(t, srv.server.URL, newFakeClock())
	want := UserSessionsConfig{
		ConcurrentSessionPolicy: ConcurrentSessionPolicy{UserLimit: 7, AdminLimit: 3},
		AutomaticLogout:         AutomaticLogout{LogoutInactiveUsersEnabled: true, UserInactivityTimeout: 1800},
	}
	if err := c.UpdateUserSessionsConfig(context.Background(), want); err != nil {
		t.Fatalf("update: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("attempts = %d, want 3", len(reqs))
	}
	const body = `{"concurrentSessionPolicyDto":{"userLimit":7,"adminLimit":3},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":1800}}`
	for i, r := range reqs {
		if r.method != http.MethodPut || r.body != body {
			t.Errorf("attempt %d: %s body %q, want PUT %q", i+1, r.method, r.body, body)
		}
	}
}

func TestCancellationReturnsAtOnce(t *testing.T) {
	t.Run("while waiting for an answer", func(t *testing.T) {
		release := make(chan struct{})
		srv := newScripted(t, step{status: 200, body: configJSON})
		srv.server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		defer close(release)
		c, err := New(srv.server.URL, testToken, config())
		if err != nil {
			t.Fatal(err)
		}
		assertCancelledQuickly(t, func(ctx context.Context) error {
			_, err := c.GetUserSessionsConfig(ctx)
			return err
		})
	})
	t.Run("while waiting to retry", func(t *testing.T) {
		srv := newScripted(t, step{status: 429, header: map[string]string{"Retry-After": "60"}})
		c, err := New(srv.server.URL, testToken, config()) // real clock: the wait would be a minute
		if err != nil {
			t.Fatal(err)
		}
		assertCancelledQuickly(t, func(ctx context.Context) error {
			_, _, err := c.ListUserSessions(ctx, "")
			return err
		})
	})
}

func assertCancelledQuickly(t *testing.T, call func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- call(ctx) }()
	time.Sleep(50 * time.Millisecond)
	cancelled := time.Now()
	cancel()
	select {
	case err := <-done:
		if elapsed := time.Since(cancelled); elapsed > 100*time.Millisecond {
			t.Errorf("returned %s after cancellation, want within 100ms", elapsed)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("call did not return after cancellation")
	}
}

func TestRequestTimeoutIsRetried(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newScripted(t, step{status: 200, body: configJSON})
	var calls int
	handler := srv.server.Config.Handler
	srv.server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.mu.Lock()
		calls++
		first := calls == 1
		srv.mu.Unlock()
		if first {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		handler.ServeHTTP(w, r)
	})
	c := newTestClient(t, srv.server.URL, newFakeClock(), withRequestTimeout(100*time.Millisecond))
	if _, err := c.GetUserSessionsConfig(context.Background()); err != nil {
		t.Fatalf("want success on the second attempt, got %v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"3", 3 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"61", MaxRetryAfter, true},
		{"99999999999999999999", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(2 * time.Hour).Format(http.TimeFormat), MaxRetryAfter, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, false},
		{now.Format(http.TimeFormat), 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, seed := range []string{"", "0", "5", "60", "61", "-3", "1e3", "Sun, 01 Mar 2026 12:00:30 GMT",
		"Sunday, 01-Mar-26 12:00:30 GMT", "Sun Mar  1 12:00:30 2026", "Sat, 28 Feb 2026 12:00:00 GMT", "9999999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		d, ok := parseRetryAfter(value, now)
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %s but not ok", value, d)
		}
		if ok && (d < 0 || d > MaxRetryAfter) {
			t.Fatalf("parseRetryAfter(%q) = %s, outside [0, %s]", value, d, MaxRetryAfter)
		}
	})
}
