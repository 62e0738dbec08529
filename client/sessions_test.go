package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentos-go/agentos/client"
)

var ctx = context.Background()

// recordedTime is 2026-12-04T11:26:16Z, when most recorded sessions were
// created.
var recordedTime = time.Date(2026, 12, 4, 11, 26, 16, 0, time.UTC)

func wantAPIError(t *testing.T, err error, status int, detail string) *client.Error {
	t.Helper()
	var apiErr *client.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T), want *client.Error", err, err)
	}
	if apiErr.StatusCode != status {
		t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, status)
	}
	if detail != "" && apiErr.Detail != detail {
		t.Errorf("Detail = %q, want %q", apiErr.Detail, detail)
	}
	return apiErr
}

func TestListSessionsDefault(t *testing.T) {
	c := replay(t, "24-sessions-list-default")
	page, err := c.ListSessions(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 13 {
		t.Fatalf("got %d sessions, want 13", len(page.Data))
	}
	if page.Meta.TotalCount != 13 || page.Meta.Page != 1 || page.Meta.Limit != 20 {
		t.Errorf("Meta = %+v", page.Meta)
	}
	first := page.Data[0]
	if first.SessionID != "1176389c-5143-4f29-b045-8009044ee356" || first.SessionName != "Orphan" {
		t.Errorf("first = %s %q", first.SessionID, first.SessionName)
	}
	if !first.CreatedAt.Equal(recordedTime) {
		t.Errorf("CreatedAt = %v, want %v", first.CreatedAt, recordedTime)
	}
	if first.UserID != "" || first.ComponentID() != "my-agent" {
		t.Errorf("UserID %q, ComponentID %q", first.UserID, first.ComponentID())
	}
	team := page.Data[1]
	if team.SessionType != client.SessionTypeTeam || team.ComponentID() != "some-team" {
		t.Errorf("team session: type %q, component %q", team.SessionType, team.ComponentID())
	}
	var chat *client.Session
	for _, s := range page.Data {
		if s.SessionID == "rec-chat" {
			chat = s
		}
	}
	if chat == nil {
		t.Fatal("rec-chat not listed")
	}
	if chat.TotalTokens != 109 || chat.Metrics == nil || chat.Metrics.OutputTokens != 48 {
		t.Errorf("rec-chat metrics: total %d, %+v", chat.TotalTokens, chat.Metrics)
	}
	if got := chat.Metrics.Details["model"][0].Provider; got != "OpenAI Chat" {
		t.Errorf("details provider = %q", got)
	}
	if string(chat.SessionState) != "{}" {
		t.Errorf("SessionState = %s", chat.SessionState)
	}
	if !json.Valid(chat.Raw) {
		t.Errorf("Raw = %q", chat.Raw)
	}
}

func TestListSessionsFilters(t *testing.T) {
	cases := []struct {
		recording string
		opts      client.ListSessionsOptions
		count     int
	}{
		{"25-sessions-list-type-agent", client.ListSessionsOptions{Type: "agent"}, 12},
		{"26-sessions-list-type-team", client.ListSessionsOptions{Type: "team"}, 1},
		{"27-sessions-list-component", client.ListSessionsOptions{ComponentID: "researcher"}, 0},
		{"28-sessions-list-user", client.ListSessionsOptions{UserID: "alice@example.com"}, 0},
		{"29-sessions-list-name", client.ListSessionsOptions{SessionName: "record"}, 1},
		{"33-sessions-list-sort-asc", client.ListSessionsOptions{SortOrder: "asc"}, 13},
		{"34-sessions-list-sort-updated", client.ListSessionsOptions{SortBy: "updated_at"}, 13},
		{"36-sessions-list-page1", client.ListSessionsOptions{Limit: 2, Page: 1}, 2},
		{"37-sessions-list-page2", client.ListSessionsOptions{Limit: 2, Page: 2}, 2},
		{"38-sessions-list-page-beyond", client.ListSessionsOptions{Limit: 2, Page: 99}, 0},
		{"40-sessions-list-all-filters", client.ListSessionsOptions{
			Type: "agent", ComponentID: "assistant", UserID: "alice@example.com",
			SessionName: "Recorded", SortBy: "updated_at", SortOrder: "asc", Limit: 5, Page: 1,
		}, 1},
		{"49-sessions-list-huge-limit", client.ListSessionsOptions{Limit: 100000, Type: "team"}, 1},
		{"96-sessions-list-final", client.ListSessionsOptions{Limit: 50}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.recording, func(t *testing.T) {
			c := replay(t, tc.recording)
			page, err := c.ListSessions(ctx, &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var recorded struct {
				Data []json.RawMessage `json:"data"`
				Meta client.PageMeta   `json:"meta"`
			}
			if err := json.Unmarshal(exchange(t, tc.recording).Response.Body, &recorded); err != nil {
				t.Fatal(err)
			}
			if len(page.Data) != len(recorded.Data) {
				t.Errorf("got %d sessions, recorded %d", len(page.Data), len(recorded.Data))
			}
			if tc.count > 0 && len(page.Data) != tc.count {
				t.Errorf("got %d sessions, want %d", len(page.Data), tc.count)
			}
			if page.Meta != recorded.Meta {
				t.Errorf("Meta = %+v, recorded %+v", page.Meta, recorded.Meta)
			}
		})
	}
}

func TestListSessionsErrors(t *testing.T) {
	c := replay(t, "42-sessions-list-limit-neg-422", "44-sessions-list-page-neg-422",
		"45-sessions-list-sort-order-sideways-422", "46-sessions-list-bad-type-422",
		"48-sessions-list-unknown-db-id")

	_, err := c.ListSessions(ctx, &client.ListSessionsOptions{Limit: -1})
	apiErr := wantAPIError(t, err, 422, "")
	if len(apiErr.Validation) != 1 || apiErr.Validation[0].Field() != "limit" {
		t.Fatalf("Validation = %+v", apiErr.Validation)
	}
	if got := apiErr.Validation[0].Type; got != "greater_than_equal" {
		t.Errorf("Type = %q", got)
	}
	// The reason phrase comes from the server, so only the rest is fixed.
	want := ": limit: Input should be greater than or equal to 1"
	if !strings.HasPrefix(apiErr.Error(), "422 ") || !strings.HasSuffix(apiErr.Error(), want) {
		t.Errorf("Error() = %q, want %q", apiErr.Error(), want)
	}

	_, err = c.ListSessions(ctx, &client.ListSessionsOptions{Page: -1})
	apiErr = wantAPIError(t, err, 422, "")
	if len(apiErr.Validation) != 1 || apiErr.Validation[0].Field() != "page" {
		t.Errorf("Validation = %+v", apiErr.Validation)
	}

	_, err = c.ListSessions(ctx, &client.ListSessionsOptions{SortOrder: "sideways"})
	apiErr = wantAPIError(t, err, 422, "")
	if len(apiErr.Validation) != 1 || string(apiErr.Validation[0].Input) != `"sideways"` {
		t.Errorf("Validation = %+v", apiErr.Validation)
	}

	_, err = c.ListSessions(ctx, &client.ListSessionsOptions{Type: "robot"})
	wantAPIError(t, err, 422, "")

	_, err = c.ListSessions(ctx, &client.ListSessionsOptions{DBID: "nope"})
	// agno 2.9.0 prefixes the detail with the original status here.
	wantAPIError(t, err, 404, "404: No database found with id 'nope'")
}

func TestGetSession(t *testing.T) {
	c := replay(t, "51-session-get", "52-session-get-typed", "53-session-get-minimal",
		"54-session-get-team")

	s, err := c.GetSession(ctx, "rec-chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.SessionType != client.SessionTypeAgent || s.AgentID != "assistant" {
		t.Errorf("type %q, agent %q", s.SessionType, s.AgentID)
	}
	if s.SessionName != "My name is Alice." || s.UserID != "alice@example.com" {
		t.Errorf("name %q, user %q", s.SessionName, s.UserID)
	}
	if s.TotalTokens != 109 || s.Metrics == nil || s.Metrics.InputTokens != 61 {
		t.Errorf("tokens %d, metrics %+v", s.TotalTokens, s.Metrics)
	}
	if len(s.ChatHistory) != 6 {
		t.Fatalf("chat history has %d messages, want 6", len(s.ChatHistory))
	}
	if m := s.ChatHistory[0]; m.Role != "user" || m.Content.String() != "My name is Alice." {
		t.Errorf("first message %s %q", m.Role, m.Content)
	}
	if got := s.ChatHistory[1].CreatedAt.Unix(); got != 1796383576 {
		t.Errorf("message created_at = %d", got)
	}
	if got := s.ChatHistory[1].Metrics.TotalTokens; got != 16 {
		t.Errorf("message tokens = %d", got)
	}
	var agentData struct{ Name string }
	if err := json.Unmarshal(s.AgentData, &agentData); err != nil || agentData.Name != "Assistant" {
		t.Errorf("AgentData = %s", s.AgentData)
	}

	typed, err := c.GetSession(ctx, "rec-s-full", &client.SessionOptions{Type: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	if typed.SessionName != "Recorded Session" || string(typed.Metadata) != `{"source":"recording"}` {
		t.Errorf("typed: name %q, metadata %s", typed.SessionName, typed.Metadata)
	}

	minimal, err := c.GetSession(ctx, "e5706456-3cb4-4008-9145-210695894e4a", nil)
	if err != nil {
		t.Fatal(err)
	}
	if minimal.SessionType != "" || minimal.SessionName != "" || minimal.UserID != "" {
		t.Errorf("minimal: type %q, name %q, user %q",
			minimal.SessionType, minimal.SessionName, minimal.UserID)
	}

	team, err := c.GetSession(ctx, "8038bd49-7766-48bc-93c6-564de609e317", nil)
	if err != nil {
		t.Fatal(err)
	}
	if team.SessionType != client.SessionTypeTeam || team.ComponentID() != "some-team" {
		t.Errorf("team: type %q, component %q", team.SessionType, team.ComponentID())
	}
}

func TestGetSessionErrors(t *testing.T) {
	c := replay(t, "55-session-get-unknown-404", "56-session-get-unknown-typed-404",
		"58-session-get-wrong-user-404", "59-session-get-bad-type-422")

	_, err := c.GetSession(ctx, "no-such-session", nil)
	wantAPIError(t, err, 404, "Session with id 'no-such-session' not found")
	if !client.IsNotFound(err) {
		t.Error("IsNotFound = false")
	}
	_, err = c.GetSession(ctx, "no-such-session", &client.SessionOptions{Type: "agent"})
	wantAPIError(t, err, 404, "Agent Session with id 'no-such-session' not found")
	_, err = c.GetSession(ctx, "rec-chat", &client.SessionOptions{UserID: "mallory"})
	wantAPIError(t, err, 404, "")
	_, err = c.GetSession(ctx, "rec-chat", &client.SessionOptions{Type: "robot"})
	apiErr := wantAPIError(t, err, 422, "")
	if len(apiErr.Validation) != 1 || apiErr.Validation[0].Field() != "type" {
		t.Errorf("Validation = %+v", apiErr.Validation)
	}
}

func TestCreateSession(t *testing.T) {
	c := replay(t, "12-sessions-create-full", "13-sessions-create-minimal",
		"15-sessions-create-researcher", "16-sessions-create-team-type",
		"23-sessions-create-unknown-agent")

	full, err := c.CreateSession(ctx, &client.CreateSessionRequest{
		SessionID:    "rec-s-full",
		AgentID:      "assistant",
		UserID:       "alice@example.com",
		SessionName:  "Recorded Session",
		SessionState: map[string]any{"step": 1},
		Metadata:     json.RawMessage(`{"source":"recording"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if full.SessionID != "rec-s-full" || full.AgentSessionID != "rec-s-full" {
		t.Errorf("ids %q %q", full.SessionID, full.AgentSessionID)
	}
	if full.SessionType != "agent" || string(full.SessionState) != `{"step":1}` {
		t.Errorf("type %q, state %s", full.SessionType, full.SessionState)
	}
	if full.Metrics == nil || full.Metrics.TotalTokens != 0 || full.Metrics.Details != nil {
		t.Errorf("Metrics = %+v, want empty", full.Metrics)
	}
	if !full.CreatedAt.Equal(recordedTime) || !full.UpdatedAt.Equal(recordedTime) {
		t.Errorf("times %v %v", full.CreatedAt, full.UpdatedAt)
	}

	minimal, err := c.CreateSession(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if minimal.SessionID == "" || minimal.SessionName != "" {
		t.Errorf("minimal: id %q, name %q", minimal.SessionID, minimal.SessionName)
	}

	researcher, err := c.CreateSession(ctx, &client.CreateSessionRequest{
		AgentID: "researcher", UserID: "bob@example.com", SessionName: "Bob research",
	})
	if err != nil {
		t.Fatal(err)
	}
	if researcher.AgentID != "researcher" || researcher.SessionName != "Bob research" {
		t.Errorf("researcher: %q %q", researcher.AgentID, researcher.SessionName)
	}

	team, err := c.CreateSession(ctx, &client.CreateSessionRequest{
		Type: "team", TeamID: "some-team", SessionName: "A team session",
	})
	if err != nil {
		t.Fatal(err)
	}
	if team.SessionType != "team" || team.TeamID != "some-team" {
		t.Errorf("team: type %q, team %q", team.SessionType, team.TeamID)
	}

	orphan, err := c.CreateSession(ctx, &client.CreateSessionRequest{
		AgentID: "my-agent", SessionName: "Orphan",
	})
	if err != nil {
		t.Fatal(err)
	}
	if orphan.AgentID != "my-agent" {
		t.Errorf("orphan agent %q", orphan.AgentID)
	}
}

func TestCreateSessionErrors(t *testing.T) {
	c := replay(t, "17-sessions-create-duplicate-409",
		"18-sessions-create-duplicate-of-run-session-409",
		"20-sessions-create-bad-field-type", "21-sessions-create-bad-type-param")

	_, err := c.CreateSession(ctx, &client.CreateSessionRequest{
		SessionID: "rec-s-full", AgentID: "assistant", SessionName: "dup",
	})
	wantAPIError(t, err, 409,
		"Session with id 'rec-s-full' already exists. Use PATCH /sessions/rec-s-full to update it.")

	_, err = c.CreateSession(ctx, &client.CreateSessionRequest{SessionID: "rec-chat"})
	wantAPIError(t, err, 409, "")

	_, err = c.CreateSession(ctx, &client.CreateSessionRequest{SessionState: "nope"})
	apiErr := wantAPIError(t, err, 422, "")
	if len(apiErr.Validation) != 1 {
		t.Fatalf("Validation = %+v", apiErr.Validation)
	}
	if v := apiErr.Validation[0]; v.Type != "dict_type" || v.Field() != "session_state" {
		t.Errorf("validation item %+v", v)
	}

	_, err = c.CreateSession(ctx, &client.CreateSessionRequest{Type: "bogus"})
	wantAPIError(t, err, 422, "")
}

func TestSessionRuns(t *testing.T) {
	c := replay(t, "60-session-runs", "61-session-runs-created-after",
		"62-session-runs-created-before", "63-session-runs-empty", "64-session-runs-unknown-404")

	runs, err := c.ListSessionRuns(ctx, "rec-chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 {
		t.Fatalf("got %d runs, want 3", len(runs))
	}
	first := runs[0]
	if first.Kind != "agent" || first.RunID != "e9e6ffc7-79aa-45fd-9f5b-3838637355f0" {
		t.Errorf("first run: kind %q, id %q", first.Kind, first.RunID)
	}
	if first.RunInput != "My name is Alice." || first.Status != "COMPLETED" {
		t.Errorf("first run: input %q, status %q", first.RunInput, first.Status)
	}
	wantContent := `Echo: I have seen 1 user message(s): [1] "My name is Alice."`
	if first.Content.String() != wantContent || !first.Content.IsString() {
		t.Errorf("content %q", first.Content.String())
	}
	if first.RunResponseFormat != "text" || first.ParentRunID != "" {
		t.Errorf("format %q, parent %q", first.RunResponseFormat, first.ParentRunID)
	}
	if first.Metrics.TotalTokens != 16 || first.Metrics.Duration <= 0 {
		t.Errorf("metrics %+v", first.Metrics)
	}
	if len(first.Messages) != 2 || !first.CreatedAt.Equal(recordedTime) {
		t.Errorf("%d messages, created %v", len(first.Messages), first.CreatedAt)
	}

	after, err := c.ListSessionRuns(ctx, "rec-chat", &client.ListRunsOptions{
		CreatedAfter: time.Unix(4102444800, 0),
	})
	if err != nil || len(after) != 0 {
		t.Errorf("created after 2100: %d runs, %v", len(after), err)
	}
	before, err := c.ListSessionRuns(ctx, "rec-chat", &client.ListRunsOptions{
		CreatedBefore: time.Unix(0, 0),
	})
	if err != nil || len(before) != 0 {
		t.Errorf("created before 1970: %d runs, %v", len(before), err)
	}
	empty, err := c.ListSessionRuns(ctx, "rec-s-full", nil)
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("empty session: %v runs, %v", empty, err)
	}
	_, err = c.ListSessionRuns(ctx, "no-such-session", nil)
	wantAPIError(t, err, 404, "Session with ID no-such-session not found")
}

func TestGetSessionRun(t *testing.T) {
	c := replay(t, "66-session-run-get", "67-session-run-get-unknown-run-404",
		"68-session-run-get-no-runs-404", "69-session-run-get-unknown-session-404")

	run, err := c.GetSessionRun(ctx, "rec-chat", "e9e6ffc7-79aa-45fd-9f5b-3838637355f0", nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.RunID != "e9e6ffc7-79aa-45fd-9f5b-3838637355f0" || run.AgentID != "assistant" {
		t.Errorf("run %q of %q", run.RunID, run.AgentID)
	}
	if run.Tools != nil || run.Events != nil {
		t.Errorf("null tools and events read as %s and %s", run.Tools, run.Events)
	}
	if got := run.Metrics.Details["model"][0].ID; got != "gpt-4o" {
		t.Errorf("model id %q", got)
	}

	_, err = c.GetSessionRun(ctx, "rec-chat", "no-such-run", nil)
	wantAPIError(t, err, 404, "Run with ID no-such-run not found in session rec-chat")
	_, err = c.GetSessionRun(ctx, "rec-s-full", "no-such-run", nil)
	wantAPIError(t, err, 404, "Session with ID rec-s-full has no runs")
	_, err = c.GetSessionRun(ctx, "no-such-session", "e9e6ffc7-79aa-45fd-9f5b-3838637355f0", nil)
	wantAPIError(t, err, 404, "Session with ID no-such-session not found")
}

func TestRenameSession(t *testing.T) {
	c := replay(t, "70-session-rename", "71-session-rename-empty-name",
		"74-session-rename-unknown-404", "75-session-rename-restore")

	s, err := c.RenameSession(ctx, "rec-s-full", "Renamed by recording", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.SessionName != "Renamed by recording" || s.SessionType != "agent" {
		t.Errorf("name %q, type %q", s.SessionName, s.SessionType)
	}
	if s.SessionSummary != nil || s.TotalTokens != 0 || s.AgentData != nil {
		t.Errorf("nulls read as %+v, %d, %s", s.SessionSummary, s.TotalTokens, s.AgentData)
	}
	if !s.UpdatedAt.After(s.CreatedAt.Time) {
		t.Errorf("updated %v not after created %v", s.UpdatedAt, s.CreatedAt)
	}

	s, err = c.RenameSession(ctx, "rec-s-full", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.SessionName != "" {
		t.Errorf("name %q after renaming to empty", s.SessionName)
	}

	_, err = c.RenameSession(ctx, "no-such-session", "x", nil)
	wantAPIError(t, err, 404, "Session with id 'no-such-session' not found")

	s, err = c.RenameSession(ctx, "rec-s-full", "Recorded Session", nil)
	if err != nil || s.SessionName != "Recorded Session" {
		t.Errorf("restore: %v, %v", s, err)
	}
}

func TestUpdateSession(t *testing.T) {
	c := replay(t, "76-session-patch", "77-session-patch-state-only", "78-session-patch-empty",
		"79-session-patch-run-session", "80-session-patch-unknown-404",
		"82-session-patch-bad-field-422")

	name := "Patched name"
	s, err := c.UpdateSession(ctx, "rec-s-full", client.SessionUpdate{
		SessionName:  &name,
		SessionState: map[string]any{"step": 2, "done": false},
		Metadata:     map[string]any{"patched": true},
		Summary:      map[string]any{"summary": "A summary", "topics": []string{"alpha"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.SessionName != name || string(s.Metadata) != `{"patched":true}` {
		t.Errorf("name %q, metadata %s", s.SessionName, s.Metadata)
	}
	if s.SessionSummary == nil || s.SessionSummary.Summary != "A summary" ||
		len(s.SessionSummary.Topics) != 1 {
		t.Errorf("summary %+v", s.SessionSummary)
	}

	s, err = c.UpdateSession(ctx, "rec-s-full", client.SessionUpdate{
		SessionState: json.RawMessage(`{"step":3}`),
	}, nil)
	if err != nil || string(s.SessionState) != `{"step":3}` {
		t.Errorf("state only: %v, %v", s, err)
	}
	if _, err := c.UpdateSession(ctx, "rec-s-full", client.SessionUpdate{}, nil); err != nil {
		t.Errorf("empty update: %v", err)
	}
	s, err = c.UpdateSession(ctx, "rec-chat", client.SessionUpdate{
		Metadata: map[string]string{"k": "v"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.ChatHistory) != 6 || s.TotalTokens != 109 {
		t.Errorf("run session: %d messages, %d tokens", len(s.ChatHistory), s.TotalTokens)
	}

	_, err = c.UpdateSession(ctx, "no-such-session", client.SessionUpdate{SessionName: new("x")}, nil)
	wantAPIError(t, err, 404, "Session with id 'no-such-session' not found")

	_, err = c.UpdateSession(ctx, "rec-s-full", client.SessionUpdate{SessionState: []int{1, 2}}, nil)
	apiErr := wantAPIError(t, err, 422, "")
	if len(apiErr.Validation) != 1 || apiErr.Validation[0].Type != "dict_type" {
		t.Errorf("Validation = %+v", apiErr.Validation)
	}
}

func TestDeleteSessions(t *testing.T) {
	c := replay(t, "83-session-delete", "84-session-get-after-delete-404", "86-session-delete-unknown",
		"87-sessions-bulk-delete", "88-sessions-bulk-delete-mismatch-400",
		"92-sessions-bulk-delete-bad-type-422")

	id := "4bf738d0-336a-4173-81e9-231c9221b182"
	if err := c.DeleteSession(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetSession(ctx, id, nil)
	wantAPIError(t, err, 404, "")
	if err := c.DeleteSession(ctx, "no-such-session", nil); err != nil {
		t.Errorf("deleting an unknown session: %v", err)
	}
	ids := []string{"e5706456-3cb4-4008-9145-210695894e4a", "48ae5155-3f93-4fac-8671-48c51047c2de"}
	if err := c.DeleteSessions(ctx, ids, nil, nil); err != nil {
		t.Errorf("bulk delete: %v", err)
	}
	err = c.DeleteSessions(ctx, []string{"a", "b"}, []string{"agent"}, nil)
	wantAPIError(t, err, http.StatusBadRequest,
		"Session IDs and session types must have the same length")
	err = c.DeleteSessions(ctx, []string{"a"}, []string{"robot"}, nil)
	wantAPIError(t, err, 422, "")

	if err := c.DeleteSessions(ctx, nil, nil, nil); err == nil {
		t.Error("deleting no ids returned no error")
	}
}

func TestClearSessionNotSupported(t *testing.T) {
	c := replay(t, "93-session-clear-not-implemented")
	_, err := c.ClearSession(ctx, "rec-chat", nil)
	if !errors.Is(err, client.ErrNotSupported) {
		t.Fatalf("error %v, want ErrNotSupported", err)
	}
	wantAPIError(t, err, 404, "Not Found")
}
