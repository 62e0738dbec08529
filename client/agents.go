package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Agent is an agent as GET /agents and GET /agents/{id} return it. agno
// leaves out settings equal to its defaults, so absent settings read as
// agno's defaults, not as zero.
type Agent struct {
	ID               string                `json:"id"`
	Name             string                `json:"name,omitempty"`
	DBID             string                `json:"db_id,omitempty"`
	Description      string                `json:"description,omitempty"`
	Role             string                `json:"role,omitempty"`
	IsFactory        bool                  `json:"is_factory"`
	Model            *AgentModel           `json:"model,omitempty"`
	Tools            json.RawMessage       `json:"tools,omitempty"`
	Sessions         *AgentSessionSettings `json:"sessions,omitempty"`
	Knowledge        json.RawMessage       `json:"knowledge,omitempty"`
	Memory           json.RawMessage       `json:"memory,omitempty"`
	Reasoning        json.RawMessage       `json:"reasoning,omitempty"`
	DefaultTools     json.RawMessage       `json:"default_tools,omitempty"`
	SystemMessage    json.RawMessage       `json:"system_message,omitempty"`
	ExtraMessages    json.RawMessage       `json:"extra_messages,omitempty"`
	ResponseSettings json.RawMessage       `json:"response_settings,omitempty"`
	Introduction     string                `json:"introduction,omitempty"`
	Streaming        json.RawMessage       `json:"streaming,omitempty"`
	Metadata         json.RawMessage       `json:"metadata,omitempty"`
	InputSchema      json.RawMessage       `json:"input_schema,omitempty"`
	IsComponent      bool                  `json:"is_component"`
	CurrentVersion   int                   `json:"current_version,omitempty"`
	Stage            string                `json:"stage,omitempty"`

	Raw json.RawMessage `json:"-"` // the object as received
}

// AgentModel names an agent's model. Model holds the model id.
type AgentModel struct {
	Name     string `json:"name,omitempty"`
	Model    string `json:"model,omitempty"`
	Provider string `json:"provider,omitempty"`
}

// AgentSessionSettings are an agent's session and history settings.
type AgentSessionSettings struct {
	SessionTable           string `json:"session_table,omitempty"`
	AddHistoryToContext    bool   `json:"add_history_to_context,omitempty"`
	EnableSessionSummaries bool   `json:"enable_session_summaries,omitempty"`
	// NumHistoryRuns is nil when agno left out its default, 3.
	NumHistoryRuns     *int `json:"num_history_runs,omitempty"`
	SearchPastSessions bool `json:"search_past_sessions,omitempty"`
	CacheSession       bool `json:"cache_session,omitempty"`
}

// ListAgents calls GET /agents.
func (c *Client) ListAgents(ctx context.Context, ropts ...RequestOption) ([]*Agent, error) {
	var raws []json.RawMessage
	err := c.do(ctx, &request{method: http.MethodGet, path: "/agents", opts: ropts}, &raws)
	if err != nil {
		return nil, err
	}
	agents := make([]*Agent, 0, len(raws))
	for _, raw := range raws {
		var a Agent
		if err := decodeRaw(raw, &a, "GET /agents"); err != nil {
			return nil, err
		}
		a.Raw = raw
		agents = append(agents, &a)
	}
	return agents, nil
}

// GetAgent calls GET /agents/{id}.
func (c *Client) GetAgent(ctx context.Context, id string, ropts ...RequestOption) (*Agent, error) {
	var raw json.RawMessage
	req := &request{method: http.MethodGet, path: pathf("/agents/%s", id), opts: ropts}
	if err := c.do(ctx, req, &raw); err != nil {
		return nil, err
	}
	var a Agent
	if err := decodeRaw(raw, &a, "GET /agents/"+id); err != nil {
		return nil, err
	}
	a.Raw = raw
	return &a, nil
}

// RunRequest is the input of a run. Empty fields are not sent.
type RunRequest struct {
	Message   string
	SessionID string // continue this session; a new one when empty
	UserID    string
	// Images, Audio, Videos and Files are agno media objects, sent as JSON
	// arrays. Files go in the input_files field, as agno's client sends
	// documents.
	Images []any
	Audio  []any
	Videos []any
	Files  []any
	// SessionState, Dependencies and Metadata are JSON objects.
	SessionState any
	Dependencies any
	Metadata     any
	// Fields are further run options such as "add_history_to_context" or
	// "stream_events". Booleans are sent as true or false, strings as they
	// are, nil values not at all, and other values as JSON text.
	Fields map[string]any
}

// form is an ordered URL-encoded form, so fields go out in the order agno's
// client sends them.
type form struct {
	keys   []string
	values []string
}

func (f *form) add(key string, value any) error {
	text, ok, err := formValue(value)
	if err != nil {
		return fmt.Errorf("form field %s: %w", key, err)
	}
	if ok {
		f.keys = append(f.keys, key)
		f.values = append(f.values, text)
	}
	return nil
}

// formValue returns the form text of v and whether v is sent at all.
func formValue(v any) (string, bool, error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case bool:
		return strconv.FormatBool(v), true, nil
	case int:
		return strconv.Itoa(v), true, nil
	case int64:
		return strconv.FormatInt(v, 10), true, nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true, nil
	case json.RawMessage:
		if v == nil {
			return "", false, nil
		}
		return string(v), true, nil
	case []any:
		if len(v) == 0 {
			return "", false, nil
		}
	}
	data, err := jsonBody(v)
	if err != nil {
		return "", false, err
	}
	return string(data), true, nil
}

func (f *form) encode() []byte {
	var b strings.Builder
	for i, key := range f.keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(f.values[i]))
	}
	return []byte(b.String())
}

