package agentos

import (
	"context"
	"encoding/json"
)

// Run is one exchange stored in a session: agno's run record plus the fields
// stores index. Record is the whole run object as agno writes it; the other
// fields are copies of its keys, filled by NewRun.
type Run struct {
	SessionID   string
	Seq         int64 // position in the session, assigned by AddRun
	RunID       string
	ParentRunID string // "" for a top-level run
	AgentID     string
	TeamID      string
	WorkflowID  string
	Status      RunStatus
	CreatedAt   int64 // Unix seconds; 0 when the record has none
	// LeaseExpiresAt is the Unix second after which a RUNNING or PENDING
	// run counts as abandoned by the process executing it. 0 means no lease
	// in AddRun, and keeps the stored lease in UpdateRun.
	LeaseExpiresAt int64
	Record         json.RawMessage
}

// runKeys are the record keys that NewRun copies into Run fields.
type runKeys struct {
	RunID       string          `json:"run_id"`
	ParentRunID *string         `json:"parent_run_id"`
	AgentID     *string         `json:"agent_id"`
	TeamID      *string         `json:"team_id"`
	WorkflowID  *string         `json:"workflow_id"`
	Status      *string         `json:"status"`
	CreatedAt   json.RawMessage `json:"created_at"`
}

// NewRun returns a run of the session built from an agno run record. The
// record must be a JSON object with a non-empty run_id. A missing status reads
// as RUNNING, as agno reads it.
func NewRun(sessionID string, record json.RawMessage) (*Run, error) {
	if !IsJSONObject(record) {
		return nil, Errorf(EINVALID, "invalid run record: expected a JSON object")
	}
	var k runKeys
	if err := json.Unmarshal(record, &k); err != nil {
		return nil, WrapError(EINVALID, err, "invalid run record")
	}
	if k.RunID == "" {
		return nil, Errorf(EINVALID, "invalid run record: run_id is missing")
	}
	r := &Run{
		SessionID:   sessionID,
		RunID:       k.RunID,
		ParentRunID: deref(k.ParentRunID),
		AgentID:     deref(k.AgentID),
		TeamID:      deref(k.TeamID),
		WorkflowID:  deref(k.WorkflowID),
		Status:      RunStatus(deref(k.Status)),
		Record:      record,
	}
	if r.Status == "" {
		r.Status = RunRunning
	}
	r.CreatedAt = unixSeconds(k.CreatedAt)
	return r, nil
}

// unixSeconds reads a created_at value written as an integer, a float or an
// ISO string, and returns 0 when it cannot.
func unixSeconds(raw json.RawMessage) int64 {
	if IsNull(raw) {
		return 0
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return int64(f)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if t, ok := ParseTime(s); ok {
			return t.Unix()
		}
	}
	return 0
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// RunFilter selects runs for SessionStore.ListRuns. Zero values select all.
type RunFilter struct {
	// CreatedAfter and CreatedBefore are inclusive bounds on CreatedAt in
	// Unix seconds. Runs without a creation time are always kept.
	CreatedAfter  *int64
	CreatedBefore *int64
	// TopLevel keeps only runs without a parent run.
	TopLevel bool
	// Statuses, when non-empty, keeps only runs in one of these statuses.
	Statuses []RunStatus
	// AgentID, when non-empty, keeps only runs of that agent.
	AgentID string
	// Last, when positive, keeps only the last Last runs that pass the other
	// filters. The result stays in stored order.
	Last int
}

// RunRef names one run of one session.
type RunRef struct {
	SessionID string
	RunID     string
}

// RunLeaser is implemented by stores that track which runs are still being
// executed, so that runs left behind by a process that died can be found.
type RunLeaser interface {
	// RenewRunLeases moves the lease of each named RUNNING or PENDING run to
	// until (Unix seconds).
	RenewRunLeases(ctx context.Context, refs []RunRef, until int64) error
	// ListExpiredRuns returns up to limit RUNNING or PENDING runs whose lease
	// expired before now, oldest lease first.
	ListExpiredRuns(ctx context.Context, now int64, limit int) ([]*Run, error)
}

// CancelBroker carries requests to cancel a run to the process executing it,
// which may be another replica.
type CancelBroker interface {
	// RequestCancel records that runID should stop. A request for a run that
	// starts later still applies to it, until the request expires.
	RequestCancel(ctx context.Context, runID string) error
	// Watch returns a channel that is closed once a cancel is requested for
	// runID, and a function that releases the watch.
	Watch(runID string) (cancelled <-chan struct{}, stop func())
}
