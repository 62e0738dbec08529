package client

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"
)

// The session types of AgentOS.
const (
	SessionTypeAgent    = "agent"
	SessionTypeTeam     = "team"
	SessionTypeWorkflow = "workflow"
)

// Session is one item of a session listing (GET /sessions).
type Session struct {
	SessionID      string          `json:"session_id"`
	SessionName    string          `json:"session_name"`
	SessionState   json.RawMessage `json:"session_state,omitempty"`
	CreatedAt      Time            `json:"created_at"`
	UpdatedAt      Time            `json:"updated_at"`
	SessionType    string          `json:"session_type,omitempty"`
	UserID         string          `json:"user_id,omitempty"`
	AgentID        string          `json:"agent_id,omitempty"`
	TeamID         string          `json:"team_id,omitempty"`
	WorkflowID     string          `json:"workflow_id,omitempty"`
	SessionSummary *SessionSummary `json:"session_summary,omitempty"`
	Metrics        *Metrics        `json:"metrics,omitempty"`
	TotalTokens    int64           `json:"total_tokens,omitempty"`
	Metadata       json.RawMessage `json:"metadata,omitempty"`

	Raw json.RawMessage `json:"-"` // the item as received
}

// ComponentID returns the id of the agent, team or workflow the session
// belongs to, by its type.
func (s *Session) ComponentID() string {
	return componentID(s.SessionType, s.AgentID, s.TeamID, s.WorkflowID)
}

func componentID(typ, agentID, teamID, workflowID string) string {
	switch typ {
	case SessionTypeTeam:
		return teamID
	case SessionTypeWorkflow:
		return workflowID
	case SessionTypeAgent:
		return agentID
	}
	for _, id := range []string{agentID, teamID, workflowID} {
		if id != "" {
			return id
		}
	}
	return ""
}

// SessionSummary is a model-written summary of a session.
type SessionSummary struct {
	Summary string   `json:"summary"`
	Topics  []string `json:"topics,omitempty"`
	// UpdatedAt is kept as sent, because agno writes a local time of the
	// server without an offset. UpdatedTime parses it.
	UpdatedAt string `json:"updated_at,omitempty"`
}

// UpdatedTime parses UpdatedAt. A time without an offset is read as UTC,
// although agno wrote it in the server's local zone.
func (s *SessionSummary) UpdatedTime() (time.Time, error) {
	return ParseTime(s.UpdatedAt)
}

// PageMeta describes one page of a listing.
type PageMeta struct {
	Page         int     `json:"page"`
	Limit        int     `json:"limit"`
	TotalPages   int     `json:"total_pages"`
	TotalCount   int     `json:"total_count"`
	SearchTimeMS float64 `json:"search_time_ms"`
}

// SessionPage is one page of sessions.
type SessionPage struct {
	Data []*Session `json:"data"`
	Meta PageMeta   `json:"meta"`
}

// SessionDetail is one session as GET /sessions/{id}, rename, update and
// clear return it. It merges agno's agent, team and workflow detail shapes:
// fields of the other shapes stay empty.
type SessionDetail struct {
	// SessionType is the type the client asked for or, without one, the
	// first of agent, team and workflow whose id is set. It is "" when no
	// id is set.
	SessionType    string          `json:"-"`
	SessionID      string          `json:"session_id"`
	AgentSessionID string          `json:"agent_session_id,omitempty"`
	SessionName    string          `json:"session_name"`
	UserID         string          `json:"user_id,omitempty"`
	AgentID        string          `json:"agent_id,omitempty"`
	TeamID         string          `json:"team_id,omitempty"`
	WorkflowID     string          `json:"workflow_id,omitempty"`
	WorkflowName   string          `json:"workflow_name,omitempty"`
	SessionSummary *SessionSummary `json:"session_summary,omitempty"`
	SessionState   json.RawMessage `json:"session_state,omitempty"`
	SessionData    json.RawMessage `json:"session_data,omitempty"`
	TotalTokens    int64           `json:"total_tokens,omitempty"`
	AgentData      json.RawMessage `json:"agent_data,omitempty"`
	TeamData       json.RawMessage `json:"team_data,omitempty"`
	WorkflowData   json.RawMessage `json:"workflow_data,omitempty"`
	Metrics        *Metrics        `json:"metrics,omitempty"`
	Metadata       json.RawMessage `json:"metadata,omitempty"`
	ChatHistory    []Message       `json:"chat_history,omitempty"`
	CreatedAt      Time            `json:"created_at"`
	UpdatedAt      Time            `json:"updated_at"`

	Raw json.RawMessage `json:"-"` // the body as received
}

