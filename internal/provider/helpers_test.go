package provider

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// lossyProxy forwards every request to a cluster (the emulator) and, for the requests it is
// told to, lets the cluster carry the request out and then drops the answer: what a proxy, a
// load balancer or a network does when a connection breaks after the request arrived.
type lossyProxy struct {
	URL    string
	target string
	mu     sync.Mutex
	drops  []answerDrop
	seen   []string
	// ignoreFilterOnGet makes GET requests reach the cluster without their query, as a proxy
	// that loses the userId filter would.
	ignoreFilterOnGet bool
}

// answerDrop drops the answers of count requests with method and path (below the API's base
// path, such as /clusterConfig/userSessions), after letting skip of them through.
type answerDrop struct {
	method, path string
	skip, count  int
}

func newLossyProxy(t *testing.T, target string) *lossyProxy {
	t.Helper()
	p := &lossyProxy{target: strings.TrimSuffix(target, "/")}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// dropAnswers makes the proxy let skip requests of method to path through, then drop the
// answers of the next count.
func (p *lossyProxy) dropAnswers(method, path string, skip, count int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drops = append(p.drops, answerDrop{method: method, path: path, skip: skip, count: count})
}

// requests lists what the proxy forwarded, as "METHOD path".
func (p *lossyProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// drop reports whether the answer to r is to be dropped, using up one of its rule's count.
func (p *lossyProxy) drop(r *http.Request) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = append(p.seen, r.Method+" "+r.URL.Path)
	for i := range p.drops {
		d := &p.drops[i]
		if d.count == 0 || d.method != r.Method || !strings.HasSuffix(r.URL.Path, d.path) {
			continue
		}
		if d.skip > 0 {
			d.skip--
			continue
		}
		d.count--
		return true
	}
	return false
}

func (p *lossyProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	uri := r.URL.RequestURI()
	p.mu.Lock()
	if p.ignoreFilterOnGet && r.Method == http.MethodGet {
		uri = r.URL.Path
	}
	p.mu.Unlock()
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+uri, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if p.drop(r) {
		panic(http.ErrAbortHandler) // the cluster carried it out; its answer never arrives
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// stateResource is one resource instance of a terraform.tfstate file.
type stateResource struct {
	Type      string `json:"type"`
	Instances []struct {
		Status     string         `json:"status"`
		Attributes map[string]any `json:"attributes"`
	} `json:"instances"`
}

// readStateFile returns the resources of the state file in dir (none when there is no file).
func readStateFile(t *testing.T, dir string) []stateResource {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []stateResource `json:"resources"`
	}
	if err := json.Unmarshal(data, &state); err != nil {
		t.Fatal(err)
	}
	return state.Resources
}

// connectProxy is an HTTP proxy that tunnels every CONNECT to one address (a TLS emulator),
// whatever host the client asked for, as a corporate proxy resolving the cluster's name would.
// It records the hosts asked for and the Proxy-Authorization headers it saw.
type connectProxy struct {
	URL    string
	target string
	mu     sync.Mutex
	hosts  []string
	auth   []string
}

func newConnectProxy(t *testing.T, target string) *connectProxy {
	t.Helper()
	p := &connectProxy{target: target}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.hosts = append(p.hosts, r.Method+" "+r.Host)
		p.auth = append(p.auth, r.Header.Get("Proxy-Authorization"))
		p.mu.Unlock()
		if r.Method != http.MethodConnect {
			http.Error(w, "only CONNECT", http.StatusMethodNotAllowed)
			return
		}
		upstream, err := net.Dial("tcp", p.target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buffered, err := http.NewResponseController(w).Hijack()
		if err != nil {
			_ = upstream.Close()
			return
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { _, _ = io.Copy(upstream, buffered); _ = upstream.Close() }()
		_, _ = io.Copy(conn, upstream)
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// requests lists the proxy's requests, as "METHOD host".
func (p *connectProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.hosts...)
}
