package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/agentos-go/agentos"
)

const runColumns = `session_id, seq, run_id, parent_run_id, agent_id, team_id, workflow_id,
	status, created_at, lease_expires_at, record`

func scanRun(row rowScanner) (*agentos.Run, error) {
	var (
		r         agentos.Run
		status    string
		createdAt sql.NullInt64
		record    string
	)
	if err := row.Scan(&r.SessionID, &r.Seq, &r.RunID, &r.ParentRunID, &r.AgentID, &r.TeamID,
		&r.WorkflowID, &status, &createdAt, &r.LeaseExpiresAt, &record); err != nil {
		return nil, err
	}
	r.Status = agentos.RunStatus(status)
	r.CreatedAt = createdAt.Int64
	r.Record = json.RawMessage(record)
	return &r, nil
}

func createdAtArg(sec int64) any {
	if sec == 0 {
		return nil
	}
	return sec
}

// ListRuns returns the runs of a session in stored order, filtered by f.
func (s *Store) ListRuns(ctx context.Context, sessionID string,
	f agentos.RunFilter) ([]*agentos.Run, error) {
	conds := []string{"session_id = ?"}
	args := []any{sessionID}
	if f.CreatedAfter != nil {
		conds = append(conds, "(created_at IS NULL OR created_at >= ?)")
		args = append(args, *f.CreatedAfter)
	}
	if f.CreatedBefore != nil {
		conds = append(conds, "(created_at IS NULL OR created_at <= ?)")
		args = append(args, *f.CreatedBefore)
	}
	if f.TopLevel {
		conds = append(conds, "parent_run_id = ''")
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "status IN (?"+strings.Repeat(", ?", len(f.Statuses)-1)+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if f.AgentID != "" {
		conds = append(conds, "agent_id = ?")
		args = append(args, f.AgentID)
	}
	query := `SELECT ` + runColumns + ` FROM runs WHERE ` + strings.Join(conds, " AND ")
	if f.Last > 0 {
		query += ` ORDER BY seq DESC LIMIT ?`
		args = append(args, f.Last)
	} else {
		query += ` ORDER BY seq`
	}
	rows, err := s.reads.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, storeError("list runs", err)
	}
	defer rows.Close()
	runs := []*agentos.Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, storeError("list runs", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, storeError("list runs", err)
	}
	if f.Last > 0 {
		for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
			runs[i], runs[j] = runs[j], runs[i]
		}
	}
	return runs, nil
}

// GetRun returns one run of a session.
func (s *Store) GetRun(ctx context.Context, sessionID, runID string) (*agentos.Run, error) {
	r, err := scanRun(s.reads.QueryRowContext(ctx,
		`SELECT `+runColumns+` FROM runs WHERE session_id = ? AND run_id = ?`,
		sessionID, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agentos.Errorf(agentos.ENOTFOUND,
			"Run with ID %s not found in session %s", runID, sessionID)
	}
	if err != nil {
		return nil, storeError("get run", err)
	}
	return r, nil
}

// runSession is the part of a session that run writes read and change.
type runSession struct {
	typ          agentos.SessionType
	agentID      string
	workflowData json.RawMessage
	hasName      bool
	nameDecided  bool
	metrics      json.RawMessage
	runCount     int
	nextSeq      int64
}

// state returns the fields that agentos.PlanRunWrite reads.
func (rs *runSession) state() agentos.RunSessionState {
	return agentos.RunSessionState{Type: rs.typ, AgentID: rs.agentID,
		WorkflowData: rs.workflowData, HasName: rs.hasName, NameDecided: rs.nameDecided,
		Metrics: rs.metrics}
}

func loadRunSession(ctx context.Context, tx *txn, id string) (*runSession, error) {
	var (
		rs                   runSession
		typ                  string
		agentID, wd, metrics sql.NullString
		hasName, nameDecided bool
	)
	err := tx.QueryRowContext(ctx, `SELECT session_type, agent_id, workflow_data,
		session_name IS NOT NULL, name_decided, session_metrics, run_count, next_seq
		FROM sessions WHERE session_id = ?`, id).Scan(&typ, &agentID, &wd, &hasName,
		&nameDecided, &metrics, &rs.runCount, &rs.nextSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agentos.Errorf(agentos.ENOTFOUND, "Session with id '%s' not found", id)
	}
	if err != nil {
		return nil, err
	}
	rs.typ = agentos.SessionType(typ)
	rs.agentID = agentID.String
	rs.workflowData = rawJSON(wd)
	rs.hasName, rs.nameDecided = hasName, nameDecided
	rs.metrics = rawJSON(metrics)
	return &rs, nil
}

// sessionWrite collects the session columns a run write changes.
type sessionWrite struct {
	sets []string
	args []any
}

func (w *sessionWrite) set(expr string, args ...any) {
	w.sets = append(w.sets, expr)
	w.args = append(w.args, args...)
}

// applyRun fills w with the changes a run write makes to its session: the
// state and agent from ch, the derived name while undecided, and the run's
// metrics when count is set.
func applyRun(w *sessionWrite, rs *runSession, r *agentos.Run, first, count bool,
	ch agentos.SessionChange) {
	w.set("updated_at = max(?, created_at)", agentos.Now())
	u := agentos.PlanRunWrite(rs.state(), r, first, count, ch)
	if u.State != nil {
		w.set("session_state = ?", jsonArg(u.State))
	}
	if u.AgentID != "" {
		w.set("agent_id = ?", u.AgentID)
		if u.AgentData != nil {
			w.set("agent_data = ?", jsonArg(u.AgentData))
		}
	}
	if u.DerivedName != nil {
		w.set("derived_name = ?", *u.DerivedName)
		w.set("name_decided = 1")
	}
	if u.NameFold != nil {
		w.set("name_fold = ?", *u.NameFold)
	}
	if u.SetMetrics {
		w.set("session_metrics = ?", jsonArg(u.Metrics))
	}
}

func (w *sessionWrite) exec(ctx context.Context, tx *txn, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET `+strings.Join(w.sets, ", ")+
		` WHERE session_id = ?`, append(w.args, id)...)
	return err
}

// AddRun appends r to its session.
func (s *Store) AddRun(ctx context.Context, r *agentos.Run, ch agentos.SessionChange) error {
	err := s.inTx(ctx, func(tx *txn) error {
		rs, err := loadRunSession(ctx, tx, r.SessionID)
		if err != nil {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM runs WHERE session_id = ? AND run_id = ?`,
			r.SessionID, r.RunID).Scan(&one)
		if err == nil {
			return agentos.Errorf(agentos.ECONFLICT,
				"Run with ID %s already exists in session %s", r.RunID, r.SessionID)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		count := r.Status.Finished()
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs (session_id, seq, run_id,
			parent_run_id, agent_id, team_id, workflow_id, status, created_at,
			lease_expires_at, counted, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.SessionID, rs.nextSeq, r.RunID, r.ParentRunID, r.AgentID, r.TeamID,
			r.WorkflowID, string(r.Status), createdAtArg(r.CreatedAt), r.LeaseExpiresAt,
			boolInt(count), string(r.Record)); err != nil {
			return err
		}
		r.Seq = rs.nextSeq
		var w sessionWrite
		w.set("next_seq = next_seq + 1")
		w.set("run_count = run_count + 1")
		applyRun(&w, rs, r, rs.runCount == 0, count, ch)
		return w.exec(ctx, tx, r.SessionID)
	})
	return storeError("add run", err)
}