// runForm builds the form of a run as agno's client does: message and
// stream first, then the ids, the media, and the options.
func (in *RunRequest) form(stream bool) ([]byte, error) {
	var f form
	fields := []struct {
		key   string
		value any
	}{
		{"message", in.Message},
		{"stream", stream},
		{"session_id", emptyToNil(in.SessionID)},
		{"user_id", emptyToNil(in.UserID)},
		{"images", in.Images},
		{"audio", in.Audio},
		{"videos", in.Videos},
		{"input_files", in.Files},
		{"session_state", in.SessionState},
		{"dependencies", in.Dependencies},
		{"metadata", in.Metadata},
	}
	for _, field := range fields {
		if err := f.add(field.key, field.value); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(in.Fields))
	for key := range in.Fields {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if err := f.add(key, in.Fields[key]); err != nil {
			return nil, err
		}
	}
	return f.encode(), nil
}

func emptyToNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RunOutput is the record of one run, as a run without streaming returns
// it.
type RunOutput struct {
	RunID            string          `json:"run_id"`
	AgentID          string          `json:"agent_id,omitempty"`
	AgentName        string          `json:"agent_name,omitempty"`
	TeamID           string          `json:"team_id,omitempty"`
	SessionID        string          `json:"session_id,omitempty"`
	ParentRunID      string          `json:"parent_run_id,omitempty"`
	WorkflowID       string          `json:"workflow_id,omitempty"`
	UserID           string          `json:"user_id,omitempty"`
	Content          Content         `json:"content,omitzero"`
	ContentType      string          `json:"content_type,omitempty"`
	ReasoningContent string          `json:"reasoning_content,omitempty"`
	Model            string          `json:"model,omitempty"`
	ModelProvider    string          `json:"model_provider,omitempty"`
	SessionState     json.RawMessage `json:"session_state,omitempty"`
	CreatedAt        Time            `json:"created_at"`
	// Status is PENDING, RUNNING, COMPLETED, PAUSED, CANCELLED, ERROR or
	// REGENERATED. A failed model call still returns 200, with ERROR.
	Status   string          `json:"status,omitempty"`
	Metrics  *Metrics        `json:"metrics,omitempty"`
	Messages []Message       `json:"messages,omitempty"`
	Tools    json.RawMessage `json:"tools,omitempty"`
	Events   json.RawMessage `json:"events,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
	Input    json.RawMessage `json:"input,omitempty"`

	Raw json.RawMessage `json:"-"` // the body as received
}

// RunAgent calls POST /agents/{id}/runs with stream=false and returns the
// finished run.
func (c *Client) RunAgent(
	ctx context.Context, agentID string, in *RunRequest, ropts ...RequestOption,
) (*RunOutput, error) {
	if in == nil {
		in = &RunRequest{}
	}
	body, err := in.form(false)
	if err != nil {
		return nil, err
	}
	return c.runOutput(ctx, &request{
		method: http.MethodPost, path: pathf("/agents/%s/runs", agentID),
		body: body, contentType: formContentType, opts: ropts,
	})
}

const formContentType = "application/x-www-form-urlencoded"

func (c *Client) runOutput(ctx context.Context, req *request) (*RunOutput, error) {
	var raw json.RawMessage
	if err := c.do(ctx, req, &raw); err != nil {
		return nil, err
	}
	var out RunOutput
	if err := decodeRaw(raw, &out, req.method+" "+req.path); err != nil {
		return nil, err
	}
	out.Raw = raw
	return &out, nil
}

// ContinueRunRequest is the input of a paused run's continuation.
type ContinueRunRequest struct {
	// Tools are the tool executions with the caller's results or
	// confirmations, sent as a JSON array.
	Tools     any
	SessionID string
	UserID    string
	Fields    map[string]any // further run options, encoded as in RunRequest
}

func (in *ContinueRunRequest) form(stream bool) ([]byte, error) {
	var f form
	tools := in.Tools
	if isNil(tools) {
		tools = []any{}
	}
	text, err := jsonBody(tools)
	if err != nil {
		return nil, err
	}
	for _, field := range []struct {
		key   string
		value any
	}{
		{"tools", string(text)},
		{"stream", stream},
		{"session_id", emptyToNil(in.SessionID)},
		{"user_id", emptyToNil(in.UserID)},
	} {
		if err := f.add(field.key, field.value); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(in.Fields))
	for key := range in.Fields {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if err := f.add(key, in.Fields[key]); err != nil {
			return nil, err
		}
	}
	return f.encode(), nil
}

// ContinueAgentRun calls POST /agents/{id}/runs/{run_id}/continue with
// stream=false.
func (c *Client) ContinueAgentRun(
	ctx context.Context, agentID, runID string, in *ContinueRunRequest, ropts ...RequestOption,
) (*RunOutput, error) {
	if in == nil {
		in = &ContinueRunRequest{}
	}
	body, err := in.form(false)
	if err != nil {
		return nil, err
	}
	return c.runOutput(ctx, &request{
		method: http.MethodPost, path: pathf("/agents/%s/runs/%s/continue", agentID, runID),
		body: body, contentType: formContentType, opts: ropts,
	})
}

// CancelAgentRun calls POST /agents/{id}/runs/{run_id}/cancel. agno returns
// 200 even for unknown or finished runs. sessionID is sent only when not
// empty. Servers with per-user isolation require it.
func (c *Client) CancelAgentRun(
	ctx context.Context, agentID, runID, sessionID string, ropts ...RequestOption,
) error {
	q := query{}
	q.set("session_id", sessionID)
	return c.do(ctx, &request{
		method: http.MethodPost, path: pathf("/agents/%s/runs/%s/cancel", agentID, runID),
		query: q, opts: ropts,
	}, nil)
}
