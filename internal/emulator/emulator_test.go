package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// call sends a request with the token to the test server and returns status and body.
func call(t *testing.T, srv *testServer, token, method, path, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Api-Token "+token)
	}
	resp, err := srv.HTTP.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(data)
}

// envelope decodes a Dynatrace error body, failing the test when it is not one.
func envelope(t *testing.T, body string) errorBody {
	t.Helper()
	var env struct {
		Error *errorBody `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil || env.Error == nil {
		t.Fatalf("not an error envelope: %q (%v)", body, err)
	}
	return *env.Error
}

const configPath = "/api/cluster/v2/clusterConfig/userSessions"

func TestAuthentication(t *testing.T) {
	srv := newTestServer(t, WithUnscopedToken("ro"))
	tests := []struct {
		name, token, method, path string
		status                    int
		message                   string
	}{
		{"missing token", "", "GET", configPath, 401, "Missing authorization parameter."},
		{"wrong token", "nope", "GET", configPath, 403, "Token Authentication failed"},
		{"token without scope cannot read", "ro", "GET", configPath, 403, "ServiceProviderAPI"},
		{"token without scope cannot write", "ro", "PUT", configPath, 403, "ServiceProviderAPI"},
		{"token without scope cannot delete", "ro", "DELETE", "/api/cluster/v2/userSessions?userId=admin", 403, "ServiceProviderAPI"},
		{"token without scope cannot control", "ro", "GET", "/emulator/requests", 403, "Token Authentication failed"},
		{"control needs a token", "", "POST", "/emulator/reset", 401, "Missing authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := call(t, srv, tt.token, tt.method, tt.path, `{}`)
			if status != tt.status {
				t.Fatalf("status %d, want %d (%s)", status, tt.status, body)
			}
			if tt.message != "" {
				env := envelope(t, body)
				if env.Code != tt.status || !strings.Contains(env.Message, tt.message) {
					t.Errorf("envelope %+v, want code %d and %q", env, tt.status, tt.message)
				}
			}
		})
	}
	t.Run("scheme other than Api-Token", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+configPath, nil)
		req.Header.Set("Authorization", "Bearer "+srv.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", resp.StatusCode)
		}
	})
}

func TestConfigValidation(t *testing.T) {
	srv := newTestServer(t)
	valid := `{"concurrentSessionPolicyDto":{"userLimit":4,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":300}}`
	tests := []struct {
		name, body string
		violation  string // a violation path, or a message fragment when there are none
	}{
		{"malformed JSON", `{"concurrentSessionPolicyDto":`, "Could not map JSON"},
		{"trailing data", valid + `{}`, "unexpected data"},
		{"unknown field", `{"concurrentSessionPolicyDto":{"userLimit":1,"adminLimit":1,"extra":1},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":300}}`, "unknown field"},
		{"wrong type", `{"concurrentSessionPolicyDto":{"userLimit":"5","adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":300}}`, "Could not map JSON"},
		{"int32 overflow", `{"concurrentSessionPolicyDto":{"userLimit":2147483648,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":300}}`, "Could not map JSON"},
		{"missing policy", `{"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":300}}`, "concurrentSessionPolicyDto"},
		{"missing logout", `{"concurrentSessionPolicyDto":{"userLimit":4,"adminLimit":2}}`, "automaticLogoutDto"},
		{"missing limit", `{"concurrentSessionPolicyDto":{"userLimit":4},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":300}}`, "concurrentSessionPolicyDto.adminLimit"},
		{"missing timeout", `{"concurrentSessionPolicyDto":{"userLimit":4,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":false}}`, "automaticLogoutDto.userInactivityTimeout"},
		{"negative limit", `{"concurrentSessionPolicyDto":{"userLimit":-1,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":300}}`, "concurrentSessionPolicyDto.userLimit"},
		{"one limit zero", `{"concurrentSessionPolicyDto":{"userLimit":0,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":300}}`, "concurrentSessionPolicyDto"},
		{"timeout zero", `{"concurrentSessionPolicyDto":{"userLimit":4,"adminLimit":2},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":0}}`, "automaticLogoutDto.userInactivityTimeout"},
		{"empty body", ``, "Could not map JSON"},
		{"null", `null`, "concurrentSessionPolicyDto"},
	}
	before := srv.Config()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := call(t, srv, srv.Token, "PUT", configPath, tt.body)
			if status != 400 {
				t.Fatalf("status %d, want 400 (%s)", status, body)
			}
			env := envelope(t, body)
			found := strings.Contains(env.Message, tt.violation)
			for _, v := range env.ConstraintViolations {
				found = found || v.Path == tt.violation
				if v.ParameterLocation != "PAYLOAD_BODY" || v.Message == "" {
					t.Errorf("violation %+v lacks location or message", v)
				}
			}
			if !found {
				t.Errorf("envelope %+v does not name %q", env, tt.violation)
			}
			if got := srv.Config(); got != before {
				t.Errorf("a rejected PUT changed the config to %+v", got)
			}
		})
	}
	t.Run("valid PUT answers 200 (documented) and GET returns it", func(t *testing.T) {
		if status, _, body := call(t, srv, srv.Token, "PUT", configPath, valid); status != 200 || body != "" {
			t.Fatalf("PUT = %d %q, want 200 and no body", status, body)
		}
		status, header, body := call(t, srv, srv.Token, "GET", configPath, "")
		if status != 200 || header.Get("Content-Type") != "application/json" || body != valid {
			t.Errorf("GET = %d %q %q", status, header.Get("Content-Type"), body)
		}
	})
	t.Run("initial config", func(t *testing.T) {
		want := UserSessionsConfig{AutomaticLogout: AutomaticLogout{UserInactivityTimeout: 900}}
		if got := New().Config(); got != want {
			t.Errorf("initial config %+v, want %+v", got, want)
		}
	})
}

