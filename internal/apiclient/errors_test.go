package apiclient

import (
	"strings"
	"testing"
)

func FuzzDecodeError(f *testing.F) {
	for _, seed := range []string{
		`{"error":{"code":400,"message":"Constraints violated.","constraintViolations":[{"path":"a.b","message":"bad","parameterLocation":"PAYLOAD_BODY","location":null}]}}`,
		`{"error":{"code":401,"message":"Token Authentication failed"}}`,
		`{"error":null}`, `{"error":{}}`, `[]`, `null`, ``, `<html>Bad gateway</html>`, "\xff\xfe",
		`{"error":{"constraintViolations":[{"message":"only message"}]}}`,
		`{"error":{"code":401,"message":"Token dt0c01\u002eTESTTOKEN\u002esecret-value-that-must-never-leak is not valid"}}`,
		`token=dt0c01%2ETESTTOKEN%2Esecret-value-that-must-never-leak`,
		`<p>DT0C01.TESTTOKEN.SECRET-VALUE-THAT-MUST-NEVER-LEAK</p>`,
	} {
		f.Add(seed, 400)
	}
	s := newScrubber(testToken)
	f.Fuzz(func(t *testing.T, body string, status int) {
		e := decodeError(Call{Method: "GET", Path: "/api/cluster/v2/userSessions"}, status, []byte(body), s)
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		if len(e.Body) > maxRawBody+len("…(truncated)") {
			t.Fatalf("raw body of %d bytes kept", len(e.Body))
		}
		if e.Body != "" && (e.Message != "" || len(e.ConstraintViolations) > 0) {
			t.Fatalf("both envelope and raw body: %+v", e)
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "GET /api/cluster/v2/userSessions with HTTP ") {
			t.Fatalf("error text %q", msg)
		}
		for _, v := range e.ConstraintViolations {
			if !strings.Contains(msg, v.Message) {
				t.Fatalf("violation %q missing from %q", v.Message, msg)
			}
		}
		for _, text := range []string{msg, e.Detail()} {
			if indexFold(text, testToken) >= 0 || indexFold(text, "secret-value-that-must-never-leak") >= 0 {
				t.Fatalf("the token survives in %q", text)
			}
		}
	})
}

// TestScrubberRemovesEveryEncoding: the token is removed in every form a server or a library
// could render it.
func TestScrubberRemovesEveryEncoding(t *testing.T) {
	s := newScrubber(testToken)
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
			got := s.scrub(text)
			if indexFold(got, secret) >= 0 || !strings.Contains(got, redacted) {
				t.Errorf("scrub(%q) = %q", text, got)
			}
		})
	}
	if got := s.scrub("nothing secret here: dt0c01.OTHER.value"); got != "nothing secret here: dt0c01.OTHER.value" {
		t.Errorf("text without the token changed: %q", got)
	}
}

// TestStatusDescribedAsTheSpecDoes: a status the API's specification documents for an operation
// is described as the specification describes it, not by its generic HTTP phrase.
func TestStatusDescribedAsTheSpecDoes(t *testing.T) {
	s := newScrubber(testToken)
	for _, tt := range []struct {
		method, path string
		status       int
		want         string
	}{
		{"PUT", "/api/cluster/v2/clusterConfig/userSessions", 510, "HTTP 510 Configuration update failed"},
		{"PUT", "/api/cluster/v2/clusterConfig/userSessions", 400, "HTTP 400 Bad Request (wrong parameters)"},
		{"DELETE", "/api/cluster/v2/userSessions?userId=jane.doe", 510, "HTTP 510 Failed to invalidate sessions"},
		{"DELETE", "/api/cluster/v2/userSessions?userId=jane.doe", 404, "HTTP 404 User sessions not found"},
		{"DELETE", "/api/cluster/v2/userSessions", 400, "HTTP 400 Bad Request (the user id must be filled in)"},
		{"DELETE", "/api/cluster/v2/userSessions?userId=x", 500, "HTTP 500 Operation failed"},
		{"GET", "/api/cluster/v2/userSessions?userId=x", 500, "HTTP 500 Operation failed"},
		{"GET", "/api/cluster/v2/clusterConfig/userSessions", 556, "HTTP 556 Upgrade in progress"},
		{"DELETE", "/api/cluster/v2/userSessions?userId=x", 556, "HTTP 556 Upgrade in progress"},
		// Not documented for the operation: the generic phrase.
		{"GET", "/api/cluster/v2/clusterConfig/userSessions", 510, "HTTP 510 Not Extended"},
		{"GET", "/api/cluster/v2/clusterConfig/userSessions", 500, "HTTP 500 Internal Server Error"},
	} {
		got := decodeError(Call{Method: tt.method, Path: tt.path}, tt.status, nil, s).Error()
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s %s %d: %q, want %q", tt.method, tt.path, tt.status, got, tt.want)
		}
	}
}
