package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	json "github.com/go-json-experiment/json"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/servertext"
)

// ConstraintViolation is one entry of the error envelope's constraintViolations.
type ConstraintViolation struct {
	Path              string  `json:"path"`
	Message           string  `json:"message"`
	ParameterLocation string  `json:"parameterLocation,omitempty"`
	Location          *string `json:"location,omitempty"`
}

// String renders the violation as "path: message" (or the message alone without a path).
func (v ConstraintViolation) String() string {
	if v.Path == "" {
		return v.Message
	}
	return v.Path + ": " + v.Message
}

// errorEnvelope is the body Dynatrace APIs answer errors with. No error body is documented for
// the user management operations, so it is parsed when present and never required.
type errorEnvelope struct {
	Error *struct {
		Code                 int                   `json:"code"`
		Message              string                `json:"message"`
		ConstraintViolations []ConstraintViolation `json:"constraintViolations"`
	} `json:"error"`
}

// APIError is a response outside 2xx. Message and ConstraintViolations come from the Dynatrace
// error envelope; Body holds the raw body (truncated) when there was no envelope. Every text in
// it went through the client's scrubber: it never holds the token.
type APIError struct {
	Call
	StatusCode           int
	Message              string
	ConstraintViolations []ConstraintViolation
	Body                 string
	// Location is the redirect target of a 3xx answer, which the client never follows.
	Location string
	// Envelope is true when the body was the Dynatrace error envelope: the Cluster API's own
	// answer, not a proxy's or a web server's.
	Envelope bool
	// Host is the cluster URL the call went to, named when the answer does not look like the API.
	Host string
}

// Call is what both error types say of the call that failed: how many times it was sent, and
// whether the cluster may have carried it out (OutcomeUnknown). For an answer that is the
// cluster's own (a 404, say), Uncertain means an earlier attempt may have been carried out, its
// answer lost.
type Call struct {
	// Cluster is the name of the cluster the call went to, "" for a configuration's one cluster.
	Cluster      string
	Method, Path string
	Attempts     int
	Uncertain    bool
}

func (c *Call) call() *Call { return c }

// clusterLabel names the cluster at the start of an error (`cluster "prod": `), or is "".
func (c *Call) clusterLabel() string {
	if c.Cluster == "" {
		return ""
	}
	return "cluster " + servertext.Name(c.Cluster) + ": "
}

// callError is an *APIError or a *RequestError.
type callError interface {
	error
	call() *Call
}

// Error renders one line: request, status, message, violations, the redirect target and the
// number of attempts.
func (e *APIError) Error() string { return servertext.Cap(e.render(false), servertext.Whole) }

// Detail renders the error for a person: the server's message, each constraint violation on a
// line of its own, and what to do for the statuses that have a known remedy.
func (e *APIError) Detail() string { return servertext.Cap(e.render(true), servertext.Whole) }

func (e *APIError) render(multiline bool) string {
	var b strings.Builder
	switch {
	case multiline && e.Cluster != "":
		b.WriteString("The Cluster API of cluster " + servertext.Name(e.Cluster) + " answered ")
	case multiline:
		b.WriteString("The Cluster API answered ")
	default:
		b.WriteString(e.clusterLabel())
	}
	fmt.Fprintf(&b, "%s %s with HTTP %d", e.Method, e.Path, e.StatusCode)
	if text := statusText(e.Method, e.Path, e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
	case e.Body != "":
		b.WriteString(": " + e.Body)
	}
	if len(e.ConstraintViolations) > 0 {
		parts := make([]string, len(e.ConstraintViolations))
		for i, v := range e.ConstraintViolations {
			parts[i] = v.String()
		}
		if multiline {
			b.WriteString("\n  - " + strings.Join(parts, "\n  - "))
		} else {
			b.WriteString(" [" + strings.Join(parts, "; ") + "]")
		}
	}
	b.WriteString(attemptsNote(e.Attempts))
	if hint := e.hint(); hint != "" {
		if multiline {
			b.WriteString("\n\n" + hint)
		} else {
			b.WriteString(" (" + hint + ")")
		}
	}
	return b.String()
}

