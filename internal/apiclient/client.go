// Package apiclient is a typed client for the user management operations of the Dynatrace
// Managed Cluster API v2. It owns every HTTP and JSON detail (authentication, retries, TLS,
// errors) and knows nothing of Terraform.
package apiclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/servertext"
)

// maxResponseBody bounds a response read into memory (100k sessions are about 40 MB of JSON).
const maxResponseBody = 256 << 20

// DefaultUserAgent is the User-Agent of DefaultConfig.
const DefaultUserAgent = "terraform-provider-dtcluster/dev"

// Logger receives the client's log lines. Fields never hold the token or any header.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// Config holds the settings of New; DefaultConfig gives the defaults.
type Config struct {
	// CACertificate is PEM-encoded certificates to trust in addition to the system's, for a
	// cluster whose certificate is issued by a private CA.
	CACertificate []byte
	// InsecureSkipVerify turns TLS certificate verification off.
	InsecureSkipVerify bool
	// RequestTimeout bounds each attempt: connect, send, read the whole answer.
	RequestTimeout time.Duration
	// MaxRetries is how many times a failed attempt may be retried (0: never).
	MaxRetries int
	// RetryBudget bounds a whole call, attempts and waits together; a RequestTimeout longer
	// than it stretches it (see Client.do).
	RetryBudget time.Duration
	// PreviousHosts are URLs the cluster was reached at before a rename: KnownAs accepts them.
	PreviousHosts []string
	// Name is what the provider configuration calls this cluster (an entry of its clusters),
	// said at the start of every error; "" for the one cluster of a provider configuration.
	Name      string
	UserAgent string
	// Logger receives the log lines (nil: none); Clock is the source of time (nil: the real one).
	Logger Logger
	Clock  Clock
}

// DefaultConfig is the configuration of a client for which nothing was set.
func DefaultConfig() Config {
	return Config{RequestTimeout: DefaultRequestTimeout, MaxRetries: DefaultMaxRetries, RetryBudget: DefaultRetryBudget,
		UserAgent: DefaultUserAgent}
}

// Client calls Cluster API v2. It is safe for concurrent use.
type Client struct {
	name           string
	base           *url.URL
	previousURLs   []string
	token          string
	scrub          servertext.Scrubber
	http           *http.Client
	userAgent      string
	requestTimeout time.Duration
	retry          retryPolicy
	logger         Logger
	clock          Clock
}

// New returns a client for the cluster at host (see NormalizeHost) authenticating with token
// (see NormalizeToken), configured by cfg.
func New(host, token string, cfg Config) (*Client, error) {
	base, err := NormalizeHost(host)
	if err != nil {
		return nil, err
	}
	token, err = NormalizeToken(token)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.RequestTimeout <= 0 || cfg.RetryBudget <= 0:
		return nil, fmt.Errorf("the request timeout (%s) and the retry budget (%s) must be positive", cfg.RequestTimeout, cfg.RetryBudget)
	case cfg.MaxRetries < 0:
		return nil, fmt.Errorf("max retries must not be negative, got %d", cfg.MaxRetries)
	}
	var previous []string
	for _, h := range cfg.PreviousHosts {
		u, err := ClusterURLOf(h)
		if err != nil {
			return nil, fmt.Errorf("a previous host: %w", err)
		}
		previous = append(previous, u)
	}
	retry := defaultRetryPolicy()
	retry.maxRetries, retry.budget = cfg.MaxRetries, cfg.RetryBudget
	logger, clock := cfg.Logger, cfg.Clock
	if logger == nil {
		logger = nopLogger{}
	}
	if clock == nil {
		clock = realClock{}
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify} //nolint:gosec // only when the user asks for it
	if len(cfg.CACertificate) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.CACertificate) {
			return nil, fmt.Errorf("the CA certificate: %w", ValidateCACertificate(cfg.CACertificate))
		}
		tlsConfig.RootCAs = pool
	}
	// A transport of its own: TLS settings of one client never leak into another or into
	// http.DefaultTransport.
	transport := NewTransport()
	transport.TLSClientConfig = tlsConfig
	return &Client{
		name:         cfg.Name,
		base:         base,
		previousURLs: previous,
		token:        token,
		scrub:        servertext.NewScrubber(token),
		http: &http.Client{
			Transport: transport,
			// Never follow a redirect: the Authorization header must not travel to another URL.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		userAgent:      cfg.UserAgent,
		requestTimeout: cfg.RequestTimeout,
		retry:          retry,
		logger:         logger,
		clock:          clock,
	}, nil
}

// NewTransport is a transport of its own with http.DefaultTransport's settings (proxies from
// the environment, timeouts, connection reuse), to which a caller can give TLS settings without
// changing any other client's.
func NewTransport() *http.Transport {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
}

