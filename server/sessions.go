package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/agentos-go/agentos"
)

// sessionRoutes registers the session API of agno 2.9.0, plus
// POST /sessions/{session_id}/clear, which agno lacks.
func (s *Server) sessionRoutes() {
	s.mux.HandleFunc("GET /sessions", s.handle(s.handleListSessions))
	s.mux.HandleFunc("POST /sessions", s.handle(s.handleCreateSession))
	s.mux.HandleFunc("DELETE /sessions", s.handle(s.handleDeleteSessions))
	s.mux.HandleFunc("GET /sessions/{session_id}", s.handle(s.handleGetSession))
	s.mux.HandleFunc("PATCH /sessions/{session_id}", s.handle(s.handleUpdateSession))
	s.mux.HandleFunc("DELETE /sessions/{session_id}", s.handle(s.handleDeleteSession))
	s.mux.HandleFunc("GET /sessions/{session_id}/runs", s.handle(s.handleListRuns))
	s.mux.HandleFunc("GET /sessions/{session_id}/runs/{run_id}", s.handle(s.handleGetRun))
	s.mux.HandleFunc("POST /sessions/{session_id}/rename", s.handle(s.handleRenameSession))
	s.mux.HandleFunc("POST /sessions/{session_id}/clear", s.handle(s.handleClearSession))
}

