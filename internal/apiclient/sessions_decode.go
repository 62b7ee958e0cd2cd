package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeUserSessions decodes the answer of GET /userSessions: a JSON array of UserSession
// objects. It is a scanner for that one shape rather than encoding/json, because a large cluster
// answers with tens of thousands of sessions on every plan: it makes no reflection calls and
// allocates the optional fields from three slabs.
//
// Its rules: no body and null are an empty list (tolerated answers for "no sessions"); keys
// match exactly (a differently cased key counts as unknown); unknown keys are skipped whatever
// their value; a repeated key keeps its last value; a session without one of the fields the API
// requires (userId, nodeId, sessionId, creationTime, tenantUuid, loginType), or with null there,
// is an error naming it; optional fields (lastAccessedTimestamp, device, ip) may be absent or
// null. Numbers must be integers in the field's range. loginType values the API may add pass
// through unchanged.
func decodeUserSessions(body []byte) ([]UserSession, error) {
	// The strings of the sessions are cut from one copy of the body rather than copied one by
	// one, and the body's UTF-8 is checked once: tens of thousands of small allocations fewer.
	// That copy lives as long as any session's string does (for a read, until its state is
	// written).
	s := scanner{data: body, text: string(body), validUTF8: utf8.Valid(body)}
	s.space()
	if s.pos == len(s.data) {
		return []UserSession{}, nil
	}
	if s.literal("null") {
		if s.space(); s.pos != len(s.data) {
			return nil, s.fail("data after null")
		}
		return []UserSession{}, nil
	}
	if !s.consume('[') {
		return nil, s.fail("a JSON array of sessions expected")
	}
	// The slabs are sized for one session per '{', but never for more sessions than the body
	// could hold: a session with its six required fields takes at least minSessionJSON bytes.
	estimate := min(bytes.Count(body, []byte{'{'}), len(body)/minSessionJSON+1)
	out := make([]UserSession, 0, estimate)
	lastAccessed := make([]int64, 0, estimate)
	optional := make([]string, 0, 2*estimate)
	s.space()
	if s.consume(']') {
		return out, s.end()
	}
	for {
		var u UserSession
		var seen fieldSet
		if err := s.session(&u, &seen, &lastAccessed, &optional); err != nil {
			return nil, fmt.Errorf("session %d: %w", len(out), err)
		}
		if missing := seen.missing(); missing != "" {
			return nil, fmt.Errorf("session %d lacks %s", len(out), missing)
		}
		out = append(out, u)
		s.space()
		if s.consume(',') {
			s.space()
			continue
		}
		if s.consume(']') {
			return out, s.end()
		}
		return nil, s.fail("',' or ']' expected after a session")
	}
}

// minSessionJSON is the length of the shortest session the API can send:
// {"userId":"","nodeId":0,"sessionId":"","creationTime":0,"tenantUuid":"","loginType":""}.
const minSessionJSON = 87

// fieldSet records which required fields a session had.
type fieldSet uint8

const (
	hasUserID fieldSet = 1 << iota
	hasNodeID
	hasSessionID
	hasCreationTime
	hasTenantUUID
	hasLoginType
	allRequired = hasUserID | hasNodeID | hasSessionID | hasCreationTime | hasTenantUUID | hasLoginType
)

func (f fieldSet) missing() string {
	if f == allRequired {
		return ""
	}
	var names []string
	for _, r := range []struct {
		bit  fieldSet
		name string
	}{{hasUserID, "userId"}, {hasNodeID, "nodeId"}, {hasSessionID, "sessionId"}, {hasCreationTime, "creationTime"},
		{hasTenantUUID, "tenantUuid"}, {hasLoginType, "loginType"}} {
		if f&r.bit == 0 {
			names = append(names, r.name)
		}
	}
	return strings.Join(names, ", ")
}

// session decodes one object into u.
func (s *scanner) session(u *UserSession, seen *fieldSet, lastAccessed *[]int64, optional *[]string) error {
	if !s.consume('{') {
		return s.fail("a JSON object expected")
	}
	s.space()
	if s.consume('}') {
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		s.space()
		if !s.consume(':') {
			return s.fail("':' expected")
		}
		s.space()
		if err := s.member(key, u, seen, lastAccessed, optional); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		s.space()
		if s.consume(',') {
			s.space()
			continue
		}
		if s.consume('}') {
			return nil
		}
		return s.fail("',' or '}' expected")
	}
}

