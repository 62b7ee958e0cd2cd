package apiclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const testToken = "dt0c01.TESTTOKEN.secret-value-that-must-never-leak"

// fakeClock records the waits the client asks for and advances its time instead of sleeping.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// step is one scripted answer.
type step struct {
	status int
	header map[string]string
	body   string
	drop   bool
}

// scripted is a server that answers with its steps in order, then repeats the last one. It
// records every request it received.
type scripted struct {
	mu       sync.Mutex
	steps    []step
	requests []recorded
	server   *httptest.Server
}

type recorded struct {
	method, path, query string
	header              http.Header
	body                string
}

func newScripted(t *testing.T, steps ...step) *scripted {
	t.Helper()
	s := &scripted{steps: steps}
	s.server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.server.Close)
	return s
}

func (s *scripted) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	i := min(len(s.requests), len(s.steps)-1)
	s.requests = append(s.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
	st := s.steps[i]
	s.mu.Unlock()
	if st.drop {
		panic(http.ErrAbortHandler)
	}
	for k, v := range st.header {
		w.Header().Set(k, v)
	}
	if st.body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(st.status)
	_, _ = io.WriteString(w, st.body)
}

func (s *scripted) Requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.requests...)
}

// option changes a setting of a test's Config.
type option func(*Config)

func withRetries(n int) option                  { return func(c *Config) { c.MaxRetries = n } }
func withBudget(d time.Duration) option         { return func(c *Config) { c.RetryBudget = d } }
func withRequestTimeout(d time.Duration) option { return func(c *Config) { c.RequestTimeout = d } }
func withInsecure(b bool) option                { return func(c *Config) { c.InsecureSkipVerify = b } }
func withCA(pem []byte) option                  { return func(c *Config) { c.CACertificate = pem } }
func withLogger(l Logger) option                { return func(c *Config) { c.Logger = l } }
func withUserAgent(ua string) option            { return func(c *Config) { c.UserAgent = ua } }
func withClock(clock Clock) option              { return func(c *Config) { c.Clock = clock } }

// config is DefaultConfig changed by opts.
func config(opts ...option) Config {
	c := DefaultConfig()
	for _, o := range opts {
		o(&c)
	}
	return c
}

// newTestClient builds a client for url with a fake clock, four retries and a deterministic
// jitter of 1 (the backoff ceiling), unless opts override them.
func newTestClient(t *testing.T, url string, clock Clock, opts ...option) *Client {
	t.Helper()
	c, err := New(url, testToken, config(append([]option{withClock(clock), withRetries(4)}, opts...)...))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.retry.jitter = func() float64 { return 0.999 }
	return c
}

// statusOf is the HTTP status of an *APIError, or 0.
func statusOf(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}
