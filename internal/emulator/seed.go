package emulator

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// seedEpoch is the fixed "now" of seeded sessions, so that the same count always yields the same
// sessions: 2026-01-15T09:00:00Z.
var seedEpoch = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// LoginTypes are the login types the API knows.
var LoginTypes = []string{"LOCAL", "LDAP", "SSO_MANAGED", "DEVOPSTOKEN"}

var (
	seedUsers = []string{
		"admin", "jane.doe", "john.smith", "maria.garcia", "li.wei",
		"k.mueller", "sre.oncall", "ops.automation", "a.kowalski", "p.dubois",
	}
	seedTenants = []string{
		ClusterUUID, // Cluster Management Console logins
		"4f6e1a2b-8c3d-4e5f-9a0b-1c2d3e4f5a6b",
		"9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
		"e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
	}
	seedDevices = []string{
		"Chrome 131 on Windows 11", "Firefox 133 on Ubuntu 24.04", "Safari 18 on macOS 15",
		"Edge 131 on Windows 10", "Chrome 131 on macOS 15",
	}
)

// SeedSessions makes n sessions spread over ten users, three nodes, four tenants and all login
// types, with session ids of 32 hex digits and epoch-millisecond times in the eight hours before
// 2026-01-15T09:00:00Z. About one in five has no lastAccessedTimestamp, API-token
// (DEVOPSTOKEN) sessions have no device, and about one in seven has no ip: the API's optional
// fields. The result depends on n only.
func SeedSessions(n int) []UserSession {
	rng := rand.New(rand.NewPCG(0x5e55, 0x10de)) //nolint:gosec // a fixed seed on purpose: the same n gives the same sessions
	out := make([]UserSession, n)
	base := seedEpoch.UnixMilli()
	for i := range out {
		s := &out[i]
		s.UserID = seedUsers[i%len(seedUsers)]
		s.NodeID = int32(1 + rng.IntN(3))
		s.SessionID = fmt.Sprintf("%016X%016X", rng.Uint64(), rng.Uint64())
		s.CreationTime = base - rng.Int64N(8*3600*1000)
		s.TenantUUID = seedTenants[rng.IntN(len(seedTenants))]
		s.LoginType = LoginTypes[rng.IntN(len(LoginTypes))]
		if rng.IntN(5) != 0 {
			last := s.CreationTime + rng.Int64N(base-s.CreationTime+1)
			s.LastAccessedTimestamp = &last
		}
		if s.LoginType != "DEVOPSTOKEN" {
			device := seedDevices[rng.IntN(len(seedDevices))]
			s.Device = &device
		}
		if rng.IntN(7) != 0 {
			// Documentation address ranges (RFC 5737): realistic text, never a real host.
			ip := fmt.Sprintf("198.51.100.%d", 1+rng.IntN(254))
			s.IP = &ip
		}
	}
	return out
}
