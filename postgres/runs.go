package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/agentos-go/agentos"
)

const runColumns = `session_id, seq, run_id, parent_run_id, agent_id, team_id, workflow_id,
	status, created_at, lease_expires_at, record`

func scanRun(row pgx.Row) (*agentos.Run, error) {
	var (
		r         agentos.Run
		status    string
		createdAt *int64
		record    string
	)
	if err := row.Scan(&r.SessionID, &r.Seq, &r.RunID, &r.ParentRunID, &r.AgentID, &r.TeamID,
		&r.WorkflowID, &status, &createdAt, &r.LeaseExpiresAt, &record); err != nil {
		return nil, err
	}
	r.Status = agentos.RunStatus(status)
	if createdAt != nil {
		r.CreatedAt = *createdAt
	}
	r.Record = json.RawMessage(record)
	return &r, nil
}

func createdAtArg(sec int64) any {
	if sec == 0 {
		return nil
	}
	return sec
}

func collectRuns(rows pgx.Rows) ([]*agentos.Run, error) {
	defer rows.Close()
	runs := []*agentos.Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

// ListRuns returns the runs of a session in stored order, filtered by f.
func (s *Store) ListRuns(ctx context.Context, sessionID string,
	f agentos.RunFilter) ([]*agentos.Run, error) {
	if !storableAll(sessionID, f.AgentID) {
		return []*agentos.Run{}, nil
	}
	var a args
	conds := []string{"session_id = " + a.add(sessionID)}
	if f.CreatedAfter != nil {
		conds = append(conds, "(created_at IS NULL OR created_at >= "+a.add(*f.CreatedAfter)+")")
	}
	if f.CreatedBefore != nil {
		conds = append(conds, "(created_at IS NULL OR created_at <= "+a.add(*f.CreatedBefore)+")")
	}
	if f.TopLevel {
		conds = append(conds, "parent_run_id = ''")
	}
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			statuses[i] = string(st)
		}
		conds = append(conds, "status = ANY("+a.add(statuses)+")")
	}
	if f.AgentID != "" {
		conds = append(conds, "agent_id = "+a.add(f.AgentID))
	}
	query := `SELECT ` + runColumns + ` FROM runs WHERE ` + strings.Join(conds, " AND ")
	if f.Last > 0 {
		query += ` ORDER BY seq DESC LIMIT ` + a.add(f.Last)
	} else {
		query += ` ORDER BY seq`
	}
	var runs []*agentos.Run
	err := s.idempotent(ctx, func() error {
		rows, err := s.pool.Query(ctx, query, a...)
		if err != nil {
			return err
		}
		runs, err = collectRuns(rows)
		return err
	})
	if err != nil {
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
	if !storableAll(sessionID, runID) {
		return nil, agentos.Errorf(agentos.ENOTFOUND,
			"Run with ID %s not found in session %s", runID, sessionID)
	}
	var r *agentos.Run
	err := s.idempotent(ctx, func() error {
		var err error
		r, err = scanRun(s.pool.QueryRow(ctx,
			`SELECT `+runColumns+` FROM runs WHERE session_id = $1 AND run_id = $2`,
			sessionID, runID))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
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

// lockRunSession reads the session's run bookkeeping and locks its row
// until the transaction ends, so run writes to one session serialize across
// every replica.
func lockRunSession(ctx context.Context, tx pgx.Tx, id string) (*runSession, error) {
	var (
		rs                   runSession
		typ                  string
		agentID, wd, metrics *string
	)
	err := tx.QueryRow(ctx, `SELECT session_type, agent_id, workflow_data,
		session_name IS NOT NULL, name_decided, session_metrics, run_count, next_seq
		FROM sessions WHERE session_id = $1 FOR UPDATE`, id).Scan(&typ, &agentID, &wd,
		&rs.hasName, &rs.nameDecided, &metrics, &rs.runCount, &rs.nextSeq)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	rs.typ = agentos.SessionType(typ)
	rs.agentID = deref(agentID)
	rs.workflowData = rawJSON(wd)
	rs.metrics = rawJSON(metrics)
	return &rs, nil
}

// sessionWrite collects the session columns a run write changes.
type sessionWrite struct {
	sets []string
	a    args
}

func (w *sessionWrite) set(column string, value any) {
	w.sets = append(w.sets, column+" = "+w.a.add(value))
}

// applyRun fills w with the changes a run write makes to its session, as
// the SQLite store does.
func applyRun(w *sessionWrite, rs *runSession, r *agentos.Run, first, count bool,
	ch agentos.SessionChange) {
	w.sets = append(w.sets, "updated_at = GREATEST("+w.a.add(agentos.Now())+"::BIGINT, created_at)")
	u := agentos.PlanRunWrite(rs.state(), r, first, count, ch)
	if u.State != nil {
		w.set("session_state", jsonArg(u.State))
	}
	if u.AgentID != "" {
		w.set("agent_id", u.AgentID)
		if u.AgentData != nil {
			w.set("agent_data", jsonArg(u.AgentData))
		}
	}
	if u.DerivedName != nil {
		w.set("derived_name", *u.DerivedName)
		w.set("name_decided", true)
	}
	if u.NameFold != nil {
		w.set("name_fold", *u.NameFold)
	}
	if u.SetMetrics {
		w.set("session_metrics", jsonArg(u.Metrics))
	}
}

func (w *sessionWrite) exec(ctx context.Context, tx pgx.Tx, id string) error {
	query := `UPDATE sessions SET ` + strings.Join(w.sets, ", ") +
		` WHERE session_id = ` + w.a.add(id)
	_, err := tx.Exec(ctx, query, w.a...)
	return err
}

// AddRun appends r to its session.
func (s *Store) AddRun(ctx context.Context, r *agentos.Run, ch agentos.SessionChange) error {
	if !storable(r.SessionID) {
		return notFound(r.SessionID)
	}
	if err := checkRun(r, ch); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rs, err := lockRunSession(ctx, tx, r.SessionID)
		if err != nil {
			return err
		}
		count := r.Status.Finished()
		tag, err := tx.Exec(ctx, `INSERT INTO runs (session_id, seq, run_id, parent_run_id,
			agent_id, team_id, workflow_id, status, created_at, lease_expires_at, counted, record)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (session_id, run_id) DO NOTHING`,
			r.SessionID, rs.nextSeq, r.RunID, r.ParentRunID, r.AgentID, r.TeamID, r.WorkflowID,
			string(r.Status), createdAtArg(r.CreatedAt), r.LeaseExpiresAt, count, string(r.Record))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return agentos.Errorf(agentos.ECONFLICT,
				"Run with ID %s already exists in session %s", r.RunID, r.SessionID)
		}
		r.Seq = rs.nextSeq
		w := sessionWrite{sets: []string{"next_seq = next_seq + 1", "run_count = run_count + 1"}}
		applyRun(&w, rs, r, rs.runCount == 0, count, ch)
		return w.exec(ctx, tx, r.SessionID)
	})
	return storeError("add run", err)
}

