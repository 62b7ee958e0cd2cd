package apiclient

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestNormalizeHost(t *testing.T) {
	valid := map[string]string{
		"https://cmc.example.com":                 "https://cmc.example.com/api/cluster/v2",
		"https://cmc.example.com/":                "https://cmc.example.com/api/cluster/v2",
		"https://cmc.example.com/api/cluster/v2":  "https://cmc.example.com/api/cluster/v2",
		"https://cmc.example.com/api/cluster/v2/": "https://cmc.example.com/api/cluster/v2",
		"https://CMC.Example.com:8443":            "https://cmc.example.com:8443/api/cluster/v2",
		"http://localhost:8021":                   "http://localhost:8021/api/cluster/v2",
		"http://127.0.0.1:8021/":                  "http://127.0.0.1:8021/api/cluster/v2",
		"http://127.10.20.30":                     "http://127.10.20.30/api/cluster/v2",
		"http://[::1]:8021/api/cluster/v2":        "http://[::1]:8021/api/cluster/v2",
		"https://[2001:db8::1]:8443":              "https://[2001:db8::1]:8443/api/cluster/v2",
		"https://10.0.0.5":                        "https://10.0.0.5/api/cluster/v2",
	}
	for in, want := range valid {
		got, err := NormalizeHost(in)
		if err != nil {
			t.Errorf("NormalizeHost(%q): %v", in, err)
			continue
		}
		if got.String() != want {
			t.Errorf("NormalizeHost(%q) = %s, want %s", in, got, want)
		}
	}
	invalid := map[string]string{
		"":                                  "empty",
		"cmc.example.com":                   "no scheme",
		"//cmc.example.com":                 "no scheme",
		"ftp://cmc.example.com":             `scheme "ftp"`,
		"https://":                          "no host name",
		"https:cmc.example.com":             "no host name",
		"https://user:pass@cmc.example.com": "credentials",
		"https://cmc.example.com?x=1":       "query",
		"https://cmc.example.com/?":         "query",
		"https://cmc.example.com#top":       "fragment",
		"https://cmc.example.com/e/abc":     `path "/e/abc"`,
		"https://cmc.example.com/api/v2":    `path "/api/v2"`,
		"http://cmc.example.com":            "plain http://",
		"http://10.1.2.3:8021":              "plain http://",
		"http://localhost.example.com":      "plain http://",
		" https://cmc.example.com":          "white space",
		"https://cmc.example.com:":          "empty port",
	}
	for in, reason := range invalid {
		_, err := NormalizeHost(in)
		if err == nil {
			t.Errorf("NormalizeHost(%q) succeeded, want an error about %s", in, reason)
			continue
		}
		if !strings.Contains(err.Error(), reason) || !strings.Contains(err.Error(), "https://cmc.example.com") {
			t.Errorf("NormalizeHost(%q) = %q, want it to name %q and show a valid host", in, err, reason)
		}
	}
}

func TestNormalizeHostNeverRepeatsAPassword(t *testing.T) {
	_, err := NormalizeHost("https://admin:hunter2-secret@cmc.example.com")
	if err == nil || strings.Contains(err.Error(), "hunter2-secret") || !strings.Contains(err.Error(), "credentials") {
		t.Fatalf("error = %v, want the credentials refused without the password", err)
	}
}

func FuzzNormalizeHost(f *testing.F) {
	for _, seed := range []string{
		"https://cmc.example.com", "https://cmc.example.com/api/cluster/v2/", "http://127.0.0.1:8021",
		"http://[::1]", "http://cmc.example.com", "https://u:p@h", "https://h?q#f", "https://h/other",
		"https://h:", "https:opaque", "", "%zz", "http://localhost./", "https://[fe80::1%25eth0]:1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := NormalizeHost(raw)
		if err != nil {
			if !strings.Contains(err.Error(), "a valid host is") {
				t.Fatalf("error without the hint: %v", err)
			}
			return
		}
		if (u.Scheme != "https" && u.Scheme != "http") || u.Path != APIBasePath || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" || u.Host == "" {
			t.Fatalf("NormalizeHost(%q) = %#v, not a clean API base URL", raw, u)
		}
		if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
			t.Fatalf("NormalizeHost(%q) allowed plain http to %q", raw, u.Hostname())
		}
		again, err := NormalizeHost(u.String())
		if err != nil || again.String() != u.String() {
			t.Fatalf("not idempotent: %q -> %q -> %v, %v", raw, u, again, err)
		}
		if _, err := url.Parse(u.String()); err != nil {
			t.Fatalf("result does not parse: %v", err)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, seed := range []string{"", "0", "5", "60", "61", "-3", "1e3", "Sun, 01 Mar 2026 12:00:30 GMT",
		"Sunday, 01-Mar-26 12:00:30 GMT", "Sun Mar  1 12:00:30 2026", "Sat, 28 Feb 2026 12:00:00 GMT", "9999999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		d, ok := ParseRetryAfter(value, now)
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %s but not ok", value, d)
		}
		if ok && (d < 0 || d > MaxRetryAfter) {
			t.Fatalf("ParseRetryAfter(%q) = %s, outside [0, %s]", value, d, MaxRetryAfter)
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	for _, seed := range []string{
		`{"error":{"code":400,"message":"Constraints violated.","constraintViolations":[{"path":"a.b","message":"bad","parameterLocation":"PAYLOAD_BODY","location":null}]}}`,
		`{"error":{"code":401,"message":"Token Authentication failed"}}`,
		`{"error":null}`, `{"error":{}}`, `[]`, `null`, ``, `<html>Bad gateway</html>`, "\xff\xfe",
		`{"error":{"constraintViolations":[{"message":"only message"}]}}`,
	} {
		f.Add(seed, 400)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		e := DecodeError("GET", "/api/cluster/v2/userSessions", status, []byte(body))
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
		if !strings.HasPrefix(msg, "GET /api/cluster/v2/userSessions: HTTP ") {
			t.Fatalf("error text %q", msg)
		}
		for _, v := range e.ConstraintViolations {
			if !strings.Contains(msg, v.Message) {
				t.Fatalf("violation %q missing from %q", v.Message, msg)
			}
		}
	})
}
