// Package apiclient is a typed client for the user management operations of the Dynatrace
// Managed Cluster API v2. It owns every HTTP and JSON detail (authentication, retries, TLS,
// errors) and knows nothing of Terraform.
package apiclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponseBody bounds a response read into memory (100k sessions are about 40 MB of JSON).
const maxResponseBody = 256 << 20

// DefaultUserAgent is sent when no WithUserAgent option is given.
const DefaultUserAgent = "terraform-provider-dtcluster/dev"

// Logger receives the client's log lines. Fields never hold the token or any header.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// Client calls Cluster API v2. It is safe for concurrent use.
type Client struct {
	base           *url.URL
	token          string
	http           *http.Client
	userAgent      string
	requestTimeout time.Duration
	retry          retryPolicy
	logger         Logger
	clock          Clock
}

type settings struct {
	caPEM          []byte
	insecure       bool
	requestTimeout time.Duration
	userAgent      string
	logger         Logger
	clock          Clock
	retry          retryPolicy
}

// Option changes a setting of New.
type Option func(*settings) error

// WithCACertificate trusts the PEM-encoded certificates in pem in addition to the system pool,
// for clusters whose certificate is issued by a private CA.
func WithCACertificate(pem []byte) Option {
	return func(s *settings) error { s.caPEM = pem; return nil }
}

// WithInsecureSkipVerify turns off TLS certificate verification. Off by default.
func WithInsecureSkipVerify(insecure bool) Option {
	return func(s *settings) error { s.insecure = insecure; return nil }
}

// WithRequestTimeout bounds each single attempt (connect, send, read the whole answer).
func WithRequestTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("request timeout must be positive, got %s", d)
		}
		s.requestTimeout = d
		return nil
	}
}

// WithMaxRetries sets how many times a failed attempt may be retried (0 = never).
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return fmt.Errorf("max retries must not be negative, got %d", n)
		}
		s.retry.maxRetries = n
		return nil
	}
}

// WithRetryBudget bounds the whole call, all attempts and waits together.
func WithRetryBudget(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("retry budget must be positive, got %s", d)
		}
		s.retry.budget = d
		return nil
	}
}