// ComponentID returns the id of the agent, team or workflow the session
// belongs to, by its type.
func (s *SessionDetail) ComponentID() string {
	return componentID(s.SessionType, s.AgentID, s.TeamID, s.WorkflowID)
}

// RunView is one run as the session routes return it. It merges agno's
// agent, team and workflow run shapes.
type RunView struct {
	// Kind is "workflow" when WorkflowID is set, else "team" when TeamID is
	// set, else "agent", as agno's client picks the run shape.
	Kind              string          `json:"-"`
	RunID             string          `json:"run_id"`
	ParentRunID       string          `json:"parent_run_id,omitempty"`
	AgentID           string          `json:"agent_id,omitempty"`
	TeamID            string          `json:"team_id,omitempty"`
	WorkflowID        string          `json:"workflow_id,omitempty"`
	UserID            string          `json:"user_id,omitempty"`
	Status            string          `json:"status,omitempty"`
	RunInput          string          `json:"run_input,omitempty"`
	Content           Content         `json:"content,omitzero"`
	ContentType       string          `json:"content_type,omitempty"`
	RunResponseFormat string          `json:"run_response_format,omitempty"`
	ReasoningContent  string          `json:"reasoning_content,omitempty"`
	Metrics           *Metrics        `json:"metrics,omitempty"`
	Messages          []Message       `json:"messages,omitempty"`
	Tools             json.RawMessage `json:"tools,omitempty"`
	Events            json.RawMessage `json:"events,omitempty"`
	SessionState      json.RawMessage `json:"session_state,omitempty"`
	CreatedAt         Time            `json:"created_at"`

	Raw json.RawMessage `json:"-"` // the item as received
}

func (r *RunView) setKind() {
	switch {
	case r.WorkflowID != "":
		r.Kind = SessionTypeWorkflow
	case r.TeamID != "":
		r.Kind = SessionTypeTeam
	default:
		r.Kind = SessionTypeAgent
	}
}

// SessionOptions are the query parameters shared by the routes of one
// session. Empty fields are not sent.
type SessionOptions struct {
	// Type is "agent", "team" or "workflow". Without it the server detects
	// the type. Delete routes do not send it.
	Type   string
	UserID string // owner filter
	DBID   string // database id, needed when the server has several
	Table  string // sessions table, needs DBID
}

func (o *SessionOptions) query(withType bool) query {
	q := query{}
	if o == nil {
		return q
	}
	if withType {
		q.set("type", o.Type)
	}
	q.set("user_id", o.UserID)
	q.set("db_id", o.DBID)
	q.set("table", o.Table)
	return q
}

func (o *SessionOptions) sessionType() string {
	if o == nil {
		return ""
	}
	return o.Type
}

// ListSessionsOptions filter, order and page a session listing. Empty
// fields are not sent, except the paging and sort fields, which are always
// sent with agno's defaults as agno's client sends them.
type ListSessionsOptions struct {
	Type        string // "agent", "team" or "workflow"; empty lists all
	ComponentID string // agent, team or workflow id
	UserID      string
	SessionName string // part of the session name
	Limit       int    // page size; 0 means 20
	Page        int    // 1-based page; 0 means 1
	SortBy      string // a session field; "" means created_at
	SortOrder   string // "asc" or "desc"; "" means desc
	DBID        string
	Table       string
}

