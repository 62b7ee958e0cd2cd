package provider

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// The one read of the sessions. A read configuration (user_id and the filters) comes in as the
// protocol's msgpack, one GET /userSessions answers it, the provider filters and sorts, and the
// result goes out as msgpack in the shape of the schema's type. The shape is written once, in the
// schema (userSessionsAttributes); sessionsStateWriter takes its attribute names and their order
// from the schema's type and fails to build when a name has no writer or a writer no name. The
// msgpack is written straight from the sessions: building framework or tftypes values for tens of
// thousands of sessions costs more than the rest of the read together (BENCHMARKS.md).

// sessionsQuery is a read's configuration: what to ask the API (user_id) and what the provider
// filters and leaves out itself (the API filters by user only). Nil is "not set".
type sessionsQuery struct {
	cluster                       *string // the cluster read (nil: the default cluster)
	userID, loginType, tenantUUID *string
	nodeID                        *int64
	excludePersonalData           *bool
	// createdBefore and lastAccessedBefore select by time: as configured (RFC 3339), and in
	// milliseconds since the epoch.
	createdBefore, lastAccessedBefore *timeBound
}

// timeBound is a selection by time: the configured text, echoed into state, and its instant in
// the API's unit (milliseconds since the Unix epoch).
type timeBound struct {
	text string
	ms   int64
}

// newTimeBound parses an RFC 3339 time; nil for nil.
func newTimeBound(text *string) (*timeBound, error) {
	if text == nil {
		return nil, nil
	}
	ms, err := parseTime(*text)
	if err != nil {
		return nil, err
	}
	return &timeBound{text: *text, ms: ms}, nil
}

// textOf is b's configured text, nil for nil.
func (b *timeBound) textOf() *string {
	if b == nil {
		return nil
	}
	return &b.text
}

// sessionsReader is the one read of the sessions, for every object that reads them: the
// configuration's type (a read echoes its configuration, so it is also the state's) and the writer
// built from it.
type sessionsReader struct {
	typ    tftypes.Object
	writer *stateWriter
}

// newSessionsReader builds the read of objects whose schema has the type typ; it fails when the
// writer does not follow the schema.
func newSessionsReader(typ tftypes.Object) (*sessionsReader, error) {
	writer, err := sessionsStateWriter(typ)
	if err != nil {
		return nil, err
	}
	return &sessionsReader{typ: typ, writer: writer}, nil
}

// read answers a read of config with client: the state as msgpack, or error diagnostics;
// warnings may come with a state.
func (r *sessionsReader) read(ctx context.Context, clusters *fleet, config *tfprotov6.DynamicValue) ([]byte, diag.Diagnostics) {
	var diags diag.Diagnostics
	q, err := queryFromConfig(r.typ, config)
	if err != nil {
		diags.AddError("Unable to Read the Configuration", err.Error())
		return nil, diags
	}
	client := clusters.client(types.StringPointerValue(q.cluster), path.Root("cluster"), &diags)
	if client == nil {
		return nil, diags
	}
	sessions, others, err := client.ListUserSessions(ctx, q.apiUserID())
	if err != nil {
		addAPIError(&diags, "Unable to List User Sessions", err)
		return nil, diags
	}
	warnOtherUsers(&diags, q.apiUserID(), others)
	return r.writer.write(q, q.selectSessions(sessions)), diags
}