// WithBackoff sets the first and the largest backoff between attempts.
func WithBackoff(minWait, maxWait time.Duration) Option {
	return func(s *settings) error {
		if minWait <= 0 || maxWait < minWait {
			return fmt.Errorf("backoff needs 0 < min <= max, got %s and %s", minWait, maxWait)
		}
		s.retry.minBackoff, s.retry.maxBackoff = minWait, maxWait
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(s *settings) error { s.userAgent = ua; return nil }
}

// WithLogger sends the client's log lines to l.
func WithLogger(l Logger) Option {
	return func(s *settings) error { s.logger = l; return nil }
}

// WithClock replaces the real clock, for tests that measure waits without sleeping.
func WithClock(c Clock) Option {
	return func(s *settings) error { s.clock = c; return nil }
}

// New returns a client for the cluster at host (see NormalizeHost) authenticating with token.
func New(host, token string, opts ...Option) (*Client, error) {
	base, err := NormalizeHost(host)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(token) == "" {
		return nil, errors.New("the API token is empty")
	}
	s := settings{
		requestTimeout: DefaultRequestTimeout,
		userAgent:      DefaultUserAgent,
		logger:         nopLogger{},
		clock:          realClock{},
		retry:          defaultRetryPolicy(),
	}
	for _, opt := range opts {
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.insecure} //nolint:gosec // only when the user asks for it
	if len(s.caPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(s.caPEM) {
			return nil, fmt.Errorf("the CA certificate: %w", ValidateCACertificate(s.caPEM))
		}
		tlsConfig.RootCAs = pool
	}
	// A transport of its own: TLS settings of one client never leak into another or into
	// http.DefaultTransport.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConfig
	return &Client{
		base:  base,
		token: token,
		http: &http.Client{
			Transport: transport,
			// Never follow a redirect: the Authorization header must not travel to another URL.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		userAgent:      s.userAgent,
		requestTimeout: s.requestTimeout,
		retry:          s.retry,
		logger:         s.logger,
		clock:          s.clock,
	}, nil
}

// BaseURL is the Cluster API v2 base URL the client calls.
func (c *Client) BaseURL() string { return c.base.String() }

// do sends one API call with retries. body (may be nil) is sent byte for byte on every attempt;
// a 2xx answer with a body is decoded into out when out is not nil.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body []byte, out any) error {
	target := *c.base
	target.Path += path
	target.RawQuery = query.Encode()
	logPath := target.RequestURI()
	start := c.clock.Now()
	for attempt := 1; ; attempt++ {
		fields := map[string]any{"method": method, "path": logPath, "attempt": attempt}
		c.logger.Debug(ctx, "Cluster API request", fields)
		status, header, respBody, err := c.send(ctx, method, target.String(), body)
		if err == nil && status >= 200 && status < 300 {
			c.logger.Debug(ctx, "Cluster API response", map[string]any{"method": method, "path": logPath, "status": status})
			if out == nil {
				return nil
			}
			if len(bytes.TrimSpace(respBody)) == 0 {
				return fmt.Errorf("%s %s: HTTP %d with an empty body, expected JSON", method, logPath, status)
			}
			if err := json.Unmarshal(respBody, out); err != nil {
				return fmt.Errorf("%s %s: decoding the response: %w", method, logPath, err)
			}
			return nil
		}

		var wait time.Duration
		var failure error
		switch {
		case err != nil:
			if ctxErr := ctx.Err(); ctxErr != nil {
				return fmt.Errorf("%s %s: %w", method, logPath, ctxErr)
			}
			if certificateError(err) {
				return fmt.Errorf("%s %s: TLS verification failed (set ca_certificate to the cluster's CA): %w", method, logPath, err)
			}
			failure = fmt.Errorf("%s %s: %w", method, logPath, err)
			wait = c.retry.backoff(attempt)
		default:
			apiErr := DecodeError(method, logPath, status, c.redact(respBody))
			apiErr.Attempts = attempt
			if status >= 300 && status < 400 {
				apiErr.Location = header.Get("Location")
				return apiErr
			}
			if !retryableStatus(status) {
				return apiErr
			}
			failure = apiErr
			if ra, ok := ParseRetryAfter(header.Get("Retry-After"), c.clock.Now()); ok {
				wait = ra
			} else {
				wait = c.retry.backoff(attempt)
			}
		}
		elapsed := c.clock.Now().Sub(start)
		if attempt > c.retry.maxRetries || elapsed+wait > c.retry.budget {
			if attempt > 1 && err != nil {
				return fmt.Errorf("%w (gave up after %d attempts)", failure, attempt)
			}
			return failure
		}
		c.logger.Warn(ctx, "Cluster API request failed, retrying", map[string]any{
			"method": method, "path": logPath, "attempt": attempt, "error": failure.Error(), "wait_ms": wait.Milliseconds(),
		})
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s %s: %w (while waiting to retry after: %w)", method, logPath, err, failure)
		}
	}
}

// send makes one attempt, bounded by the request timeout, and reads the whole answer.
func (c *Client) send(ctx context.Context, method, target string, body []byte) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Api-Token "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("reading the response: %w", err)
	}
	if len(data) > maxResponseBody {
		return 0, nil, nil, fmt.Errorf("the response is larger than %d bytes", maxResponseBody)
	}
	return resp.StatusCode, resp.Header, data, nil
}

// redact removes the token from a server's answer, in case a server echoes it back, so it can
// never reach an error message or a log line.
func (c *Client) redact(body []byte) []byte {
	return bytes.ReplaceAll(body, []byte(c.token), []byte("[REDACTED]"))
}
