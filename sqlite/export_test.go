package sqlite

import (
	"context"

	"github.com/agentos-go/agentos"
)

// BulkCreate inserts sessions in one transaction, without the checks of
// CreateSession, so that benchmarks can build large databases quickly.
func BulkCreate(ctx context.Context, s *Store, sessions []*agentos.Session) error {
	return s.inTx(ctx, func(tx *txn) error {
		for _, sess := range sessions {
			if sess.UpdatedAt < sess.CreatedAt {
				sess.UpdatedAt = sess.CreatedAt
			}
			if err := insertSession(ctx, tx, sess, sess.DerivedName != "", 0); err != nil {
				return err
			}
		}
		return nil
	})
}

// BulkAppend appends finished runs to an existing session in one
// transaction, numbering them after the runs it holds. Session totals and
// names are left as they are.
func BulkAppend(ctx context.Context, s *Store, sessionID string, runs []*agentos.Run) error {
	return s.inTx(ctx, func(tx *txn) error {
		var next int64
		if err := tx.QueryRowContext(ctx, `SELECT next_seq FROM sessions WHERE session_id = ?`,
			sessionID).Scan(&next); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO runs (session_id, seq, run_id,
			parent_run_id, agent_id, team_id, workflow_id, status, created_at, counted, record)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, r := range runs {
			r.Seq = next + int64(i)
			if _, err := stmt.ExecContext(ctx, sessionID, r.Seq, r.RunID, r.ParentRunID,
				r.AgentID, r.TeamID, r.WorkflowID, string(r.Status), createdAtArg(r.CreatedAt),
				string(r.Record)); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE sessions SET run_count = run_count + ?,
			next_seq = next_seq + ? WHERE session_id = ?`, len(runs), len(runs), sessionID)
		return err
	})
}