// queryFromConfig decodes a read's configuration.
func queryFromConfig(typ tftypes.Object, config *tfprotov6.DynamicValue) (sessionsQuery, error) {
	var q sessionsQuery
	if config == nil {
		return q, fmt.Errorf("no configuration")
	}
	value, err := config.Unmarshal(typ)
	if err != nil {
		return q, err
	}
	if !value.IsFullyKnown() {
		return q, fmt.Errorf("the configuration holds values not known yet")
	}
	var attrs map[string]tftypes.Value
	if err := value.As(&attrs); err != nil {
		return q, err
	}
	for name, target := range map[string]**string{"cluster": &q.cluster, "user_id": &q.userID, "login_type": &q.loginType, "tenant_uuid": &q.tenantUUID} {
		if err := attrs[name].As(target); err != nil {
			return q, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := attrs["exclude_personal_data"].As(&q.excludePersonalData); err != nil {
		return q, fmt.Errorf("exclude_personal_data: %w", err)
	}
	for name, target := range map[string]**timeBound{"created_before": &q.createdBefore, "last_accessed_before": &q.lastAccessedBefore} {
		var text *string
		if err := attrs[name].As(&text); err != nil {
			return q, fmt.Errorf("%s: %w", name, err)
		}
		bound, err := newTimeBound(text)
		if err != nil {
			return q, fmt.Errorf("%s must be an RFC 3339 time with a time zone, such as \"2026-12-05T14:05:00Z\": %w", name, err)
		}
		*target = bound
	}
	var node *big.Float
	if err := attrs["node_id"].As(&node); err != nil {
		return q, fmt.Errorf("node_id: %w", err)
	}
	if node != nil {
		n, _ := node.Int64() // validated to be a whole number in range
		q.nodeID = &n
	}
	return q, nil
}

// apiUserID is the userId the API is asked for ("" for every user).
func (q sessionsQuery) apiUserID() string {
	if q.userID == nil {
		return ""
	}
	return *q.userID
}

// filters reports whether q sets a filter the provider applies (all but user_id, which the API
// applies).
func (q sessionsQuery) filters() bool {
	return q.loginType != nil || q.nodeID != nil || q.tenantUUID != nil || q.createdBefore != nil || q.lastAccessedBefore != nil
}

// describe names the filters q sets, as a configuration writes them.
func (q sessionsQuery) describe() string {
	var parts []string
	if q.loginType != nil {
		parts = append(parts, fmt.Sprintf("login_type = %q", *q.loginType))
	}
	if q.nodeID != nil {
		parts = append(parts, fmt.Sprintf("node_id = %d", *q.nodeID))
	}
	if q.tenantUUID != nil {
		parts = append(parts, fmt.Sprintf("tenant_uuid = %q", *q.tenantUUID))
	}
	if q.createdBefore != nil {
		parts = append(parts, fmt.Sprintf("created_before = %q", q.createdBefore.text))
	}
	if q.lastAccessedBefore != nil {
		parts = append(parts, fmt.Sprintf("last_accessed_before = %q", q.lastAccessedBefore.text))
	}
	return strings.Join(parts, ", ")
}

// inTime reports whether s matches the selections by time: created strictly before
// created_before, and last accessed strictly before last_accessed_before. A session without
// lastAccessedTimestamp (optional in the API) counts as last accessed when it was created: it
// has not been reported used since.
func (q sessionsQuery) inTime(s *apiclient.UserSession) bool {
	if q.createdBefore != nil && s.CreationTime >= q.createdBefore.ms {
		return false
	}
	if q.lastAccessedBefore != nil {
		last := s.CreationTime
		if s.LastAccessedTimestamp != nil {
			last = *s.LastAccessedTimestamp
		}
		if last >= q.lastAccessedBefore.ms {
			return false
		}
	}
	return true
}

// selectSessions applies the filters the provider owns (tenant_uuid in any case: a UUID's hex
// digits are case-insensitive), leaves out personal data when asked,
// and sorts (see compareSessions). It sorts pointers: a session is about a hundred bytes, and
// sorting the sessions themselves would move them on every swap.
func (q sessionsQuery) selectSessions(sessions []apiclient.UserSession) []*apiclient.UserSession {
	kept := make([]*apiclient.UserSession, 0, len(sessions))
	for i := range sessions {
		s := &sessions[i]
		if (q.loginType != nil && s.LoginType != *q.loginType) || (q.tenantUUID != nil && !strings.EqualFold(s.TenantUUID, *q.tenantUUID)) ||
			(q.nodeID != nil && int64(s.NodeID) != *q.nodeID) || !q.inTime(s) {
			continue
		}
		if q.excludePersonalData != nil && *q.excludePersonalData {
			s.Device, s.IP = nil, nil
		}
		kept = append(kept, s)
	}
	slices.SortFunc(kept, compareSessions)
	return kept
}

// compareSessions is the documented order, by user_id, then creation_time (oldest first), then
// session_id, made total by the remaining fields: a session two nodes report under one id, or a
// repeated entry, never swaps places between two reads of the same answer. cmp.Or evaluates all
// its arguments, so the comparisons come in two steps: most pairs differ in user or creation
// time, and only the others pay for the rest.
func compareSessions(a, b *apiclient.UserSession) int {
	if c := cmp.Or(strings.Compare(a.UserID, b.UserID), cmp.Compare(a.CreationTime, b.CreationTime)); c != 0 {
		return c
	}
	return cmp.Or(
		strings.Compare(a.SessionID, b.SessionID),
		cmp.Compare(a.NodeID, b.NodeID),
		strings.Compare(a.TenantUUID, b.TenantUUID),
		strings.Compare(a.LoginType, b.LoginType),
		compareOptional(a.LastAccessedTimestamp, b.LastAccessedTimestamp),
		compareOptional(a.Device, b.Device),
		compareOptional(a.IP, b.IP),
	)
}

// compareOptional orders an absent value before any present one.
func compareOptional[T cmp.Ordered](a, b *T) int {
	if a == nil || b == nil {
		return cmp.Compare(boolInt(a != nil), boolInt(b != nil))
	}
	return cmp.Compare(*a, *b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stateWriter writes a read's state: the attributes in the order of the schema's type, each with
// its writer; the writer of sessions is nil here, as stateWriter.write writes the list itself with
// the element's writers.
type stateWriter struct {
	topNames     []string
	top          []func(*msgpackWriter, sessionsQuery, []*apiclient.UserSession)
	sessionNames []string
	session      []func(*msgpackWriter, *apiclient.UserSession)
}

// write is the state of q's read, with the selected, sorted sessions, as msgpack.
func (w *stateWriter) write(q sessionsQuery, sessions []*apiclient.UserSession) []byte {
	// About 330 bytes a session: the nine attribute names (114 bytes) and the values.
	out := msgpackWriter{buf: make([]byte, 0, 256+len(sessions)*360)}
	out.mapHeader(len(w.topNames))
	for i, name := range w.topNames {
		out.str(name)
		if w.top[i] != nil {
			w.top[i](&out, q, sessions)
			continue
		}
		out.arrayHeader(len(sessions))
		for j := range sessions {
			out.mapHeader(len(w.sessionNames))
			for k, field := range w.sessionNames {
				out.str(field)
				w.session[k](&out, sessions[j])
			}
		}
	}
	return out.buf
}

// topWriters write the read's attributes but sessions: the configuration echoed (null where
// unset), the sessions' count and their count per user.
var topWriters = map[string]func(*msgpackWriter, sessionsQuery, []*apiclient.UserSession){
	"cluster":     func(w *msgpackWriter, q sessionsQuery, _ []*apiclient.UserSession) { w.optionalStr(q.cluster) },
	"user_id":     func(w *msgpackWriter, q sessionsQuery, _ []*apiclient.UserSession) { w.optionalStr(q.userID) },
	"login_type":  func(w *msgpackWriter, q sessionsQuery, _ []*apiclient.UserSession) { w.optionalStr(q.loginType) },
	"node_id":     func(w *msgpackWriter, q sessionsQuery, _ []*apiclient.UserSession) { w.optionalInt(q.nodeID) },
	"tenant_uuid": func(w *msgpackWriter, q sessionsQuery, _ []*apiclient.UserSession) { w.optionalStr(q.tenantUUID) },
	"created_before": func(w *msgpackWriter, q sessionsQuery, _ []*apiclient.UserSession) {
		w.optionalStr(q.createdBefore.textOf())
	},
	"last_accessed_before": func(w *msgpackWriter, q sessionsQuery, _ []*apiclient.UserSession) {
		w.optionalStr(q.lastAccessedBefore.textOf())
	},
	"exclude_personal_data": func(w *msgpackWriter, q sessionsQuery, _ []*apiclient.UserSession) {
		if q.excludePersonalData == nil {
			w.null()
			return
		}
		w.bool(*q.excludePersonalData)
	},
	"session_count": func(w *msgpackWriter, _ sessionsQuery, s []*apiclient.UserSession) { w.int(int64(len(s))) },
	"sessions_per_user": func(w *msgpackWriter, _ sessionsQuery, s []*apiclient.UserSession) {
		users, counts := sessionsPerUser(s)
		w.mapHeader(len(users))
		for i, u := range users {
			w.str(u)
			w.int(counts[i])
		}
	},
}

// sessionWriters write the attributes of one element of sessions: the API's nine fields, the
// optional ones null when the API left them out.
var sessionWriters = map[string]func(*msgpackWriter, *apiclient.UserSession){
	"user_id":                 func(w *msgpackWriter, s *apiclient.UserSession) { w.str(s.UserID) },
	"node_id":                 func(w *msgpackWriter, s *apiclient.UserSession) { w.int(int64(s.NodeID)) },
	"session_id":              func(w *msgpackWriter, s *apiclient.UserSession) { w.str(s.SessionID) },
	"creation_time":           func(w *msgpackWriter, s *apiclient.UserSession) { w.int(s.CreationTime) },
	"last_accessed_timestamp": func(w *msgpackWriter, s *apiclient.UserSession) { w.optionalInt(s.LastAccessedTimestamp) },
	"tenant_uuid":             func(w *msgpackWriter, s *apiclient.UserSession) { w.str(s.TenantUUID) },
	"login_type":              func(w *msgpackWriter, s *apiclient.UserSession) { w.str(s.LoginType) },
	"device":                  func(w *msgpackWriter, s *apiclient.UserSession) { w.optionalStr(s.Device) },
	"ip":                      func(w *msgpackWriter, s *apiclient.UserSession) { w.optionalStr(s.IP) },
}

// sessionsStateWriter builds the writer of a state of type typ: its attribute names in sorted
// order (as Terraform's own msgpack encoding writes them), each with its writer. A name without a
// writer, or a writer without a name, is an error: the writer follows the schema or does not
// build.
func sessionsStateWriter(typ tftypes.Object) (*stateWriter, error) {
	list, isList := typ.AttributeTypes["sessions"].(tftypes.List)
	if !isList {
		return nil, fmt.Errorf("the schema has no list named sessions")
	}
	element, isObject := list.ElementType.(tftypes.Object)
	if !isObject {
		return nil, fmt.Errorf("the elements of sessions are not objects")
	}
	others := maps.Clone(typ.AttributeTypes)
	delete(others, "sessions")
	w := &stateWriter{}
	var err error
	if w.topNames, w.top, err = writersFor(others, topWriters); err != nil {
		return nil, err
	}
	at, _ := slices.BinarySearch(w.topNames, "sessions")
	w.topNames, w.top = slices.Insert(w.topNames, at, "sessions"), slices.Insert(w.top, at, nil)
	if w.sessionNames, w.session, err = writersFor(element.AttributeTypes, sessionWriters); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return w, nil
}

// writersFor orders writers as the sorted names of attributes; every attribute needs a writer and
// every writer an attribute.
func writersFor[F any](attributes map[string]tftypes.Type, writers map[string]F) ([]string, []F, error) {
	names := slices.Sorted(maps.Keys(attributes))
	out := make([]F, len(names))
	for i, name := range names {
		f, ok := writers[name]
		if !ok {
			return nil, nil, fmt.Errorf("the schema's attribute %s has no writer", name)
		}
		out[i] = f
	}
	if len(writers) != len(names) {
		return nil, nil, fmt.Errorf("%d writers for %d attributes: a writer has no attribute in the schema", len(writers), len(names))
	}
	return names, out, nil
}

// sessionsPerUser counts the sorted sessions per user, in user order. Users are keyed in NFC
// (apiclient.UserKey): Terraform keeps strings in NFC, so two ids that differ only in normal form
// are one key there, and their counts are added here rather than one lost.
func sessionsPerUser(sessions []*apiclient.UserSession) (users []string, counts []int64) {
	mixed := false // an id with more than one normal form was seen
	for i := range sessions {
		id := sessions[i].UserID
		if n := len(users); n > 0 && users[n-1] == id {
			counts[n-1]++
			continue
		}
		mixed = mixed || !apiclient.NormalizationInvariant(id)
		users, counts = append(users, id), append(counts, 1)
	}
	if !mixed {
		return users, counts
	}
	byKey := map[string]int64{}
	for i, u := range users {
		byKey[apiclient.UserKey(u)] += counts[i]
	}
	users = slices.Sorted(maps.Keys(byKey))
	counts = counts[:0]
	for _, u := range users {
		counts = append(counts, byKey[u])
	}
	return users, counts
}
