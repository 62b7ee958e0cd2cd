package apiclient

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of the retry policy; Config.MaxRetries and Config.RetryBudget change them.
const (
	DefaultMaxRetries     = 5
	DefaultRequestTimeout = 30 * time.Second
	DefaultRetryBudget    = 2 * time.Minute
	DefaultMinBackoff     = 500 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	// MaxRetryAfter caps how long a Retry-After header can make the client wait, so a server
	// cannot stall a Terraform run for hours.
	MaxRetryAfter = 60 * time.Second
)

// Clock is the client's source of time. Tests inject one that records waits instead of sleeping.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx ends, whichever is first, and returns ctx.Err() in the
	// latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryPolicy decides whether and how long to wait before the next attempt.
type retryPolicy struct {
	maxRetries int
	budget     time.Duration
	minBackoff time.Duration
	maxBackoff time.Duration
	// jitter returns a number in [0, 1); full jitter multiplies the capped exponential by it.
	jitter func() float64
}

func defaultRetryPolicy() retryPolicy {
	return retryPolicy{
		maxRetries: DefaultMaxRetries,
		budget:     DefaultRetryBudget,
		minBackoff: DefaultMinBackoff,
		maxBackoff: DefaultMaxBackoff,
		jitter:     rand.Float64,
	}
}

// backoff is the exponential backoff with full jitter before retry number retry (1-based):
// a random duration in [0, min(maxBackoff, minBackoff·2^(retry-1))].
func (p retryPolicy) backoff(retry int) time.Duration {
	ceiling := p.maxBackoff
	if shift := retry - 1; shift < 30 {
		if d := p.minBackoff << shift; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return time.Duration(p.jitter() * float64(ceiling))
}

// retryableStatus lists the answers that mean "try again later": throttling (429), gateway
// trouble (502, 503, 504) and a cluster upgrade in progress (556).
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout, statusUpgradeInProgress:
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After header value, either delay seconds or an HTTP date, and
// returns the wait clamped to MaxRetryAfter. ok is false when the header is absent, malformed or
// names a moment not in the future, so the caller falls back to its own backoff.
func parseRetryAfter(value string, now time.Time) (wait time.Duration, ok bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	wait = at.Sub(now)
	if wait <= 0 {
		return 0, false
	}
	return min(wait, MaxRetryAfter), true
}
