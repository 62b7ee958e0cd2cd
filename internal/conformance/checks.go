package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/servertext"
)

// readChecks send only GETs.
func (r *run) readChecks() {
	a := r.call(http.MethodGet, configPath, nil, r.auth(), nil)
	policy, shape := completePolicy(a.body)
	r.add("R1", "GET /clusterConfig/userSessions answers 200 with both objects and all four fields, of their types",
		true, a.err == nil && a.status == 200 && policy != nil, fmt.Sprintf("%s; %s", statusOf(a), shape))
	if policy != nil {
		r.policy, r.raw = policy, a.body
		user, admin := intField(policy, "concurrentSessionPolicyDto", "userLimit"), intField(policy, "concurrentSessionPolicyDto", "adminLimit")
		timeout := intField(policy, "automaticLogoutDto", "userInactivityTimeout")
		r.add("R2", "the stored policy keeps the API's rules: limits >= 0, both 0 or both > 0, timeout >= 1", true,
			user >= 0 && admin >= 0 && (user == 0) == (admin == 0) && timeout >= 1,
			fmt.Sprintf("userLimit %d, adminLimit %d, userInactivityTimeout %d", user, admin, timeout))
	} else {
		r.skip("R2", "the stored policy keeps the API's rules", "no complete policy to check")
	}

	a = r.call(http.MethodGet, configPath, nil, "", nil)
	r.add("R3", "a request without the Authorization header answers 401", true, a.status == 401, a.String())
	a = r.call(http.MethodGet, configPath, nil, "Api-Token dt0c01.CONFORMANCE.not-a-valid-token", nil)
	r.add("R4", "a request with an invalid token answers 403", true, a.status == 403, a.String())
	r.add("R5", "an authentication failure carries the Dynatrace error envelope {error:{code,message}}", false,
		isEnvelope(a.body), envelopeOrNot(a.body))

	a = r.call(http.MethodGet, sessionsPath, nil, r.auth(), nil)
	var sessions []map[string]json.RawMessage
	decodeErr := json.Unmarshal(a.body, &sessions)
	r.add("R6", "GET /userSessions answers 200 with a plain JSON array", true,
		a.err == nil && a.status == 200 && decodeErr == nil && strings.HasPrefix(strings.TrimSpace(string(a.body)), "["),
		fmt.Sprintf("%s; %d sessions", statusOf(a), len(sessions)))
	r.sessionChecks(sessions)

	absent := fmt.Sprintf("conformance-no-such-user-%d", time.Now().UnixNano())
	a = r.call(http.MethodGet, sessionsPath, url.Values{"userId": {absent}}, r.auth(), nil)
	kind := noSessionsKind(a)
	r.add("R9", "a user without sessions answers 200 [] (or 404, 204 or an empty body: undocumented, all tolerated)", false,
		kind != "", fmt.Sprintf("%s (%s)", statusOf(a), orUnknown(kind)))

	if len(r.users) == 0 {
		r.skip("R10", "GET /userSessions?userId= answers only that user's sessions", "nobody is logged in")
		return
	}
	user := r.users[0]
	a = r.call(http.MethodGet, sessionsPath, url.Values{"userId": {user}}, r.auth(), nil)
	var filtered []struct {
		UserID string `json:"userId"`
	}
	_ = json.Unmarshal(a.body, &filtered)
	only := a.status == 200 && len(filtered) > 0
	for _, s := range filtered {
		only = only && s.UserID == user
	}
	r.add("R10", "GET /userSessions?userId= answers only that user's sessions", false, only,
		fmt.Sprintf("%s; %d sessions for %q", statusOf(a), len(filtered), user))
}

