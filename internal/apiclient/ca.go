package apiclient

import (
	"crypto/x509"
	"errors"
)

// ValidateCACertificate checks that pem holds at least one PEM-encoded certificate, the test New
// applies to WithCACertificate, so a configuration can be checked before any request.
func ValidateCACertificate(pem []byte) error {
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return errors.New("it holds no PEM-encoded certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)")
	}
	return nil
}
