package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// decodeUserSessionsConfig decodes a UserSessionsConfig strictly: both objects and their four
// fields present, not null, of the right type, under the API's exact key names (a differently
// cased key counts as absent). Unknown keys are ignored, so fields the API may add do not break
// reads.
func decodeUserSessionsConfig(body []byte) (*UserSessionsConfig, error) {
	top, err := decodeObject(body, "the answer")
	if err != nil {
		return nil, err
	}
	policy, err := member[map[string]json.RawMessage](top, "concurrentSessionPolicyDto", "", decodeMembers)
	if err != nil {
		return nil, err
	}
	logout, err := member[map[string]json.RawMessage](top, "automaticLogoutDto", "", decodeMembers)
	if err != nil {
		return nil, err
	}
	var cfg UserSessionsConfig
	var errs []string
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	cfg.ConcurrentSessionPolicy.UserLimit, err = member[int32](policy, "userLimit", "concurrentSessionPolicyDto.", decodeValue[int32])
	collect(err)
	cfg.ConcurrentSessionPolicy.AdminLimit, err = member[int32](policy, "adminLimit", "concurrentSessionPolicyDto.", decodeValue[int32])
	collect(err)
	cfg.AutomaticLogout.LogoutInactiveUsersEnabled, err = member[bool](logout, "logoutInactiveUsersEnabled", "automaticLogoutDto.", decodeValue[bool])
	collect(err)
	cfg.AutomaticLogout.UserInactivityTimeout, err = member[int32](logout, "userInactivityTimeout", "automaticLogoutDto.", decodeValue[int32])
	collect(err)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return &cfg, nil
}

func decodeObject(raw json.RawMessage, what string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s is not a JSON object", what)
	}
	return m, nil
}

func decodeMembers(raw json.RawMessage, name string) (map[string]json.RawMessage, error) {
	return decodeObject(raw, name)
}

func decodeValue[T any](raw json.RawMessage, name string) (T, error) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		shown := strings.TrimSpace(string(raw))
		if len(shown) > 64 {
			shown = strings.ToValidUTF8(shown[:64], "") + "…"
		}
		return v, fmt.Errorf("%s is not a valid %T: %s", name, v, shown)
	}
	return v, nil
}

// member decodes the member key of obj, which must be present and not null; prefix names its
// parent in errors.
func member[T any](obj map[string]json.RawMessage, key, prefix string, decode func(json.RawMessage, string) (T, error)) (T, error) {
	var zero T
	raw, ok := obj[key]
	switch {
	case !ok:
		return zero, fmt.Errorf("%s%s is missing", prefix, key)
	case bytes.Equal(bytes.TrimSpace(raw), []byte("null")):
		return zero, fmt.Errorf("%s%s is null", prefix, key)
	}
	return decode(raw, prefix+key)
}

// wireSession is a UserSession as the API sends it, with the required fields as pointers so that
// an absent one is told apart from a zero.
type wireSession struct {
	UserID                *string `json:"userId"`
	NodeID                *int32  `json:"nodeId"`
	SessionID             *string `json:"sessionId"`
	CreationTime          *int64  `json:"creationTime"`
	LastAccessedTimestamp *int64  `json:"lastAccessedTimestamp"`
	TenantUUID            *string `json:"tenantUuid"`
	LoginType             *string `json:"loginType"`
	Device                *string `json:"device"`
	IP                    *string `json:"ip"`
}

// decodeUserSessions decodes the answer of GET /userSessions. No body and null are an empty list
// (tolerated answers for "no sessions"); a session without one of the fields the API requires
// (userId, nodeId, sessionId, creationTime, tenantUuid, loginType) is an error naming it, rather
// than a zero in state. loginType values the API may add pass through unchanged.
func decodeUserSessions(body []byte) ([]UserSession, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return []UserSession{}, nil
	}
	var wire []wireSession
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, fmt.Errorf("not a JSON array of sessions: %w", err)
	}
	out := make([]UserSession, len(wire))
	for i := range wire {
		w := &wire[i]
		var missing []string
		need := func(ok bool, name string) {
			if !ok {
				missing = append(missing, name)
			}
		}
		need(w.UserID != nil, "userId")
		need(w.NodeID != nil, "nodeId")
		need(w.SessionID != nil, "sessionId")
		need(w.CreationTime != nil, "creationTime")
		need(w.TenantUUID != nil, "tenantUuid")
		need(w.LoginType != nil, "loginType")
		if len(missing) > 0 {
			return nil, fmt.Errorf("session %d lacks %s", i, strings.Join(missing, ", "))
		}
		out[i] = UserSession{
			UserID: *w.UserID, NodeID: *w.NodeID, SessionID: *w.SessionID, CreationTime: *w.CreationTime,
			LastAccessedTimestamp: w.LastAccessedTimestamp, TenantUUID: *w.TenantUUID, LoginType: *w.LoginType,
			Device: w.Device, IP: w.IP,
		}
	}
	return out, nil
}
