package apiclient

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The API's answers are decoded with github.com/go-json-experiment/json (the code of Go's
// encoding/json/v2) into wire structs whose members record whether they were present: keys
// match exactly (encoding/json v1 would match "USERID" to userId), unknown members are skipped,
// numbers must be integers in the field's range. What v2 refuses by default but servers send
// and v1 accepted stays accepted: a repeated key keeps its last value, and invalid UTF-8 becomes
// U+FFFD.
var decodeOptions = json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// field is a member of a wire struct: its value, and whether it was present and null, so that a
// required member can be reported as missing or null by name.
type field[T any] struct {
	value         T
	present, null bool
}

// UnmarshalJSONFrom records the member's presence and decodes its value (null leaves the zero).
func (f *field[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	f.present = true
	if dec.PeekKind() == 'n' {
		f.null = true
		_, err := dec.ReadToken()
		return err
	}
	return json.UnmarshalDecode(dec, &f.value)
}

// require returns the value of a required member, or records it (name) in problems as missing
// or null.
func require[T any](f field[T], name string, problems *[]problem) T {
	if !f.present || f.null {
		*problems = append(*problems, problem{name: name, null: f.null})
	}
	return f.value
}

// problem is a required member that was missing, or null.
type problem struct {
	name string
	null bool
}

// listProblems joins problems as "a is missing; b is null".
func listProblems(problems []problem) string {
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.name + " is missing"
		if p.null {
			parts[i] = p.name + " is null"
		}
	}
	return strings.Join(parts, "; ")
}

// optional returns the value of an optional member, nil when absent or null.
func optional[T any](f field[T]) *T {
	if !f.present || f.null {
		return nil
	}
	v := f.value
	return &v
}

// wireConfig is UserSessionsConfig as the API sends it.
type wireConfig struct {
	Policy field[struct {
		UserLimit  field[int32] `json:"userLimit"`
		AdminLimit field[int32] `json:"adminLimit"`
	}] `json:"concurrentSessionPolicyDto"`
	Logout field[struct {
		Enabled field[bool]  `json:"logoutInactiveUsersEnabled"`
		Timeout field[int32] `json:"userInactivityTimeout"`
	}] `json:"automaticLogoutDto"`
}

// decodeUserSessionsConfig decodes a UserSessionsConfig strictly: both objects and their four
// members present, not null, of the right type, under the API's exact key names (a differently
// cased key counts as absent). Unknown keys are ignored, so members the API may add do not break
// reads.
func decodeUserSessionsConfig(body []byte) (*UserSessionsConfig, error) {
	var w wireConfig
	if err := json.Unmarshal(body, &w, decodeOptions); err != nil {
		return nil, decodeFailure(err, "the answer")
	}
	var problems []problem
	policy := require(w.Policy, "concurrentSessionPolicyDto", &problems)
	logout := require(w.Logout, "automaticLogoutDto", &problems)
	var cfg UserSessionsConfig
	if w.Policy.present && !w.Policy.null {
		cfg.ConcurrentSessionPolicy.UserLimit = require(policy.UserLimit, "concurrentSessionPolicyDto.userLimit", &problems)
		cfg.ConcurrentSessionPolicy.AdminLimit = require(policy.AdminLimit, "concurrentSessionPolicyDto.adminLimit", &problems)
	}
	if w.Logout.present && !w.Logout.null {
		cfg.AutomaticLogout.LogoutInactiveUsersEnabled = require(logout.Enabled, "automaticLogoutDto.logoutInactiveUsersEnabled", &problems)
		cfg.AutomaticLogout.UserInactivityTimeout = require(logout.Timeout, "automaticLogoutDto.userInactivityTimeout", &problems)
	}
	if len(problems) > 0 {
		return nil, errors.New(listProblems(problems))
	}
	return &cfg, nil
}

// wireSession is UserSession as the API sends it.
type wireSession struct {
	UserID                field[string] `json:"userId"`
	NodeID                field[int32]  `json:"nodeId"`
	SessionID             field[string] `json:"sessionId"`
	CreationTime          field[int64]  `json:"creationTime"`
	LastAccessedTimestamp field[int64]  `json:"lastAccessedTimestamp"`
	TenantUUID            field[string] `json:"tenantUuid"`
	LoginType             field[string] `json:"loginType"`
	Device                field[string] `json:"device"`
	IP                    field[string] `json:"ip"`
}

