package apiclient

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// privateCA makes a CA and a server certificate for 127.0.0.1 signed by it, and returns the
// CA's PEM and the server's TLS certificate.
func privateCA(t *testing.T) ([]byte, tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dtcluster test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}
}

func newTLSServer(t *testing.T, cert tls.Certificate, maxVersion uint16, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(configJSON))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: maxVersion}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestTLS(t *testing.T) {
	caPEM, cert := privateCA(t)
	var hits atomic.Int32
	srv := newTLSServer(t, cert, 0, &hits)
	ctx := context.Background()

	t.Run("private CA unknown: fails, not retried", func(t *testing.T) {
		clock := newFakeClock()
		_, err := newTestClient(t, srv.URL, clock).GetUserSessionsConfig(ctx)
		if err == nil || !strings.Contains(err.Error(), "trust that CA") || FailureOf(err) != FailureCertificate {
			t.Fatalf("error = %v, want a TLS verification error saying to trust the CA", err)
		}
		if len(clock.Waits()) != 0 {
			t.Errorf("a certificate error was retried (waits %v)", clock.Waits())
		}
	})
	t.Run("with the CA: succeeds", func(t *testing.T) {
		if _, err := newTestClient(t, srv.URL, newFakeClock(), withCA(caPEM)).GetUserSessionsConfig(ctx); err != nil {
			t.Fatalf("with CA: %v", err)
		}
	})
	t.Run("insecure: succeeds without the CA", func(t *testing.T) {
		if _, err := newTestClient(t, srv.URL, newFakeClock(), withInsecure(true)).GetUserSessionsConfig(ctx); err != nil {
			t.Fatalf("insecure: %v", err)
		}
	})
	t.Run("insecure is off by default", func(t *testing.T) {
		c := newTestClient(t, srv.URL, newFakeClock())
		if transportOf(t, c).TLSClientConfig.InsecureSkipVerify {
			t.Fatal("InsecureSkipVerify is on by default")
		}
	})
	t.Run("no change to the default transport", func(t *testing.T) {
		newTestClient(t, srv.URL, newFakeClock(), withInsecure(true))
		if d, ok := http.DefaultTransport.(*http.Transport); !ok || (d.TLSClientConfig != nil && d.TLSClientConfig.InsecureSkipVerify) {
			t.Fatal("http.DefaultTransport was changed")
		}
	})
	t.Run("a PEM without certificates is refused", func(t *testing.T) {
		if _, err := New(srv.URL, testToken, config(withCA([]byte("not a certificate")))); err == nil {
			t.Fatal("New accepted a CA bundle without certificates")
		}
	})
	t.Run("TLS below 1.2 is refused", func(t *testing.T) {
		var oldHits atomic.Int32
		old := newTLSServer(t, cert, tls.VersionTLS11, &oldHits)
		_, err := newTestClient(t, old.URL, newFakeClock(), withCA(caPEM)).GetUserSessionsConfig(ctx)
		if err == nil || oldHits.Load() != 0 {
			t.Fatalf("a TLS 1.1 server was reached (err %v)", err)
		}
	})
}

func TestPlainHTTPToRemoteHostRefused(t *testing.T) {
	_, err := New("http://cmc.example.com", testToken, config())
	if err == nil || !strings.Contains(err.Error(), "plain http://") {
		t.Fatalf("error = %v, want plain http refused", err)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	t.Cleanup(other.Close)
	srv := newScripted(t, step{status: http.StatusFound, header: map[string]string{"Location": other.URL + "/api/cluster/v2/clusterConfig/userSessions"}})
	_, err := newTestClient(t, srv.server.URL, newFakeClock()).GetUserSessionsConfig(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusFound || !strings.Contains(err.Error(), other.URL) {
		t.Fatalf("error = %v, want a 302 naming the Location", err)
	}
	if elsewhere.Load() != 0 || len(srv.Requests()) != 1 {
		t.Errorf("redirect followed (%d requests elsewhere) or retried (%d)", elsewhere.Load(), len(srv.Requests()))
	}
}

// transportOf is c's own transport.
func transportOf(t *testing.T, c *Client) *http.Transport {
	t.Helper()
	transport, ok := c.http.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("the client's transport is a %T", c.http.Transport)
	}
	return transport
}
