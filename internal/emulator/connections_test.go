package emulator

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestIdleConnectionsCannotStarveTheTokenHolder: clients without a token open many more
// connections than the bound and send nothing, or half a request; the emulator holds at most the
// bound open and still answers a client with the token at once. Before, every idle connection
// stayed open for ever (2,000 took the emulator from 10 to 2,010 open files).
func TestIdleConnectionsCannotStarveTheTokenHolder(t *testing.T) {
	const bound = 32
	srv, err := Start("127.0.0.1:0", WithSessions(3), WithMaxConnections(bound))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	addr := strings.TrimPrefix(srv.URL, "http://")
	var idle []net.Conn
	t.Cleanup(func() {
		for _, c := range idle {
			_ = c.Close()
		}
	})
	for i := range 4 * bound {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		if i%2 == 1 {
			_, _ = io.WriteString(c, "GET /api/cluster/v2/userSessions HTTP/1.1\r\nHost: x\r\n") // never finished
		}
		idle = append(idle, c)
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.OpenConnections() > bound && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.OpenConnections(); n > bound {
		t.Errorf("%d connections open, want at most %d", n, bound)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+APIBasePath+"/userSessions", nil)
	req.Header.Set("Authorization", "Api-Token "+srv.Token())
	start := time.Now()
	resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err != nil {
		t.Fatalf("the token holder got no answer while %d idle connections were open: %v", len(idle), err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || time.Since(start) > time.Second {
		t.Errorf("answer %d after %s", resp.StatusCode, time.Since(start))
	}
}

// TestRefusedClientKeepsNoConnection: a request without a valid token is answered with
// Connection: close, so a client cannot keep connections open between refused requests.
func TestRefusedClientKeepsNoConnection(t *testing.T) {
	srv := newTestServer(t)
	resp, err := http.Get(srv.URL + APIBasePath + "/userSessions")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
		t.Errorf("status %d, close %v; want 401 and the connection closed", resp.StatusCode, resp.Close)
	}
}

// TestServerTimeouts: a served emulator bounds reading a request, writing an answer and idling.
func TestServerTimeouts(t *testing.T) {
	srv, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	s := srv.server
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("timeouts: header %s, read %s, write %s, idle %s; want each set", s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout)
	}
}
