package emulator

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Limits of a served emulator (Start), so that it keeps answering a client that holds the token
// while others misbehave, as a shared CI service must: a connection that sends no request, or
// sends it slowly, or sits idle after its answer, is closed after a bound; and the open
// connections are bounded, the oldest waiting one closed to make room for a new one.
const (
	// DefaultMaxConnections bounds the connections a served emulator holds open at once.
	DefaultMaxConnections = 256
	readHeaderTimeout     = 10 * time.Second
	// readTimeout bounds reading a whole request; a PUT body is at most 1 MiB.
	readTimeout = 30 * time.Second
	// writeTimeout bounds writing an answer; 100k sessions are about 40 MB.
	writeTimeout = 2 * time.Minute
	idleTimeout  = 30 * time.Second
)

// WithMaxConnections bounds the connections Start holds open at once (default
// DefaultMaxConnections). At the bound, a new connection closes the one that has waited longest
// without a request in progress; when every one is serving a request, the new one is closed.
func WithMaxConnections(n int) Option { return func(e *Emulator) { e.maxConns = n } }

// boundedListener is a listener that holds at most max connections open. Its server's ConnState
// tells it which connections are waiting (new, or idle between requests) and since when.
type boundedListener struct {
	net.Listener
	max     int
	mu      sync.Mutex
	waiting map[net.Conn]time.Time // connections without a request in progress
	active  map[net.Conn]bool
}

func newBoundedListener(ln net.Listener, maxConns int) *boundedListener {
	return &boundedListener{Listener: ln, max: maxConns, waiting: map[net.Conn]time.Time{}, active: map[net.Conn]bool{}}
}

// Accept takes the next connection, first closing the longest-waiting one if the bound is
// reached; with none waiting, the new connection is closed and the next one accepted.
func (l *boundedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if len(l.waiting)+len(l.active) >= l.max {
			var oldest net.Conn
			var since time.Time
			for w, at := range l.waiting {
				if oldest == nil || at.Before(since) {
					oldest, since = w, at
				}
			}
			if oldest == nil {
				l.mu.Unlock()
				_ = c.Close()
				continue
			}
			delete(l.waiting, oldest)
			_ = oldest.Close()
		}
		l.waiting[c] = time.Now()
		l.mu.Unlock()
		return c, nil
	}
}

// track is the server's ConnState hook.
func (l *boundedListener) track(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateNew, http.StateIdle:
		delete(l.active, c)
		if _, ok := l.waiting[c]; !ok || state == http.StateIdle {
			l.waiting[c] = time.Now()
		}
	case http.StateActive:
		delete(l.waiting, c)
		l.active[c] = true
	case http.StateHijacked, http.StateClosed:
		delete(l.waiting, c)
		delete(l.active, c)
	}
}

// open is how many connections the listener holds.
func (l *boundedListener) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.waiting) + len(l.active)
}
