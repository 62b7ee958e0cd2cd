package apiclient

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/servertext"
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
	s := servertext.NewScrubber(testToken)
	f.Fuzz(func(t *testing.T, body string, status int) {
		e := decodeError(Call{Method: "GET", Path: "/api/cluster/v2/userSessions"}, status, []byte(body), s)
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		if len(e.Body) > 6*servertext.Value+64 || len(e.Error()) > servertext.Whole+64 || len(e.Detail()) > servertext.Whole+64 {
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
			if containsFold(text, testToken) || containsFold(text, "secret-value-that-must-never-leak") {
				t.Fatalf("the token survives in %q", text)
			}
		}
	})
}

// TestStatusDescribedAsTheSpecDoes: a status the API's specification documents for an operation
// is described as the specification describes it, not by its generic HTTP phrase.
func TestStatusDescribedAsTheSpecDoes(t *testing.T) {
	s := servertext.NewScrubber(testToken)
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

// TestErrorsNameTheCluster: the errors of a named cluster's client start with its name, so one
// cluster failing among many is named.
func TestErrorsNameTheCluster(t *testing.T) {
	srv := newScripted(t, step{status: 503}, step{status: 503})
	cfg := config(withRetries(0))
	cfg.Name = "prod"
	c, err := New(srv.server.URL, testToken, cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetUserSessionsConfig(context.Background())
	var apiErr *APIError
	if err == nil || !strings.HasPrefix(err.Error(), `cluster "prod": GET`) || !errors.As(err, &apiErr) ||
		!strings.HasPrefix(apiErr.Detail(), `The Cluster API of cluster "prod" answered GET`) {
		t.Errorf("error = %v; want it to start with the cluster's name", err)
	}
}
