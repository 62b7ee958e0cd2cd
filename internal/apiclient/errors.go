package apiclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// maxRawBody bounds how much of a body without an error envelope is kept in an APIError.
const maxRawBody = 512

// ErrNoSessions is wrapped by RemoveUserSessions' error when the API answers 404 (the user has no
// sessions), so callers can treat "nothing to end" as success with errors.Is.
var ErrNoSessions = errors.New("the user has no sessions")

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

// errorEnvelope is the body Dynatrace APIs answer errors with.
type errorEnvelope struct {
	Error *struct {
		Code                 int                   `json:"code"`
		Message              string                `json:"message"`
		ConstraintViolations []ConstraintViolation `json:"constraintViolations"`
	} `json:"error"`
}

// APIError is a response outside 2xx. Message and ConstraintViolations come from the Dynatrace
// error envelope; Body holds the raw body (truncated) when there was no envelope.
type APIError struct {
	Method               string
	Path                 string
	StatusCode           int
	Message              string
	ConstraintViolations []ConstraintViolation
	Body                 string
	// Location is the redirect target of a 3xx answer, which the client never follows.
	Location string
	// Attempts is how many times the request was sent (more than one when it was retried).
	Attempts int
}

// Error renders one line: request, status, message, violations and, where relevant, the
// redirect target and the number of attempts.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	} else if e.StatusCode == 556 {
		b.WriteString(" Upgrade in progress")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if e.Body != "" {
		b.WriteString(": " + e.Body)
	}
	if len(e.ConstraintViolations) > 0 {
		parts := make([]string, len(e.ConstraintViolations))
		for i, v := range e.ConstraintViolations {
			parts[i] = v.String()
		}
		b.WriteString(" [" + strings.Join(parts, "; ") + "]")
	}
	if e.Location != "" {
		fmt.Fprintf(&b, " (redirect to %s not followed: set host to the cluster's own URL so the token is never sent elsewhere)", e.Location)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (gave up after %d attempts)", e.Attempts)
	}
	return b.String()
}

// DecodeError builds the APIError for a non-2xx response from its status and body. A body with a
// Dynatrace error envelope yields its message and violations; any other body is kept raw,
// truncated to a few hundred bytes.
func DecodeError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: status}
	var env errorEnvelope
	if err := json.Unmarshal(body, &env); err == nil && env.Error != nil &&
		(env.Error.Message != "" || len(env.Error.ConstraintViolations) > 0) {
		e.Message = env.Error.Message
		e.ConstraintViolations = env.Error.ConstraintViolations
		return e
	}
	raw := strings.TrimSpace(string(body))
	if len(raw) > maxRawBody {
		raw = strings.ToValidUTF8(raw[:maxRawBody], "") + "…(truncated)"
	}
	e.Body = raw
	return e
}

func statusOf(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is an API answer 404.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsUnauthorized reports whether err is an API answer 401 (missing or wrong token).
func IsUnauthorized(err error) bool { return statusOf(err) == http.StatusUnauthorized }

// IsForbidden reports whether err is an API answer 403 (token lacks the needed scope).
func IsForbidden(err error) bool { return statusOf(err) == http.StatusForbidden }