// do sends one API call with retries and returns the 2xx answer. body (may be nil) is sent byte
// for byte on every attempt. Any other outcome is an *APIError or a *RequestError, whose texts
// went through the scrubber; either says whether an attempt may have been carried out by the
// cluster without its answer arriving (OutcomeUnknown).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body []byte) ([]byte, error) {
	target := *c.base
	target.Path += path
	target.RawQuery = query.Encode()
	call := callInfo{method: method, path: target.RequestURI(), url: target.String()}
	start := c.clock.Now()
	// The budget bounds the whole call, the attempt in progress included, but never cuts the
	// first attempt short of the request timeout: a longer request timeout stretches it.
	budget := max(c.retry.budget, c.requestTimeout)
	uncertain := false // an attempt so far may have been carried out
	for attempt := 1; ; attempt++ {
		c.logger.Debug(ctx, "Cluster API request", map[string]any{"method": method, "path": call.path, "attempt": attempt})
		timeout := c.requestTimeout
		if attempt > 1 {
			timeout = min(timeout, budget-c.clock.Now().Sub(start))
		}
		res := c.send(ctx, call, body, timeout)
		if res.err == nil && res.status >= 200 && res.status < 300 {
			c.logger.Debug(ctx, "Cluster API response", map[string]any{"method": method, "path": call.path, "status": res.status})
			return res.body, nil
		}
		if timedOut(res.err) && ctx.Err() == nil && timeout < c.requestTimeout {
			res.err = fmt.Errorf("%w (the call's time budget of %s, every attempt and wait together, ran out)", errBudget, budget)
		} else if timedOut(res.err) && ctx.Err() == nil {
			res.err = fmt.Errorf("%w of %s (%w)", errRequestTimeout, c.requestTimeout, res.err)
		}
		retry, wait, failure := c.judge(ctx, call, res, attempt)
		uncertain = uncertain || res.uncertain()
		failure.call().Uncertain = uncertain
		if !retry || attempt > c.retry.maxRetries || c.clock.Now().Sub(start)+wait >= budget {
			return nil, failure
		}
		c.logger.Warn(ctx, "Cluster API request failed, retrying", map[string]any{
			"method": method, "path": call.path, "attempt": attempt, "error": failure.Error(), "wait_ms": wait.Milliseconds(),
		})
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return nil, c.cancelled(call, attempt, err, failure, uncertain)
		}
	}
}

// errRequestTimeout and errBudget are the limits that end an attempt that runs out of time.
var (
	errRequestTimeout = errors.New("no complete answer within the request timeout")
	errBudget         = errors.New("the attempt was cut short")
)

// callInfo names a call in errors and logs; path is the request URI below the host.
type callInfo struct {
	method, path, url string
}

// result is the outcome of one attempt: a status with its (capped) body and headers, or err.
type result struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// uncertain reports whether the cluster may have carried out the attempt although no success
// answer arrived: the connection failed after the request may have been sent, or a gateway
// answered for a cluster that may have processed it (502, 503, 504). A refused connection, a
// failed name lookup or TLS handshake, and the cluster's own refusals (4xx, 429, 556, 500, 510)
// did not change anything.
func (r result) uncertain() bool {
	if r.err != nil {
		return !classifyTransport(r.err).unsent
	}
	return r.status == http.StatusBadGateway || r.status == http.StatusServiceUnavailable || r.status == http.StatusGatewayTimeout
}

// timedOut reports whether err is an attempt that ran out of time.
func timedOut(err error) bool {
	var netErr net.Error
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()))
}

// judge turns a failed attempt into the error to report, and says whether and after how long it
// may be retried.
func (c *Client) judge(ctx context.Context, call callInfo, res result, attempt int) (retry bool, wait time.Duration, failure callError) {
	done := Call{Cluster: c.name, Method: call.method, Path: call.path, Attempts: attempt}
	if res.err != nil {
		if ctx.Err() != nil {
			return false, 0, c.cancelled(call, attempt, ctx.Err(), nil, true)
		}
		t := classifyTransport(res.err)
		return t.retry, c.retry.backoff(attempt), &RequestError{Call: done, Reason: c.scrub.Show(t.reason, servertext.Value), Hint: t.hint, Kind: t.kind, err: res.err}
	}
	e := decodeError(done, res.status, res.body, c.scrub)
	e.Host = c.ClusterURL()
	switch ra, ok := parseRetryAfter(res.header.Get("Retry-After"), c.clock.Now()); {
	case res.status >= 300 && res.status < 400:
		e.Location = c.scrub.Show(res.header.Get("Location"), servertext.Short)
		return false, 0, e
	case !retryableStatus(res.status):
		return false, 0, e
	case ok:
		return true, ra, e
	}
	return true, c.retry.backoff(attempt), e
}

