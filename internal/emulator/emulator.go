// Package emulator is an in-memory implementation of the user management endpoints of the
// Dynatrace Managed Cluster API v2: token authentication, validation, status codes and the
// Dynatrace error envelope, as the API reference describes them. It also has control endpoints
// under /emulator/ to simulate logins, inject faults and read the request log.
//
// It is part of the product: users run it (cmd/dtcluster-emulator) to try the provider and to
// test their Terraform modules without a cluster.
package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultToken is the API token the emulator accepts when none is configured.
	DefaultToken = "dt0c01.EMULATOR.local-emulator-token" //nolint:gosec // the emulator's documented default, not a credential
	// APIBasePath is where Cluster API v2 is served.
	APIBasePath = "/api/cluster/v2"
	// ControlBasePath is where the emulator's own control endpoints are served.
	ControlBasePath = "/emulator"
	// HealthPath answers 200 without a token once the emulator serves: wait on it before use.
	HealthPath = ControlBasePath + "/health"
	// DefaultUserInactivityTimeout is the inactivity timeout, in seconds, of a new cluster.
	DefaultUserInactivityTimeout = 900
	// ClusterUUID is the emulated cluster's UUID, the tenant of Cluster Management Console logins.
	ClusterUUID = "c0a8e5b4-3f1d-4e2a-9b7c-1d2e3f4a5b6c"
)

// Emulator is an http.Handler serving the emulated cluster. It is safe for concurrent use.
type Emulator struct {
	token         string
	readOnlyToken string
	seedSessions  int
	now           func() time.Time

	mu       sync.Mutex
	config   UserSessionsConfig
	sessions []UserSession
	faults   []*Fault
	chaos    *chaosState
	requests []Request
	nextID   uint64

	observe func(Request)
}

// Option changes a setting of New.
type Option func(*Emulator)

// WithToken sets the API token with full access (default DefaultToken).
func WithToken(token string) Option { return func(e *Emulator) { e.token = token } }

// WithReadOnlyToken adds a second token that may read but gets 403 on PUT and DELETE, as a token
// without the ServiceProviderAPI write permission would.
func WithReadOnlyToken(token string) Option { return func(e *Emulator) { e.readOnlyToken = token } }

// WithSessions seeds n sessions, deterministically (the same n always gives the same sessions).
func WithSessions(n int) Option { return func(e *Emulator) { e.seedSessions = n } }

// WithRequestObserver calls observe with each API request once it is answered (the same entry
// the request log gets), for example to print requests for a person watching. It runs on the
// request's goroutine and must be safe for concurrent use.
func WithRequestObserver(observe func(Request)) Option {
	return func(e *Emulator) { e.observe = observe }
}

// WithClock sets the clock used for the times of simulated logins (default time.Now).
func WithClock(now func() time.Time) Option { return func(e *Emulator) { e.now = now } }

// New returns an emulator in its initial state: limits 0/0, automatic logout off with a timeout
// of 900 seconds, and the seeded sessions.
func New(opts ...Option) *Emulator {
	e := &Emulator{token: DefaultToken, now: time.Now}
	for _, opt := range opts {
		opt(e)
	}
	e.Reset()
	return e
}

// Reset restores the initial state: default configuration, seeded sessions, no faults, an empty
// request log.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.config = DefaultUserSessionsConfig()
	e.sessions = SeedSessions(e.seedSessions)
	e.faults = nil
	e.chaos = nil
	e.requests = nil
	e.nextID = 0
}

// DefaultUserSessionsConfig is the configuration of a new cluster.
func DefaultUserSessionsConfig() UserSessionsConfig {
	return UserSessionsConfig{
		ConcurrentSessionPolicy: ConcurrentSessionPolicy{UserLimit: 0, AdminLimit: 0},
		AutomaticLogout:         AutomaticLogout{LogoutInactiveUsersEnabled: false, UserInactivityTimeout: DefaultUserInactivityTimeout},
	}
}

