package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator/emulatortest"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/servertext"
)

func newEmulatorClient(t *testing.T, srv *emulatortest.Server, token string) *Client {
	t.Helper()
	c := newTestClient(t, srv.URL, newFakeClock())
	c.token = token
	return c
}

func TestClientAgainstEmulator(t *testing.T) {
	ctx := context.Background()
	srv := emulatortest.NewServer(t, emulator.WithSessions(30), emulator.WithUnscopedToken("unscoped-token"))
	c := newEmulatorClient(t, srv, srv.Token)

	cfg, err := c.GetUserSessionsConfig(ctx)
	if err != nil {
		t.Fatalf("get config: %v", err)
	}
	want := UserSessionsConfig{AutomaticLogout: AutomaticLogout{UserInactivityTimeout: 900}}
	if *cfg != want {
		t.Errorf("initial config = %+v, want %+v", *cfg, want)
	}

	want = UserSessionsConfig{
		ConcurrentSessionPolicy: ConcurrentSessionPolicy{UserLimit: 5, AdminLimit: 2},
		AutomaticLogout:         AutomaticLogout{LogoutInactiveUsersEnabled: true, UserInactivityTimeout: 600},
	}
	if err := c.UpdateUserSessionsConfig(ctx, want); err != nil {
		t.Fatalf("update: %v", err)
	}
	if got := srv.Config(); got.ConcurrentSessionPolicy.UserLimit != 5 || got.AutomaticLogout.UserInactivityTimeout != 600 {
		t.Errorf("emulator holds %+v after update", got)
	}
	if cfg, err = c.GetUserSessionsConfig(ctx); err != nil || *cfg != want {
		t.Errorf("read back = %+v, %v; want %+v", cfg, err, want)
	}

	all, _, err := c.ListUserSessions(ctx, "")
	if err != nil || len(all) != 30 {
		t.Fatalf("list all = %d sessions, %v; want 30", len(all), err)
	}
	jane, others, err := c.ListUserSessions(ctx, "jane.doe")
	if err != nil || len(jane) != 3 || others != 0 {
		t.Fatalf("list jane.doe = %d sessions (%d of other users), %v; want 3 (0)", len(jane), others, err)
	}
	for _, s := range jane {
		if s.UserID != "jane.doe" || s.SessionID == "" || s.CreationTime <= 0 {
			t.Errorf("unexpected session %+v", s)
		}
	}
	none, _, err := c.ListUserSessions(ctx, "nobody")
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("list nobody = %#v, %v; want an empty, non-nil list", none, err)
	}

	if removal, err := c.RemoveUserSessions(ctx, "jane.doe"); err != nil || removal != (Removal{}) {
		t.Fatalf("remove = %+v, %v; want the sessions ended", removal, err)
	}
	if left := srv.Sessions("jane.doe"); len(left) != 0 {
		t.Errorf("jane.doe still has %d sessions", len(left))
	}
	if left := srv.Sessions(""); len(left) != 27 {
		t.Errorf("%d sessions left, want 27 (others untouched)", len(left))
	}
	if removal, err := c.RemoveUserSessions(ctx, "jane.doe"); err != nil || !removal.NoneFound || removal.AfterLostAnswer {
		t.Errorf("second remove = %+v, %v; want none found (the 404)", removal, err)
	}
	if _, err := c.RemoveUserSessions(ctx, ""); err == nil {
		t.Error("remove with an empty user id succeeded")
	}
	if n := srv.CountRequests(http.MethodDelete, "/userSessions"); n != 2 {
		t.Errorf("%d DELETE requests reached the emulator, want 2 (the empty id is refused before sending)", n)
	}
}

