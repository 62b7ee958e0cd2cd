package apiclient

import (
	"net/url"
	"strings"
	"testing"
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
		"":                                        "empty",
		"cmc.example.com":                         "no scheme",
		"//cmc.example.com":                       "no scheme",
		"ftp://cmc.example.com":                   `scheme "ftp"`,
		"https://":                                "no host name",
		"https:cmc.example.com":                   "no host name",
		"https://user:pass@cmc.example.com":       "credentials",
		"https://cmc.example.com?x=1":             "query",
		"https://cmc.example.com/?":               "query",
		"https://cmc.example.com#top":             "fragment",
		"https://cmc.example.com/e/abc":           `path "/e/abc"`,
		"https://cmc.example.com/api/v2":          `path "/api/v2"`,
		"http://cmc.example.com":                  "plain http://",
		"http://10.1.2.3:8021":                    "plain http://",
		"http://localhost.example.com":            "plain http://",
		" https://cmc.example.com":                "white space",
		"https://cmc.example.com:":                "empty port",
		"https://cmc.example.com:0":               "port 0 is not a port number",
		"https://cmc.example.com:99999":           "port 99999 is not a port number",
		"https://cmc.example.com:00000":           "port 00000 is not a port number",
		"https://b\u00fccher.ex\u200d\u200dample": "not a valid internationalised domain name",
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

func TestNormalizeHostNeverRepeatsUserInfo(t *testing.T) {
	for _, raw := range []string{
		"https://admin:hunter2-secret@cmc.example.com",
		"https://admin:p#hunter2-secret@cmc.example.com",
		"https://admin:p/hunter2-secret@cmc.example.com",
		"https://admin:p?hunter2-secret@cmc.example.com",
		"https://admin:hunter2-secret@cmc.example.com:99999",
		"https://admin:hunter2-secret@cmc.example.com:port",
		" https://admin:hunter2-secret@cmc.example.com",
		"https://admin:hunter2 secret@cmc.example.com",
		"https://dt0c01.ABC.hunter2-secret@cmc.example.com",
		"cmc.example.com:hunter2-secret@x",
		"https://admin:hunter2-secret@@cmc.example.com/%zz",
	} {
		_, err := NormalizeHost(raw)
		if err == nil {
			t.Errorf("NormalizeHost(%q) succeeded", raw)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "admin") {
			t.Errorf("NormalizeHost(%q) = %q repeats the user info", raw, err)
		}
	}
}

// TestTrailingDotIsNotLoopback: a name with a trailing dot is an ordinary DNS name to the
// resolver and the proxy rules, so plain http to it is refused.
func TestTrailingDotIsNotLoopback(t *testing.T) {
	for _, raw := range []string{"http://localhost.:8021", "http://127.0.0.1.:8021", "http://LOCALHOST.", "http://127.1:8021"} {
		if _, err := NormalizeHost(raw); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("NormalizeHost(%q) = %v, want plain http refused", raw, err)
		}
	}
	for _, raw := range []string{"http://localhost:8021", "http://127.0.0.1:8021", "http://[::1]:8021", "http://LocalHost"} {
		if _, err := NormalizeHost(raw); err != nil {
			t.Errorf("NormalizeHost(%q) = %v, want it accepted", raw, err)
		}
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
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
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

// TestNormalizeHostOneSpellingPerCluster: every spelling of one cluster's URL gives the same
// base URL, so state, identity and import checks see one cluster.
func TestNormalizeHostOneSpellingPerCluster(t *testing.T) {
	for want, spellings := range map[string][]string{
		"https://cmc.example.com/api/cluster/v2": {
			"https://cmc.example.com", "https://CMC.EXAMPLE.COM/", "https://cmc.example.com:443",
			"https://cmc.example.com:0443/api/cluster/v2", "https://Cmc.Example.Com:00443/",
		},
		"https://cmc.example.com:8443/api/cluster/v2": {"https://cmc.example.com:8443", "https://cmc.example.com:08443/"},
		"https://xn--bcher-kva.example/api/cluster/v2": {
			"https://b\u00fccher.example", "https://B\u00dcCHER.example/", "https://xn--bcher-kva.example:443", "https://XN--BCHER-KVA.example",
		},
		"http://localhost/api/cluster/v2":      {"http://localhost:80", "http://LOCALHOST:080/"},
		"https://[2001:db8::1]/api/cluster/v2": {"https://[2001:DB8:0:0::1]", "https://[2001:0db8::0001]:443/"},
		"http://[::1]:8021/api/cluster/v2":     {"http://[0:0:0:0:0:0:0:1]:8021"},
	} {
		for _, in := range spellings {
			got, err := NormalizeHost(in)
			if err != nil || got.String() != want {
				t.Errorf("NormalizeHost(%q) = %v, %v; want %s", in, got, err, want)
			}
		}
	}
}
