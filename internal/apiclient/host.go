package apiclient

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
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
		return fail("it contains credentials; the API token is sent in the Authorization header, never in the URL")
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
	name, err := canonicalHostname(u.Hostname())
	if err != nil {
		return fail(err.Error())
	}
	port, err := canonicalPort(u.Scheme, u.Port())
	if err != nil {
		return fail(err.Error())
	}
	if u.Scheme == "http" && !isLoopback(name) {
		return fail("plain http:// is only allowed to a loopback host, the API token would travel unencrypted")
	}
	host := name
	if strings.Contains(name, ":") {
		host = "[" + name + "]" // IPv6
	}
	if port != "" {
		host += ":" + port
	}
	return &url.URL{Scheme: u.Scheme, Host: host, Path: APIBasePath}, nil
}

// canonicalHostname is the one spelling of a host name or address, so that every spelling of a
// cluster's URL gives one identity: an IP address in its standard form, an ASCII name in lower
// case, an internationalised name in its ASCII (punycode) form, lower case.
func canonicalHostname(name string) (string, error) {
	if addr, err := netip.ParseAddr(name); err == nil {
		return addr.String(), nil
	}
	if isASCII(name) {
		return strings.ToLower(name), nil
	}
	ascii, err := idna.Lookup.ToASCII(name)
	if err != nil {
		return "", fmt.Errorf("host name %q is not a valid internationalised domain name", name)
	}
	return ascii, nil
}

// canonicalPort checks a URL's port and gives its one spelling: decimal without leading zeros,
// and none at all for the scheme's default port (443 for https, 80 for http).
func canonicalPort(scheme, port string) (string, error) {
	if port == "" {
		return "", nil
	}
	n, err := strconv.ParseUint(port, 10, 32)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("port %s is not a port number: it must be between 1 and 65535", port)
	}
	if (scheme == "https" && n == 443) || (scheme == "http" && n == 80) {
		return "", nil
	}
	return strconv.FormatUint(n, 10), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
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
