package emulator

import "fmt"

// AddSessions simulates logins. userId is required; a missing sessionId is generated, a missing
// creationTime is now, nodeId defaults to 1, tenantUuid to the cluster's UUID and loginType to
// LOCAL. It returns the sessions as stored.
func (e *Emulator) AddSessions(in []UserSession) ([]UserSession, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	existing := make(map[string]bool, len(e.sessions))
	for _, s := range e.sessions {
		existing[s.SessionID] = true
	}
	added := make([]UserSession, 0, len(in))
	for i, s := range in {
		if s.UserID == "" {
			return nil, fmt.Errorf("%w %d: userId is required", errInvalidSession, i)
		}
		if s.LoginType == "" {
			s.LoginType = "LOCAL"
		}
		if !validLoginType(s.LoginType) {
			return nil, fmt.Errorf("%w %d: loginType must be one of %v", errInvalidSession, i, LoginTypes)
		}
		if s.SessionID == "" {
			e.nextID++
			s.SessionID = fmt.Sprintf("EMU%029X", e.nextID)
		}
		if existing[s.SessionID] {
			return nil, fmt.Errorf("%w %d: sessionId %s exists already", errInvalidSession, i, s.SessionID)
		}
		existing[s.SessionID] = true
		if s.CreationTime == 0 {
			s.CreationTime = e.now().UnixMilli()
		}
		if s.NodeID == 0 {
			s.NodeID = 1
		}
		if s.TenantUUID == "" {
			s.TenantUUID = ClusterUUID
		}
		added = append(added, s)
	}
	e.sessions = append(e.sessions, added...)
	e.allJSON = nil
	return added, nil
}

func validLoginType(t string) bool {
	for _, known := range LoginTypes {
		if t == known {
			return true
		}
	}
	return false
}