// sessionChecks check the fields of the listed sessions.
func (r *run) sessionChecks(sessions []map[string]json.RawMessage) {
	if len(sessions) == 0 {
		for _, id := range []string{"R7", "R8"} {
			r.skip(id, "session fields", "nobody is logged in: no session to check")
		}
		return
	}
	required := map[string]string{"userId": "string", "nodeId": "int32", "sessionId": "string", "creationTime": "int64", "tenantUuid": "string", "loginType": "string"}
	optional := map[string]string{"lastAccessedTimestamp": "int64", "device": "string", "ip": "string"}
	var problems, newTypes []string
	seenUsers := map[string]bool{}
	earliest, latest := int64(1e12), time.Now().Add(24*time.Hour).UnixMilli() // 2001-09-09 .. tomorrow, in ms
	badTimes := 0
	for i, s := range sessions {
		for field, typ := range required {
			if !ofType(s[field], typ) {
				problems = append(problems, fmt.Sprintf("session %d: %s missing or not %s", i, field, typ))
			}
		}
		for field, typ := range optional {
			if raw, ok := s[field]; ok && string(raw) != "null" && !ofType(raw, typ) {
				problems = append(problems, fmt.Sprintf("session %d: %s not %s", i, field, typ))
			}
		}
		var loginType, userID string
		_ = json.Unmarshal(s["loginType"], &loginType)
		_ = json.Unmarshal(s["userId"], &userID)
		if loginType != "" && !slices.Contains(apiclient.LoginTypes, loginType) && !slices.Contains(newTypes, loginType) {
			newTypes = append(newTypes, loginType)
		}
		if userID != "" && !seenUsers[userID] {
			seenUsers[userID] = true
			r.users = append(r.users, userID)
		}
		var created int64
		if json.Unmarshal(s["creationTime"], &created) == nil && (created < earliest || created > latest) {
			badTimes++
		}
	}
	observed := "all fields present and typed"
	if len(problems) > 0 {
		observed = strings.Join(problems[:min(len(problems), 3)], "; ")
	}
	if len(newTypes) > 0 {
		observed += fmt.Sprintf("; loginType values beyond the documented four (allowed, passed through): %v", newTypes)
	}
	r.add("R7", "each session has userId, nodeId, sessionId, creationTime, tenantUuid, loginType (optional fields typed when present)",
		true, len(problems) == 0, observed)
	r.add("R8", "creationTime is in epoch milliseconds (after 2001-09-09, before tomorrow)", false, badTimes == 0,
		fmt.Sprintf("%d of %d sessions outside that range", badTimes, len(sessions)))
}

// writeChecks PUT the cluster's own policy back, then invalid policies that must be refused.
func (r *run) writeChecks() {
	if r.policy == nil {
		r.skip("W*", "PUT checks", "the current policy could not be read (R1), so nothing is written")
		return
	}
	current, _ := json.Marshal(r.policy)
	r.wrote = true
	a := r.call(http.MethodPut, configPath, nil, r.auth(), current)
	r.add("W1", "PUT of the cluster's own current policy answers 200 (any 2xx is accepted)", true,
		a.err == nil && a.status >= 200 && a.status < 300, a.String())
	r.add("W2", "GET after that PUT answers the same policy", true, r.unchanged(), r.policyNow())

	invalid := []struct {
		id, expect string
		documented bool
		change     func(p map[string]map[string]json.RawMessage)
	}{
		{"W3", "PUT with userLimit 0 and adminLimit 3 is refused with 400 (both 0 or both > 0)", true, func(p map[string]map[string]json.RawMessage) {
			p["concurrentSessionPolicyDto"]["userLimit"], p["concurrentSessionPolicyDto"]["adminLimit"] = json.RawMessage("0"), json.RawMessage("3")
		}},
		{"W4", "PUT with userInactivityTimeout 0 is refused with 400 (minimum 1)", true, func(p map[string]map[string]json.RawMessage) {
			p["automaticLogoutDto"]["userInactivityTimeout"] = json.RawMessage("0")
		}},
		{"W5", "PUT without automaticLogoutDto is refused with 400 (both objects required)", true, func(p map[string]map[string]json.RawMessage) {
			delete(p, "automaticLogoutDto")
		}},
		{"W6", "PUT with a negative limit is refused with 400", false, func(p map[string]map[string]json.RawMessage) {
			p["concurrentSessionPolicyDto"]["userLimit"], p["concurrentSessionPolicyDto"]["adminLimit"] = json.RawMessage("-1"), json.RawMessage("-1")
		}},
	}
	var envelope400 []byte
	for _, tc := range invalid {
		if r.ctx.Err() != nil {
			r.skip(tc.id, tc.expect, "not run: interrupted")
			continue
		}
		p := clonePolicy(r.policy)
		tc.change(p)
		body, _ := json.Marshal(p)
		a := r.call(http.MethodPut, configPath, nil, r.auth(), body)
		unchanged := r.unchanged()
		observed := a.String()
		if !unchanged {
			observed += "; the policy CHANGED: " + r.restore()
		}
		r.add(tc.id, tc.expect+", changing nothing", tc.documented, a.status == 400 && unchanged, observed)
		if a.status == 400 && envelope400 == nil {
			envelope400 = a.body
		}
	}
	r.add("W7", "a 400 carries the error envelope with constraintViolations", false,
		isEnvelope(envelope400) && strings.Contains(string(envelope400), "constraintViolations"), envelopeOrNot(envelope400))
}