func (o *ListSessionsOptions) query() query {
	var opts ListSessionsOptions
	if o != nil {
		opts = *o
	}
	if opts.Limit == 0 {
		opts.Limit = 20
	}
	if opts.Page == 0 {
		opts.Page = 1
	}
	if opts.SortBy == "" {
		opts.SortBy = "created_at"
	}
	if opts.SortOrder == "" {
		opts.SortOrder = "desc"
	}
	q := query{}
	q.set("type", opts.Type)
	q.set("component_id", opts.ComponentID)
	q.set("user_id", opts.UserID)
	q.set("session_name", opts.SessionName)
	q.set("limit", strconv.Itoa(opts.Limit))
	q.set("page", strconv.Itoa(opts.Page))
	q.set("sort_by", opts.SortBy)
	q.set("sort_order", opts.SortOrder)
	q.set("db_id", opts.DBID)
	q.set("table", opts.Table)
	return q
}

// ListSessions calls GET /sessions and returns one page.
func (c *Client) ListSessions(
	ctx context.Context, opts *ListSessionsOptions, ropts ...RequestOption,
) (*SessionPage, error) {
	var page struct {
		Data []json.RawMessage `json:"data"`
		Meta PageMeta          `json:"meta"`
	}
	req := &request{method: http.MethodGet, path: "/sessions", query: opts.query(), opts: ropts}
	if err := c.do(ctx, req, &page); err != nil {
		return nil, err
	}
	out := &SessionPage{Data: make([]*Session, 0, len(page.Data)), Meta: page.Meta}
	for _, raw := range page.Data {
		var s Session
		if err := decodeRaw(raw, &s, "GET /sessions"); err != nil {
			return nil, err
		}
		s.Raw = raw
		out.Data = append(out.Data, &s)
	}
	return out, nil
}

// AllSessions returns an iterator over the sessions of every page, starting
// at opts.Page, requesting pages until one comes back short or empty. The
// iteration stops at the first error, which it yields.
func (c *Client) AllSessions(
	ctx context.Context, opts *ListSessionsOptions, ropts ...RequestOption,
) iter.Seq2[*Session, error] {
	return func(yield func(*Session, error) bool) {
		var o ListSessionsOptions
		if opts != nil {
			o = *opts
		}
		if o.Page < 1 {
			o.Page = 1
		}
		for {
			page, err := c.ListSessions(ctx, &o, ropts...)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, s := range page.Data {
				if !yield(s, nil) {
					return
				}
			}
			limit := page.Meta.Limit
			if limit <= 0 {
				limit = len(page.Data)
			}
			last := page.Meta.TotalPages > 0 && o.Page >= page.Meta.TotalPages
			if len(page.Data) == 0 || len(page.Data) < limit || last {
				return
			}
			o.Page++
		}
	}
}

// CreateSessionRequest is the body of POST /sessions. Empty fields are sent
// as null, which the server reads as not given.
type CreateSessionRequest struct {
	// Type selects the session type: "agent" (the default), "team" or
	// "workflow". Only the id that matches it is stored.
	Type         string
	SessionID    string // a new UUID when empty
	UserID       string
	SessionName  string
	SessionState any // a JSON object: a map, a struct or json.RawMessage
	Metadata     any // a JSON object
	AgentID      string
	TeamID       string
	WorkflowID   string
	DBID         string
}