// UpdateRun replaces the stored record of r.
func (s *Store) UpdateRun(ctx context.Context, r *agentos.Run, ch agentos.SessionChange) error {
	if !storableAll(r.SessionID, r.RunID) {
		return agentos.Errorf(agentos.ENOTFOUND,
			"Run with ID %s not found in session %s", r.RunID, r.SessionID)
	}
	if err := checkRun(r, ch); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rs, err := lockRunSession(ctx, tx, r.SessionID)
		if err != nil {
			return err
		}
		var seq, lease int64
		var counted bool
		err = tx.QueryRow(ctx, `SELECT seq, counted, lease_expires_at FROM runs
			WHERE session_id = $1 AND run_id = $2`, r.SessionID, r.RunID).Scan(&seq, &counted,
			&lease)
		if errors.Is(err, pgx.ErrNoRows) {
			return agentos.Errorf(agentos.ENOTFOUND,
				"Run with ID %s not found in session %s", r.RunID, r.SessionID)
		}
		if err != nil {
			return err
		}
		count := !counted && r.Status.Finished()
		// A write without a lease, such as a checkpoint, keeps the stored one.
		if r.LeaseExpiresAt == 0 {
			r.LeaseExpiresAt = lease
		}
		if _, err := tx.Exec(ctx, `UPDATE runs SET parent_run_id = $1, agent_id = $2,
			team_id = $3, workflow_id = $4, status = $5, created_at = $6, lease_expires_at = $7,
			counted = $8, record = $9 WHERE session_id = $10 AND seq = $11`,
			r.ParentRunID, r.AgentID, r.TeamID, r.WorkflowID, string(r.Status),
			createdAtArg(r.CreatedAt), r.LeaseExpiresAt, counted || count, string(r.Record),
			r.SessionID, seq); err != nil {
			return err
		}
		r.Seq = seq
		first := false
		if !rs.nameDecided {
			var minSeq int64
			if err := tx.QueryRow(ctx, `SELECT MIN(seq) FROM runs WHERE session_id = $1`,
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
	sessions := make([]string, 0, len(refs))
	runs := make([]string, 0, len(refs))
	for _, ref := range refs {
		if storableAll(ref.SessionID, ref.RunID) {
			sessions = append(sessions, ref.SessionID)
			runs = append(runs, ref.RunID)
		}
	}
	err := s.idempotent(ctx, func() error {
		_, err := s.pool.Exec(ctx, `UPDATE runs SET lease_expires_at = $1
			FROM unnest($2::TEXT[], $3::TEXT[]) AS ref(session_id, run_id)
			WHERE runs.session_id = ref.session_id AND runs.run_id = ref.run_id
			AND runs.status IN ('RUNNING', 'PENDING')`, until, sessions, runs)
		return err
	})
	return storeError("renew run leases", err)
}

// ListExpiredRuns returns running runs whose lease expired before now. A
// run without a lease counts as expired.
func (s *Store) ListExpiredRuns(ctx context.Context, now int64,
	limit int) ([]*agentos.Run, error) {
	var runs []*agentos.Run
	err := s.idempotent(ctx, func() error {
		rows, err := s.pool.Query(ctx, `SELECT `+runColumns+` FROM runs
			WHERE status IN ('RUNNING', 'PENDING') AND lease_expires_at < $1
			ORDER BY lease_expires_at, session_id, seq LIMIT $2`, now, limit)
		if err != nil {
			return err
		}
		runs, err = collectRuns(rows)
		return err
	})
	if err != nil {
		return nil, storeError("list expired runs", err)
	}
	return runs, nil
}

// ImportSession stores a session and its runs as they are, unless the id
// exists. Run metrics are taken to be part of the session totals already.
func (s *Store) ImportSession(ctx context.Context, sess *agentos.Session,
	runs []*agentos.Run) (bool, error) {
	if sess.ID == "" {
		return false, agentos.Errorf(agentos.EINVALID, "session_id must not be empty")
	}
	if err := checkSession(sess); err != nil {
		return false, err
	}
	for _, r := range runs {
		if err := checkRun(r, agentos.SessionChange{}); err != nil {
			return false, err
		}
	}
	if sess.CreatedAt == 0 {
		sess.CreatedAt = agentos.Now()
	}
	if sess.UpdatedAt < sess.CreatedAt {
		sess.UpdatedAt = sess.CreatedAt
	}
	derived, decided := agentos.DeriveSessionName(sess.Type, runs, sess.WorkflowData)
	sess.DerivedName = derived
	imported := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ok, err := insertSession(ctx, tx, sess, decided, len(runs))
		if err != nil || !ok {
			return err
		}
		batch := &pgx.Batch{}
		for i, r := range runs {
			r.SessionID = sess.ID
			r.Seq = int64(i + 1)
			batch.Queue(`INSERT INTO runs (session_id, seq, run_id, parent_run_id, agent_id,
				team_id, workflow_id, status, created_at, lease_expires_at, counted, record)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, TRUE, $11)`,
				sess.ID, r.Seq, r.RunID, r.ParentRunID, r.AgentID, r.TeamID, r.WorkflowID,
				string(r.Status), createdAtArg(r.CreatedAt), r.LeaseExpiresAt, string(r.Record))
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		imported = true
		return nil
	})
	if err != nil {
		return false, storeError("import session", err)
	}
	return imported, nil
}
