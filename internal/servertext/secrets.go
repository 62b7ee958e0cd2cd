package servertext

import (
	"encoding/base64"
	"html"
	"net/url"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Redacted replaces a secret wherever text from a server is shown.
const Redacted = "[REDACTED]"

// Scrubber removes the API token from text that came from a server (an error message, a
// constraint violation, a raw body excerpt, a redirect Location, a transport error) before that
// text reaches an error, a diagnostic or a log line. It is the one place where server text
// becomes client text.
//
// A server may echo the token in any encoding, so the text is examined as it is and decoded as
// JSON string escapes (\u002e), percent-encoding (%2E, +), and HTML character references
// (&#46;). When a decoded form holds the token, that decoded form is shown with the token
// removed: the reader loses the server's encoding, never the secret. Base64 of the token is
// removed too. Matching ignores ASCII case, so an upper-cased echo is caught.
type Scrubber struct {
	// secrets are the token and its secret part (the token without its public "dt0c01.<id>."
	// prefix), longest first.
	secrets []string
	// encoded are base64 forms of the secrets.
	encoded []string
}

// NewScrubber returns a Scrubber for token. An empty token scrubs nothing.
func NewScrubber(token string) Scrubber {
	var s Scrubber
	if token == "" {
		return s
	}
	s.secrets = append(s.secrets, token)
	// Dynatrace tokens are dt0c01.<public id>.<secret>: the secret part alone is as sensitive.
	if parts := strings.SplitN(token, ".", 3); len(parts) == 3 && len(parts[2]) >= 8 {
		s.secrets = append(s.secrets, parts[2])
	}
	for _, secret := range s.secrets {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			s.encoded = append(s.encoded, enc.EncodeToString([]byte(secret)))
			s.encoded = append(s.encoded, enc.EncodeToString([]byte("Api-Token "+secret)))
		}
	}
	return s
}

// decoders turn an encoded form of text into plain text; each returns ok false when text is not
// in its encoding.
var decoders = []func(string) (string, bool){
	decodeJSONEscapes,
	func(s string) (string, bool) { d, err := url.QueryUnescape(s); return d, err == nil },
	func(s string) (string, bool) { d, err := url.PathUnescape(s); return d, err == nil },
	func(s string) (string, bool) { return html.UnescapeString(s), true },
}

// Scrub returns text without any form of the secrets.
func (s Scrubber) Scrub(text string) string {
	if len(s.secrets) == 0 || text == "" {
		return text
	}
	// Nested encodings (a JSON-escaped, percent-encoded token) are peeled one layer a round.
	for round := 0; round < 4; round++ {
		changed := false
		for _, decode := range decoders {
			decoded, ok := decode(text)
			if ok && decoded != text && s.holdsSecret(decoded) {
				text, changed = decoded, true
			}
		}
		if !changed {
			break
		}
	}
	for _, secret := range s.secrets {
		text = replaceFold(text, secret, Redacted)
	}
	for _, enc := range s.encoded {
		text = strings.ReplaceAll(text, enc, Redacted)
	}
	return text
}

func (s Scrubber) holdsSecret(text string) bool {
	for _, secret := range s.secrets {
		if indexFold(text, secret) >= 0 {
			return true
		}
	}
	return false
}

// decodeJSONEscapes decodes the escapes of a JSON string (\u002e, \", \/) found in text.
func decodeJSONEscapes(text string) (string, bool) {
	if !strings.Contains(text, `\`) {
		return text, false
	}
	quoted := `"` + strings.NewReplacer(`"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(text) + `"`
	// An escaped quote in text would be double-escaped by the replacer; undo that.
	quoted = strings.ReplaceAll(quoted, `\\"`, `\"`)
	var out string
	if err := json.Unmarshal([]byte(quoted), &out, jsontext.AllowInvalidUTF8(true)); err != nil {
		return text, false
	}
	return out, true
}

// indexFold is strings.Index ignoring ASCII case.
func indexFold(s, substr string) int {
	n := len(substr)
	for i := 0; i+n <= len(s); i++ {
		if asciiEqualFold(s[i:i+n], substr) {
			return i
		}
	}
	return -1
}

// replaceFold replaces every occurrence of old in s, ignoring ASCII case, with repl.
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	var b strings.Builder
	for {
		i := indexFold(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s = s[i+len(old):]
	}
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Show is text from a server as a person may see it: without the token in any form, then with
// its control characters made visible and cut to limit bytes (Clean).
func (s Scrubber) Show(text string, limit int) string { return Clean(s.Scrub(text), limit) }

// RedactToken removes token, in every form Scrub knows, from text, for tools that read server
// answers (they Clean what they show).
func RedactToken(token, text string) string { return NewScrubber(token).Scrub(text) }
