package emulator

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// Running is an emulator served over HTTP by Start.
type Running struct {
	*Emulator
	// URL is the base URL to configure as the provider's host (http://address).
	URL    string
	server *http.Server
	served chan error
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
	r := &Running{Emulator: e, URL: scheme + "://" + ln.Addr().String(), served: make(chan error, 1),
		server: &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}}
	go func() { r.served <- r.server.Serve(ln) }()
	return r, nil
}

// Done delivers the error that ended serving, if it ends on its own.
func (r *Running) Done() <-chan error { return r.served }

// Shutdown stops accepting requests and waits for those in flight, until ctx ends.
func (r *Running) Shutdown(ctx context.Context) error { return r.server.Shutdown(ctx) }

// Close stops at once.
func (r *Running) Close() error { return r.server.Close() }