// CreateSession calls POST /sessions. The body always holds the eight keys
// agno's client sends, unset ones as null.
func (c *Client) CreateSession(
	ctx context.Context, in *CreateSessionRequest, ropts ...RequestOption,
) (*SessionDetail, error) {
	if in == nil {
		in = &CreateSessionRequest{}
	}
	typ := in.Type
	if typ == "" {
		typ = SessionTypeAgent
	}
	body := struct {
		SessionID    *string `json:"session_id"`
		SessionName  *string `json:"session_name"`
		SessionState any     `json:"session_state"`
		Metadata     any     `json:"metadata"`
		UserID       *string `json:"user_id"`
		AgentID      *string `json:"agent_id"`
		TeamID       *string `json:"team_id"`
		WorkflowID   *string `json:"workflow_id"`
	}{
		nonEmpty(in.SessionID), nonEmpty(in.SessionName), in.SessionState, in.Metadata,
		nonEmpty(in.UserID), nonEmpty(in.AgentID), nonEmpty(in.TeamID), nonEmpty(in.WorkflowID),
	}
	data, err := jsonBody(body)
	if err != nil {
		return nil, err
	}
	q := query{}
	q.set("type", typ)
	q.set("db_id", in.DBID)
	return c.sessionDetail(ctx, typ, &request{
		method: http.MethodPost, path: "/sessions", query: q,
		body: data, contentType: "application/json", opts: ropts,
	})
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// GetSession calls GET /sessions/{id}.
func (c *Client) GetSession(
	ctx context.Context, id string, opts *SessionOptions, ropts ...RequestOption,
) (*SessionDetail, error) {
	return c.sessionDetail(ctx, opts.sessionType(), &request{
		method: http.MethodGet, path: pathf("/sessions/%s", id),
		query: opts.query(true), opts: ropts,
	})
}

// RenameSession calls POST /sessions/{id}/rename. An empty name is sent as
// "" and stored as the explicit name.
func (c *Client) RenameSession(
	ctx context.Context, id, name string, opts *SessionOptions, ropts ...RequestOption,
) (*SessionDetail, error) {
	data, err := jsonBody(map[string]string{"session_name": name})
	if err != nil {
		return nil, err
	}
	return c.sessionDetail(ctx, opts.sessionType(), &request{
		method: http.MethodPost, path: pathf("/sessions/%s/rename", id),
		query: opts.query(true), body: data, contentType: "application/json", opts: ropts,
	})
}

// SessionUpdate lists the fields that UpdateSession changes. Nil fields are
// left out of the body and stay unchanged on the server. State, metadata and
// summary replace the stored object whole.
type SessionUpdate struct {
	SessionName  *string
	SessionState any // a JSON object
	Metadata     any // a JSON object
	// Summary is {"summary": text, "topics": [...], "updated_at": ISO time}.
	Summary any
}

// UpdateSession calls PATCH /sessions/{id} with the non-nil fields of upd.
func (c *Client) UpdateSession(
	ctx context.Context, id string, upd SessionUpdate, opts *SessionOptions,
	ropts ...RequestOption,
) (*SessionDetail, error) {
	body := map[string]any{}
	if upd.SessionName != nil {
		body["session_name"] = *upd.SessionName
	}
	for key, v := range map[string]any{
		"session_state": upd.SessionState, "metadata": upd.Metadata, "summary": upd.Summary,
	} {
		if !isNil(v) {
			body[key] = v
		}
	}
	data, err := jsonBody(body)
	if err != nil {
		return nil, err
	}
	return c.sessionDetail(ctx, opts.sessionType(), &request{
		method: http.MethodPatch, path: pathf("/sessions/%s", id),
		query: opts.query(true), body: data, contentType: "application/json", opts: ropts,
	})
}

// isNil reports whether v is nil or a nil json.RawMessage.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	raw, ok := v.(json.RawMessage)
	return ok && raw == nil
}

// ClearSession calls POST /sessions/{id}/clear, which erases the runs,
// summary and metrics of a session and keeps its id, owner, name, state and
// metadata. Servers without the route, such as agno 2.9.0, make it fail with
// an error that wraps ErrNotSupported.
func (c *Client) ClearSession(
	ctx context.Context, id string, opts *SessionOptions, ropts ...RequestOption,
) (*SessionDetail, error) {
	detail, err := c.sessionDetail(ctx, opts.sessionType(), &request{
		method: http.MethodPost, path: pathf("/sessions/%s/clear", id),
		query: opts.query(true), opts: ropts,
	})
	if routeMissing(err) {
		return nil, fmt.Errorf("clear session %s: %w (%w)", id, ErrNotSupported, err)
	}
	return detail, err
}

// DeleteSession calls DELETE /sessions/{id}. agno returns 204 whether or
// not the session existed, so a nil error does not prove it existed.
func (c *Client) DeleteSession(
	ctx context.Context, id string, opts *SessionOptions, ropts ...RequestOption,
) error {
	return c.do(ctx, &request{
		method: http.MethodDelete, path: pathf("/sessions/%s", id),
		query: opts.query(false), opts: ropts,
	}, nil)
}