func TestSessions(t *testing.T) {
	srv := newTestServer(t, WithSessions(40))
	var all []UserSession
	status, _, body := call(t, srv, srv.Token, "GET", "/api/cluster/v2/userSessions", "")
	if err := json.Unmarshal([]byte(body), &all); status != 200 || err != nil || len(all) != 40 {
		t.Fatalf("GET all = %d, %d sessions, %v", status, len(all), err)
	}
	users, nodes, tenants, types := map[string]bool{}, map[int32]bool{}, map[string]bool{}, map[string]bool{}
	var noLast, noDevice, noIP int
	for _, s := range all {
		users[s.UserID], nodes[s.NodeID], tenants[s.TenantUUID], types[s.LoginType] = true, true, true, true
		if len(s.SessionID) != 32 || s.CreationTime < 1_700_000_000_000 {
			t.Errorf("unrealistic session %+v", s)
		}
		if s.LastAccessedTimestamp == nil {
			noLast++
		} else if *s.LastAccessedTimestamp < s.CreationTime {
			t.Errorf("last access before creation: %+v", s)
		}
		if s.Device == nil {
			noDevice++
		}
		if s.IP == nil {
			noIP++
		}
	}
	if len(users) != 10 || len(nodes) != 3 || len(tenants) < 3 || len(types) != 4 || noLast == 0 || noDevice == 0 || noIP == 0 {
		t.Errorf("seed not varied: %d users, %d nodes, %d tenants, %d login types, optional absent %d/%d/%d",
			len(users), len(nodes), len(tenants), len(types), noLast, noDevice, noIP)
	}
	if !reflect.DeepEqual(SeedSessions(40), SeedSessions(40)) {
		t.Error("seeding is not deterministic")
	}
	if !strings.Contains(body, `"creationTime":`) || strings.Contains(body, `"device":null`) {
		t.Errorf("optional fields must be omitted, not null: %.300s", body)
	}

	status, _, body = call(t, srv, srv.Token, "GET", "/api/cluster/v2/userSessions?userId=jane.doe", "")
	var jane []UserSession
	if err := json.Unmarshal([]byte(body), &jane); status != 200 || err != nil || len(jane) != 4 {
		t.Fatalf("GET jane.doe = %d, %d sessions, %v", status, len(jane), err)
	}
	if status, _, body = call(t, srv, srv.Token, "GET", "/api/cluster/v2/userSessions?userId=nobody", ""); status != 200 || body != "[]" {
		t.Errorf("GET nobody = %d %q, want 200 []", status, body)
	}

	if status, _, body = call(t, srv, srv.Token, "DELETE", "/api/cluster/v2/userSessions", ""); status != 400 ||
		!strings.Contains(envelope(t, body).Message, "User id must be filled in") {
		t.Errorf("DELETE without userId = %d %q", status, body)
	}
	if status, _, body = call(t, srv, srv.Token, "DELETE", "/api/cluster/v2/userSessions?userId=nobody", ""); status != 404 ||
		!strings.Contains(envelope(t, body).Message, "User sessions not found") {
		t.Errorf("DELETE nobody = %d %q", status, body)
	}
	if status, _, body = call(t, srv, srv.Token, "DELETE", "/api/cluster/v2/userSessions?userId=jane.doe", ""); status != 200 || body != "" {
		t.Errorf("DELETE jane.doe = %d %q, want 200 and an empty body", status, body)
	}
	if n := len(srv.Sessions("")); n != 36 || len(srv.Sessions("jane.doe")) != 0 {
		t.Errorf("%d sessions left, want 36 without jane.doe", n)
	}
	if status, _, _ = call(t, srv, srv.Token, "POST", "/api/cluster/v2/userSessions", ""); status != 405 {
		t.Errorf("POST /userSessions = %d, want 405", status)
	}
	if status, _, _ = call(t, srv, srv.Token, "GET", "/api/cluster/v2/other", ""); status != 404 {
		t.Errorf("GET unknown path = %d, want 404", status)
	}
}

