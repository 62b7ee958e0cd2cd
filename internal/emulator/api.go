package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// UserSessionsConfig is the session policy as the API serves it.
type UserSessionsConfig struct {
	ConcurrentSessionPolicy ConcurrentSessionPolicy `json:"concurrentSessionPolicyDto"`
	AutomaticLogout         AutomaticLogout         `json:"automaticLogoutDto"`
}

// ConcurrentSessionPolicy holds the concurrent session limits (0 = no limit).
type ConcurrentSessionPolicy struct {
	UserLimit  int32 `json:"userLimit"`
	AdminLimit int32 `json:"adminLimit"`
}

// AutomaticLogout holds the automatic logout of inactive users.
type AutomaticLogout struct {
	LogoutInactiveUsersEnabled bool  `json:"logoutInactiveUsersEnabled"`
	UserInactivityTimeout      int32 `json:"userInactivityTimeout"`
}

// UserSession is one session as the API serves it; optional fields are omitted when nil.
type UserSession struct {
	UserID                string  `json:"userId"`
	NodeID                int32   `json:"nodeId"`
	SessionID             string  `json:"sessionId"`
	CreationTime          int64   `json:"creationTime"`
	LastAccessedTimestamp *int64  `json:"lastAccessedTimestamp,omitempty"`
	TenantUUID            string  `json:"tenantUuid"`
	LoginType             string  `json:"loginType"`
	Device                *string `json:"device,omitempty"`
	IP                    *string `json:"ip,omitempty"`
}

// putBody is the PUT payload with every member a pointer, so that a missing member is told
// apart from a zero one.
type putBody struct {
	ConcurrentSessionPolicy *struct {
		UserLimit  *int32 `json:"userLimit"`
		AdminLimit *int32 `json:"adminLimit"`
	} `json:"concurrentSessionPolicyDto"`
	AutomaticLogout *struct {
		LogoutInactiveUsersEnabled *bool  `json:"logoutInactiveUsersEnabled"`
		UserInactivityTimeout      *int32 `json:"userInactivityTimeout"`
	} `json:"automaticLogoutDto"`
}

// Config returns the configuration the cluster holds now.
func (e *Emulator) Config() UserSessionsConfig {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.config
}

// SetConfig changes the configuration directly, as a change in the Cluster Management Console
// would. It applies the same validation as PUT.
func (e *Emulator) SetConfig(cfg UserSessionsConfig) error {
	if v := validateConfig(cfg); len(v) > 0 {
		return fmt.Errorf("invalid configuration: %s: %s", v[0].Path, v[0].Message)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.config = cfg
	return nil
}

func (e *Emulator) getConfig(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, e.Config())
}

// putConfig validates like the API (both objects and all members required, documented; limits
// >= 0, both limits 0 or both non-zero, timeout >= 1, no unknown fields: the documented rules
// and the assumed ones) and answers 200 (documented); a rejected PUT changes nothing.
func (e *Emulator) putConfig(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Could not read the request body: "+err.Error(), nil)
		return
	}
	if len(data) > maxRequestBody {
		writeError(w, http.StatusRequestEntityTooLarge, "The request body is larger than 1 MiB.", nil)
		return
	}
	var body putBody
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Could not map JSON: "+err.Error(), nil)
		return
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		writeError(w, http.StatusBadRequest, "Could not map JSON: unexpected data after the JSON object", nil)
		return
	}
	var violations []ConstraintViolation
	missing := func(path string) {
		violations = append(violations, violation(path, "must not be null"))
	}
	var cfg UserSessionsConfig
	if p := body.ConcurrentSessionPolicy; p == nil {
		missing("concurrentSessionPolicyDto")
	} else {
		if p.UserLimit == nil {
			missing("concurrentSessionPolicyDto.userLimit")
		} else {
			cfg.ConcurrentSessionPolicy.UserLimit = *p.UserLimit
		}
		if p.AdminLimit == nil {
			missing("concurrentSessionPolicyDto.adminLimit")
		} else {
			cfg.ConcurrentSessionPolicy.AdminLimit = *p.AdminLimit
		}
	}
	if a := body.AutomaticLogout; a == nil {
		missing("automaticLogoutDto")
	} else {
		if a.LogoutInactiveUsersEnabled == nil {
			missing("automaticLogoutDto.logoutInactiveUsersEnabled")
		} else {
			cfg.AutomaticLogout.LogoutInactiveUsersEnabled = *a.LogoutInactiveUsersEnabled
		}
		if a.UserInactivityTimeout == nil {
			missing("automaticLogoutDto.userInactivityTimeout")
		} else {
			cfg.AutomaticLogout.UserInactivityTimeout = *a.UserInactivityTimeout
		}
	}
	if len(violations) == 0 {
		violations = validateConfig(cfg)
	}
	if len(violations) > 0 {
		writeError(w, http.StatusBadRequest, "Constraints violated.", violations)
		return
	}
	e.mu.Lock()
	if e.maxTimeout > 0 && cfg.AutomaticLogout.UserInactivityTimeout > e.maxTimeout {
		cfg.AutomaticLogout.UserInactivityTimeout = e.maxTimeout // a normalising cluster (assumed)
	}
	e.config = cfg
	e.mu.Unlock()
	// Documented: 200 "Successful", no body. WithPutStatus(204) reproduces the docs' example.
	w.WriteHeader(e.putStatus)
}

