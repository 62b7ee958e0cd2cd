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

// Answers are decoded with github.com/go-json-experiment/json (Go's encoding/json/v2) into wire
// structs whose members record their presence: keys match exactly (v1 would match "USERID"),
// unknown members are skipped, numbers are integers in range. A repeated key keeps its last
// value and invalid UTF-8 becomes U+FFFD, as with v1.
var decodeOptions = json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// field is a member of a wire struct: its value, and whether it was present and null, so that a
// required member can be reported as missing or null by name.
type field[T any] struct {
	value         T
	present, null bool
}

// UnmarshalJSONFrom records the member's presence and decodes its value (null leaves the zero).
// Integers are parsed here from the raw value, which is never copied: a number of megabytes is
// refused by its length, not converted and then copied into the error.
func (f *field[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	f.present = true
	if dec.PeekKind() == 'n' {
		f.null = true
		_, err := dec.ReadToken()
		return err
	}
	switch v := any(&f.value).(type) {
	case *int32:
		n, err := integer(dec, 32)
		*v = int32(n)
		return err
	case *int64:
		n, err := integer(dec, 64)
		*v = n
		return err
	}
	return json.UnmarshalDecode(dec, &f.value)
}

// integer reads an integer of bits bits from dec.
func integer(dec *jsontext.Decoder, bits int) (int64, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(raw[:min(len(raw), 24)]), 10, bits)
	if err != nil || len(raw) > 24 || raw.Kind() != '0' {
		return 0, notInteger{bits: bits, value: string(raw[:min(len(raw), 64)])}
	}
	return n, nil
}

// notInteger is a member that is not an integer of its size; value is its start.
type notInteger struct {
	bits  int
	value string
}

func (e notInteger) Error() string { return fmt.Sprintf("not a valid int%d: %s", e.bits, e.value) }

// require returns the value of a required member, or adds to problems that it (name) is
// missing or null.
func require[T any](f field[T], name string, problems *[]string) T {
	switch {
	case !f.present:
		*problems = append(*problems, name+" is missing")
	case f.null:
		*problems = append(*problems, name+" is null")
	}
	return f.value
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
	var problems []string
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
		return nil, errors.New(strings.Join(problems, "; "))
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
	dec := jsontext.NewDecoder(bytes.NewBuffer(trimmed), decodeOptions) // a Buffer is parsed in place, not copied
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
		var problems []string
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
			return nil, fmt.Errorf("session %d: %s", len(out), strings.Join(problems, "; "))
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
// the member, as its JSON pointer within what, and the value, cut to 64 characters.
func decodeFailure(err error, what string) error {
	var semantic *json.SemanticError
	if !errors.As(err, &semantic) {
		return fmt.Errorf("%s is not valid JSON", what)
	}
	// A value or a name can be megabytes: only a bounded part of each goes into the text (the
	// caller shows at most servertext.Value of it, after removing the token from all of it).
	member := strings.TrimPrefix(string(semantic.JSONPointer[:min(len(semantic.JSONPointer), 4096)]), "/")
	if _, inSession, ok := strings.Cut(member, "/"); ok && what != "the answer" {
		member = inSession // "/3/nodeId" within session 3 is its nodeId
	}
	typ := "JSON object"
	if t := semantic.GoType; t != nil && t.Kind() != reflect.Struct {
		typ = t.String()
	}
	var number notInteger
	switch {
	case member == "":
		return fmt.Errorf("%s is not a %s", what, typ)
	case errors.As(err, &number):
		return fmt.Errorf("%s: %s is %w", what, strings.ReplaceAll(member, "/", "."), number)
	}
	text := fmt.Sprintf("%s: %s is not a valid %s", what, strings.ReplaceAll(member, "/", "."), typ)
	if value := semantic.JSONValue[:min(len(semantic.JSONValue), 64)]; len(value) > 0 {
		text += ": " + string(value)
	}
	return errors.New(text)
}
