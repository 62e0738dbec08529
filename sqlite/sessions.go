package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/agentos-go/agentos"
)

// sessionColumns are the columns scanSession reads, in order.
const sessionColumns = `session_id, session_type, agent_id, team_id, workflow_id, user_id,
	session_name, derived_name, session_state, session_metrics, session_data_extra,
	agent_data, team_data, workflow_data, metadata, summary, created_at, updated_at, run_count`

type rowScanner interface {
	Scan(dest ...any) error
}

func scanSession(row rowScanner) (*agentos.Session, error) {
	var (
		s                                         agentos.Session
		typ                                       string
		agentID, teamID, workflowID, userID, name sql.NullString
		state, metrics, extra                     sql.NullString
		agentData, teamData, workflowData         sql.NullString
		metadata, summary                         sql.NullString
	)
	err := row.Scan(&s.ID, &typ, &agentID, &teamID, &workflowID, &userID,
		&name, &s.DerivedName, &state, &metrics, &extra,
		&agentData, &teamData, &workflowData, &metadata, &summary,
		&s.CreatedAt, &s.UpdatedAt, &s.RunCount)
	if err != nil {
		return nil, err
	}
	s.Type = agentos.SessionType(typ)
	s.AgentID, s.TeamID, s.WorkflowID = agentID.String, teamID.String, workflowID.String
	if userID.Valid {
		s.UserID = &userID.String
	}
	if name.Valid {
		s.Name = &name.String
	}
	s.State, s.Metrics, s.Data = rawJSON(state), rawJSON(metrics), rawJSON(extra)
	s.AgentData, s.TeamData, s.WorkflowData = rawJSON(agentData), rawJSON(teamData),
		rawJSON(workflowData)
	s.Metadata, s.Summary = rawJSON(metadata), rawJSON(summary)
	return &s, nil
}

func rawJSON(v sql.NullString) json.RawMessage {
	if !v.Valid || agentos.IsNull(json.RawMessage(v.String)) {
		return nil
	}
	return json.RawMessage(v.String)
}

// jsonArg returns raw as a column value: NULL when absent.
func jsonArg(raw json.RawMessage) any {
	if agentos.IsNull(raw) {
		return nil
	}
	return string(raw)
}

func stringArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func ptrArg(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// nameFold returns the folded displayed name stored for the name filter.
func nameFold(s *agentos.Session) string { return agentos.FoldName(s.DisplayName()) }

// CreateSession inserts s, failing with ECONFLICT when the id exists.
func (s *Store) CreateSession(ctx context.Context, sess *agentos.Session) error {
	if sess.ID == "" {
		return agentos.Errorf(agentos.EINVALID, "session_id must not be empty")
	}
	now := agentos.Now()
	if sess.CreatedAt == 0 {
		sess.CreatedAt = now
	}
	if sess.UpdatedAt < sess.CreatedAt {
		sess.UpdatedAt = sess.CreatedAt
	}
	err := s.inTx(ctx, func(tx *txn) error {
		var one int
		err := tx.QueryRowContext(ctx,
			`SELECT 1 FROM sessions WHERE session_id = ?`, sess.ID).Scan(&one)
		if err == nil {
			return agentos.Errorf(agentos.ECONFLICT,
				"Session with id '%s' already exists. Use PATCH /sessions/%s to update it.",
				sess.ID, sess.ID)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return insertSession(ctx, tx, sess, sess.DerivedName != "", 0)
	})
	return storeError("create session", err)
}

// insertSession inserts the row of sess, which already holds runCount runs,
// with nameDecided telling whether a run has fixed its derived name.
func insertSession(ctx context.Context, tx *txn, sess *agentos.Session, nameDecided bool,
	runCount int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (
		session_id, session_type, agent_id, team_id, workflow_id, user_id,
		session_name, derived_name, name_decided, name_fold,
		session_state, session_metrics, session_data_extra,
		agent_data, team_data, workflow_data, metadata, summary, created_at, updated_at,
		run_count, next_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sess.ID, string(sess.Type), stringArg(sess.AgentID), stringArg(sess.TeamID),
		stringArg(sess.WorkflowID), ptrArg(sess.UserID),
		ptrArg(sess.Name), sess.DerivedName, boolInt(nameDecided), nameFold(sess),
		jsonArg(sess.State), jsonArg(sess.Metrics), jsonArg(sess.Data),
		jsonArg(sess.AgentData), jsonArg(sess.TeamData), jsonArg(sess.WorkflowData),
		jsonArg(sess.Metadata), jsonArg(sess.Summary), sess.CreatedAt, sess.UpdatedAt,
		runCount, runCount+1)
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// GetSession returns the session with the id inside scope.
func (s *Store) GetSession(ctx context.Context, id string,
	scope agentos.Scope) (*agentos.Session, error) {
	query := `SELECT ` + sessionColumns + ` FROM sessions WHERE session_id = ?`
	args := []any{id}
	if scope.UserID != nil {
		query += ` AND user_id = ?`
		args = append(args, *scope.UserID)
	}
	sess, err := scanSession(s.reads.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agentos.Errorf(agentos.ENOTFOUND, "Session with id '%s' not found", id)
	}
	if err != nil {
		return nil, storeError("get session", err)
	}
	return sess, nil
}

// sortColumns maps sort fields to SQL expressions.
var sortColumns = map[agentos.SortField]string{
	agentos.SortCreatedAt:   "created_at",
	agentos.SortUpdatedAt:   "updated_at",
	agentos.SortSessionID:   "session_id",
	agentos.SortSessionType: "session_type",
	agentos.SortAgentID:     "agent_id",
	agentos.SortTeamID:      "team_id",
	agentos.SortWorkflowID:  "workflow_id",
	agentos.SortUserID:      "user_id",
	agentos.SortSessionName: "name_fold",
}

// ListSessions returns one page of sessions matching f and the total count.
func (s *Store) ListSessions(ctx context.Context,
	f agentos.SessionFilter) ([]*agentos.Session, int, error) {
	// One read transaction gives the count and the page the same snapshot,
	// so that a concurrent write cannot make them disagree.
	readTx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, storeError("list sessions", err)
	}
	defer s.reads.preparePending(context.WithoutCancel(ctx))
	defer func() { _ = readTx.Rollback() }()
	tx := &txn{tx: readTx, cache: s.reads}
	q := buildListQuery(f)
	var total int
	if err := tx.QueryRowContext(ctx, q.count, q.args...).Scan(&total); err != nil {
		return nil, 0, storeError("count sessions", err)
	}
	if f.Limit <= 0 || f.Offset >= total {
		return []*agentos.Session{}, total, nil
	}
	pageArgs := append(q.args[:len(q.args):len(q.args)], f.Limit, max(f.Offset, 0))
	rows, err := tx.QueryContext(ctx, q.page, pageArgs...)
	if err != nil {
		return nil, 0, storeError("list sessions", err)
	}
	defer rows.Close()
	list := make([]*agentos.Session, 0, min(f.Limit, total))
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, 0, storeError("list sessions", err)
		}
		list = append(list, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, storeError("list sessions", err)
	}
	return list, total, nil
}

// listQuery is the SQL of one session listing: the count, and the page,
// which takes the limit and offset after args.
type listQuery struct {
	count, page string
	args        []any
}

func buildListQuery(f agentos.SessionFilter) listQuery {
	where, args := listWhere(f)
	col, ok := sortColumns[f.SortBy]
	if !ok {
		col = "created_at"
	}
	dir := "ASC"
	if f.Descending {
		dir = "DESC"
	}
	return listQuery{
		count: `SELECT COUNT(*) FROM sessions` + where,
		page: `SELECT ` + sessionColumns + ` FROM sessions` + where +
			fmt.Sprintf(` ORDER BY %s %s, session_id %s LIMIT ? OFFSET ?`, col, dir, dir),
		args: args,
	}
}

// listWhere returns the WHERE clause and arguments for f.
func listWhere(f agentos.SessionFilter) (string, []any) {
	var conds []string
	var args []any
	if f.UserID != nil {
		conds = append(conds, "user_id = ?")
		args = append(args, *f.UserID)
	}
	if f.ComponentID != nil {
		switch {
		case f.Type == nil:
			conds = append(conds, "(agent_id = ? OR team_id = ? OR workflow_id = ?)")
			args = append(args, *f.ComponentID, *f.ComponentID, *f.ComponentID)
		case *f.Type == agentos.SessionTypeTeam:
			conds = append(conds, "team_id = ?")
			args = append(args, *f.ComponentID)
		case *f.Type == agentos.SessionTypeWorkflow:
			conds = append(conds, "workflow_id = ?")
			args = append(args, *f.ComponentID)
		default:
			conds = append(conds, "agent_id = ?")
			args = append(args, *f.ComponentID)
		}
	}
	if f.Name != nil && *f.Name != "" {
		conds = append(conds, "instr(name_fold, ?) > 0")
		args = append(args, agentos.FoldName(*f.Name))
	}
	if f.Type != nil {
		conds = append(conds, "session_type = ?")
		args = append(args, string(*f.Type))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// UpdateSession changes the named fields in one statement.
func (s *Store) UpdateSession(ctx context.Context, id string, scope agentos.Scope,
	upd agentos.SessionUpdate) (*agentos.Session, error) {
	sets := []string{"updated_at = max(?, created_at)"}
	args := []any{agentos.Now()}
	if upd.Name != nil {
		sets = append(sets, "session_name = ?", "name_fold = ?")
		args = append(args, *upd.Name, agentos.FoldName(*upd.Name))
	}
	if upd.State != nil {
		sets = append(sets, "session_state = ?")
		args = append(args, jsonArg(upd.State))
	}
	if upd.Metadata != nil {
		sets = append(sets, "metadata = ?")
		args = append(args, jsonArg(upd.Metadata))
	}
	if upd.Summary != nil {
		sets = append(sets, "summary = ?")
		args = append(args, jsonArg(upd.Summary))
	}
	where, whereArgs := sessionWhere(id, scope, upd.Type)
	query := `UPDATE sessions SET ` + strings.Join(sets, ", ") + where +
		` RETURNING ` + sessionColumns
	var sess *agentos.Session
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		sess, err = scanSession(tx.QueryRowContext(ctx, query, append(args, whereArgs...)...))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agentos.Errorf(agentos.ENOTFOUND, "Session with id '%s' not found", id)
	}
	if err != nil {
		return nil, storeError("update session", err)
	}
	return sess, nil
}

// sessionWhere returns the clause that selects one session inside scope,
// of the given type when typ is set.
func sessionWhere(id string, scope agentos.Scope, typ *agentos.SessionType) (string, []any) {
	where := ` WHERE session_id = ?`
	args := []any{id}
	if scope.UserID != nil {
		where += ` AND user_id = ?`
		args = append(args, *scope.UserID)
	}
	if typ != nil {
		where += ` AND session_type = ?`
		args = append(args, string(*typ))
	}
	return where, args
}

// ClearSession erases the runs, summary and metrics of a session.
func (s *Store) ClearSession(ctx context.Context, id string, scope agentos.Scope,
	typ *agentos.SessionType) (*agentos.Session, error) {
	where, args := sessionWhere(id, scope, typ)
	var sess *agentos.Session
	err := s.inTx(ctx, func(tx *txn) error {
		var one int
		if err := tx.QueryRowContext(ctx,
			`SELECT 1 FROM sessions`+where, args...).Scan(&one); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE session_id = ?`, id); err != nil {
			return err
		}
		var err error
		// A derived name is pinned as the explicit one, because the runs it
		// came from are gone. Without one, the next run may still name the
		// session.
		sess, err = scanSession(tx.QueryRowContext(ctx, `UPDATE sessions SET
			session_name = CASE WHEN session_name IS NULL AND derived_name <> ''
				THEN derived_name ELSE session_name END,
			summary = NULL, session_metrics = NULL, run_count = 0,
			updated_at = max(?, created_at)
			WHERE session_id = ? RETURNING `+sessionColumns, agentos.Now(), id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agentos.Errorf(agentos.ENOTFOUND, "Session with id '%s' not found", id)
	}
	if err != nil {
		return nil, storeError("clear session", err)
	}
	return sess, nil
}

// deleteBatch bounds the ids bound in one DELETE statement.
const deleteBatch = 500

// DeleteSessions deletes the sessions with the ids inside scope.
func (s *Store) DeleteSessions(ctx context.Context, ids []string,
	scope agentos.Scope) (int, error) {
	deleted := 0
	err := s.inTx(ctx, func(tx *txn) error {
		for start := 0; start < len(ids); start += deleteBatch {
			batch := ids[start:min(start+deleteBatch, len(ids))]
			query := `DELETE FROM sessions WHERE session_id IN (?` +
				strings.Repeat(", ?", len(batch)-1) + `)`
			args := make([]any, 0, len(batch)+1)
			for _, id := range batch {
				args = append(args, id)
			}
			if scope.UserID != nil {
				query += ` AND user_id = ?`
				args = append(args, *scope.UserID)
			}
			res, err := tx.ExecContext(ctx, query, args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			deleted += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, storeError("delete sessions", err)
	}
	return deleted, nil
}