// validateConfig applies the value rules of the API to a complete configuration.
func validateConfig(cfg UserSessionsConfig) []ConstraintViolation {
	var v []ConstraintViolation
	p := cfg.ConcurrentSessionPolicy
	if p.UserLimit < 0 {
		v = append(v, violation("concurrentSessionPolicyDto.userLimit", "must be greater than or equal to 0"))
	}
	if p.AdminLimit < 0 {
		v = append(v, violation("concurrentSessionPolicyDto.adminLimit", "must be greater than or equal to 0"))
	}
	if (p.UserLimit == 0) != (p.AdminLimit == 0) {
		v = append(v, violation("concurrentSessionPolicyDto",
			"userLimit and adminLimit must both be 0 (no limit) or both be greater than 0"))
	}
	if cfg.AutomaticLogout.UserInactivityTimeout < 1 {
		v = append(v, violation("automaticLogoutDto.userInactivityTimeout", "must be greater than or equal to 1"))
	}
	return v
}

func violation(path, message string) ConstraintViolation {
	return ConstraintViolation{Path: path, Message: message, ParameterLocation: "PAYLOAD_BODY"}
}

// Sessions returns the sessions of userID, or all sessions when userID is "", in the order the
// API serves them (the order of login).
func (e *Emulator) Sessions(userID string) []UserSession {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]UserSession, 0, len(e.sessions))
	for _, s := range e.sessions {
		if userID == "" || s.UserID == userID {
			out = append(out, s)
		}
	}
	return out
}

// listSessions answers the sessions as a plain array (documented). For a filtered list without
// sessions it answers as WithNoSessionsAnswer says (undocumented).
func (e *Emulator) listSessions(w http.ResponseWriter, r *http.Request) {
	userID := r.URL.Query().Get("userId")
	if userID == "" {
		data, err := e.allSessionsJSON()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeEncoded(w, http.StatusOK, data)
		return
	}
	sessions := e.Sessions(userID)
	if len(sessions) == 0 {
		switch e.noSessions {
		case NoSessionsNotFound:
			writeError(w, http.StatusNotFound, "User sessions not found.", nil)
			return
		case NoSessionsNoContent:
			w.WriteHeader(http.StatusNoContent)
			return
		case NoSessionsEmptyBody:
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	writeJSON(w, http.StatusOK, sessions)
}

// allSessionsJSON returns the JSON of every session. It is encoded once per change to the
// sessions, not on every request: a pipeline planning against an emulator seeded with tens of
// thousands of sessions lists them all on every plan.
func (e *Emulator) allSessionsJSON() ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.allJSON == nil {
		sessions := e.sessions
		if sessions == nil {
			sessions = []UserSession{} // [], never null
		}
		data, err := json.Marshal(sessions)
		if err != nil {
			return nil, err
		}
		e.allJSON = data
	}
	return e.allJSON, nil
}

// removeSessions ends every session of the user: 400 without userId, 404 when the user has none,
// otherwise 200 with an empty body.
func (e *Emulator) removeSessions(w http.ResponseWriter, r *http.Request) {
	userID := r.URL.Query().Get("userId")
	if userID == "" {
		writeError(w, http.StatusBadRequest, "User id must be filled in.", []ConstraintViolation{
			{Path: "userId", Message: "must not be empty", ParameterLocation: "QUERY"},
		})
		return
	}
	if n := e.RemoveSessions(userID); n == 0 {
		writeError(w, http.StatusNotFound, "User sessions not found for user "+userID+".", nil)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// RemoveSessions ends the sessions of userID and returns how many there were.
func (e *Emulator) RemoveSessions(userID string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	kept := e.sessions[:0]
	for _, s := range e.sessions {
		if s.UserID != userID {
			kept = append(kept, s)
		}
	}
	removed := len(e.sessions) - len(kept)
	clear(e.sessions[len(kept):])
	e.sessions = kept
	e.allJSON = nil
	return removed
}

// errInvalidSession is wrapped by AddSessions' errors.
var errInvalidSession = errors.New("invalid session")