// decodeUserSessions decodes the answer of GET /userSessions: a JSON array of UserSession
// objects. No body and null are an empty list (tolerated answers for "no sessions"); a session
// without one of the members the API requires (userId, nodeId, sessionId, creationTime,
// tenantUuid, loginType), or with null there, is an error naming it; the optional ones
// (lastAccessedTimestamp, device, ip) may be absent or null. loginType values the API may add
// pass through unchanged. The array is read one session at a time, so the wire form of only one
// is held at once.
func decodeUserSessions(body []byte) ([]UserSession, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return []UserSession{}, nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(trimmed), decodeOptions)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
		return nil, errors.New("the answer is not a JSON array of sessions")
	}
	// One session takes at least minSessionJSON bytes, so the count of '{' (bounded by that) is
	// enough room without trusting the body.
	out := make([]UserSession, 0, min(bytes.Count(trimmed, []byte{'{'}), len(trimmed)/minSessionJSON+1))
	for dec.PeekKind() != ']' {
		var w wireSession
		if err := json.UnmarshalDecode(dec, &w, decodeOptions); err != nil {
			return nil, decodeFailure(err, "session "+strconv.Itoa(len(out)))
		}
		var problems []problem
		s := UserSession{
			UserID:                require(w.UserID, "userId", &problems),
			NodeID:                require(w.NodeID, "nodeId", &problems),
			SessionID:             require(w.SessionID, "sessionId", &problems),
			CreationTime:          require(w.CreationTime, "creationTime", &problems),
			LastAccessedTimestamp: optional(w.LastAccessedTimestamp),
			TenantUUID:            require(w.TenantUUID, "tenantUuid", &problems),
			LoginType:             require(w.LoginType, "loginType", &problems),
			Device:                optional(w.Device),
			IP:                    optional(w.IP),
		}
		if len(problems) > 0 {
			names := make([]string, len(problems))
			for i, p := range problems {
				names[i] = p.name
				if p.null {
					names[i] += " (null)"
				}
			}
			return nil, fmt.Errorf("session %d lacks %s", len(out), strings.Join(names, ", "))
		}
		out = append(out, s)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, decodeFailure(err, "the answer")
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return nil, errors.New("the answer has data after the array of sessions")
	}
	return out, nil
}

// minSessionJSON is the length of the shortest session the API can send:
// {"userId":"","nodeId":0,"sessionId":"","creationTime":0,"tenantUuid":"","loginType":""}.
const minSessionJSON = 87

// decodeFailure describes a decoding error of what (a session, the answer) in the API's terms:
// the member (its JSON pointer) and the value, cut to a few dozen bytes.
func decodeFailure(err error, what string) error {
	var semantic *json.SemanticError
	if errors.As(err, &semantic) {
		member := strings.TrimPrefix(string(semantic.JSONPointer), "/")
		if i := strings.IndexByte(member, '/'); i >= 0 && what != "the answer" {
			member = member[i+1:] // "/3/nodeId" within session 3 is its nodeId
		}
		value := string(semantic.JSONValue)
		if len(value) > 64 {
			value = strings.ToValidUTF8(value[:64], "") + "…"
		}
		typ := "value"
		if t := semantic.GoType; t != nil {
			typ = t.String()
			if t.Kind() == reflect.Struct {
				typ = "JSON object"
			}
		}
		switch {
		case member == "":
			return fmt.Errorf("%s is not a %s", what, typ)
		case value != "":
			return fmt.Errorf("%s: %s is not a valid %s: %s", what, strings.ReplaceAll(member, "/", "."), typ, value)
		default:
			return fmt.Errorf("%s: %s is not a valid %s", what, strings.ReplaceAll(member, "/", "."), typ)
		}
	}
	var syntactic *jsontext.SyntacticError
	if errors.As(err, &syntactic) {
		return fmt.Errorf("%s is not valid JSON at byte %d", what, syntactic.ByteOffset)
	}
	return fmt.Errorf("%s is not valid JSON", what)
}