// deleteChecks end the given user's sessions; D1 (a DELETE without a user, which must be
// refused) only when unfiltered allows it.
func (r *run) deleteChecks(user string, unfiltered bool) {
	if unfiltered {
		a := r.call(http.MethodDelete, sessionsPath, nil, r.auth(), nil)
		r.add("D1", "DELETE /userSessions without userId answers 400", true, a.status == 400, a.String())
	} else {
		r.skip("D1", "DELETE /userSessions without userId answers 400", "not run against a cluster: it would end every session if the cluster did not refuse it")
	}
	a := r.call(http.MethodDelete, sessionsPath, url.Values{"userId": {user}}, r.auth(), nil)
	r.add("D2", fmt.Sprintf("DELETE /userSessions?userId=%s answers 200 (sessions ended) or 404 (none)", user), true,
		a.status == 200 || a.status == 404, a.String())
	a = r.call(http.MethodGet, sessionsPath, url.Values{"userId": {user}}, r.auth(), nil)
	r.add("D3", "the user has no sessions afterwards", false, noSessionsKind(a) != "", a.String())
}

func (r *run) unchanged() bool {
	a := r.call(http.MethodGet, configPath, nil, r.auth(), nil)
	now, _ := completePolicy(a.body)
	return now != nil && samePolicy(now, r.policy)
}

func (r *run) policyNow() string {
	return r.call(http.MethodGet, configPath, nil, r.auth(), nil).String()
}

// restore puts the policy read at the start back and reads it back, on a context of its own
// (the run's may have ended: an interrupt must not keep the policy changed), and says what
// happened.
func (r *run) restore() string {
	ctx := r.ctx
	r.ctx = context.WithoutCancel(ctx)
	defer func() { r.ctx = ctx }()
	current, _ := json.Marshal(r.policy)
	put := r.call(http.MethodPut, configPath, nil, r.auth(), current)
	if put.err == nil && put.status >= 200 && put.status < 300 && r.unchanged() {
		return "the original was put back and read back"
	}
	return "the original could NOT be put back (" + put.String() + "); the cluster holds " + r.policyNow()
}

// restoreChecked ends a run that wrote: unless the policy read back is still the original, it
// puts the original back; either way the result X1 says whether the cluster holds it.
func (r *run) restoreChecked() {
	if !r.wrote || r.policy == nil {
		return
	}
	ctx := r.ctx
	r.ctx = context.WithoutCancel(ctx)
	defer func() { r.ctx = ctx }()
	original, _ := json.Marshal(r.policy)
	if r.unchanged() {
		r.add("X1", "the cluster holds the policy it had before the run", false, true, "read back: "+servertext.Clean(string(original), servertext.Value))
		return
	}
	observed := r.restore()
	r.add("X1", "the cluster holds the policy it had before the run", false, strings.HasPrefix(observed, "the original was put back"),
		observed+"; the original: "+servertext.Clean(string(original), servertext.Value))
}

func samePolicy(a, b map[string]map[string]json.RawMessage) bool {
	for object, fields := range policyFields {
		for _, f := range fields {
			if strings.TrimSpace(string(a[object][f])) != strings.TrimSpace(string(b[object][f])) {
				return false
			}
		}
	}
	return true
}

func clonePolicy(p map[string]map[string]json.RawMessage) map[string]map[string]json.RawMessage {
	out := map[string]map[string]json.RawMessage{}
	for object, fields := range policyFields {
		out[object] = map[string]json.RawMessage{}
		for _, f := range fields {
			out[object][f] = p[object][f]
		}
	}
	return out
}

func ofType(raw json.RawMessage, typ string) bool {
	if raw == nil || string(raw) == "null" {
		return false
	}
	switch typ {
	case "string":
		var s string
		return json.Unmarshal(raw, &s) == nil
	case "int32":
		var n int32
		return json.Unmarshal(raw, &n) == nil
	default:
		var n int64
		return json.Unmarshal(raw, &n) == nil
	}
}

// noSessionsKind names an answer that means "no sessions", or "" for any other answer.
func noSessionsKind(a answer) string {
	body := strings.TrimSpace(string(a.body))
	switch {
	case a.err != nil:
		return ""
	case a.status == 200 && (body == "[]" || body == "null"):
		return "200 with " + body
	case a.status == 200 && body == "":
		return "200 without a body"
	case a.status == 204:
		return "204"
	case a.status == 404:
		return "404"
	}
	return ""
}

func statusOf(a answer) string {
	if a.err != nil {
		return "no answer: " + a.err.Error()
	}
	return fmt.Sprintf("HTTP %d", a.status)
}

func envelopeOrNot(body []byte) string {
	if isEnvelope(body) {
		return "envelope: " + excerpt(body)
	}
	return "other body: " + excerpt(body)
}

func orUnknown(kind string) string {
	if kind == "" {
		return "not an answer meaning no sessions"
	}
	return kind
}
