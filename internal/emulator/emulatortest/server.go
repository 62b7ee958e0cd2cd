// Package emulatortest starts the emulator for the length of a Go test, as net/http/httptest
// does for a handler. It sits beside the emulator so that the emulator command never links the
// testing package.
package emulatortest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

// Server is an emulator served on a loopback port for the length of a test.
type Server struct {
	*emulator.Emulator
	// URL is the base URL a user would configure as host (scheme://127.0.0.1:port).
	URL string
	// Token is the full-access API token.
	Token string
	// HTTP is the underlying test server (its Client trusts the TLS certificate, if any).
	HTTP *httptest.Server
}

// NewServer starts an emulator over plain HTTP on 127.0.0.1 and stops it when the test ends.
func NewServer(t testing.TB, opts ...emulator.Option) *Server {
	t.Helper()
	return serve(t, httptest.NewServer, opts)
}

// NewTLSServer starts an emulator over HTTPS, with a certificate of httptest's own CA, on
// 127.0.0.1 and stops it when the test ends.
func NewTLSServer(t testing.TB, opts ...emulator.Option) *Server {
	t.Helper()
	return serve(t, httptest.NewTLSServer, opts)
}

func serve(t testing.TB, start func(h http.Handler) *httptest.Server, opts []emulator.Option) *Server {
	e := emulator.New(opts...)
	ts := start(e)
	t.Cleanup(ts.Close)
	return &Server{Emulator: e, URL: ts.URL, Token: e.Token(), HTTP: ts}
}

// IncidentLogins are the logins the incident tests start from: alice (LDAP and LOCAL), bob
// (LDAP), carol (LOCAL), breakglass (LDAP, node 3), dave (SSO_MANAGED, node 2). A selection by
// login type, node or user can be told apart by who is left (UsersLeft).
var IncidentLogins = []emulator.UserSession{
	{UserID: "alice", LoginType: "LDAP", NodeID: 1}, {UserID: "alice", LoginType: "LOCAL", NodeID: 1},
	{UserID: "bob", LoginType: "LDAP", NodeID: 1}, {UserID: "carol", LoginType: "LOCAL", NodeID: 1},
	{UserID: "breakglass", LoginType: "LDAP", NodeID: 3}, {UserID: "dave", LoginType: "SSO_MANAGED", NodeID: 2},
}

// UsersLeft lists the users who have a session on e, sorted and comma-separated.
func UsersLeft(e *emulator.Emulator) string {
	var users []string
	for _, s := range e.Sessions("") {
		users = append(users, s.UserID)
	}
	slices.Sort(users)
	return strings.Join(slices.Compact(users), ",")
}