func TestClientErrorsFromEmulator(t *testing.T) {
	ctx := context.Background()
	srv := emulatortest.NewServer(t, emulator.WithSessions(5), emulator.WithUnscopedToken("unscoped-token"))

	t.Run("400 constraint violation in the error text", func(t *testing.T) {
		c := newEmulatorClient(t, srv, srv.Token)
		invalid := UserSessionsConfig{
			ConcurrentSessionPolicy: ConcurrentSessionPolicy{UserLimit: 3, AdminLimit: 0},
			AutomaticLogout:         AutomaticLogout{UserInactivityTimeout: 0},
		}
		// The client never sends a policy the API forbids...
		puts := srv.CountRequests(http.MethodPut, "/clusterConfig/userSessions")
		if err := c.UpdateUserSessionsConfig(ctx, invalid); err == nil || !strings.Contains(err.Error(), "userLimit is 3 and adminLimit is 0") ||
			!strings.Contains(err.Error(), "userInactivityTimeout is 0") {
			t.Errorf("update with an invalid policy = %v, want an error naming both problems", err)
		}
		if n := srv.CountRequests(http.MethodPut, "/clusterConfig/userSessions"); n != puts {
			t.Errorf("%d PUT requests reached the emulator for an invalid policy, want none", n-puts)
		}
		// ...so the cluster's answer to one is sent here below the typed call.
		body, _ := json.Marshal(invalid)
		_, err := c.do(ctx, http.MethodPut, userSessionsConfigPath, nil, body)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
			t.Fatalf("error = %v, want an APIError 400", err)
		}
		for _, want := range []string{"Constraints violated.", "concurrentSessionPolicyDto: userLimit and adminLimit must both be 0",
			"automaticLogoutDto.userInactivityTimeout: must be greater than or equal to 1"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		if len(apiErr.ConstraintViolations) != 2 {
			t.Errorf("violations = %+v, want 2", apiErr.ConstraintViolations)
		}
	})
	t.Run("403 wrong token", func(t *testing.T) {
		_, err := newEmulatorClient(t, srv, "wrong-token").GetUserSessionsConfig(ctx)
		if statusOf(err) != 403 || !strings.Contains(err.Error(), "Token Authentication failed") {
			t.Errorf("error = %v, want 403 Token Authentication failed", err)
		}
	})
	t.Run("403 token without the scope", func(t *testing.T) {
		c := newEmulatorClient(t, srv, "unscoped-token")
		if _, err := c.GetUserSessionsConfig(ctx); statusOf(err) != 403 {
			t.Errorf("read with a token without the scope: %v, want 403", err)
		}
		err := c.UpdateUserSessionsConfig(ctx, UserSessionsConfig{AutomaticLogout: AutomaticLogout{UserInactivityTimeout: 60}})
		if statusOf(err) != 403 || !strings.Contains(err.Error(), "ServiceProviderAPI") {
			t.Errorf("error = %v, want 403 naming the scope", err)
		}
		if _, err := c.RemoveUserSessions(ctx, "admin"); statusOf(err) != 403 {
			t.Errorf("remove error = %v, want 403", err)
		}
	})
	for _, code := range []int{500, 510} {
		t.Run("injected "+http.StatusText(code), func(t *testing.T) {
			if err := srv.InjectFault(emulator.Fault{Method: "DELETE", Path: "/userSessions", Status: code}); err != nil {
				t.Fatal(err)
			}
			_, err := newEmulatorClient(t, srv, srv.Token).RemoveUserSessions(ctx, "admin")
			if statusOf(err) != code || !strings.Contains(err.Error(), "Injected fault") {
				t.Errorf("error = %v, want %d with the server's message", err, code)
			}
		})
	}
	t.Run("500 on list", func(t *testing.T) {
		if err := srv.InjectFault(emulator.Fault{Method: "GET", Path: "/userSessions", Status: 500}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := newEmulatorClient(t, srv, srv.Token).ListUserSessions(ctx, ""); statusOf(err) != 500 {
			t.Errorf("error = %v, want 500", err)
		}
	})
}

func TestRequestHeaders(t *testing.T) {
	srv := newScripted(t, step{status: 200, body: "[]"})
	c := newTestClient(t, srv.server.URL+"/api/cluster/v2/", newFakeClock(), withUserAgent("terraform-provider-dtcluster/1.2.3"))
	if _, _, err := c.ListUserSessions(context.Background(), "jane doe&x=1"); err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()[0]
	checks := map[string]string{
		"Authorization": "Api-Token " + testToken,
		"Accept":        "application/json",
		"User-Agent":    "terraform-provider-dtcluster/1.2.3",
	}
	for k, want := range checks {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if r.path != "/api/cluster/v2/userSessions" || r.query != "userId=jane+doe%26x%3D1" {
		t.Errorf("request = %s?%s", r.path, r.query)
	}
}

func TestErrorBodyWithoutEnvelope(t *testing.T) {
	long := strings.Repeat("x", 2000)
	srv := newScripted(t, step{status: 400, body: "<html>" + long + "</html>"})
	_, err := newTestClient(t, srv.server.URL, newFakeClock()).GetUserSessionsConfig(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v, want an APIError", err)
	}
	if !strings.HasPrefix(apiErr.Body, "<html>xxx") || len(apiErr.Body) > servertext.Value+40 || !strings.HasSuffix(apiErr.Body, "more bytes not shown)") {
		t.Errorf("raw body kept as %q (len %d), want it truncated", apiErr.Body[:20], len(apiErr.Body))
	}
}

func TestServerEchoingTheTokenIsRedacted(t *testing.T) {
	srv := newScripted(t, step{status: 401, body: `{"error":{"code":401,"message":"bad token ` + testToken + `"}}`})
	_, err := newTestClient(t, srv.server.URL, newFakeClock()).GetUserSessionsConfig(context.Background())
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("error = %v, want the token servertext.Redacted", err)
	}
}

// TestListUserSessionsTolerance: every answer that can mean "no sessions" is an empty list; an
// unknown loginType passes through; a session without a required field is an error naming it;
// a 404 for the unfiltered list stays an error, and so does a 404 that is not the API's own.
func TestListUserSessionsTolerance(t *testing.T) {
	ctx := context.Background()
	for name, st := range map[string]step{
		"200 []":           {status: 200, body: `[]`},
		"200 null":         {status: 200, body: `null`},
		"200 without body": {status: 200},
		"204":              {status: 204},
		"404 envelope":     {status: 404, body: `{"error":{"code":404,"message":"User sessions not found"}}`},
		"404 without body": {status: 404},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, st)
			sessions, _, err := newTestClient(t, srv.server.URL, newFakeClock()).ListUserSessions(ctx, "nobody")
			if err != nil || sessions == nil || len(sessions) != 0 {
				t.Errorf("ListUserSessions = %v, %v; want an empty list", sessions, err)
			}
		})
	}
	// A host that is not the Cluster API (an ingress without the route, a wrong virtual host)
	// answers 404 to everything: never "no sessions".
	for name, body := range map[string]string{
		"404 HTML":              `<html><body><h1>404 Not Found</h1>nginx</body></html>`,
		"404 another JSON":      `{"timestamp":"2026-12-05","status":404,"error":"Not Found","path":"/api/cluster/v2/userSessions"}`,
		"404 plain text":        `default backend - 404`,
		"404 envelope of nulls": `{"error":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, step{status: 404, body: body})
			client := newTestClient(t, srv.server.URL, newFakeClock())
			sessions, _, err := client.ListUserSessions(ctx, "nobody")
			if err == nil || IsNotFound(err) || FailureOf(err) != FailureURL ||
				!strings.Contains(err.Error(), srv.server.URL+" does not look like the Cluster API") {
				t.Errorf("ListUserSessions = %v, %v; want an error saying the host does not look like the Cluster API", sessions, err)
			}
			srv = newScripted(t, step{status: 404, body: body})
			removal, err := newTestClient(t, srv.server.URL, newFakeClock()).RemoveUserSessions(ctx, "nobody")
			if err == nil || !strings.Contains(err.Error(), "does not look like the Cluster API") {
				t.Errorf("RemoveUserSessions = %+v, %v; want an error saying the host does not look like the Cluster API", removal, err)
			}
		})
	}
	t.Run("404 for every user is an error", func(t *testing.T) {
		srv := newScripted(t, step{status: 404})
		if _, _, err := newTestClient(t, srv.server.URL, newFakeClock()).ListUserSessions(ctx, ""); !IsNotFound(err) {
			t.Errorf("error = %v, want the 404", err)
		}
	})
	t.Run("unknown loginType passes through", func(t *testing.T) {
		srv := newScripted(t, step{status: 200, body: `[{"userId":"a","nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"PASSKEY"}]`})
		sessions, _, err := newTestClient(t, srv.server.URL, newFakeClock()).ListUserSessions(ctx, "")
		if err != nil || len(sessions) != 1 || sessions[0].LoginType != "PASSKEY" {
			t.Errorf("ListUserSessions = %+v, %v", sessions, err)
		}
	})
	t.Run("missing required field", func(t *testing.T) {
		srv := newScripted(t, step{status: 200, body: `[{"userId":"a","nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"},{"userId":"b","sessionId":"s2","tenantUuid":"t","loginType":"LOCAL"}]`})
		_, _, err := newTestClient(t, srv.server.URL, newFakeClock()).ListUserSessions(ctx, "")
		if err == nil || !strings.Contains(err.Error(), "session 1: nodeId is missing; creationTime is missing") {
			t.Errorf("error = %v, want one naming the missing fields", err)
		}
	})
}

