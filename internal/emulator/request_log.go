package emulator

import (
	"strconv"
	"strings"
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
