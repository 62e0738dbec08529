package agentos

import (
	"context"
	"encoding/json"
)

// Session is one conversation: its owner, the component it belongs to and its
// free-form data. Runs are stored apart and read through SessionStore.ListRuns.
//
// Empty strings stand for absent ids. Free-form objects are raw JSON and are
// nil when absent.
type Session struct {
	ID         string
	Type       SessionType
	AgentID    string
	TeamID     string
	WorkflowID string
	// UserID is the owner. Nil means the session has no owner, which differs
	// from an owner whose id is the empty string.
	UserID *string

	// Name is the explicit session name (session_data.session_name), nil when
	// no client or product has set one.
	Name *string
	// DerivedName is the name shown when Name is nil, computed by DeriveName
	// from the session's first runs and kept up to date by the store.
	DerivedName string

	State   json.RawMessage // session_data.session_state
	Metrics json.RawMessage // session_data.session_metrics, the running totals
	// Data holds the other keys of session_data, which older agno versions
	// wrote and which must survive a rewrite. It never holds session_name,
	// session_state or session_metrics.
	Data json.RawMessage

	AgentData    json.RawMessage
	TeamData     json.RawMessage
	WorkflowData json.RawMessage
	Metadata     json.RawMessage
	Summary      json.RawMessage

	CreatedAt int64 // Unix seconds, UTC
	UpdatedAt int64 // Unix seconds, UTC, never before CreatedAt

	RunCount int // number of stored runs, filled by reads
}

// DisplayName returns the name clients see: the explicit name when set,
// otherwise the derived one.
func (s *Session) DisplayName() string {
	if s.Name != nil {
		return *s.Name
	}
	return s.DerivedName
}

// ComponentID returns the id of the agent, team or workflow that matches the
// session's type.
func (s *Session) ComponentID() string {
	switch s.Type {
	case SessionTypeTeam:
		return s.TeamID
	case SessionTypeWorkflow:
		return s.WorkflowID
	}
	return s.AgentID
}

// SessionData returns the session_data object as agno stores it: the extra
// keys of Data plus session_name, session_state and session_metrics when set.
// It returns nil when the object would be empty and Data was absent.
func (s *Session) SessionData() json.RawMessage {
	m := map[string]json.RawMessage{}
	if !IsNull(s.Data) {
		if err := json.Unmarshal(s.Data, &m); err != nil {
			m = map[string]json.RawMessage{}
		}
	}
	if s.Name != nil {
		m["session_name"] = mustMarshal(*s.Name)
	}
	if !IsNull(s.State) {
		m["session_state"] = s.State
	}
	if !IsNull(s.Metrics) {
		m["session_metrics"] = s.Metrics
	}
	if len(m) == 0 && IsNull(s.Data) {
		return nil
	}
	return mustMarshal(m)
}

// Scope restricts an operation to the sessions of one owner. A nil UserID
// means no restriction; a non-nil one matches owners equal to *UserID only.
type Scope struct {
	UserID *string
}

// Owned returns a scope limited to the owner userID.
func Owned(userID string) Scope { return Scope{UserID: &userID} }

// Allows reports whether a session with owner userID is inside the scope.
func (sc Scope) Allows(owner *string) bool {
	if sc.UserID == nil {
		return true
	}
	return owner != nil && *owner == *sc.UserID
}

// SortField names a column that session listings may be ordered by.
type SortField string

// The sort fields every store supports. Each sort is followed by session_id
// in the same direction, so pages never repeat or skip a session.
const (
	SortCreatedAt   SortField = "created_at"
	SortUpdatedAt   SortField = "updated_at"
	SortSessionID   SortField = "session_id"
	SortSessionType SortField = "session_type"
	SortAgentID     SortField = "agent_id"
	SortTeamID      SortField = "team_id"
	SortWorkflowID  SortField = "workflow_id"
	SortUserID      SortField = "user_id"
	// SortSessionName sorts by the displayed name, case folded with
	// FoldName and then compared byte by byte.
	SortSessionName SortField = "session_name"
)

// SortFields lists the accepted values of SortField in documentation order.
var SortFields = []SortField{
	SortCreatedAt, SortUpdatedAt, SortSessionID, SortSessionType, SortAgentID,
	SortTeamID, SortWorkflowID, SortUserID, SortSessionName,
}

