package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

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
