package apiclient

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// captureLogger keeps every line the client logs.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("DEBUG", msg, fields)
}
func (l *captureLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("WARN", msg, fields)
}

func (l *captureLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
}

func (l *captureLogger) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestTokenNeverLogged(t *testing.T) {
	logger := &captureLogger{}
	failing := newScripted(t, step{status: 503}, step{status: 401, body: `{"error":{"code":401,"message":"Token Authentication failed"}}`})
	succeeding := newScripted(t, step{drop: true}, step{status: 200, body: configJSON})
	ctx := context.Background()

	_, err := newTestClient(t, failing.server.URL, newFakeClock(), withLogger(logger)).GetUserSessionsConfig(ctx)
	if statusOf(err) != 401 {
		t.Fatalf("error = %v, want 401", err)
	}
	if _, err := newTestClient(t, succeeding.server.URL, newFakeClock(), withLogger(logger)).GetUserSessionsConfig(ctx); err != nil {
		t.Fatal(err)
	}
	out := logger.String()
	if len(logger.lines) < 6 {
		t.Fatalf("only %d log lines captured, the test sees too little:\n%s", len(logger.lines), out)
	}
	if !strings.Contains(out, "retrying") || !strings.Contains(out, "/api/cluster/v2/clusterConfig/userSessions") {
		t.Errorf("log lacks the retry and the path:\n%s", out)
	}
	for _, secret := range []string{testToken, "secret-value-that-must-never-leak", "Api-Token"} {
		if strings.Contains(out, secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("%q appears in the log or error:\n%s", secret, out)
		}
	}
}