// TestSessionListFollowsChanges: the unfiltered list, encoded once per change, shows every
// login, removal and reset at once, says its length, and is [] when no session is left.
func TestSessionListFollowsChanges(t *testing.T) {
	srv := newTestServer(t, WithSessions(3))
	list := func() []UserSession {
		t.Helper()
		status, header, body := call(t, srv, srv.Token, "GET", "/api/cluster/v2/userSessions", "")
		var all []UserSession
		if err := json.Unmarshal([]byte(body), &all); status != 200 || err != nil || all == nil {
			t.Fatalf("GET all = %d %q (%v)", status, body, err)
		}
		if got := header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
			t.Errorf("Content-Length %q for %d bytes", got, len(body))
		}
		return all
	}
	if n := len(list()); n != 3 {
		t.Fatalf("%d sessions, want the 3 seeded", n)
	}
	if _, err := srv.AddSessions([]UserSession{{UserID: "new.user"}}); err != nil {
		t.Fatal(err)
	}
	if all := list(); len(all) != 4 || all[3].UserID != "new.user" {
		t.Fatalf("after a login: %+v", all)
	}
	for _, s := range list() {
		srv.RemoveSessions(s.UserID)
	}
	if all := list(); len(all) != 0 {
		t.Fatalf("after removing every user: %+v", all)
	}
	srv.Reset()
	if all := list(); !reflect.DeepEqual(all, SeedSessions(3)) {
		t.Fatalf("after a reset: %+v", all)
	}
}