// ServeHTTP routes API and control requests.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == HealthPath:
		// Readiness for scripts and CI service checks: no token needed, nothing revealed.
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case r.URL.Path == ControlBasePath || strings.HasPrefix(r.URL.Path, ControlBasePath+"/"):
		if !e.authorize(w, r, false) {
			return
		}
		e.serveControl(w, r)
	case strings.HasPrefix(r.URL.Path, APIBasePath+"/"):
		e.serveAPI(w, r)
	default:
		writeError(w, http.StatusNotFound, "Not found: "+r.URL.Path+" (Cluster API v2 is served under "+APIBasePath+")", nil)
	}
}

// serveAPI applies an injected fault, if any, then authenticates and serves the operation, and
// records the request in the log.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	entry := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	defer func() {
		entry.Status = rec.status
		e.mu.Lock()
		e.requests = append(e.requests, entry)
		e.mu.Unlock()
		if e.observe != nil {
			e.observe(entry)
		}
	}()
	if f := e.takeFault(r); f != nil {
		entry.Fault = f.describe()
		f.apply(rec, r) // a dropped connection panics with http.ErrAbortHandler; logged with status 0
		if rec.status != 0 {
			return
		}
	}
	write := r.Method == http.MethodPut || r.Method == http.MethodDelete
	if !e.authorize(rec, r, write) {
		return
	}
	switch strings.TrimPrefix(r.URL.Path, APIBasePath) {
	case "/clusterConfig/userSessions":
		switch r.Method {
		case http.MethodGet:
			e.getConfig(rec)
		case http.MethodPut:
			e.putConfig(rec, r)
		default:
			methodNotAllowed(rec, "GET, PUT")
		}
	case "/userSessions":
		switch r.Method {
		case http.MethodGet:
			e.listSessions(rec, r)
		case http.MethodDelete:
			e.removeSessions(rec, r)
		default:
			methodNotAllowed(rec, "GET, DELETE")
		}
	default:
		writeError(rec, http.StatusNotFound, "Not found: "+r.URL.Path, nil)
	}
}

// authorize checks the Api-Token header: 401 when missing or wrong, 403 when the read-only token
// is used for a write (or for a control endpoint). It writes the error and reports false.
func (e *Emulator) authorize(w http.ResponseWriter, r *http.Request, write bool) bool {
	header := r.Header.Get("Authorization")
	if header == "" {
		writeError(w, http.StatusUnauthorized, "Missing authorization parameter.", nil)
		return false
	}
	scheme, token, _ := strings.Cut(header, " ")
	switch {
	case scheme != "Api-Token" || token == "":
		writeError(w, http.StatusUnauthorized, "Token Authentication failed: use the header 'Authorization: Api-Token <token>'.", nil)
		return false
	case token == e.token:
		return true
	case e.readOnlyToken != "" && token == e.readOnlyToken:
		if write || strings.HasPrefix(r.URL.Path, ControlBasePath) {
			writeError(w, http.StatusForbidden, "Token is missing required scope. Use one of: ServiceProviderAPI (write access).", nil)
			return false
		}
		return true
	default:
		writeError(w, http.StatusUnauthorized, "Token Authentication failed", nil)
		return false
	}
}

// ConstraintViolation is one entry of the error envelope's constraintViolations.
type ConstraintViolation struct {
	Path              string  `json:"path"`
	Message           string  `json:"message"`
	ParameterLocation string  `json:"parameterLocation"`
	Location          *string `json:"location"`
}

type errorBody struct {
	Code                 int                   `json:"code"`
	Message              string                `json:"message"`
	ConstraintViolations []ConstraintViolation `json:"constraintViolations,omitempty"`
}

// writeError answers with the Dynatrace error envelope.
func writeError(w http.ResponseWriter, status int, message string, violations []ConstraintViolation) {
	writeJSON(w, status, map[string]errorBody{"error": {Code: status, Message: message, ConstraintViolations: violations}})
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "Method not allowed; allowed: "+allow, nil)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// recorder remembers the status written, for the request log.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}
