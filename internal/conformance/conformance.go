// Package conformance is a black-box contract test of the four Cluster API v2 operations the
// provider uses: statuses, shapes, field presence and types, validation answers, error bodies,
// no-session answers and authentication failures. It talks HTTP directly (not through the
// provider's client, which tolerates variance by design), so it shows what a cluster really
// answers. It runs against the emulator in the project's tests and against a real cluster when
// an operator points it there: read-only unless told to write.
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/servertext"
)

// Outcome of a check.
type Outcome string

// The outcomes.
const (
	Pass Outcome = "PASS"
	Fail Outcome = "FAIL"
	Skip Outcome = "SKIP"
)

// Result is one check: what was expected, what was observed, and whether Dynatrace documents
// the expectation or it is assumed.
type Result struct {
	ID         string
	Expect     string
	Observed   string
	Documented bool
	Outcome    Outcome
}

// String renders the result on one line.
func (r Result) String() string {
	source := "assumed"
	if r.Documented {
		source = "documented"
	}
	return fmt.Sprintf("%-4s %-3s %-10s %s | observed: %s", r.Outcome, r.ID, source, r.Expect, r.Observed)
}

// Target is the cluster under test.
type Target struct {
	// BaseURL is the Cluster API v2 base URL (https://host/api/cluster/v2).
	BaseURL string
	Token   string
	// HTTP sends the requests; it must not follow redirects.
	HTTP *http.Client
}

// Options say what the suite may change.
type Options struct {
	// Write allows PUTs: the cluster's own current policy put back, and invalid policies the
	// API must refuse. Whatever happens (a check fails, the context ends), the policy read at the
	// start is put back before Run returns and read back to prove it (check X1).
	Write bool
	// DeleteUser allows DELETE, for this user only: it ends that user's sessions.
	DeleteUser string
	// UnfilteredDelete also sends DELETE /userSessions without a user, to check it is refused
	// (D1). Only for the emulator: a cluster that did not refuse it might end everyone's sessions.
	UnfilteredDelete bool
	// Report, if set, receives each result as soon as its check has run.
	Report func(Result)
}

// CheckDeleteUser says why id cannot be the user of -delete-user, or nil: an id that is empty,
// blank at either end, or holds a control or formatting character would send a DELETE that names
// nobody a person meant (DELETE /userSessions?userId=+ is near the unfiltered request the suite
// never sends a cluster).
func CheckDeleteUser(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return errors.New("the user of -delete-user is empty or blank: give the id of a test user whose sessions may end")
	case strings.TrimSpace(id) != id:
		return fmt.Errorf("the user of -delete-user %q starts or ends with white space; did you mean %q?", id, strings.TrimSpace(id))
	}
	for _, r := range id {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("the user of -delete-user %+q holds a control or formatting character (%U)", id, r)
		}
	}
	return nil
}

// Run runs every check the options allow and returns the results in order. When ctx ends (an
// interrupt), the checks stop, and a policy changed by a write is still put back.
func Run(ctx context.Context, t Target, o Options) []Result {
	r := &run{ctx: ctx, t: t, report: o.Report}
	r.readChecks()
	if o.Write {
		r.writeChecks()
		r.restoreChecked()
	} else {
		r.skip("W*", "PUT checks", "not run: read-only by default (-write to run them)")
	}
	switch {
	case ctx.Err() != nil:
		r.skip("D*", "DELETE checks", "not run: interrupted")
	case o.DeleteUser != "" && CheckDeleteUser(o.DeleteUser) != nil:
		r.skip("D*", "DELETE checks", "not run: "+CheckDeleteUser(o.DeleteUser).Error())
	case o.DeleteUser != "":
		r.deleteChecks(o.DeleteUser, o.UnfilteredDelete)
	default:
		r.skip("D*", "DELETE checks", "not run: no user given (-delete-user to run them)")
	}
	return r.results
}

// Restored reports whether the results say the policy read at the start was put back and read
// back (X1), where a write was sent; false when a write may have left it changed.
func Restored(results []Result) bool {
	for _, r := range results {
		if r.ID == "X1" {
			return r.Outcome == Pass
		}
	}
	return true
}