// cancelled is the error of a call whose context ended; last, if any, is the failure it was
// waiting to retry, named in the text only: the error is a cancellation, not that failure.
func (c *Client) cancelled(call callInfo, attempt int, err, last error, uncertain bool) *RequestError {
	reason := "cancelled"
	if errors.Is(err, context.DeadlineExceeded) {
		reason = "the operation's deadline passed"
	}
	if last != nil {
		reason += " while waiting to retry after: " + last.Error()
	}
	return &RequestError{Call: Call{Cluster: c.name, Method: call.method, Path: call.path, Attempts: attempt, Uncertain: uncertain}, Reason: reason, err: err}
}

// maxErrorBody bounds what is read of a non-2xx body: enough for any error message, and a
// server cannot make the client buffer more. The rest is never read.
const maxErrorBody = 64 << 10

// send makes one attempt, bounded by timeout, and reads the answer: a 2xx body up to
// maxResponseBody, any other up to maxErrorBody.
func (c *Client) send(ctx context.Context, call callInfo, body []byte, timeout time.Duration) result {
	if timeout <= 0 {
		return result{err: context.DeadlineExceeded}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, call.method, call.url, reader)
	if err != nil {
		return result{err: err}
	}
	req.Header.Set("Authorization", "Api-Token "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	limit := int64(maxErrorBody)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		limit = maxResponseBody
	}
	data, err := readBody(resp, limit)
	if err != nil {
		return result{err: fmt.Errorf("reading the response: %w", err)}
	}
	if int64(len(data)) > limit {
		if limit == maxErrorBody {
			data = data[:limit] // an error body is kept in part; the rest is not read
		} else {
			return result{err: errTooLarge}
		}
	}
	return result{status: resp.StatusCode, header: resp.Header, body: data}
}

// readBody reads at most limit+1 bytes of resp's body. When the answer says its length, and it
// is within the limit, the buffer is made that size at once rather than grown by doubling (a
// large session list is megabytes), up to maxPresized: a length a server announces but does not
// send cannot make the client allocate more than that. Go's HTTP client holds the body to the
// length it announced.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	body := io.LimitReader(resp.Body, limit+1)
	if n := resp.ContentLength; n > 0 && n <= limit {
		// MinRead spare bytes: ReadFrom grows a buffer with less room than that before it reads.
		buf := bytes.NewBuffer(make([]byte, 0, min(n, maxPresized)+bytes.MinRead))
		_, err := buf.ReadFrom(body)
		return buf.Bytes(), err
	}
	return io.ReadAll(body)
}

// maxPresized bounds the buffer made from an announced length: 16 MiB holds about 60k sessions.
const maxPresized = 16 << 20

// errTooLarge is the failure of a 2xx answer larger than maxResponseBody.
var errTooLarge = fmt.Errorf("the response is larger than %d MiB", maxResponseBody>>20)

// ErrEmptyToken is NormalizeToken's error for an empty (or blank) token.
var ErrEmptyToken = errors.New("the API token is empty")

// NormalizeToken trims the white space around a token (a token read from a file keeps its line
// break) and checks what remains: not empty, and only characters an HTTP header can carry. The
// error never repeats the token.
func NormalizeToken(raw string) (string, error) {
	token := strings.TrimSpace(raw)
	if token == "" {
		return "", ErrEmptyToken
	}
	for i := 0; i < len(token); i++ {
		switch b := token[i]; {
		case b == ' ' || b == '\t':
			return "", fmt.Errorf("the API token holds white space (byte %d of %d); a Cluster API token has none: "+
				"copy the token again", i+1, len(token))
		case b < 0x20 || b == 0x7f:
			return "", fmt.Errorf("the API token holds a control character (byte %d of %d, such as a line break) that an "+
				"HTTP header cannot carry; copy the token again without it", i+1, len(token))
		}
	}
	return token, nil
}

// Name is what the provider configuration calls the cluster ("" for its one cluster).
func (c *Client) Name() string { return c.name }

// ClusterURL is the cluster's normalised base URL (scheme://host[:port], lower-case host, no
// API path): the identity of the cluster's singleton settings.
func (c *Client) ClusterURL() string { return clusterURL(c.base) }

// KnownAs reports whether url (a ClusterURL) names this client's cluster: its URL, or one of the
// URLs it was reached at before (Config.PreviousHosts).
func (c *Client) KnownAs(url string) bool {
	return url == c.ClusterURL() || slices.Contains(c.previousURLs, url)
}

// clusterURL is base without the API path.
func clusterURL(base *url.URL) string { return base.Scheme + "://" + base.Host }

// ClusterURLOf is the cluster URL (see Client.ClusterURL) of host, as NormalizeHost reads it.
func ClusterURLOf(host string) (string, error) {
	base, err := NormalizeHost(host)
	if err != nil {
		return "", err
	}
	return clusterURL(base), nil
}
