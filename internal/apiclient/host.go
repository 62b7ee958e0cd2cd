package apiclient

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// APIBasePath is the path of Cluster API v2 below the cluster's base URL.
const APIBasePath = "/api/cluster/v2"

// hostHint is appended to every host error so the user knows what a valid host looks like.
const hostHint = "a valid host is the cluster's base URL, such as https://cmc.example.com " +
	"(a trailing / or the /api/cluster/v2 suffix may be given; plain http:// only for localhost, 127.0.0.0/8 or ::1)"

// NormalizeHost turns the host a user configured into the Cluster API v2 base URL
// (scheme://host[:port]/api/cluster/v2). It accepts the cluster's base URL with or without a
// trailing slash or the API suffix, and rejects anything else: no scheme, a query, a fragment,
// credentials in the URL, another path, and plain http to a host that is not loopback (the token
// would cross the network in clear text).
func NormalizeHost(raw string) (*url.URL, error) {
	shown := withoutUserInfo(raw) // never repeat a user name or password given in the URL
	fail := func(reason string) (*url.URL, error) {
		return nil, fmt.Errorf("invalid host %q: %s; %s", shown, reason, hostHint)
	}
	if raw == "" {
		return fail("it is empty")
	}
	if strings.TrimSpace(raw) != raw || strings.ContainsAny(raw, " \t\r\n") {
		return fail("it contains white space")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fail("it is not a URL")
	}
	switch {
	case u.Scheme == "":
		return fail("it has no scheme (https://)")
	case u.Scheme != "https" && u.Scheme != "http":
		return fail(fmt.Sprintf("scheme %q is not supported", u.Scheme))
	case u.Opaque != "" || u.Host == "":
		return fail("it has no host name")
	case u.User != nil:
		return fail("it contains credentials; give the token in the token attribute instead")
	case u.RawQuery != "" || u.ForceQuery:
		return fail("it contains a query")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fail("it contains a fragment")
	case u.Hostname() == "":
		return fail("it has no host name")
	}
	if port := u.Port(); port == "" && strings.HasSuffix(u.Host, ":") {
		return fail("it has an empty port")
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	if path != "" && path != APIBasePath {
		return fail(fmt.Sprintf("path %q is not allowed", u.EscapedPath()))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fail("plain http:// is only allowed to a loopback host, the API token would travel unencrypted")
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host), Path: APIBasePath}, nil
}

// withoutUserInfo returns raw with any user info (user name, password, a token pasted as user)
// cut out, also when raw does not parse as a URL: everything between the scheme (or the start)
// and the last "@" goes, since a password may itself hold "/", "?", "#" or "@".
func withoutUserInfo(raw string) string {
	at := strings.LastIndex(raw, "@")
	if at < 0 {
		return raw
	}
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 && i < at {
		start = i + len("://")
	}
	return raw[:start] + "[credentials removed]@" + raw[at+1:]
}

// isLoopback reports whether host (a name or an IP address, without port) is the local machine:
// localhost, an address in 127.0.0.0/8 or ::1. A name with a trailing dot ("localhost.") is not:
// the resolver and the proxy rules treat it as an ordinary DNS name, so plain http to it could
// leave the machine or go through a proxy.
func isLoopback(host string) bool {
	host = strings.ToLower(host)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