// member decodes the value of key.
func (s *scanner) member(key string, u *UserSession, seen *fieldSet, lastAccessed *[]int64, optional *[]string) error {
	required := func(bit fieldSet, set func() error) error {
		if s.literal("null") {
			*seen &^= bit
			return nil
		}
		if err := set(); err != nil {
			return err
		}
		*seen |= bit
		return nil
	}
	var err error
	switch key {
	case "userId":
		return required(hasUserID, func() error { u.UserID, err = s.str(); return err })
	case "sessionId":
		return required(hasSessionID, func() error { u.SessionID, err = s.str(); return err })
	case "tenantUuid":
		return required(hasTenantUUID, func() error { u.TenantUUID, err = s.str(); return err })
	case "loginType":
		return required(hasLoginType, func() error { u.LoginType, err = s.str(); return err })
	case "nodeId":
		return required(hasNodeID, func() error {
			n, err := s.integer(math.MinInt32, math.MaxInt32)
			u.NodeID = int32(n)
			return err
		})
	case "creationTime":
		return required(hasCreationTime, func() error { u.CreationTime, err = s.integer(math.MinInt64, math.MaxInt64); return err })
	case "lastAccessedTimestamp":
		if s.literal("null") {
			u.LastAccessedTimestamp = nil
			return nil
		}
		n, err := s.integer(math.MinInt64, math.MaxInt64)
		if err != nil {
			return err
		}
		*lastAccessed = append(*lastAccessed, n)
		u.LastAccessedTimestamp = &(*lastAccessed)[len(*lastAccessed)-1]
		return nil
	case "device", "ip":
		target := &u.Device
		if key == "ip" {
			target = &u.IP
		}
		if s.literal("null") {
			*target = nil
			return nil
		}
		v, err := s.str()
		if err != nil {
			return err
		}
		*optional = append(*optional, v)
		*target = &(*optional)[len(*optional)-1]
		return nil
	}
	return s.skip(0)
}

// scanner reads JSON from data. text is data as a string, which strings without escapes and
// numbers are cut from; validUTF8 says data is valid UTF-8 throughout.
type scanner struct {
	data      []byte
	text      string
	validUTF8 bool
	pos       int
}

func (s *scanner) fail(what string) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", s.pos, what)
}

func (s *scanner) end() error {
	s.space()
	if s.pos != len(s.data) {
		return s.fail("data after the array")
	}
	return nil
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) consume(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) literal(word string) bool {
	if bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		s.pos += len(word)
		return true
	}
	return false
}

// str reads a JSON string. One without escapes is copied as it is; one with escapes is decoded
// by encoding/json, which knows every escape and surrogate pair.
func (s *scanner) str() (string, error) {
	if !s.consume('"') {
		return "", s.fail("a string expected")
	}
	start := s.pos
	escaped := false
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			raw := s.data[start:s.pos]
			s.pos++
			if !escaped && (s.validUTF8 || utf8.Valid(raw)) {
				return s.text[start : s.pos-1], nil
			}
			// Escapes, or invalid UTF-8 (which encoding/json replaces with U+FFFD).
			var v string
			if err := json.Unmarshal(s.data[start-1:s.pos], &v); err != nil {
				return "", fmt.Errorf("invalid JSON string: %w", err)
			}
			return v, nil
		case c == '\\':
			escaped = true
			s.pos += 2
		case c < 0x20:
			return "", s.fail("a control character in a string")
		default:
			s.pos++
		}
	}
	return "", s.fail("an unterminated string")
}

// integer reads a JSON number that must be an integer within [lo, hi].
func (s *scanner) integer(lo, hi int64) (int64, error) {
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.pos++
			continue
		}
		break
	}
	text := s.text[start:s.pos]
	if text == "" {
		return 0, s.fail("a number expected")
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		var numErr *strconv.NumError
		if errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s is out of range", text)
		}
		return 0, fmt.Errorf("%s is not an integer", text)
	}
	if text[0] == '+' || (len(text) > 1 && text[0] == '0') || (len(text) > 2 && text[0] == '-' && text[1] == '0') {
		return 0, fmt.Errorf("%s is not a JSON integer", text)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%s is out of range", text)
	}
	return n, nil
}

// skip passes over any JSON value (an unknown member); depth bounds nesting.
func (s *scanner) skip(depth int) error {
	if depth > 64 {
		return s.fail("nesting too deep")
	}
	if s.pos >= len(s.data) {
		return s.fail("a value expected")
	}
	switch c := s.data[s.pos]; {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{' || c == '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		s.pos++
		s.space()
		if s.consume(closing) {
			return nil
		}
		for {
			if c == '{' {
				if _, err := s.str(); err != nil {
					return err
				}
				s.space()
				if !s.consume(':') {
					return s.fail("':' expected")
				}
				s.space()
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			s.space()
			if s.consume(',') {
				s.space()
				continue
			}
			if s.consume(closing) {
				return nil
			}
			return s.fail("',' or the end of a value expected")
		}
	case s.literal("true"), s.literal("false"), s.literal("null"):
		return nil
	default:
		start := s.pos
		for s.pos < len(s.data) && strings.IndexByte("+-0123456789.eE", s.data[s.pos]) >= 0 {
			s.pos++
		}
		if !json.Valid(s.data[start:s.pos]) {
			return s.fail("a value expected")
		}
		return nil
	}
}
