package provider

import (
	"encoding/binary"
	"math"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// sessionAttributeNames are the attributes of one element of the data source's sessions list,
// in the sorted order Terraform's msgpack encoding uses. TestSessionsMsgPackMatchesSchema keeps
// them equal to the schema.
var sessionAttributeNames = []string{
	"creation_time", "device", "ip", "last_accessed_timestamp", "login_type", "node_id", "session_id", "tenant_uuid", "user_id",
}

// stateAttributeNames are the data source's top-level attributes in sorted order, as
// encodeSessionsState writes them.
var stateAttributeNames = []string{
	"exclude_personal_data", "login_type", "node_id", "session_count", "sessions", "sessions_per_user", "tenant_uuid", "user_id",
}

// encodeSessionsState writes the data source's whole state as the msgpack the protocol carries,
// straight from the selected, sorted sessions: no intermediate framework or tftypes values,
// which cost most of a large read. The configuration q is echoed (null where unset); optional
// fields the API left out are nulls.
func encodeSessionsState(q sessionsQuery, sessions []apiclient.UserSession) []byte {
	// About 330 bytes a session: the nine attribute names (114 bytes) and the values.
	e := msgpackWriter{buf: make([]byte, 0, 256+len(sessions)*360)}
	e.mapHeader(len(stateAttributeNames))
	e.str("exclude_personal_data")
	if q.excludePersonalData == nil {
		e.null()
	} else {
		e.bool(*q.excludePersonalData)
	}
	e.str("login_type")
	e.optionalStr(q.loginType)
	e.str("node_id")
	e.optionalInt(q.nodeID)
	e.str("session_count")
	e.int(int64(len(sessions)))
	e.str("sessions")
	e.arrayHeader(len(sessions))
	for i := range sessions {
		s := &sessions[i]
		e.mapHeader(len(sessionAttributeNames))
		e.str("creation_time")
		e.int(s.CreationTime)
		e.str("device")
		e.optionalStr(s.Device)
		e.str("ip")
		e.optionalStr(s.IP)
		e.str("last_accessed_timestamp")
		e.optionalInt(s.LastAccessedTimestamp)
		e.str("login_type")
		e.str(s.LoginType)
		e.str("node_id")
		e.int(int64(s.NodeID))
		e.str("session_id")
		e.str(s.SessionID)
		e.str("tenant_uuid")
		e.str(s.TenantUUID)
		e.str("user_id")
		e.str(s.UserID)
	}
	users, counts := sessionsPerUser(sessions)
	e.str("sessions_per_user")
	e.mapHeader(len(users))
	for i, u := range users {
		e.str(u)
		e.int(counts[i])
	}
	e.str("tenant_uuid")
	e.optionalStr(q.tenantUUID)
	e.str("user_id")
	e.optionalStr(q.userID)
	return e.buf
}

// msgpackWriter appends msgpack (the subset Terraform's values need) to buf.
type msgpackWriter struct {
	buf []byte
}

func (e *msgpackWriter) null() { e.buf = append(e.buf, 0xc0) }

func (e *msgpackWriter) bool(b bool) {
	if b {
		e.buf = append(e.buf, 0xc3)
	} else {
		e.buf = append(e.buf, 0xc2)
	}
}

func (e *msgpackWriter) optionalInt(n *int64) {
	if n == nil {
		e.null()
		return
	}
	e.int(*n)
}

func (e *msgpackWriter) mapHeader(n int)   { e.header(n, 0x80, 0xde, 0xdf) }
func (e *msgpackWriter) arrayHeader(n int) { e.header(n, 0x90, 0xdc, 0xdd) }

// header writes the length of a map or an array: in the fix form below 16, else in the 16-bit
// or 32-bit form.
func (e *msgpackWriter) header(n int, fix, form16, form32 byte) {
	switch {
	case n < 16:
		e.buf = append(e.buf, fix|byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, form16), uint16(n))
	default:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, form32), uint32(n)) //nolint:gosec // lengths are below 2^32
	}
}

func (e *msgpackWriter) str(s string) {
	n := len(s)
	switch {
	case n < 32:
		e.buf = append(e.buf, 0xa0|byte(n))
	case n <= math.MaxUint8:
		e.buf = append(e.buf, 0xd9, byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xda), uint16(n))
	default:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdb), uint32(n)) //nolint:gosec // lengths are below 2^32
	}
	e.buf = append(e.buf, s...)
}

func (e *msgpackWriter) optionalStr(s *string) {
	if s == nil {
		e.null()
		return
	}
	e.str(*s)
}

// int writes n in the smallest msgpack integer form.
func (e *msgpackWriter) int(n int64) {
	switch {
	case n >= 0 && n < 128:
		e.buf = append(e.buf, byte(n))
	case n < 0 && n >= -32:
		e.buf = append(e.buf, byte(n)) //nolint:gosec // negative fixint is the low byte
	case n >= math.MinInt32 && n <= math.MaxInt32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xd2), uint32(int32(n))) //nolint:gosec // two's complement on purpose
	default:
		e.buf = binary.BigEndian.AppendUint64(append(e.buf, 0xd3), uint64(n)) //nolint:gosec // two's complement on purpose
	}
}
