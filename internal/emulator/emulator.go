// Package emulator is an in-memory implementation of the user management endpoints of the
// Dynatrace Managed Cluster API v2: token authentication, validation, status codes and the
// Dynatrace error envelope, as the API reference describes them. It also has control endpoints
// under /emulator/ to simulate logins, inject faults and read the request log.
//
// It is part of the product: users run it (cmd/dtcluster-emulator) to try the provider and to
// test their Terraform modules without a cluster. Where Dynatrace documents a behaviour it
// follows the documentation; where the documentation is silent, the behaviour is an assumption,
// labelled as such in the README, and options reproduce the variants a real cluster may show.
package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
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
	// MaxLoggedRequests bounds the request log: older entries are dropped.
	MaxLoggedRequests = 10000
	// MaxLoggedQuery and MaxLoggedPath bound the query string and the path kept per log entry.
	MaxLoggedQuery = 256
	MaxLoggedPath  = 256
	// MaxLoggedBytes bounds the request log's text in bytes, however long the requests.
	MaxLoggedBytes = 2 << 20
	// maxRequestBody bounds a PUT body; maxControlBody bounds a control request's body.
	maxRequestBody = 1 << 20
	maxControlBody = 8 << 20
)

// NoSessionsAnswer is how GET /userSessions?userId= answers for a user without sessions. The
// API does not document it, so each variant a cluster may show can be reproduced.
type NoSessionsAnswer string

const (
	// NoSessionsEmptyArray answers 200 with [] (the default; assumed).
	NoSessionsEmptyArray NoSessionsAnswer = "empty-array"
	// NoSessionsNotFound answers 404 with the error envelope, as DELETE does (documented for DELETE).
	NoSessionsNotFound NoSessionsAnswer = "not-found"
	// NoSessionsNoContent answers 204 without a body.
	NoSessionsNoContent NoSessionsAnswer = "no-content"
	// NoSessionsEmptyBody answers 200 without a body.
	NoSessionsEmptyBody NoSessionsAnswer = "empty-body"
)

// NoSessionsAnswers lists the valid NoSessionsAnswer values.
var NoSessionsAnswers = []NoSessionsAnswer{NoSessionsEmptyArray, NoSessionsNotFound, NoSessionsNoContent, NoSessionsEmptyBody}

// Emulator is an http.Handler serving the emulated cluster. It is safe for concurrent use.
type Emulator struct {
	token           string
	unscopedToken   string
	seedSessions    int
	now             func() time.Time
	observe         func(Request)
	putStatus       int
	noSessions      NoSessionsAnswer
	maxTimeout      int32
	maxConns        int
	mu              sync.Mutex
	config          UserSessionsConfig
	sessions        []UserSession
	allJSON         []byte // the JSON of every session, made on the first unfiltered list after a change
	faults          []*Fault
	chaos           *chaosState
	requests        []Request
	requestBytes    int // the text of requests, in bytes
	unauthenticated uint64
	nextID          uint64
}

// Option changes a setting of New.
type Option func(*Emulator)

// WithToken sets the API token with the ServiceProviderAPI scope (default DefaultToken).
func WithToken(token string) Option { return func(e *Emulator) { e.token = token } }

// WithUnscopedToken adds a valid token that lacks the ServiceProviderAPI scope: every API
// operation answers it 403, as the API documents for a token without the needed scope.
func WithUnscopedToken(token string) Option { return func(e *Emulator) { e.unscopedToken = token } }

// WithSessions seeds n sessions, deterministically (the same n always gives the same sessions).
func WithSessions(n int) Option { return func(e *Emulator) { e.seedSessions = n } }

// WithRequestObserver calls observe with each authenticated API request once it is answered
// (the same entry the request log gets), for example to print requests for a person watching.
// It runs on the request's goroutine and must be safe for concurrent use.
func WithRequestObserver(observe func(Request)) Option {
	return func(e *Emulator) { e.observe = observe }
}

// WithClock sets the clock used for the times of simulated logins (default time.Now).
func WithClock(now func() time.Time) Option { return func(e *Emulator) { e.now = now } }

// WithPutStatus sets the status of a successful PUT: 200 (the default, as documented) or 204
// (as an example on the documentation page shows).
func WithPutStatus(status int) Option { return func(e *Emulator) { e.putStatus = status } }

// WithNoSessionsAnswer sets how a filtered session list answers for a user without sessions.
func WithNoSessionsAnswer(a NoSessionsAnswer) Option { return func(e *Emulator) { e.noSessions = a } }

// WithMaxInactivityTimeout makes the cluster store at most limit seconds as the inactivity
// timeout, whatever it was sent, as a cluster that normalises values would (an assumed
// behaviour, to test that clients notice it). 0 (the default) stores what it is sent.
func WithMaxInactivityTimeout(limit int32) Option { return func(e *Emulator) { e.maxTimeout = limit } }

// New returns an emulator in its initial state: limits 0/0, automatic logout off with a timeout
// of 900 seconds, and the seeded sessions. It panics on an invalid option value.
func New(opts ...Option) *Emulator {
	e := configured(opts)
	if err := e.check(); err != nil {
		panic("emulator: " + err.Error())
	}
	e.Reset()
	return e
}

// Check reports whether opts are valid, so a command can refuse bad flags with a message.
func Check(opts ...Option) error {
	return configured(opts).check()
}