// hint says what to do for the statuses that have a known remedy.
func (e *APIError) hint() string {
	switch {
	case e.Location != "":
		return fmt.Sprintf("the cluster redirects to %s; redirects are not followed, so the token is never sent to "+
			"another URL", e.Location)
	case e.notTheAPI():
		return fmt.Sprintf("%s does not look like the Cluster API: its 404 is not the API's error envelope (an HTML "+
			"page or another JSON shape, as from a proxy without the route or a wrong virtual host); "+
			"the provider calls %s%s, so host must be the cluster's own base URL", e.Host, e.Host, APIBasePath)
	case e.StatusCode == http.StatusUnauthorized:
		return "the cluster received no valid API token; " + scopeHint
	case e.StatusCode == http.StatusForbidden:
		return "the cluster refused the API token (invalid, expired, or without the needed scope); " + scopeHint
	case e.StatusCode == statusUpgradeInProgress:
		return "the cluster is being upgraded; try again when the upgrade has finished"
	}
	return ""
}

// notTheAPI reports a 404 that is not the Cluster API's own answer: a body that is not the error
// envelope (an HTML page, another JSON shape, plain text) says only that the URL has no such
// page, never that a user has no sessions. An empty body is tolerated as the API's: the API
// documents no body for its 404, and a proxy or web server answering for a wrong URL sends one.
func (e *APIError) notTheAPI() bool {
	return e.StatusCode == http.StatusNotFound && !e.Envelope && e.Body != ""
}

// scopeHint says what a token needs.
const scopeHint = "the token needs the ServiceProviderAPI scope (\"Service Provider API\"), created in the " +
	"Cluster Management Console"

// statusUpgradeInProgress is Dynatrace's "Upgrade in progress" answer: transient.
const statusUpgradeInProgress = 556

// documentedStatus holds what the API's specification says a status means for one operation,
// where that differs from (or is more precise than) the status's generic HTTP phrase: 510 is
// "Not Extended" in HTTP but the failure of the operation itself here.
var documentedStatus = map[string]map[int]string{
	http.MethodPut + " " + userSessionsConfigPath: {
		http.StatusBadRequest: "Bad Request (wrong parameters)",
		510:                   "Configuration update failed",
	},
	http.MethodGet + " " + userSessionsPath: {
		http.StatusInternalServerError: "Operation failed",
	},
	http.MethodDelete + " " + userSessionsPath: {
		http.StatusBadRequest:          "Bad Request (the user id must be filled in)",
		http.StatusNotFound:            "User sessions not found",
		http.StatusInternalServerError: "Operation failed",
		510:                            "Failed to invalidate sessions",
	},
}

// statusText describes code as the API's specification does for the operation (method and
// request path), else by its HTTP reason phrase; 556 is Dynatrace's own "Upgrade in progress"
// on every operation.
func statusText(method, requestPath string, code int) string {
	if code == statusUpgradeInProgress {
		return "Upgrade in progress"
	}
	operation, _, _ := strings.Cut(strings.TrimPrefix(requestPath, APIBasePath), "?")
	if text, ok := documentedStatus[method+" "+operation][code]; ok {
		return text
	}
	return http.StatusText(code)
}

// decodeError builds the APIError for a non-2xx response from its status and (capped) body. A
// body with a Dynatrace error envelope yields its message and (at most maxViolations)
// violations; any other body (HTML from a proxy, plain text, nothing) is kept raw. Every text is
// shown as scrubber.show does, after decoding, so no encoding of the token survives.
func decodeError(call Call, status int, body []byte, s servertext.Scrubber) *APIError {
	e := &APIError{Call: call, StatusCode: status}
	var env errorEnvelope
	if err := json.Unmarshal(body, &env, decodeOptions); err == nil && env.Error != nil &&
		(env.Error.Message != "" || len(env.Error.ConstraintViolations) > 0) {
		e.Envelope = true
		e.Message = s.Show(env.Error.Message, servertext.Value)
		for i, v := range env.Error.ConstraintViolations {
			if i == maxViolations {
				e.ConstraintViolations = append(e.ConstraintViolations, ConstraintViolation{
					Message: fmt.Sprintf("…and %d more violations not shown", len(env.Error.ConstraintViolations)-i)})
				break
			}
			v.Path, v.Message, v.ParameterLocation = s.Show(v.Path, servertext.Short), s.Show(v.Message, servertext.Short), s.Show(v.ParameterLocation, servertext.Short)
			if v.Location != nil {
				loc := s.Show(*v.Location, servertext.Short)
				v.Location = &loc
			}
			e.ConstraintViolations = append(e.ConstraintViolations, v)
		}
		return e
	}
	e.Body = s.Show(strings.TrimSpace(string(body)), servertext.Value)
	return e
}

