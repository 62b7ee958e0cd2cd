package apiclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// FailureKind names what a RequestError's cause is about, so that a caller can say which of its
// own settings to change.
type FailureKind int

// The kinds: no setting to blame; the URL does not reach the API (no such host, not its TLS
// port, an answer that is not the API's); the TLS certificate was not trusted; no complete
// answer within the request timeout; the call's budget (every attempt and wait) ran out; the
// host's address could not be reached (nothing listening, no route, a proxy in the way).
const (
	FailureOther FailureKind = iota
	FailureURL
	FailureCertificate
	FailureTimeout
	FailureBudget
	// FailureConnection: the host's address was not reached (refused, unreachable).
	FailureConnection
	// FailureAuth: the cluster refused the token (401 without a valid one, 403 invalid or
	// without the scope).
	FailureAuth
)

// transportFailure is what a failed attempt without an answer means for the user.
type transportFailure struct {
	reason string
	// retry is true only for failures that can heal by themselves: a refused or reset
	// connection, a timeout, a temporary name lookup failure.
	retry bool
	// hint says what to check or change, in the API's terms.
	hint string
	// kind names the failure for callers that say which of their settings to change.
	kind FailureKind
	// unsent is true for failures that mean the request never reached the API: the connection
	// or the TLS handshake failed, or the request could not be written.
	unsent bool
}

// classifyTransport sorts an error of http.Client.Do (or of reading the answer) into failures
// that can heal, retried, and ones that cannot, reported at once with what to change.
func classifyTransport(err error) (t transportFailure) {
	if opErr := (*net.OpError)(nil); errors.As(err, &opErr) && opErr.Op == "dial" {
		defer func() { t.unsent = true }() // no connection: nothing was sent
	}
	text := err.Error()
	var (
		unknownAuthority x509.UnknownAuthorityError
		invalid          x509.CertificateInvalidError
		hostname         x509.HostnameError
		verification     *tls.CertificateVerificationError
		systemRoots      x509.SystemRootsError
		recordHeader     tls.RecordHeaderError
		alert            tls.AlertError
		dnsErr           *net.DNSError
		netErr           net.Error
	)
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &invalid), errors.As(err, &hostname),
		errors.As(err, &verification), errors.As(err, &systemRoots):
		return transportFailure{reason: "TLS certificate verification failed: " + text, unsent: true,
			hint: "if the cluster's certificate is issued by a private CA, trust that CA; the certificate must name " +
				"the host of the URL", kind: FailureCertificate}
	case strings.Contains(text, "server gave HTTP response to HTTPS client"), errors.As(err, &recordHeader):
		return transportFailure{reason: "the server does not speak TLS: it answered plain HTTP to an https:// request", unsent: true,
			hint: "https:// needs the cluster's TLS endpoint: check the URL's port (plain http:// is only allowed to a loopback address)",
			kind: FailureURL}
	case errors.As(err, &alert), strings.Contains(text, "tls: "):
		return transportFailure{reason: "the TLS handshake failed: " + text, unsent: true,
			hint: "the cluster must offer TLS 1.2 or later with a cipher suite Go supports, on the URL's port", kind: FailureURL}
	case strings.Contains(text, "invalid header field value"):
		return transportFailure{reason: "the request could not be sent: " + text, unsent: true,
			hint: "the token holds a character an HTTP header cannot carry; copy the token again"}
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return transportFailure{reason: "the host name does not resolve: " + text, unsent: true, kind: FailureURL,
				hint: "check the spelling of the host name, and that this machine's DNS knows it (a name inside a private " +
					"network needs that network's DNS or VPN)"}
		}
		return transportFailure{reason: "looking up the host failed: " + text, retry: dnsErr.IsTemporary || dnsErr.IsTimeout, unsent: true,
			hint: "this machine's DNS did not answer: check its resolver, or the VPN that serves the cluster's name", kind: FailureConnection}
	case errors.Is(err, syscall.ECONNREFUSED):
		return transportFailure{reason: "the connection was refused: " + text, retry: true, unsent: true,
			hint: "nothing accepts connections at that address and port: check the URL's port (the cluster's HTTPS port, " +
				"443 unless it says otherwise) and that the cluster (or the emulator) is running", kind: FailureConnection}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return transportFailure{reason: "the connection was closed before the answer was complete: " + text, retry: true}
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ETIMEDOUT):
		return transportFailure{reason: "the network did not reach the cluster: " + text, retry: true,
			hint: "no route to the host: check that this machine reaches the cluster's network (VPN, firewall)", kind: FailureConnection}
	case errors.Is(err, errBudget):
		return transportFailure{reason: "the request timed out: " + text, kind: FailureBudget}
	case errors.Is(err, errRequestTimeout), errors.As(err, &netErr) && netErr.Timeout():
		return transportFailure{reason: "the request timed out: " + text, retry: true, kind: FailureTimeout,
			hint: "the cluster did not answer in time: a firewall that drops packets, a wrong address, or a slow cluster"}
	}
	return transportFailure{reason: text} // errTooLarge among others: not retried, no setting to blame
}
