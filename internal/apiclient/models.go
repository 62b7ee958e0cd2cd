package apiclient

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// UserSessionsConfig is the cluster's user session policy (Cluster API v2 model
// UserSessionsConfig). Both members are required by the API.
type UserSessionsConfig struct {
	ConcurrentSessionPolicy ConcurrentSessionPolicy `json:"concurrentSessionPolicyDto"`
	AutomaticLogout         AutomaticLogout         `json:"automaticLogoutDto"`
}

// ConcurrentSessionPolicy limits how many sessions one user may hold at once. 0 means no limit;
// the API requires both limits to be 0 or both to be non-zero.
type ConcurrentSessionPolicy struct {
	UserLimit  int32 `json:"userLimit"`
	AdminLimit int32 `json:"adminLimit"`
}

// AutomaticLogout ends the sessions of users who have been inactive for UserInactivityTimeout
// seconds, when enabled. The API requires the timeout (minimum 1) even when disabled.
type AutomaticLogout struct {
	LogoutInactiveUsersEnabled bool  `json:"logoutInactiveUsersEnabled"`
	UserInactivityTimeout      int32 `json:"userInactivityTimeout"`
}

// UserSession is one session of a user on a cluster node (Cluster API v2 model UserSession).
// Optional fields are pointers so that "absent" stays distinguishable from a zero value.
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

// UserKey is the form in which user ids are compared: Unicode NFC. Terraform keeps every string
// of a configuration in NFC, while a cluster may hold an id decomposed (NFD, as LDAP directories
// and accounts made on macOS often do); compared byte for byte, "José" in a configuration would
// not name the cluster's "Jose\u0301". Requests still send an id exactly as the cluster listed it.
func UserKey(id string) string { return norm.NFC.String(id) }

// SameUser reports whether two user ids name the same user: equal in NFC (see UserKey).
func SameUser(a, b string) bool { return a == b || UserKey(a) == UserKey(b) }

// NormalizationInvariant reports whether id has one form only (ASCII, say): a filtered request
// for it cannot miss a session the cluster holds under another normal form.
func NormalizationInvariant(id string) bool {
	return norm.NFC.IsNormalString(id) && norm.NFD.IsNormalString(id)
}

// LoginTypes are the loginType values the API documents; it warns that more may be added, and
// clients must let new ones through.
var LoginTypes = []string{"LOCAL", "LDAP", "SSO_MANAGED", "DEVOPSTOKEN"}

// MaxNodeID is the largest nodeId (an int32 in the API's model).
const MaxNodeID = math.MaxInt32

// Bounds of the policy's fields, from the API's models and rules: limits are int32 and 0 means
// no limit; the timeout is an int32 of at least 1 second.
const (
	MaxSessionLimit          = math.MaxInt32
	MinUserInactivityTimeout = 1
	MaxUserInactivityTimeout = math.MaxInt32
)

// Validate checks cfg against the API's rules: both limits 0 (no limit) or both greater than 0,
// never negative, and an inactivity timeout of at least 1 second. The error names each field
// that breaks a rule, under its API name, with its value.
func (cfg UserSessionsConfig) Validate() error {
	var problems []string
	p, a := cfg.ConcurrentSessionPolicy, cfg.AutomaticLogout
	if p.UserLimit < 0 {
		problems = append(problems, fmt.Sprintf("concurrentSessionPolicyDto.userLimit is %d: a limit is 0 (no limit) or more", p.UserLimit))
	}
	if p.AdminLimit < 0 {
		problems = append(problems, fmt.Sprintf("concurrentSessionPolicyDto.adminLimit is %d: a limit is 0 (no limit) or more", p.AdminLimit))
	}
	if p.UserLimit >= 0 && p.AdminLimit >= 0 && (p.UserLimit == 0) != (p.AdminLimit == 0) {
		problems = append(problems, fmt.Sprintf("concurrentSessionPolicyDto.userLimit is %d and adminLimit is %d: "+
			"both limits are 0 or both are greater than 0", p.UserLimit, p.AdminLimit))
	}
	if a.UserInactivityTimeout < MinUserInactivityTimeout {
		problems = append(problems, fmt.Sprintf("automaticLogoutDto.userInactivityTimeout is %d: the timeout is at least %d second",
			a.UserInactivityTimeout, MinUserInactivityTimeout))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}