// TestRequestLoggedBeforeAnswer: once a client has an answer, whatever its size, the request is
// in the log (tests read the log right after their calls).
func TestRequestLoggedBeforeAnswer(t *testing.T) {
	srv := newTestServer(t, WithSessions(500))
	for i := range 100 {
		path := "/api/cluster/v2/userSessions"
		if i%2 == 1 {
			path = configPath
		}
		if status, _, _ := call(t, srv, srv.Token, "GET", path, ""); status != 200 {
			t.Fatalf("GET %s = %d", path, status)
		}
		if n := len(srv.Requests()); n != i+1 {
			t.Fatalf("after %d answers, %d requests logged", i+1, n)
		}
	}
}

func TestControlEndpoints(t *testing.T) {
	srv := newTestServer(t, WithSessions(3))
	status, _, body := call(t, srv, srv.Token, "POST", "/emulator/sessions", `[{"userId":"new.user","loginType":"SSO_MANAGED","device":"Firefox"},{"userId":"new.user"}]`)
	var added []UserSession
	if err := json.Unmarshal([]byte(body), &added); status != 201 || err != nil || len(added) != 2 {
		t.Fatalf("POST sessions = %d %q", status, body)
	}
	if added[0].SessionID == "" || added[0].SessionID == added[1].SessionID || added[1].LoginType != "LOCAL" || added[0].CreationTime == 0 {
		t.Errorf("defaults not filled: %+v", added)
	}
	if got := srv.Sessions("new.user"); len(got) != 2 {
		t.Errorf("new.user has %d sessions, want 2", len(got))
	}
	for _, bad := range []string{`[{"loginType":"LOCAL"}]`, `[{"userId":"x","loginType":"PASSWORD"}]`, `{"userId":"x"}`,
		`[{"userId":"x","sessionId":"` + added[0].SessionID + `"}]`} {
		if status, _, _ = call(t, srv, srv.Token, "POST", "/emulator/sessions", bad); status != http.StatusBadRequest {
			t.Errorf("POST sessions %s = %d, want 400", bad, status)
		}
	}

	fault := `{"method":"GET","path":"/clusterConfig/userSessions","count":2,"status":503,"retryAfter":"3"}`
	if status, _, body = call(t, srv, srv.Token, "POST", "/emulator/faults", fault); status != 204 {
		t.Fatalf("POST faults = %d %q", status, body)
	}
	for i := range 2 {
		status, header, _ := call(t, srv, srv.Token, "GET", configPath, "")
		if status != 503 || header.Get("Retry-After") != "3" {
			t.Errorf("faulted request %d = %d Retry-After %q", i, status, header.Get("Retry-After"))
		}
	}
	if status, _, _ = call(t, srv, srv.Token, "GET", configPath, ""); status != 200 {
		t.Errorf("after the fault's count = %d, want 200", status)
	}
	for _, bad := range []string{`{"status":200}`, `{"count":-1,"status":503}`, `{}`, `{"status":503,"drop":true}`} {
		if status, _, _ = call(t, srv, srv.Token, "POST", "/emulator/faults", bad); status != 400 {
			t.Errorf("POST faults %s = %d, want 400", bad, status)
		}
	}

	if err := srv.InjectFault(Fault{Method: "GET", Path: "/userSessions", Drop: true}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/cluster/v2/userSessions", nil)
	req.Header.Set("Authorization", "Api-Token "+srv.Token)
	// A new connection: Go's transport silently retries an idempotent request that fails on a
	// reused one, which would hide the drop.
	if resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("dropped connection answered %d", resp.StatusCode)
	}

	status, _, body = call(t, srv, srv.Token, "GET", "/emulator/requests", "")
	var log []Request
	if err := json.Unmarshal([]byte(body), &log); status != 200 || err != nil {
		t.Fatalf("GET requests = %d %q", status, body)
	}
	if len(log) != 4 || log[0].Status != 503 || log[0].Fault == "" || log[2].Status != 200 || log[3].Status != 0 || log[3].Fault != "drop" {
		t.Errorf("request log = %+v", log)
	}
	if strings.Contains(body, srv.Token) {
		t.Error("the request log holds the token")
	}

	if status, _, _ = call(t, srv, srv.Token, "POST", "/emulator/reset", ""); status != 204 {
		t.Fatalf("reset = %d", status)
	}
	if len(srv.Sessions("")) != 3 || len(srv.Requests()) != 0 || srv.Config() != DefaultUserSessionsConfig() {
		t.Error("reset did not restore the initial state")
	}
	if status, _, _ = call(t, srv, srv.Token, "GET", "/emulator/nothing", ""); status != 404 {
		t.Errorf("unknown control endpoint = %d", status)
	}
}