// Failed counts the failed results.
func Failed(results []Result) int {
	n := 0
	for _, r := range results {
		if r.Outcome == Fail {
			n++
		}
	}
	return n
}

type run struct {
	ctx     context.Context
	t       Target
	report  func(Result)
	wrote   bool // a PUT was sent: the policy may have changed
	results []Result
	policy  map[string]map[string]json.RawMessage // the cluster's policy as first read
	raw     []byte                                // its body
	users   []string
}

type answer struct {
	status int
	body   []byte
	err    error
}

func (a answer) String() string {
	if a.err != nil {
		return "no answer: " + servertext.Clean(a.err.Error(), servertext.Value)
	}
	return fmt.Sprintf("%d %s", a.status, excerpt(a.body))
}

// excerpt is the start of a body as the results show it: white space folded, control
// characters made visible, cut to 100 bytes.
func excerpt(b []byte) string {
	s := strings.Join(strings.Fields(string(b[:min(len(b), 4096)])), " ")
	if s == "" {
		return "(no body)"
	}
	return servertext.Clean(s, 100)
}

// call sends one request; auth is the Authorization header ("" for none).
func (r *run) call(method, path string, query url.Values, auth string, body []byte) answer {
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	u := r.t.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, reader)
	if err != nil {
		return answer{err: err}
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := r.t.HTTP.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	// What a server echoes of the token never reaches the printed results.
	data = []byte(servertext.RedactToken(r.t.Token, string(data)))
	return answer{status: resp.StatusCode, body: data, err: err}
}

func (r *run) auth() string { return "Api-Token " + r.t.Token }

func (r *run) add(id, expect string, documented, ok bool, observed string) {
	outcome := Pass
	if !ok {
		outcome = Fail
	}
	r.record(Result{ID: id, Expect: expect, Observed: observed, Documented: documented, Outcome: outcome})
}

func (r *run) record(result Result) {
	r.results = append(r.results, result)
	if r.report != nil {
		r.report(result)
	}
}

func (r *run) skip(id, expect, why string) {
	r.record(Result{ID: id, Expect: expect, Observed: why, Outcome: Skip})
}

const (
	configPath   = "/clusterConfig/userSessions"
	sessionsPath = "/userSessions"
)

var policyFields = map[string][]string{
	"concurrentSessionPolicyDto": {"userLimit", "adminLimit"},
	"automaticLogoutDto":         {"logoutInactiveUsersEnabled", "userInactivityTimeout"},
}

// completePolicy checks a UserSessionsConfig body: both objects, four fields, right types.
func completePolicy(body []byte) (map[string]map[string]json.RawMessage, string) {
	var top map[string]map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, "not a JSON object of objects: " + err.Error()
	}
	var problems []string
	for object, fields := range policyFields {
		members, ok := top[object]
		if !ok || members == nil {
			problems = append(problems, object+" missing or null")
			continue
		}
		for _, f := range fields {
			raw, ok := members[f]
			var typeOK bool
			if f == "logoutInactiveUsersEnabled" {
				var b bool
				typeOK = json.Unmarshal(raw, &b) == nil && string(raw) != "null"
			} else {
				var n int32
				typeOK = json.Unmarshal(raw, &n) == nil && string(raw) != "null"
			}
			if !ok || !typeOK {
				problems = append(problems, fmt.Sprintf("%s.%s missing or not of its type (%s)", object, f, excerpt(raw)))
			}
		}
	}
	slices.Sort(problems)
	if len(problems) > 0 {
		return nil, strings.Join(problems, "; ")
	}
	return top, "complete"
}

func intField(p map[string]map[string]json.RawMessage, object, field string) int64 {
	var n int64
	_ = json.Unmarshal(p[object][field], &n)
	return n
}

func isEnvelope(body []byte) bool {
	var env struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	return json.Unmarshal(body, &env) == nil && env.Error != nil && env.Error.Message != ""
}