// handle adapts a handler that returns an error, which it sends with
// writeError.
func (s *Server) handle(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// selectDatabase applies agno's database selection to the db_id and, when
// withTable is set, table parameters. This server has one database, with
// id s.dbID and sessions table s.table.
func (s *Server) selectDatabase(q query, withTable bool) error {
	dbID, _ := q.get("db_id")
	table := ""
	if withTable {
		table, _ = q.get("table")
	}
	switch {
	case table != "" && dbID == "":
		return agentos.Errorf(agentos.EINVALID,
			"The db_id query parameter is required when passing a table")
	case dbID != "" && dbID != s.dbID:
		return agentos.Errorf(agentos.ENOTFOUND, "No database found with id '%s'", dbID)
	case table != "" && table != s.table:
		return agentos.Errorf(agentos.ENOTFOUND,
			"No database with id '%s' has table '%s'", dbID, table)
	}
	return nil
}

// sortFieldNames lists the accepted values of sort_by.
func sortFieldNames() []string {
	names := make([]string, len(agentos.SortFields))
	for i, f := range agentos.SortFields {
		names[i] = string(f)
	}
	return names
}

// listParams are the parameters of GET /sessions.
type listParams struct {
	filter agentos.SessionFilter
	page   int64
	limit  int64
}

// parseListQuery reads the query of GET /sessions. Unlike agno, which
// ignores an unknown sort_by, it rejects one with an enum error that lists
// the sort fields.
func parseListQuery(q query) listParams {
	var p listParams
	p.filter.Type = q.sessionType()
	if v, _ := q.get("component_id"); v != "" {
		p.filter.ComponentID = &v
	}
	if v, _ := q.get("session_name"); v != "" {
		p.filter.Name = &v
	}
	p.limit, _ = q.int("limit", 20, 1)
	p.page, _ = q.int("page", 1, 0)
	p.filter.SortBy = agentos.SortCreatedAt
	if v, ok := q.get("sort_by"); ok && q.enum("sort_by", v, sortFieldNames()) {
		p.filter.SortBy = agentos.SortField(v)
	}
	p.filter.Descending = true
	if v, ok := q.get("sort_order"); ok && q.enum("sort_order", v, []string{"asc", "desc"}) {
		p.filter.Descending = v == "desc"
	}
	p.filter.Limit = int(p.limit)
	p.filter.Offset = pageOffset(p.page, p.limit)
	return p
}

// pageOffset returns the offset of a page. Page 0 counts as page 1, and an
// offset past the largest integer is capped, which still lands past the end.
func pageOffset(page, limit int64) int {
	if page <= 1 {
		return 0
	}
	if page-1 > math.MaxInt64/limit {
		return math.MaxInt64
	}
	return int((page - 1) * limit)
}

func (s *Server) handleListSessions(w http.ResponseWriter, r *http.Request) error {
	var errs ValidationError
	q := newQuery(r, &errs)
	p := parseListQuery(q)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.selectDatabase(q, true); err != nil {
		return err
	}
	p.filter.UserID = s.scope(r).UserID

	start := time.Now()
	sessions, total, err := s.store.ListSessions(r.Context(), p.filter)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	elapsed := float64(time.Since(start).Microseconds()) / 1000

	buf := make([]byte, 0, 256+512*len(sessions))
	buf = append(buf, `{"data":[`...)
	for i, sess := range sessions {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendListItem(buf, sess)
	}
	buf = appendPageMeta(buf, p.page, p.limit, total, elapsed)
	writeBody(w, http.StatusOK, buf)
	return nil
}

// createBody is the body of POST /sessions. Nil fields were absent or null.
type createBody struct {
	SessionID   *string
	SessionName *string
	State       json.RawMessage
	Metadata    json.RawMessage
	UserID      *string
	AgentID     *string
	TeamID      *string
	WorkflowID  *string
}

// parseCreateBody reads the body of POST /sessions. A missing or null body
// creates an empty session. Unknown keys are ignored.
func parseCreateBody(raw json.RawMessage, errs *ValidationError) createBody {
	var in createBody
	if agentos.IsNull(raw) {
		return in
	}
	f, ok := bodyObject(raw, errs)
	if !ok {
		return in
	}
	in.SessionID = f.optString("session_id")
	in.SessionName = f.optString("session_name")
	in.State = f.optObject("session_state")
	in.Metadata = f.optObject("metadata")
	in.UserID = f.optString("user_id")
	in.AgentID = f.optString("agent_id")
	in.TeamID = f.optString("team_id")
	in.WorkflowID = f.optString("workflow_id")
	return in
}

func (s *Server) handleCreateSession(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var errs ValidationError
	q := newQuery(r, &errs)
	typ := agentos.SessionTypeAgent
	if t := q.sessionType(); t != nil {
		typ = *t
	}
	in := parseCreateBody(body, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.selectDatabase(q, false); err != nil {
		return err
	}

	sess := &agentos.Session{
		ID:       uuid.NewString(),
		Type:     typ,
		UserID:   s.owner(r, in.UserID),
		Name:     in.SessionName,
		State:    in.State,
		Metadata: in.Metadata,
	}
	if in.SessionID != nil && *in.SessionID != "" {
		sess.ID = *in.SessionID
	}
	// Only the component id that matches the type is stored.
	switch typ {
	case agentos.SessionTypeAgent:
		sess.AgentID = deref(in.AgentID)
	case agentos.SessionTypeTeam:
		sess.TeamID = deref(in.TeamID)
	case agentos.SessionTypeWorkflow:
		sess.WorkflowID = deref(in.WorkflowID)
	}
	if err := s.store.CreateSession(r.Context(), sess); err != nil {
		switch agentos.ErrorCode(err) {
		case agentos.ECONFLICT:
			return agentos.WrapError(agentos.ECONFLICT, err,
				"Session with id '%s' already exists. Use PATCH /sessions/%s to update it.",
				sess.ID, sess.ID)
		case agentos.EINTERNAL:
			return agentos.WrapError(agentos.EINTERNAL, err, "Failed to create session")
		}
		return fmt.Errorf("create session: %w", err)
	}
	writeBody(w, http.StatusCreated, appendDetail(nil, sess, nil, detailOptions{omitNull: true}))
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// sessionNotFound returns agno's 404 for a session the caller cannot see.
func sessionNotFound(id string, typ *agentos.SessionType) error {
	if typ != nil {
		return agentos.Errorf(agentos.ENOTFOUND,
			"%s Session with id '%s' not found", typ.Title(), id)
	}
	return agentos.Errorf(agentos.ENOTFOUND, "Session with id '%s' not found", id)
}

// getSession reads a session inside the caller's scope. A type that
// differs from the stored one counts as not found, where agno would parse
// the record as the wrong type. notFound builds the route's 404.
func (s *Server) getSession(ctx context.Context, r *http.Request, id string,
	typ *agentos.SessionType, notFound func() error) (*agentos.Session, error) {
	sess, err := s.store.GetSession(ctx, id, s.scope(r))
	if agentos.ErrorCode(err) == agentos.ENOTFOUND {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("get session %q: %w", id, err)
	}
	if typ != nil && sessionType(sess) != *typ {
		return nil, notFound()
	}
	return sess, nil
}

// historyRuns returns the runs that chat_history shows for sess: the
// top-level runs of agent and team sessions.
func (s *Server) historyRuns(ctx context.Context, sess *agentos.Session) ([]*agentos.Run, error) {
	if sessionType(sess) == agentos.SessionTypeWorkflow || sess.RunCount == 0 {
		return nil, nil
	}
	runs, err := s.store.ListRuns(ctx, sess.ID, agentos.RunFilter{TopLevel: true})
	if err != nil {
		return nil, fmt.Errorf("list runs of session %q: %w", sess.ID, err)
	}
	return runs, nil
}

// writeDetail sends the detail schema of sess with its chat history.
func (s *Server) writeDetail(w http.ResponseWriter, r *http.Request, sess *agentos.Session,
	opt detailOptions) error {
	runs, err := s.historyRuns(r.Context(), sess)
	if err != nil {
		return err
	}
	writeBody(w, http.StatusOK, appendDetail(nil, sess, runs, opt))
	return nil
}

// sessionQuery reads the query of a session route and its type parameter.
func sessionQuery(r *http.Request, errs *ValidationError) (query, *agentos.SessionType) {
	q := newQuery(r, errs)
	return q, q.sessionType()
}

func (s *Server) handleGetSession(w http.ResponseWriter, r *http.Request) error {
	var errs ValidationError
	q, typ := sessionQuery(r, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.selectDatabase(q, true); err != nil {
		return err
	}
	id := r.PathValue("session_id")
	sess, err := s.getSession(r.Context(), r, id, typ, func() error {
		return sessionNotFound(id, typ)
	})
	if err != nil {
		return err
	}
	return s.writeDetail(w, r, sess, detailOptions{omitNull: true})
}

func (s *Server) handleListRuns(w http.ResponseWriter, r *http.Request) error {
	var errs ValidationError
	q, typ := sessionQuery(r, &errs)
	filter := agentos.RunFilter{
		CreatedAfter:  q.optInt("created_after"),
		CreatedBefore: q.optInt("created_before"),
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.selectDatabase(q, true); err != nil {
		return err
	}
	id := r.PathValue("session_id")
	sess, err := s.getSession(r.Context(), r, id, typ, func() error {
		return agentos.Errorf(agentos.ENOTFOUND, "Session with ID %s not found", id)
	})
	if err != nil {
		return err
	}
	runs, err := s.store.ListRuns(r.Context(), id, filter)
	if err != nil {
		return fmt.Errorf("list runs of session %q: %w", id, err)
	}
	buf := make([]byte, 0, 2+2048*len(runs))
	buf = append(buf, '[')
	n := 0
	for _, run := range runs {
		mark := len(buf)
		if n > 0 {
			buf = append(buf, ',')
		}
		var shown bool
		buf, shown = appendRunInSession(buf, run, sessionType(sess))
		if !shown {
			buf = buf[:mark]
			continue
		}
		n++
	}
	buf = append(buf, ']')
	writeBody(w, http.StatusOK, buf)
	return nil
}

func (s *Server) handleGetRun(w http.ResponseWriter, r *http.Request) error {
	var errs ValidationError
	q, typ := sessionQuery(r, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.selectDatabase(q, true); err != nil {
		return err
	}
	id, runID := r.PathValue("session_id"), r.PathValue("run_id")
	sess, err := s.getSession(r.Context(), r, id, typ, func() error {
		return agentos.Errorf(agentos.ENOTFOUND, "Session with ID %s not found", id)
	})
	if err != nil {
		return err
	}
	if sess.RunCount == 0 {
		return agentos.Errorf(agentos.ENOTFOUND, "Session with ID %s has no runs", id)
	}
	run, err := s.store.GetRun(r.Context(), id, runID)
	if agentos.ErrorCode(err) == agentos.ENOTFOUND {
		return agentos.Errorf(agentos.ENOTFOUND,
			"Run with ID %s not found in session %s", runID, id)
	}
	if err != nil {
		return fmt.Errorf("get run %q of session %q: %w", runID, id, err)
	}
	writeBody(w, http.StatusOK, appendRunByOwnFields(nil, run, false))
	return nil
}

func (s *Server) handleDeleteSession(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, &ValidationError{})
	if err := s.selectDatabase(q, true); err != nil {
		return err
	}
	id := r.PathValue("session_id")
	if _, err := s.store.DeleteSessions(r.Context(), []string{id}, s.scope(r)); err != nil {
		return fmt.Errorf("delete session %q: %w", id, err)
	}
	writeNoContent(w)
	return nil
}

// writeNoContent sends 204 with agno's content type and no body.
func writeNoContent(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNoContent)
}

// parseDeleteBody reads the body of DELETE /sessions: session_ids and
// session_types, both lists of at least one item.
func parseDeleteBody(raw json.RawMessage, errs *ValidationError) (ids []string, types int) {
	if agentos.IsNull(raw) {
		errs.Add(missingItem([]any{"body"}, nil))
		return nil, 0
	}
	f, ok := bodyObject(raw, errs)
	if !ok {
		return nil, 0
	}
	if elems, ok := f.list("session_ids", 1); ok {
		for i, e := range elems {
			id, isString := jsonString(e)
			if !isString {
				errs.Add(stringTypeItem([]any{"body", "session_ids", i}, e))
				continue
			}
			ids = append(ids, id)
		}
	}
	if elems, ok := f.list("session_types", 1); ok {
		for i, e := range elems {
			t, isString := jsonString(e)
			if !isString || !validSessionType(t) {
				errs.Add(enumItem([]any{"body", "session_types", i}, e, sessionTypeNames))
				continue
			}
		}
		types = len(elems)
	}
	return ids, types
}

func validSessionType(t string) bool {
	_, err := agentos.ParseSessionType(t)
	return err == nil
}

func (s *Server) handleDeleteSessions(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var errs ValidationError
	q := newQuery(r, &errs)
	ids, types := parseDeleteBody(body, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if len(ids) != types {
		return agentos.Errorf(agentos.EINVALID,
			"Session IDs and session types must have the same length")
	}
	if err := s.selectDatabase(q, true); err != nil {
		return err
	}
	if _, err := s.store.DeleteSessions(r.Context(), ids, s.scope(r)); err != nil {
		return fmt.Errorf("delete %d sessions: %w", len(ids), err)
	}
	writeNoContent(w)
	return nil
}

// parseRenameBody reads {"session_name": string}. FastAPI reports a body
// that is missing, not an object or without the name, and a null name, as
// the missing field.
func parseRenameBody(raw json.RawMessage, errs *ValidationError) *string {
	loc := []any{"body", "session_name"}
	fields, ok := objectFields(raw)
	if !ok || agentos.IsNull(fields["session_name"]) {
		errs.Add(missingItem(loc, nil))
		return nil
	}
	name, ok := jsonString(fields["session_name"])
	if !ok {
		errs.Add(stringTypeItem(loc, fields["session_name"]))
		return nil
	}
	return &name
}

func (s *Server) handleRenameSession(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var errs ValidationError
	q, typ := sessionQuery(r, &errs)
	name := parseRenameBody(body, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.selectDatabase(q, true); err != nil {
		return err
	}
	id := r.PathValue("session_id")
	sess, err := s.store.UpdateSession(r.Context(), id, s.scope(r),
		agentos.SessionUpdate{Name: name, Type: typ})
	if err != nil {
		return updateError(id, err)
	}
	return s.writeDetail(w, r, sess, detailOptions{})
}

// updateError maps a failed session update to agno's responses.
func updateError(id string, err error) error {
	if agentos.ErrorCode(err) == agentos.ENOTFOUND {
		return sessionNotFound(id, nil)
	}
	return fmt.Errorf("update session %q: %w", id, err)
}

// parseUpdateBody reads the body of PATCH /sessions/{session_id}. The body
// is required. Unlike agno, which fails with 500, a malformed summary is a
// 422 that names the field.
func parseUpdateBody(raw json.RawMessage, errs *ValidationError) agentos.SessionUpdate {
	var upd agentos.SessionUpdate
	if agentos.IsNull(raw) {
		errs.Add(missingItem([]any{"body"}, nil))
		return upd
	}
	f, ok := bodyObject(raw, errs)
	if !ok {
		return upd
	}
	upd.Name = f.optString("session_name")
	upd.State = f.optObject("session_state")
	upd.Metadata = f.optObject("metadata")
	if summary := f.optObject("summary"); summary != nil {
		upd.Summary = parseSummary(summary, errs)
	}
	return upd
}

func (s *Server) handleUpdateSession(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var errs ValidationError
	q, typ := sessionQuery(r, &errs)
	upd := parseUpdateBody(body, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.selectDatabase(q, true); err != nil {
		return err
	}
	upd.Type = typ
	id := r.PathValue("session_id")
	sess, err := s.store.UpdateSession(r.Context(), id, s.scope(r), upd)
	if err != nil {
		return updateError(id, err)
	}
	return s.writeDetail(w, r, sess, detailOptions{})
}

func (s *Server) handleClearSession(w http.ResponseWriter, r *http.Request) error {
	var errs ValidationError
	q, typ := sessionQuery(r, &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.selectDatabase(q, true); err != nil {
		return err
	}
	id := r.PathValue("session_id")
	sess, err := s.store.ClearSession(r.Context(), id, s.scope(r), typ)
	if err != nil {
		return updateError(id, err)
	}
	writeBody(w, http.StatusOK, appendDetail(nil, sess, nil, detailOptions{omitNull: true}))
	return nil
}