func TestDelayFault(t *testing.T) {
	srv := newTestServer(t)
	if err := srv.InjectFault(Fault{Path: "/clusterConfig/userSessions", DelayMillis: 150}); err != nil {
		t.Fatal(err)
	}
	client := srv.HTTP.Client()
	client.Timeout = 50 * 1e6 // 50ms
	req, _ := http.NewRequest(http.MethodGet, srv.URL+configPath, nil)
	req.Header.Set("Authorization", "Api-Token "+srv.Token)
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a delayed answer arrived before the client's timeout")
	}
	if status, _, _ := call(t, srv, srv.Token, "GET", configPath, ""); status != 200 {
		t.Errorf("after the delay fault = %d", status)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := newTestServer(t, WithSessions(50))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 4 {
			case 0:
				call(t, srv, srv.Token, "PUT", configPath, `{"concurrentSessionPolicyDto":{"userLimit":3,"adminLimit":3},"automaticLogoutDto":{"logoutInactiveUsersEnabled":true,"userInactivityTimeout":60}}`)
			case 1:
				call(t, srv, srv.Token, "GET", "/api/cluster/v2/userSessions", "")
			case 2:
				call(t, srv, srv.Token, "POST", "/emulator/sessions", `[{"userId":"c"}]`)
			case 3:
				call(t, srv, srv.Token, "DELETE", "/api/cluster/v2/userSessions?userId=admin", "")
			}
		}()
	}
	wg.Wait()
	if n := len(srv.Requests()); n != 12 {
		t.Errorf("%d API requests logged, want 12", n)
	}
}

func TestChaos(t *testing.T) {
	srv := newTestServer(t)
	if status, _, _ := call(t, srv, srv.Token, http.MethodPost, "/emulator/chaos", `{"rate":1.5}`); status != http.StatusBadRequest {
		t.Errorf("rate 1.5 accepted: %d", status)
	}
	if status, _, body := call(t, srv, srv.Token, http.MethodPost, "/emulator/chaos", `{"rate":0.3,"seed":7,"delayMs":1}`); status != http.StatusNoContent {
		t.Fatalf("POST chaos = %d %s", status, body)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	const n = 400
	for range n {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+configPath, nil)
		req.Header.Set("Authorization", "Api-Token "+srv.Token)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	kinds := map[string]int{}
	faulted := 0
	for _, r := range srv.Requests() {
		if r.Fault != "" {
			faulted++
			kinds[r.Fault]++
		}
	}
	if len(srv.Requests()) != n || faulted < n*20/100 || faulted > n*40/100 {
		t.Errorf("%d of %d requests faulted, want about 30%%", faulted, len(srv.Requests()))
	}
	for _, k := range []string{"status 429", "status 503", "status 556", "delay 1ms", "drop"} {
		if kinds[k] == 0 {
			t.Errorf("no %q fault in %v", k, kinds)
		}
	}
	if status, _, _ := call(t, srv, srv.Token, http.MethodDelete, "/emulator/chaos", ""); status != http.StatusNoContent {
		t.Fatal("DELETE chaos failed")
	}
	srv.ClearRequests()
	for range 50 {
		if status, _, _ := call(t, srv, srv.Token, http.MethodGet, configPath, ""); status != http.StatusOK {
			t.Fatalf("faults after chaos was turned off: %d", status)
		}
	}
}
