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

// String renders the entry on one line: method, path and query, status, fault. The path is
// decoded (%0A is a line break), so a method, path or query with anything but printable ASCII
// is written quoted, with escapes: a request cannot forge a line of the log.
func (r Request) String() string {
	s := printable(r.Method) + " " + printable(r.Path)
	if r.Query != "" {
		s += "?" + printable(r.Query)
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

// printable is s, or s quoted with Go escapes when it holds anything but printable ASCII.
func printable(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f || s[i] == '"' {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

// size is what an entry holds in text.
func (r Request) size() int { return len(r.Method) + len(r.Path) + len(r.Query) + len(r.Fault) }

// record appends entry to the request log; a log full in entries (MaxLoggedRequests) or in
// bytes (MaxLoggedBytes) first drops its oldest tenth, or more until the entry fits.
func (e *Emulator) record(entry Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.requests) >= MaxLoggedRequests || e.requestBytes+entry.size() > MaxLoggedBytes {
		drop, freed := 0, 0
		for drop < len(e.requests) && (drop < max(len(e.requests)/10, 1) || e.requestBytes-freed+entry.size() > MaxLoggedBytes) {
			freed += e.requests[drop].size()
			drop++
		}
		e.requestBytes -= freed
		n := copy(e.requests, e.requests[drop:])
		clear(e.requests[n:])
		e.requests = e.requests[:n]
	}
	e.requests = append(e.requests, entry)
	e.requestBytes += entry.size()
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
	e.requests, e.requestBytes = nil, 0
}