// TestUpdateAcceptsAny2xx: the documented 200, the 204 of the docs' example, and a body.
func TestUpdateAcceptsAny2xx(t *testing.T) {
	for _, st := range []step{{status: 200}, {status: 204}, {status: 200, body: `{"ok":true}`}, {status: 202}} {
		srv := newScripted(t, st)
		err := newTestClient(t, srv.server.URL, newFakeClock()).UpdateUserSessionsConfig(context.Background(), UserSessionsConfig{AutomaticLogout: AutomaticLogout{UserInactivityTimeout: 5}})
		if err != nil {
			t.Errorf("PUT answered %d: %v", st.status, err)
		}
	}
}

// TestListUserSessionsWithAndWithoutLength: the same large list decodes the same whether the
// answer says its length (the body read into a buffer of that size) or comes in chunks.
func TestListUserSessionsWithAndWithoutLength(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := range 300 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"userId":"user-%d","nodeId":%d,"sessionId":"S%04d","creationTime":%d,"tenantUuid":"t","loginType":"LOCAL","ip":"198.51.100.%d"}`,
			i%7, 1+i%3, i, 1768460000000+int64(i), 1+i%250)
	}
	b.WriteString("]")
	body := b.String()
	var lists [][]UserSession
	for _, withLength := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if withLength {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				_, _ = io.WriteString(w, body)
				return
			}
			half := len(body) / 2
			_, _ = io.WriteString(w, body[:half])
			if f, ok := w.(http.Flusher); ok {
				f.Flush() // from here on the answer is chunked
			}
			_, _ = io.WriteString(w, body[half:])
		}))
		sessions, _, err := newTestClient(t, srv.URL, newFakeClock()).ListUserSessions(context.Background(), "")
		srv.Close()
		if err != nil || len(sessions) != 300 {
			t.Fatalf("with length %t: %d sessions, %v", withLength, len(sessions), err)
		}
		lists = append(lists, sessions)
	}
	if !reflect.DeepEqual(lists[0], lists[1]) {
		t.Error("the list differs between the answer with a length and the chunked one")
	}
}

// TestForbiddenPolicyFromTheCluster: a policy the API forbids, answered by the cluster, is an
// error that says the cluster answered it, naming the field and the value; nothing is returned.
func TestForbiddenPolicyFromTheCluster(t *testing.T) {
	for name, tt := range map[string]struct {
		user, admin, timeout int64
		want                 []string
	}{
		"negative user limit":  {-2147483648, 2, 900, []string{"userLimit is -2147483648", "0 (no limit) or more"}},
		"negative admin limit": {0, -1, 900, []string{"adminLimit is -1"}},
		"one limit zero":       {0, 3, 900, []string{"userLimit is 0 and adminLimit is 3", "both limits are 0 or both"}},
		"timeout zero":         {5, 2, 0, []string{"userInactivityTimeout is 0", "at least 1 second"}},
		"negative timeout":     {5, 2, -900, []string{"userInactivityTimeout is -900"}},
	} {
		t.Run(name, func(t *testing.T) {
			body := fmt.Sprintf(`{"concurrentSessionPolicyDto":{"userLimit":%d,"adminLimit":%d},`+
				`"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":%d}}`, tt.user, tt.admin, tt.timeout)
			srv := newScripted(t, step{status: 200, body: body})
			cfg, err := newTestClient(t, srv.server.URL, newFakeClock()).GetUserSessionsConfig(context.Background())
			if err == nil || cfg != nil {
				t.Fatalf("GetUserSessionsConfig = %+v, %v; want an error", cfg, err)
			}
			for _, want := range append(tt.want, "the cluster answered a user sessions configuration the API does not allow") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// TestOutcomeUnknown: a failed call says whether the cluster may have carried it out.
func TestOutcomeUnknown(t *testing.T) {
	policy := UserSessionsConfig{ConcurrentSessionPolicy: ConcurrentSessionPolicy{UserLimit: 5, AdminLimit: 2},
		AutomaticLogout: AutomaticLogout{UserInactivityTimeout: 900}}
	for name, tt := range map[string]struct {
		steps   []step
		unknown bool
	}{
		"answer lost every time":         {[]step{{drop: true}}, true},
		"answer lost, then refused":      {[]step{{drop: true}, {status: 400}}, true},
		"gateway timeout":                {[]step{{status: 504}}, true},
		"bad gateway":                    {[]step{{status: 502}}, true},
		"refused by the cluster":         {[]step{{status: 400}}, false},
		"configuration update failed":    {[]step{{status: 510}}, false},
		"upgrade in progress throughout": {[]step{{status: 556}}, false},
		"throttled throughout":           {[]step{{status: 429}}, false},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, tt.steps...)
			err := newTestClient(t, srv.server.URL, newFakeClock()).UpdateUserSessionsConfig(context.Background(), policy)
			if err == nil || OutcomeUnknown(err) != tt.unknown {
				t.Errorf("UpdateUserSessionsConfig = %v, OutcomeUnknown %v; want an error with %v", err, OutcomeUnknown(err), tt.unknown)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		addr := srv.URL
		srv.Close()
		err := newTestClient(t, addr, newFakeClock(), withRetries(1)).UpdateUserSessionsConfig(context.Background(), policy)
		if err == nil || OutcomeUnknown(err) {
			t.Errorf("UpdateUserSessionsConfig = %v, OutcomeUnknown %v; want a failure that changed nothing", err, OutcomeUnknown(err))
		}
	})
}

// TestRemoveAfterLostAnswer: a 404 to a retried DELETE whose first attempt's answer was lost is
// not "no sessions": that attempt most likely ended them.
func TestRemoveAfterLostAnswer(t *testing.T) {
	for name, tt := range map[string]struct {
		steps []step
		want  Removal
	}{
		"ended":                      {[]step{{status: 200}}, Removal{}},
		"none":                       {[]step{{status: 404}}, Removal{NoneFound: true}},
		"none, with the envelope":    {[]step{{status: 404, body: `{"error":{"code":404,"message":"User sessions not found"}}`}}, Removal{NoneFound: true}},
		"answer lost, retry 404":     {[]step{{drop: true}, {status: 404}}, Removal{AfterLostAnswer: true}},
		"gateway timeout, retry 404": {[]step{{status: 504}, {status: 404}}, Removal{AfterLostAnswer: true}},
		"throttled, retry 404":       {[]step{{status: 429}, {status: 404}}, Removal{NoneFound: true}},
		"answer lost, retry 200":     {[]step{{drop: true}, {status: 200}}, Removal{}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, tt.steps...)
			got, err := newTestClient(t, srv.server.URL, newFakeClock()).RemoveUserSessions(context.Background(), "jane.doe")
			if err != nil || got != tt.want {
				t.Errorf("RemoveUserSessions = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestFilteredListWithOtherUsers: sessions of other users in an answer filtered by userId are
// left out and counted.
func TestFilteredListWithOtherUsers(t *testing.T) {
	session := func(user, id string) string {
		return fmt.Sprintf(`{"userId":%q,"nodeId":1,"sessionId":%q,"creationTime":1,"tenantUuid":"t","loginType":"LOCAL"}`, user, id)
	}
	body := "[" + strings.Join([]string{session("bob", "1"), session("jane.doe", "2"), session("eve", "3"), session("jane.doe", "4")}, ",") + "]"
	srv := newScripted(t, step{status: 200, body: body})
	c := newTestClient(t, srv.server.URL, newFakeClock())
	sessions, others, err := c.ListUserSessions(context.Background(), "jane.doe")
	if err != nil || others != 2 || len(sessions) != 2 || sessions[0].SessionID != "2" || sessions[1].SessionID != "4" {
		t.Errorf("ListUserSessions(jane.doe) = %+v, %d others, %v; want sessions 2 and 4, 2 others", sessions, others, err)
	}
	all, others, err := c.ListUserSessions(context.Background(), "")
	if err != nil || others != 0 || len(all) != 4 {
		t.Errorf("ListUserSessions() = %d sessions, %d others, %v; want all 4", len(all), others, err)
	}
}