// DeleteSessions calls DELETE /sessions for several ids at once. agno 2.9.0
// needs one session type per id but does not use them, so when types is
// empty the client sends "agent" for each id.
func (c *Client) DeleteSessions(
	ctx context.Context, ids, types []string, opts *SessionOptions, ropts ...RequestOption,
) error {
	if len(ids) == 0 {
		return fmt.Errorf("delete sessions: no session ids given")
	}
	if len(types) == 0 {
		types = make([]string, len(ids))
		for i := range types {
			types[i] = SessionTypeAgent
		}
	}
	data, err := jsonBody(map[string][]string{"session_ids": ids, "session_types": types})
	if err != nil {
		return err
	}
	return c.do(ctx, &request{
		method: http.MethodDelete, path: "/sessions", query: opts.query(false),
		body: data, contentType: "application/json", opts: ropts,
	}, nil)
}

// ListRunsOptions are the query parameters of GET /sessions/{id}/runs.
type ListRunsOptions struct {
	SessionOptions
	// CreatedAfter and CreatedBefore are inclusive bounds, sent as Unix
	// seconds. Zero times are not sent.
	CreatedAfter  time.Time
	CreatedBefore time.Time
}

// ListSessionRuns calls GET /sessions/{id}/runs and returns the runs in
// stored order, oldest first.
func (c *Client) ListSessionRuns(
	ctx context.Context, id string, opts *ListRunsOptions, ropts ...RequestOption,
) ([]*RunView, error) {
	var q query
	if opts != nil {
		q = opts.SessionOptions.query(true)
		if !opts.CreatedAfter.IsZero() {
			q.set("created_after", strconv.FormatInt(opts.CreatedAfter.Unix(), 10))
		}
		if !opts.CreatedBefore.IsZero() {
			q.set("created_before", strconv.FormatInt(opts.CreatedBefore.Unix(), 10))
		}
	}
	var raws []json.RawMessage
	req := &request{method: http.MethodGet, path: pathf("/sessions/%s/runs", id), query: q,
		opts: ropts}
	if err := c.do(ctx, req, &raws); err != nil {
		return nil, err
	}
	runs := make([]*RunView, 0, len(raws))
	for _, raw := range raws {
		run, err := decodeRunView(raw)
		if err != nil {
			return nil, err
		}
		runs = append(runs, run)
	}
	return runs, nil
}

// GetSessionRun calls GET /sessions/{id}/runs/{run_id}.
func (c *Client) GetSessionRun(
	ctx context.Context, id, runID string, opts *SessionOptions, ropts ...RequestOption,
) (*RunView, error) {
	var raw json.RawMessage
	req := &request{method: http.MethodGet, path: pathf("/sessions/%s/runs/%s", id, runID),
		query: opts.query(true), opts: ropts}
	if err := c.do(ctx, req, &raw); err != nil {
		return nil, err
	}
	return decodeRunView(raw)
}

func decodeRunView(raw json.RawMessage) (*RunView, error) {
	var run RunView
	if err := decodeRaw(raw, &run, "session run"); err != nil {
		return nil, err
	}
	run.Raw = raw
	run.setKind()
	return &run, nil
}

// sessionDetail performs req and decodes a session detail. typ is the type
// the caller asked for, which wins over detection.
func (c *Client) sessionDetail(
	ctx context.Context, typ string, req *request,
) (*SessionDetail, error) {
	var raw json.RawMessage
	if err := c.do(ctx, req, &raw); err != nil {
		return nil, err
	}
	var d SessionDetail
	if err := decodeRaw(raw, &d, req.method+" "+req.path); err != nil {
		return nil, err
	}
	d.Raw = raw
	d.SessionType = typ
	if d.SessionType == "" {
		switch {
		case d.AgentID != "":
			d.SessionType = SessionTypeAgent
		case d.TeamID != "":
			d.SessionType = SessionTypeTeam
		case d.WorkflowID != "":
			d.SessionType = SessionTypeWorkflow
		}
	}
	return &d, nil
}
