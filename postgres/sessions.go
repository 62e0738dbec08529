package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agentos-go/agentos"
)

const sessionColumns = `session_id, session_type, agent_id, team_id, workflow_id, user_id,
	session_name, derived_name, session_state, session_metrics, session_data_extra,
	agent_data, team_data, workflow_data, metadata, summary, created_at, updated_at, run_count`

// sessionRow holds the scan targets of sessionColumns. Every one is a
// pointer, because the list query yields a row of NULLs for an empty page.
type sessionRow struct {
	id, typ, derived                          *string
	agentID, teamID, workflowID, userID, name *string
	state, metrics, extra                     *string
	agentData, teamData, workflowData         *string
	metadata, summary                         *string
	createdAt, updatedAt                      *int64
	runCount                                  *int32
}

func (r *sessionRow) dest() []any {
	return []any{&r.id, &r.typ, &r.agentID, &r.teamID, &r.workflowID, &r.userID,
		&r.name, &r.derived, &r.state, &r.metrics, &r.extra,
		&r.agentData, &r.teamData, &r.workflowData, &r.metadata, &r.summary,
		&r.createdAt, &r.updatedAt, &r.runCount}
}

// session returns the scanned session, or nil for a row of NULLs.
func (r *sessionRow) session() *agentos.Session {
	if r.id == nil {
		return nil
	}
	s := &agentos.Session{
		ID:           *r.id,
		Type:         agentos.SessionType(deref(r.typ)),
		AgentID:      deref(r.agentID),
		TeamID:       deref(r.teamID),
		WorkflowID:   deref(r.workflowID),
		UserID:       r.userID,
		Name:         r.name,
		DerivedName:  deref(r.derived),
		State:        rawJSON(r.state),
		Metrics:      rawJSON(r.metrics),
		Data:         rawJSON(r.extra),
		AgentData:    rawJSON(r.agentData),
		TeamData:     rawJSON(r.teamData),
		WorkflowData: rawJSON(r.workflowData),
		Metadata:     rawJSON(r.metadata),
		Summary:      rawJSON(r.summary),
	}
	if r.createdAt != nil {
		s.CreatedAt = *r.createdAt
	}
	if r.updatedAt != nil {
		s.UpdatedAt = *r.updatedAt
	}
	if r.runCount != nil {
		s.RunCount = int(*r.runCount)
	}
	return s
}

