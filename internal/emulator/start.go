package emulator

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
)

// Running is an emulator served over HTTP by Start.
type Running struct {
	*Emulator
	// URL is the base URL to configure as the provider's host (http://address, or https://name
	// over TLS). For a listener on every address (0.0.0.0, ::) it names one a client can use:
	// the loopback address, or over TLS the first name the certificate holds.
	URL      string
	server   *http.Server
	listener *boundedListener
	served   chan error
}

// Start serves a new emulator with opts on addr (port 0 picks a free port) until Shutdown. It is
// how commands and tools run the emulator; Go tests use emulatortest.
func Start(addr string, opts ...Option) (*Running, error) {
	return StartTLS(addr, nil, opts...)
}

// StartTLS is Start over HTTPS with tlsConfig (see SelfSignedTLS); a nil tlsConfig serves plain
// HTTP.
func StartTLS(addr string, tlsConfig *tls.Config, opts ...Option) (*Running, error) {
	if err := Check(opts...); err != nil {
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, err
	}
	scheme := "http"
	if tlsConfig != nil {
		ln, scheme = tls.NewListener(ln, tlsConfig), "https"
	}
	e := New(opts...)
	maxConns := e.maxConns
	if maxConns <= 0 {
		maxConns = DefaultMaxConnections
	}
	bounded := newBoundedListener(ln, maxConns)
	r := &Running{Emulator: e, URL: scheme + "://" + reachable(ln.Addr(), tlsConfig), served: make(chan error, 1), listener: bounded,
		server: &http.Server{Handler: e, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
			WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, ConnState: bounded.track}}
	go func() { r.served <- r.server.Serve(bounded) }()
	return r, nil
}

// reachable is host:port of addr as a client names it. An unspecified address (listening on
// every interface) cannot be dialled by name: over TLS the certificate's first DNS name (else its
// first address) is used, since the client verifies the name; over plain HTTP the loopback
// address, the only one the provider sends a token to over plain HTTP.
func reachable(addr net.Addr, tlsConfig *tls.Config) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	port := strconv.Itoa(tcp.Port)
	if tlsConfig != nil && len(tlsConfig.Certificates) > 0 && tlsConfig.Certificates[0].Leaf != nil {
		leaf := tlsConfig.Certificates[0].Leaf
		if len(leaf.DNSNames) > 0 {
			return net.JoinHostPort(leaf.DNSNames[0], port)
		}
		for _, ip := range leaf.IPAddresses {
			if !ip.IsUnspecified() {
				return net.JoinHostPort(ip.String(), port)
			}
		}
	}
	// A listener on :: takes IPv4 too where the system is dual-stack, which is the common case.
	return net.JoinHostPort("127.0.0.1", port)
}

// OpenConnections is how many connections the emulator holds open.
func (r *Running) OpenConnections() int { return r.listener.open() }

// Done delivers the error that ended serving, if it ends on its own.
func (r *Running) Done() <-chan error { return r.served }

// Shutdown stops accepting requests and waits for those in flight, until ctx ends.
func (r *Running) Shutdown(ctx context.Context) error { return r.server.Shutdown(ctx) }

// Close stops at once.
func (r *Running) Close() error { return r.server.Close() }
