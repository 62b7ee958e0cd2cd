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
