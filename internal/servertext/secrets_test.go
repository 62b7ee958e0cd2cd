package servertext

import (
	"strings"
	"testing"
)

const testToken = "dt0c01.TESTTOKEN.secret-value-that-must-never-leak"

// TestScrubberRemovesEveryEncoding: the token is removed in every form a server or a library
// could render it.
func TestScrubberRemovesEveryEncoding(t *testing.T) {
	s := NewScrubber(testToken)
	secret := "secret-value-that-must-never-leak"
	forms := map[string]string{
		"verbatim":             "Token " + testToken + " is not valid",
		"JSON-escaped dots":    `Token dt0c01\u002eTESTTOKEN\u002esecret-value-that-must-never-leak is not valid`,
		"JSON-escaped all":     `Token \u0064\u0074\u0030\u0063\u0030\u0031\u002e\u0054\u0045\u0053\u0054\u0054\u004f\u004b\u0045\u004e\u002e\u0073\u0065\u0063\u0072\u0065\u0074\u002d\u0076\u0061\u006c\u0075\u0065\u002d\u0074\u0068\u0061\u0074\u002d\u006d\u0075\u0073\u0074\u002d\u006e\u0065\u0076\u0065\u0072\u002d\u006c\u0065\u0061\u006b`,
		"percent-encoded":      "https://sso.example/login?t=dt0c01%2ETESTTOKEN%2Esecret%2Dvalue-that-must-never-leak&x=1",
		"percent, lower hex":   "t=dt0c01%2eTESTTOKEN%2esecret-value-that-must-never-leak",
		"HTML entities":        "<p>dt0c01&#46;TESTTOKEN&#x2E;secret-value-that-must-never-leak</p>",
		"upper-cased":          "TOKEN DT0C01.TESTTOKEN.SECRET-VALUE-THAT-MUST-NEVER-LEAK",
		"secret part alone":    "the secret " + secret + " was rejected",
		"base64":               "Authorization: Basic ZHQwYzAxLlRFU1RUT0tFTi5zZWNyZXQtdmFsdWUtdGhhdC1tdXN0LW5ldmVyLWxlYWs=",
		"base64 of the header": "echo: QXBpLVRva2VuIGR0MGMwMS5URVNUVE9LRU4uc2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1uZXZlci1sZWFr",
		"nested JSON+percent":  `t=dt0c01%5Cu002eTESTTOKEN.secret-value-that-must-never-leak`,
	}
	for name, text := range forms {
		t.Run(name, func(t *testing.T) {
			got := s.Scrub(text)
			if indexFold(got, secret) >= 0 || !strings.Contains(got, Redacted) {
				t.Errorf("scrub(%q) = %q", text, got)
			}
		})
	}
	if got := s.Scrub("nothing secret here: dt0c01.OTHER.value"); got != "nothing secret here: dt0c01.OTHER.value" {
		t.Errorf("text without the token changed: %q", got)
	}
}
