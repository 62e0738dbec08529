package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/agentos-go/agentos"
)

// ImportSession stores a session and its runs as they are, unless the id
// exists. Run metrics are taken to be part of the session totals already.
func (s *Store) ImportSession(ctx context.Context, sess *agentos.Session,
	runs []*agentos.Run) (bool, error) {
	if sess.ID == "" {
		return false, agentos.Errorf(agentos.EINVALID, "session_id must not be empty")
	}
	if sess.CreatedAt == 0 {
		sess.CreatedAt = agentos.Now()
	}
	if sess.UpdatedAt < sess.CreatedAt {
		sess.UpdatedAt = sess.CreatedAt
	}
	derived, decided := agentos.DeriveSessionName(sess.Type, runs, sess.WorkflowData)
	imported := false
	err := s.inTx(ctx, func(tx *txn) error {
		var one int
		err := tx.QueryRowContext(ctx,
			`SELECT 1 FROM sessions WHERE session_id = ?`, sess.ID).Scan(&one)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		sess.DerivedName = derived
		if err := insertSession(ctx, tx, sess, decided, len(runs)); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO runs (session_id, seq, run_id,
			parent_run_id, agent_id, team_id, workflow_id, status, created_at,
			lease_expires_at, counted, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, r := range runs {
			r.SessionID = sess.ID
			r.Seq = int64(i + 1)
			if _, err := stmt.ExecContext(ctx, sess.ID, r.Seq, r.RunID, r.ParentRunID,
				r.AgentID, r.TeamID, r.WorkflowID, string(r.Status), createdAtArg(r.CreatedAt),
				r.LeaseExpiresAt, string(r.Record)); err != nil {
				return err
			}
		}
		imported = true
		return nil
	})
	if err != nil {
		return false, storeError("import session", err)
	}
	return imported, nil
}
