package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request is one entry of the request log: an API call and the status it got (0 when the
// connection was dropped). It never holds a header, so never the token.
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	Status int    `json:"status"`
	// Fault names the injected fault that shaped the answer, if any.
	Fault string `json:"fault,omitempty"`
}

// String renders the entry on one line: method, path and query, status, fault.
func (r Request) String() string {
	s := r.Method + " " + r.Path
	if r.Query != "" {
		s += "?" + r.Query
	}
	if r.Status == 0 {
		s += " -> connection dropped"
	} else {
		s += " -> " + strconv.Itoa(r.Status)
	}
	if r.Fault != "" {
		s += " (fault: " + r.Fault + ")"
	}
	return s
}

// Fault makes the next Count API requests that match Method and Path fail. A fault waits Delay
// first (if set), then answers Status (with Retry-After, if set) or drops the connection; with
// only a delay the request is then served normally.
type Fault struct {
	// Method matches the HTTP method; "" matches any.
	Method string `json:"method,omitempty"`
	// Path matches the request path, given with or without the /api/cluster/v2 prefix; ""
	// matches any.
	Path string `json:"path,omitempty"`
	// Count is how many matching requests the fault applies to (default 1).
	Count int `json:"count,omitempty"`
	// Status is the HTTP status to answer with.
	Status int `json:"status,omitempty"`
	// RetryAfter is sent as the Retry-After header with Status.
	RetryAfter string `json:"retryAfter,omitempty"`
	// DelayMillis delays the answer.
	DelayMillis int `json:"delayMs,omitempty"`
	// Drop closes the connection without an answer.
	Drop bool `json:"drop,omitempty"`
}

func (f *Fault) validate() error {
	if f.Count == 0 {
		f.Count = 1
	}
	switch {
	case f.Count < 0:
		return fmt.Errorf("count must be positive, got %d", f.Count)
	case f.Status != 0 && (f.Status < 300 || f.Status > 599):
		return fmt.Errorf("status must be between 300 and 599, got %d", f.Status)
	case f.Status != 0 && f.Drop:
		return fmt.Errorf("a fault either answers a status or drops the connection, not both")
	case f.Status == 0 && !f.Drop && f.DelayMillis <= 0:
		return fmt.Errorf("a fault needs a status, a delay or drop")
	case f.DelayMillis < 0:
		return fmt.Errorf("delayMs must not be negative")
	case f.RetryAfter != "" && f.Status == 0:
		return fmt.Errorf("retryAfter needs a status")
	}
	if f.Path != "" && !strings.HasPrefix(f.Path, APIBasePath+"/") {
		f.Path = APIBasePath + "/" + strings.TrimPrefix(f.Path, "/")
	}
	f.Method = strings.ToUpper(f.Method)
	return nil
}

func (f *Fault) matches(r *http.Request) bool {
	return (f.Method == "" || f.Method == r.Method) && (f.Path == "" || f.Path == r.URL.Path)
}

func (f *Fault) describe() string {
	var parts []string
	if f.DelayMillis > 0 {
		parts = append(parts, "delay "+strconv.Itoa(f.DelayMillis)+"ms")
	}
	if f.Status != 0 {
		parts = append(parts, "status "+strconv.Itoa(f.Status))
	}
	if f.Drop {
		parts = append(parts, "drop")
	}
	return strings.Join(parts, ", ")
}

// apply shapes the answer. A dropped connection aborts the handler.
func (f *Fault) apply(w http.ResponseWriter, r *http.Request) {
	if f.DelayMillis > 0 {
		t := time.NewTimer(time.Duration(f.DelayMillis) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	switch {
	case f.Drop:
		panic(http.ErrAbortHandler)
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		writeError(w, f.Status, "Injected fault: HTTP "+strconv.Itoa(f.Status), nil)
	}
}

// InjectFault queues a fault; faults apply in the order they were injected.
func (e *Emulator) InjectFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &f)
	return nil
}

// ClearFaults removes every queued fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

// takeFault returns the first queued fault matching r, using up one of its count.
func (e *Emulator) takeFault(r *http.Request) *Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, f := range e.faults {
		if !f.matches(r) {
			continue
		}
		f.Count--
		if f.Count == 0 {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
		}
		taken := *f
		return &taken
	}
	if e.chaos != nil {
		return e.chaos.draw()
	}
	return nil
}

// record appends entry to the request log; a full log first drops its oldest tenth.
func (e *Emulator) record(entry Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.requests) >= MaxLoggedRequests {
		n := copy(e.requests, e.requests[MaxLoggedRequests/10:])
		clear(e.requests[n:])
		e.requests = e.requests[:n]
	}
	e.requests = append(e.requests, entry)
}

// Requests returns a copy of the request log, oldest first.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Request(nil), e.requests...)
}

// CountRequests counts logged requests with the method and path (with or without the
// /api/cluster/v2 prefix).
func (e *Emulator) CountRequests(method, path string) int {
	if !strings.HasPrefix(path, APIBasePath+"/") {
		path = APIBasePath + "/" + strings.TrimPrefix(path, "/")
	}
	n := 0
	for _, r := range e.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// ClearRequests empties the request log.
func (e *Emulator) ClearRequests() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = nil
}

// serveControl serves the /emulator/ endpoints.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + strings.TrimPrefix(r.URL.Path, ControlBasePath)
	switch route {
	case "POST /sessions":
		var in []UserSession
		if !decodeControl(w, r, &in) {
			return
		}
		added, err := e.AddSessions(in)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), nil)
			return
		}
		writeJSON(w, http.StatusCreated, added)
	case "POST /faults":
		var f Fault
		if !decodeControl(w, r, &f) {
			return
		}
		if err := e.InjectFault(f); err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "DELETE /faults":
		e.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case "POST /chaos":
		var c Chaos
		if !decodeControl(w, r, &c) {
			return
		}
		if err := e.SetChaos(&c); err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "DELETE /chaos":
		_ = e.SetChaos(nil)
		w.WriteHeader(http.StatusNoContent)
	case "GET /requests":
		writeJSON(w, http.StatusOK, e.Requests())
	case "DELETE /requests":
		e.ClearRequests()
		w.WriteHeader(http.StatusNoContent)
	case "POST /reset":
		e.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusNotFound, "Unknown control endpoint "+route+
			"; there are POST /emulator/sessions, POST|DELETE /emulator/faults, POST|DELETE /emulator/chaos, GET|DELETE /emulator/requests, POST /emulator/reset", nil)
	}
}

func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Could not map JSON: "+err.Error(), nil)
		return false
	}
	return true
}
