package apiclient

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
