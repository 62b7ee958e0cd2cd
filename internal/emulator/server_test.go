package emulator

import (
	"net/http/httptest"
	"testing"
)

// testServer is the emulator on a loopback port for one test. (Other packages use
// emulatortest.NewServer, which this package's tests cannot import.)
type testServer struct {
	*Emulator
	URL   string
	Token string
	HTTP  *httptest.Server
}

func newTestServer(t testing.TB, opts ...Option) *testServer {
	t.Helper()
	e := New(opts...)
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	return &testServer{Emulator: e, URL: ts.URL, Token: e.Token(), HTTP: ts}
}