// maxViolations is how many constraint violations an APIError keeps.
const maxViolations = 20

// RequestError is a call that got no usable answer: the connection failed, timed out, TLS
// failed, the answer could not be read or decoded, or the context ended. Its text went through
// the scrubber.
type RequestError struct {
	Call
	// Reason says what went wrong.
	Reason string
	// Hint says what to change, for a failure that retrying cannot heal, in the API's terms.
	Hint string
	// Kind says what the failure is about.
	Kind FailureKind
	err  error
}

func (e *RequestError) Error() string {
	s := e.clusterLabel() + fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.Reason) + attemptsNote(e.Attempts)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Unwrap returns the underlying error, so errors.Is(err, context.Canceled) holds for a cancelled
// call.
func (e *RequestError) Unwrap() error { return e.err }

// attemptsNote says how often a call was tried, when it was more than once.
func attemptsNote(attempts int) string {
	if attempts > 1 {
		return fmt.Sprintf(" (gave up after %d attempts)", attempts)
	}
	return ""
}

// IsCancelled reports whether err ended a call because its context was cancelled (Ctrl-C).
func IsCancelled(err error) bool { return errors.Is(err, context.Canceled) }

// IsNotFound reports whether err is the Cluster API's own 404: the status with the API's error
// envelope, or with no body. A 404 with any other body (a proxy's HTML page, another API's JSON)
// is not: a host that is not the API must never read as "no sessions".
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound && !apiErr.notTheAPI()
}

// Transient says whether err is a failure that can heal by itself (throttling, a gateway's or an
// upgrade's answer, a refused or reset connection, a timeout), after the client's retries gave
// up; signature names it ("HTTP 503", say) so that a caller sending many calls can tell the same
// failure repeating from failures of their own.
func Transient(err error) (signature string, ok bool) {
	var apiErr *APIError
	var reqErr *RequestError
	switch {
	case IsCancelled(err):
		return "", false
	case errors.As(err, &apiErr):
		return fmt.Sprintf("HTTP %d", apiErr.StatusCode), retryableStatus(apiErr.StatusCode)
	case errors.As(err, &reqErr) && reqErr.err != nil:
		t := classifyTransport(reqErr.err)
		if !t.retry && !errors.Is(reqErr.err, errBudget) {
			return "", false
		}
		reason, _, _ := strings.Cut(t.reason, ":")
		return reason, true
	}
	return "", false
}

// OutcomeUnknown reports whether a failed call may nevertheless have been carried out by the
// cluster: an attempt was sent and its answer lost (a dropped connection, a timeout, a
// cancellation while it was in flight) or a gateway answered for it (502, 503, 504). A change
// the call was sending may then be in effect. False for failures that certainly changed
// nothing: the cluster's own refusals, a refused connection, a failed name lookup or TLS
// handshake.
func OutcomeUnknown(err error) bool {
	var e callError
	return errors.As(err, &e) && e.call().Uncertain
}

// FailureOf says what err is about: FailureURL for a redirect or an answer that is not the
// API's, the RequestError's Kind otherwise.
func FailureOf(err error) FailureKind {
	var apiErr *APIError
	var reqErr *RequestError
	switch {
	case errors.As(err, &apiErr) && (apiErr.Location != "" || apiErr.notTheAPI()):
		return FailureURL
	case errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden):
		return FailureAuth
	case errors.As(err, &reqErr):
		return reqErr.Kind
	}
	return FailureOther
}