// configured is an emulator with the defaults and opts applied, before its state is set.
func configured(opts []Option) *Emulator {
	e := &Emulator{token: DefaultToken, now: time.Now, putStatus: http.StatusOK, noSessions: NoSessionsEmptyArray}
	for _, opt := range opts {
		opt(e)
	}
	return e
}

func (e *Emulator) check() error {
	switch {
	case e.token == "":
		return fmt.Errorf("the token must not be empty")
	case e.unscopedToken == e.token:
		return fmt.Errorf("the token without scope must differ from the token")
	case e.putStatus != http.StatusOK && e.putStatus != http.StatusNoContent:
		return fmt.Errorf("the PUT status must be 200 or 204, got %d", e.putStatus)
	case e.maxTimeout < 0:
		return fmt.Errorf("the maximum inactivity timeout must not be negative")
	case e.seedSessions < 0:
		return fmt.Errorf("the number of sessions must not be negative")
	}
	for _, a := range NoSessionsAnswers {
		if e.noSessions == a {
			return nil
		}
	}
	return fmt.Errorf("the no-sessions answer must be one of %v, got %q", NoSessionsAnswers, e.noSessions)
}

// Reset restores the initial state: default configuration, seeded sessions, no faults, an empty
// request log.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.config = DefaultUserSessionsConfig()
	e.sessions = SeedSessions(e.seedSessions)
	e.allJSON = nil
	e.faults = nil
	e.chaos = nil
	e.requests, e.requestBytes = nil, 0
	e.unauthenticated = 0
	e.nextID = 0
}

// DefaultUserSessionsConfig is the configuration of a new cluster (assumed: limits 0/0,
// automatic logout off, a timeout of 900 seconds).
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
		if e.authenticate(w, r, true) {
			e.serveControl(w, r)
		}
	case strings.HasPrefix(r.URL.Path, APIBasePath+"/"):
		// Authentication comes first: a request without a valid token gets no service, consumes
		// no fault and leaves nothing in the log but a count.
		if e.authenticate(w, r, false) {
			e.serveAPI(w, r)
		}
	default:
		writeError(w, http.StatusNotFound, "Not found: "+truncate(r.URL.Path, MaxLoggedPath)+" (Cluster API v2 is served under "+APIBasePath+")", nil)
	}
}

// serveAPI applies an injected fault, if any, then serves the operation, and records the request
// in the log. The entry is recorded as the status is written, before the first byte of the
// answer leaves, so a client that has its answer finds the request in the log; a request
// answered with nothing (a dropped connection) is recorded with status 0 when it ends.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	entry := Request{Method: truncate(r.Method, 16), Path: truncate(r.URL.Path, MaxLoggedPath), Query: truncate(r.URL.RawQuery, MaxLoggedQuery)}
	logged := false
	logEntry := func(status int) {
		if logged {
			return
		}
		logged = true
		entry.Status = status
		e.record(entry)
		if e.observe != nil {
			e.observe(entry)
		}
	}
	rec := &recorder{ResponseWriter: w, onStatus: logEntry}
	defer func() { logEntry(rec.status) }()
	if f := e.takeFault(r); f != nil {
		entry.Fault = f.describe()
		f.apply(rec, r) // a dropped connection panics with http.ErrAbortHandler; logged with status 0
		if rec.status != 0 {
			return
		}
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

// authenticate checks the Api-Token header as the API documents it: 401 when the authorization
// header is missing (or is not an Api-Token), 403 when the token is invalid or lacks the
// ServiceProviderAPI scope. Control endpoints take the scoped token only. A refused request is
// counted, not logged. It writes the error and reports false.
func (e *Emulator) authenticate(w http.ResponseWriter, r *http.Request, control bool) bool {
	header := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(header, " ")
	var status int
	var message string
	switch {
	case header == "" || !strings.EqualFold(scheme, "Api-Token") || token == "":
		status, message = http.StatusUnauthorized, "Missing authorization parameter. Use the header 'Authorization: Api-Token <token>'."
	case token == e.token:
		return true
	case e.unscopedToken != "" && token == e.unscopedToken && !control:
		status, message = http.StatusForbidden, "Token is missing required scope. Use one of: ServiceProviderAPI."
	default:
		status, message = http.StatusForbidden, "Token Authentication failed"
	}
	e.mu.Lock()
	e.unauthenticated++
	e.mu.Unlock()
	// A client without a valid token keeps no connection: it cannot hold the emulator's
	// connections open between refused requests.
	w.Header().Set("Connection", "close")
	writeError(w, status, message, nil)
	return false
}

// Token is the full-access API token.
func (e *Emulator) Token() string { return e.token }

// Unauthenticated counts the requests refused for a missing or invalid token.
func (e *Emulator) Unauthenticated() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.unauthenticated
}

// truncate is s cut to n bytes with a mark, as a copy: a cut of a long request's path must not
// keep the whole path alive in the log.
func truncate(s string, n int) string {
	if len(s) <= n {
		return strings.Clone(s)
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
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
	writeEncoded(w, status, data)
}

// writeEncoded answers data, JSON already encoded, with its length.
func writeEncoded(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// recorder remembers the status written, for the request log.
type recorder struct {
	http.ResponseWriter
	status   int
	onStatus func(status int) // called once, with the first status, before it is written
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
		r.onStatus(status)
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
		r.onStatus(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}
