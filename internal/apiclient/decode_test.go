package apiclient

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// referenceSessions decodes body with encoding/json, for comparison: the fast decoder must agree
// with it wherever both accept the input.
func referenceSessions(body []byte) ([]UserSession, bool) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, false
	}
	out := make([]UserSession, len(raw))
	for i, m := range raw {
		get := func(key string, v any) bool {
			r, ok := m[key]
			if !ok || string(r) == "null" {
				return false
			}
			return json.Unmarshal(r, v) == nil
		}
		u := &out[i]
		if !get("userId", &u.UserID) || !get("nodeId", &u.NodeID) || !get("sessionId", &u.SessionID) ||
			!get("creationTime", &u.CreationTime) || !get("tenantUuid", &u.TenantUUID) || !get("loginType", &u.LoginType) {
			return nil, false
		}
		var last int64
		if get("lastAccessedTimestamp", &last) {
			u.LastAccessedTimestamp = &last
		} else if r, ok := m["lastAccessedTimestamp"]; ok && string(r) != "null" {
			return nil, false
		}
		for key, target := range map[string]**string{"device": &u.Device, "ip": &u.IP} {
			var s string
			if get(key, &s) {
				*target = &s
			} else if r, ok := m[key]; ok && string(r) != "null" {
				return nil, false
			}
		}
	}
	return out, true
}

const oneSession = `{"userId":"jane.doe","nodeId":2,"sessionId":"S1","creationTime":1768460000000,"lastAccessedTimestamp":1768460001000,"tenantUuid":"t-1","loginType":"LDAP","device":"Firefox","ip":"198.51.100.7"}`

func TestDecodeUserSessions(t *testing.T) {
	ok := map[string]string{
		"empty array":          `[]`,
		"white space":          " \n[ \t" + oneSession + " ,\r\n" + oneSession + " ] ",
		"optional null":        `[{"userId":"a","nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL","device":null,"ip":null,"lastAccessedTimestamp":null}]`,
		"optional absent":      `[{"userId":"a","nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"escapes":              `[{"userId":"j\u00e4ne\n\"x\"","nodeId":1,"sessionId":"s\/1","creationTime":5,"tenantUuid":"t","loginType":"LOCAL","device":"\ud83d\ude00"}]`,
		"unknown members":      `[{"extra":{"a":[1,2,{"b":null}],"c":"}"},"userId":"a","nodeId":1,"sessionId":"s","creationTime":-5,"tenantUuid":"t","loginType":"NEW_TYPE","more":[],"n":1.5e3,"t":true}]`,
		"repeated key":         `[{"userId":"first","userId":"last","nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"unicode unescaped":    `[{"userId":"日本","nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"invalid UTF-8":        "[{\"userId\":\"a\xffb\",\"nodeId\":1,\"sessionId\":\"s\",\"creationTime\":5,\"tenantUuid\":\"t\",\"loginType\":\"LOCAL\",\"ip\":\"198.51.100.1\"}]",
		"braces in strings":    `[{"userId":"{{{{{{{{{{{{{{{{{{{{","nodeId":1,"sessionId":"{}","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"},` + oneSession + `]`,
		"int32 and int64 ends": `[{"userId":"a","nodeId":2147483647,"sessionId":"s","creationTime":9223372036854775807,"tenantUuid":"t","loginType":"LOCAL","lastAccessedTimestamp":-9223372036854775808}]`,
	}
	for name, body := range ok {
		t.Run(name, func(t *testing.T) {
			got, err := decodeUserSessions([]byte(body))
			want, refOK := referenceSessions([]byte(body))
			if err != nil || !refOK {
				t.Fatalf("decode: %v (reference accepted: %t)", err, refOK)
			}
			if name == "repeated key" {
				want[0].UserID = "last"
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded %+v, want %+v", got, want)
			}
		})
	}
	for _, body := range []string{"", "null", " null "} {
		if got, err := decodeUserSessions([]byte(body)); err != nil || got == nil || len(got) != 0 {
			t.Errorf("%q: %v %v, want an empty list", body, got, err)
		}
	}
	bad := map[string]string{
		"not an array":        `{"userId":"a"}`,
		"missing nodeId":      `[{"userId":"a","sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"null userId":         `[{"userId":null,"nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"key case":            `[{"USERID":"a","nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"fraction":            `[{"userId":"a","nodeId":1.5,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"nodeId beyond int32": `[{"userId":"a","nodeId":2147483648,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"string for number":   `[{"userId":"a","nodeId":"1","sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"number for string":   `[{"userId":1,"nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"leading zero":        `[{"userId":"a","nodeId":01,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL"}]`,
		"trailing comma":      `[` + oneSession + `,]`,
		"trailing data":       `[]x`,
		"unterminated":        `[` + oneSession,
		"control character":   "[{\"userId\":\"a\tb\",\"nodeId\":1,\"sessionId\":\"s\",\"creationTime\":5,\"tenantUuid\":\"t\",\"loginType\":\"LOCAL\"}]",
	}
	for name, body := range bad {
		if got, err := decodeUserSessions([]byte(body)); err == nil {
			t.Errorf("%s: decoded %+v, want an error", name, got)
		}
	}
	if _, err := decodeUserSessions([]byte(bad["missing nodeId"])); err == nil || !strings.Contains(err.Error(), "session 0: nodeId is missing") {
		t.Errorf("error %v does not name the missing field", err)
	}
}

// FuzzDecodeUserSessions: the fast decoder never panics, and wherever it and encoding/json both
// accept an input (keys in their exact case), they agree.
func FuzzDecodeUserSessions(f *testing.F) {
	f.Add(`[` + oneSession + `]`)
	f.Add(`[{"userId":"a","nodeId":1,"sessionId":"s","creationTime":5,"tenantUuid":"t","loginType":"LOCAL","x":{"y":[1,"\u0041"]}}]`)
	f.Add(`null`)
	f.Add(`[{"userId":"\ud800","nodeId":-0,"sessionId":"s","creationTime":1e2,"tenantUuid":"t","loginType":"L"}]`)
	f.Fuzz(func(t *testing.T, body string) {
		got, err := decodeUserSessions([]byte(body))
		if err != nil {
			return
		}
		want, ok := referenceSessions([]byte(body))
		if !ok || strings.Contains(strings.ToLower(body), `"userid"`) && !strings.Contains(body, `"userId"`) {
			return
		}
		// encoding/json keeps the last of repeated keys too, and matches keys exactly in a map.
		if len(got) != len(want) {
			t.Fatalf("%d sessions, encoding/json %d", len(got), len(want))
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("session %d: %+v, encoding/json %+v", i, got[i], want[i])
			}
		}
	})
}
