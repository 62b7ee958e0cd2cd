package emulatortest

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The proxies the tests put between the provider and a cluster: one that loses answers, and
// a corporate CONNECT proxy.

// LossyProxy forwards every request to a cluster (the emulator) and, for the requests it is
// told to, lets the cluster carry the request out and then drops the answer: what a proxy, a
// load balancer or a network does when a connection breaks after the request arrived.
type LossyProxy struct {
	URL    string
	target string
	mu     sync.Mutex
	drops  []answerDrop
	seen   []string
	// IgnoreFilterOnGet makes GET requests reach the cluster without their query, as a proxy
	// that loses the userId filter would.
	IgnoreFilterOnGet bool
}

// answerDrop drops the answers of count requests with method and path (below the API's base
// path, such as /clusterConfig/userSessions), after letting skip of them through.
type answerDrop struct {
	method, path string
	skip, count  int
	// after, if set, arms the rule only once a request with this method has been forwarded.
	after string
}

func NewLossyProxy(t testing.TB, target string) *LossyProxy {
	t.Helper()
	p := &LossyProxy{target: strings.TrimSuffix(target, "/")}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// DropAnswers makes the proxy let skip requests of method to path through, then drop the
// answers of the next count.
func (p *LossyProxy) DropAnswers(method, path string, skip, count int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drops = append(p.drops, answerDrop{method: method, path: path, skip: skip, count: count})
}

// DropAnswersAfter drops the answers of the first count requests of method to path that come
// after a request with the method after (whatever reads a plan made before).
func (p *LossyProxy) DropAnswersAfter(method, path, after string, count int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drops = append(p.drops, answerDrop{method: method, path: path, count: count, after: after})
}

// Requests lists what the proxy forwarded, as "METHOD path".
func (p *LossyProxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// drop reports whether the answer to r is to be dropped, using up one of its rule's count.
func (p *LossyProxy) drop(r *http.Request) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	earlier := p.seen
	p.seen = append(p.seen, r.Method+" "+r.URL.Path)
	for i := range p.drops {
		d := &p.drops[i]
		if d.count == 0 || d.method != r.Method || !strings.HasSuffix(r.URL.Path, d.path) {
			continue
		}
		if d.after != "" && !slices.ContainsFunc(earlier, func(s string) bool { return strings.HasPrefix(s, d.after+" ") }) {
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

func (p *LossyProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	uri := r.URL.RequestURI()
	p.mu.Lock()
	if p.IgnoreFilterOnGet && r.Method == http.MethodGet {
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

// ConnectProxy is an HTTP proxy that tunnels every CONNECT to one address (a TLS emulator),
// whatever host the client asked for, as a corporate proxy resolving the cluster's name would.
// It records the hosts asked for and the Proxy-Authorization headers it saw.
type ConnectProxy struct {
	URL    string
	target string
	mu     sync.Mutex
	hosts  []string
	auth   []string
}

func NewConnectProxy(t testing.TB, target string) *ConnectProxy {
	t.Helper()
	p := &ConnectProxy{target: target}
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

// Requests lists the proxy's requests, as "METHOD host".
func (p *ConnectProxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.hosts...)
}