// ParseSortField returns the sort field named s, or an EINVALID error that
// lists the accepted names.
func ParseSortField(s string) (SortField, error) {
	for _, f := range SortFields {
		if string(f) == s {
			return f, nil
		}
	}
	return "", Errorf(EINVALID,
		"invalid sort_by %q: use one of created_at, updated_at, session_id, "+
			"session_type, agent_id, team_id, workflow_id, user_id, session_name", s)
}

// SessionFilter selects and orders sessions for SessionStore.ListSessions.
// Nil pointers and empty values mean "no filter".
type SessionFilter struct {
	Type        *SessionType
	ComponentID *string // agent, team or workflow id; by Type when set, else any
	UserID      *string // exact owner match
	// Name matches sessions whose displayed name contains it, ignoring case
	// with Unicode case folding. Wildcard characters have no meaning.
	Name *string

	SortBy     SortField // default SortCreatedAt
	Descending bool
	Limit      int // at least 1
	Offset     int // at least 0
}

// SessionUpdate lists the session fields to change. Nil fields stay as they
// are; State, Metadata and Summary replace the stored object whole.
type SessionUpdate struct {
	Name     *string
	State    json.RawMessage
	Metadata json.RawMessage
	Summary  json.RawMessage
	// Type, when set, must equal the stored type, or the update fails with
	// ENOTFOUND and changes nothing.
	Type *SessionType
}

// SessionStore keeps sessions and their runs. Every method is safe for
// concurrent use, and every write is atomic: a concurrent writer never
// overwrites another's runs or fields.
type SessionStore interface {
	// CreateSession inserts s. It sets CreatedAt and UpdatedAt to now when
	// they are zero. It fails with ECONFLICT when the id exists for any type
	// or owner, and then changes nothing.
	CreateSession(ctx context.Context, s *Session) error

	// GetSession returns the session with the id inside scope, or ENOTFOUND.
	GetSession(ctx context.Context, id string, scope Scope) (*Session, error)

	// ListSessions returns one page of sessions matching f and the number of
	// sessions matching f in all. It never reads runs.
	ListSessions(ctx context.Context, f SessionFilter) ([]*Session, int, error)

	// UpdateSession changes the fields named in upd of the session with the
	// id inside scope, moves UpdatedAt to now and returns the result.
	UpdateSession(ctx context.Context, id string, scope Scope, upd SessionUpdate) (*Session, error)

	// ClearSession erases the runs, summary and metrics of the session with
	// the id inside scope. When the session has no explicit name, the derived
	// name is stored as the explicit one first. typ, when non-nil, must match
	// the stored type, as in SessionUpdate.
	ClearSession(ctx context.Context, id string, scope Scope, typ *SessionType) (*Session, error)

	// DeleteSessions deletes the sessions with the ids inside scope, with
	// their runs, and returns how many it deleted.
	DeleteSessions(ctx context.Context, ids []string, scope Scope) (int, error)

	// ListRuns returns the runs of a session in stored order, filtered by f.
	// The caller checks that the session exists.
	ListRuns(ctx context.Context, sessionID string, f RunFilter) ([]*Run, error)

	// GetRun returns one run of a session, or ENOTFOUND.
	GetRun(ctx context.Context, sessionID, runID string) (*Run, error)

	// AddRun appends r to its session with the next sequence number and
	// applies ch to the session in the same transaction. It fails with
	// ENOTFOUND when the session does not exist and with ECONFLICT when the
	// session already holds a run with the same id.
	AddRun(ctx context.Context, r *Run, ch SessionChange) error

	// UpdateRun replaces the stored record of r, found by session and run id,
	// and applies ch in the same transaction. When r's status turns finished
	// for the first time, r's metrics are added to the session totals. It
	// fails with ENOTFOUND when the run no longer exists, for example after
	// the session was cleared; the run is then not written back.
	UpdateRun(ctx context.Context, r *Run, ch SessionChange) error

	// ImportSession stores a session read from another database together
	// with its runs, in one transaction, keeping their timestamps and the
	// session's totals as given. It returns false and writes nothing when a
	// session with the id exists already.
	ImportSession(ctx context.Context, s *Session, runs []*Run) (bool, error)

	// Close releases the store's connections.
	Close() error
}

// SessionChange lists session fields that a run write also sets.
type SessionChange struct {
	// State, when non-nil, replaces session_state.
	State json.RawMessage
	// AgentID and AgentData fill the session's agent when it has none yet.
	AgentID   string
	AgentData json.RawMessage
}