// UpdateRun replaces the stored record of r.
func (s *Store) UpdateRun(ctx context.Context, r *agentos.Run, ch agentos.SessionChange) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var seq, lease int64
		var counted bool
		err := tx.QueryRowContext(ctx, `SELECT seq, counted, lease_expires_at FROM runs
			WHERE session_id = ? AND run_id = ?`, r.SessionID, r.RunID).Scan(&seq, &counted,
			&lease)
		if errors.Is(err, sql.ErrNoRows) {
			return agentos.Errorf(agentos.ENOTFOUND,
				"Run with ID %s not found in session %s", r.RunID, r.SessionID)
		}
		if err != nil {
			return err
		}
		rs, err := loadRunSession(ctx, tx, r.SessionID)
		if err != nil {
			return err
		}
		count := !counted && r.Status.Finished()
		if r.LeaseExpiresAt == 0 {
			r.LeaseExpiresAt = lease
		}
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET parent_run_id = ?, agent_id = ?,
			team_id = ?, workflow_id = ?, status = ?, created_at = ?, lease_expires_at = ?,
			counted = ?, record = ? WHERE session_id = ? AND seq = ?`,
			r.ParentRunID, r.AgentID, r.TeamID, r.WorkflowID, string(r.Status),
			createdAtArg(r.CreatedAt), r.LeaseExpiresAt, boolInt(counted || count),
			string(r.Record), r.SessionID, seq); err != nil {
			return err
		}
		r.Seq = seq
		first := false
		if !rs.nameDecided {
			var minSeq int64
			if err := tx.QueryRowContext(ctx, `SELECT MIN(seq) FROM runs WHERE session_id = ?`,
				r.SessionID).Scan(&minSeq); err != nil {
				return err
			}
			first = minSeq == seq
		}
		var w sessionWrite
		applyRun(&w, rs, r, first, count, ch)
		return w.exec(ctx, tx, r.SessionID)
	})
	return storeError("update run", err)
}

// RenewRunLeases moves the leases of running runs to until.
func (s *Store) RenewRunLeases(ctx context.Context, refs []agentos.RunRef, until int64) error {
	if len(refs) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *txn) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE runs SET lease_expires_at = ?
			WHERE session_id = ? AND run_id = ? AND status IN ('RUNNING', 'PENDING')`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, ref := range refs {
			if _, err := stmt.ExecContext(ctx, until, ref.SessionID, ref.RunID); err != nil {
				return err
			}
		}
		return nil
	})
	return storeError("renew run leases", err)
}

// expiredRunsQuery selects the active runs whose lease ended before a time,
// oldest lease first, through the partial index runs_active_lease.
const expiredRunsQuery = `SELECT ` + runColumns + ` FROM runs
	WHERE status IN ('RUNNING', 'PENDING') AND lease_expires_at < ?
	ORDER BY lease_expires_at, session_id, seq LIMIT ?`

// ListExpiredRuns returns running runs whose lease expired before now. A
// run without a lease counts as expired.
func (s *Store) ListExpiredRuns(ctx context.Context, now int64, limit int) ([]*agentos.Run, error) {
	rows, err := s.reads.QueryContext(ctx, expiredRunsQuery, now, limit)
	if err != nil {
		return nil, storeError("list expired runs", err)
	}
	defer rows.Close()
	var runs []*agentos.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, storeError("list expired runs", err)
		}
		runs = append(runs, r)
	}
	return runs, storeError("list expired runs", rows.Err())
}