func scanSession(row pgx.Row) (*agentos.Session, error) {
	var r sessionRow
	if err := row.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.session(), nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func rawJSON(v *string) json.RawMessage {
	if v == nil || agentos.IsNull(json.RawMessage(*v)) {
		return nil
	}
	return json.RawMessage(*v)
}

// jsonArg returns raw as a column value: NULL when absent. PostgreSQL TEXT
// cannot hold NUL characters, which valid JSON text never contains raw.
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

func nameFold(s *agentos.Session) string { return agentos.FoldName(s.DisplayName()) }

func conflict(id string) error {
	return agentos.Errorf(agentos.ECONFLICT,
		"Session with id '%s' already exists. Use PATCH /sessions/%s to update it.", id, id)
}

func notFound(id string) error {
	return agentos.Errorf(agentos.ENOTFOUND, "Session with id '%s' not found", id)
}

// CreateSession inserts s, failing with ECONFLICT when the id exists.
func (s *Store) CreateSession(ctx context.Context, sess *agentos.Session) error {
	if sess.ID == "" {
		return agentos.Errorf(agentos.EINVALID, "session_id must not be empty")
	}
	if err := checkSession(sess); err != nil {
		return err
	}
	if sess.CreatedAt == 0 {
		sess.CreatedAt = agentos.Now()
	}
	if sess.UpdatedAt < sess.CreatedAt {
		sess.UpdatedAt = sess.CreatedAt
	}
	var inserted bool
	err := s.unapplied(ctx, func() error {
		var err error
		inserted, err = insertSession(ctx, s.pool, sess, sess.DerivedName != "", 0)
		return err
	})
	if err != nil {
		return storeError("create session", err)
	}
	if !inserted {
		return conflict(sess.ID)
	}
	return nil
}

// execer is a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// insertSession inserts the row of sess unless its id exists, and reports
// whether it did.
func insertSession(ctx context.Context, db execer, sess *agentos.Session, nameDecided bool,
	runCount int) (bool, error) {
	tag, err := db.Exec(ctx, `INSERT INTO sessions (
		session_id, session_type, agent_id, team_id, workflow_id, user_id,
		session_name, derived_name, name_decided, name_fold,
		session_state, session_metrics, session_data_extra,
		agent_data, team_data, workflow_data, metadata, summary, created_at, updated_at,
		run_count, next_seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
		$18, $19, $20, $21, $22)
		ON CONFLICT (session_id) DO NOTHING`,
		sess.ID, string(sess.Type), stringArg(sess.AgentID), stringArg(sess.TeamID),
		stringArg(sess.WorkflowID), sess.UserID,
		sess.Name, sess.DerivedName, nameDecided, nameFold(sess),
		jsonArg(sess.State), jsonArg(sess.Metrics), jsonArg(sess.Data),
		jsonArg(sess.AgentData), jsonArg(sess.TeamData), jsonArg(sess.WorkflowData),
		jsonArg(sess.Metadata), jsonArg(sess.Summary), sess.CreatedAt, sess.UpdatedAt,
		runCount, runCount+1)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// GetSession returns the session with the id inside scope.
func (s *Store) GetSession(ctx context.Context, id string,
	scope agentos.Scope) (*agentos.Session, error) {
	if !storable(id) || !storableScope(scope) {
		return nil, notFound(id)
	}
	var a args
	query := `SELECT ` + sessionColumns + ` FROM sessions WHERE session_id = ` + a.add(id)
	if scope.UserID != nil {
		query += ` AND user_id = ` + a.add(*scope.UserID)
	}
	var sess *agentos.Session
	err := s.idempotent(ctx, func() error {
		var err error
		sess, err = scanSession(s.pool.QueryRow(ctx, query, a...))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, storeError("get session", err)
	}
	return sess, nil
}

// sortColumns maps sort fields to columns. The text columns use the "C"
// collation, so they sort in byte order as in SQLite.
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

// nullableSort lists the sort fields whose column may be NULL.
var nullableSort = map[agentos.SortField]bool{
	agentos.SortAgentID: true, agentos.SortTeamID: true, agentos.SortWorkflowID: true,
	agentos.SortUserID: true,
}

// ListSessions returns one page of sessions matching f and the total count.
// One statement reads both, so they come from the same snapshot, in one
// round trip.
func (s *Store) ListSessions(ctx context.Context,
	f agentos.SessionFilter) ([]*agentos.Session, int, error) {
	if !storableFilter(f) {
		return []*agentos.Session{}, 0, nil
	}
	query, a := listQuery(f)
	var (
		list  []*agentos.Session
		total int64
	)
	err := s.idempotent(ctx, func() error {
		list = make([]*agentos.Session, 0, min(max(f.Limit, 0), 100))
		rows, err := s.pool.Query(ctx, query, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r sessionRow
			if err := rows.Scan(append([]any{&total}, r.dest()...)...); err != nil {
				return err
			}
			if sess := r.session(); sess != nil {
				list = append(list, sess)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, storeError("list sessions", err)
	}
	return list, int(total), nil
}

// listQuery returns one statement that yields the number of sessions
// matching f in every row, followed by the columns of one page. An empty
// page yields a single row whose session columns are NULL.
func listQuery(f agentos.SessionFilter) (string, args) {
	var a args
	where := listWhere(f, &a)
	col, ok := sortColumns[f.SortBy]
	if !ok {
		col = "created_at"
	}
	// SQLite puts NULLs first in ascending order; match it. The clause is
	// left out for columns that hold no NULL, where it would keep the
	// planner from reading their index in order.
	asc, desc := " ASC", " DESC"
	if nullableSort[f.SortBy] {
		asc, desc = " ASC NULLS FIRST", " DESC NULLS LAST"
	}
	order := col + asc + `, session_id ASC`
	if f.Descending {
		order = col + desc + `, session_id DESC`
	}
	limit := a.add(max(f.Limit, 0))
	offset := a.add(max(f.Offset, 0))
	return `SELECT c.total, p.* FROM (SELECT COUNT(*) AS total FROM sessions` + where + `) c
		LEFT JOIN LATERAL (SELECT ` + sessionColumns + ` FROM sessions` + where +
		` ORDER BY ` + order + ` LIMIT ` + limit + ` OFFSET ` + offset + `) p ON TRUE`, a
}

func listWhere(f agentos.SessionFilter, a *args) string {
	var conds []string
	if f.UserID != nil {
		conds = append(conds, "user_id = "+a.add(*f.UserID))
	}
	if f.ComponentID != nil {
		id := *f.ComponentID
		switch {
		case f.Type == nil:
			p := a.add(id)
			conds = append(conds, "(agent_id = "+p+" OR team_id = "+p+" OR workflow_id = "+p+")")
		case *f.Type == agentos.SessionTypeTeam:
			conds = append(conds, "team_id = "+a.add(id))
		case *f.Type == agentos.SessionTypeWorkflow:
			conds = append(conds, "workflow_id = "+a.add(id))
		default:
			conds = append(conds, "agent_id = "+a.add(id))
		}
	}
	if f.Name != nil && *f.Name != "" {
		conds = append(conds, "strpos(name_fold, "+a.add(agentos.FoldName(*f.Name))+") > 0")
	}
	if f.Type != nil {
		conds = append(conds, "session_type = "+a.add(string(*f.Type)))
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// sessionWhere returns the clause that selects one session inside scope,
// of the given type when typ is set.
func sessionWhere(id string, scope agentos.Scope, typ *agentos.SessionType, a *args) string {
	where := ` WHERE session_id = ` + a.add(id)
	if scope.UserID != nil {
		where += ` AND user_id = ` + a.add(*scope.UserID)
	}
	if typ != nil {
		where += ` AND session_type = ` + a.add(string(*typ))
	}
	return where
}

// UpdateSession changes the named fields in one statement.
func (s *Store) UpdateSession(ctx context.Context, id string, scope agentos.Scope,
	upd agentos.SessionUpdate) (*agentos.Session, error) {
	if !storable(id) || !storableScope(scope) ||
		upd.Type != nil && !storable(string(*upd.Type)) {
		return nil, notFound(id)
	}
	if err := checkUpdate(upd); err != nil {
		return nil, err
	}
	var a args
	sets := []string{"updated_at = GREATEST(" + a.add(agentos.Now()) + "::BIGINT, created_at)"}
	if upd.Name != nil {
		sets = append(sets, "session_name = "+a.add(*upd.Name),
			"name_fold = "+a.add(agentos.FoldName(*upd.Name)))
	}
	if upd.State != nil {
		sets = append(sets, "session_state = "+a.add(jsonArg(upd.State)))
	}
	if upd.Metadata != nil {
		sets = append(sets, "metadata = "+a.add(jsonArg(upd.Metadata)))
	}
	if upd.Summary != nil {
		sets = append(sets, "summary = "+a.add(jsonArg(upd.Summary)))
	}
	query := `UPDATE sessions SET ` + strings.Join(sets, ", ") +
		sessionWhere(id, scope, upd.Type, &a) + ` RETURNING ` + sessionColumns
	var sess *agentos.Session
	err := s.idempotent(ctx, func() error {
		var err error
		sess, err = scanSession(s.pool.QueryRow(ctx, query, a...))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, storeError("update session", err)
	}
	return sess, nil
}

// ClearSession erases the runs, summary and metrics of a session.
func (s *Store) ClearSession(ctx context.Context, id string, scope agentos.Scope,
	typ *agentos.SessionType) (*agentos.Session, error) {
	if !storable(id) || !storableScope(scope) || typ != nil && !storable(string(*typ)) {
		return nil, notFound(id)
	}
	var sess *agentos.Session
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var a args
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM sessions`+sessionWhere(id, scope, typ, &a)+
			` FOR UPDATE`, a...).Scan(&one); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM runs WHERE session_id = $1`, id); err != nil {
			return err
		}
		// A derived name is pinned as the explicit one, because the runs it
		// came from are gone. Without one, the next run may still name it.
		var err error
		sess, err = scanSession(tx.QueryRow(ctx, `UPDATE sessions SET
			session_name = CASE WHEN session_name IS NULL AND derived_name <> ''
				THEN derived_name ELSE session_name END,
			summary = NULL, session_metrics = NULL, run_count = 0,
			updated_at = GREATEST($1::BIGINT, created_at)
			WHERE session_id = $2 RETURNING `+sessionColumns, agentos.Now(), id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, storeError("clear session", err)
	}
	return sess, nil
}

// DeleteSessions deletes the sessions with the ids inside scope.
func (s *Store) DeleteSessions(ctx context.Context, ids []string,
	scope agentos.Scope) (int, error) {
	// Ids that PostgreSQL cannot store match no session.
	kept := make([]string, 0, len(ids))
	for _, id := range ids {
		if storable(id) {
			kept = append(kept, id)
		}
	}
	ids = kept
	if len(ids) == 0 || !storableScope(scope) {
		return 0, nil
	}
	var a args
	query := `DELETE FROM sessions WHERE session_id = ANY(` + a.add(ids) + `)`
	if scope.UserID != nil {
		query += ` AND user_id = ` + a.add(*scope.UserID)
	}
	var deleted int64
	err := s.idempotent(ctx, func() error {
		tag, err := s.pool.Exec(ctx, query, a...)
		deleted = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, storeError("delete sessions", err)
	}
	return int(deleted), nil
}
