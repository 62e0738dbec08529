package client_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/client"
	"github.com/agentos-go/agentos/model"
	"github.com/agentos-go/agentos/model/modeltest"
	"github.com/agentos-go/agentos/server"
	"github.com/agentos-go/agentos/sqlite"
)

// startServer serves the AgentOS API on loopback over a new SQLite file,
// with one agent on a fake OpenAI host that echoes the user messages.
func startServer(t *testing.T) (*client.Client, *modeltest.Server) {
	t.Helper()
	fake := modeltest.NewOpenAI(t)
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"),
		sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opts := model.Options{BaseURL: fake.URL, APIKey: "test-key", MaxRetries: -1}
	engine, err := agent.NewEngine(agent.EngineConfig{Store: store, Agents: []*agent.Agent{{
		ID: "assistant", Name: "Assistant", Model: model.NewOpenAI("gpt-4o", opts),
		AddHistoryToContext: true, NumHistoryRuns: 5,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: store, Engine: engine})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		store.Close()
	})
	return newClient(t, hs.URL, client.WithToken("")), fake
}

func TestSessionWithRunsOnServer(t *testing.T) {
	c, _ := startServer(t)
	s, err := c.CreateSession(ctx, &client.CreateSessionRequest{
		SessionID: "chat-1", AgentID: "assistant", UserID: "alice",
		SessionState: map[string]int{"turn": 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.SessionType != "agent" || s.UserID != "alice" || string(s.SessionState) != `{"turn":0}` {
		t.Errorf("created %+v", s)
	}

	run, err := c.RunAgent(ctx, "assistant", &client.RunRequest{
		Message: "My name is Alice.", SessionID: "chat-1", UserID: "alice",
	})
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != "COMPLETED" || run.SessionID != "chat-1" {
		t.Errorf("run %s in %s", run.Status, run.SessionID)
	}

	var (
		types   []string
		text    string
		started string
	)
	for ev, err := range c.RunAgentStream(ctx, "assistant", &client.RunRequest{
		Message: "What's my name?", SessionID: "chat-1", UserID: "alice",
	}) {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, ev.Type)
		switch ev.Type {
		case client.EventRunStarted:
			started = ev.RunID
		case client.EventRunContent:
			text += ev.Content.String()
		}
	}
	if started == "" || types[len(types)-1] != client.EventRunCompleted {
		t.Errorf("event types %v", types)
	}
	want := `Echo: I have seen 2 user message(s): [1] "My name is Alice." [2] "What's my name?"`
	if text != want {
		t.Errorf("streamed %q, want %q", text, want)
	}

	runs, err := c.ListSessionRuns(ctx, "chat-1", nil)
	if err != nil || len(runs) != 2 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	if runs[1].RunID != started || runs[1].Content.String() != want || runs[0].RunInput != "My name is Alice." {
		t.Errorf("runs %+v %+v", runs[0], runs[1])
	}
	one, err := c.GetSessionRun(ctx, "chat-1", started, nil)
	if err != nil || one.Status != "COMPLETED" || one.Metrics == nil || one.Metrics.TotalTokens == 0 {
		t.Errorf("run %+v, %v", one, err)
	}

	detail, err := c.GetSession(ctx, "chat-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(detail.ChatHistory) != 4 || detail.SessionName != "My name is Alice." || detail.TotalTokens == 0 {
		t.Errorf("detail: %d messages, name %q, %d tokens",
			len(detail.ChatHistory), detail.SessionName, detail.TotalTokens)
	}

	cleared, err := c.ClearSession(ctx, "chat-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cleared.ChatHistory) != 0 || cleared.SessionName != "My name is Alice." ||
		string(cleared.SessionState) == "" {
		t.Errorf("cleared: %d messages, name %q, state %s",
			len(cleared.ChatHistory), cleared.SessionName, cleared.SessionState)
	}
	runs, err = c.ListSessionRuns(ctx, "chat-1", nil)
	if err != nil || len(runs) != 0 {
		t.Errorf("%d runs after clear, %v", len(runs), err)
	}

	if err := c.CancelAgentRun(ctx, "assistant", started, "chat-1"); err != nil {
		t.Errorf("cancel of a finished run: %v", err)
	}
	if err := c.DeleteSessions(ctx, []string{"chat-1", "none"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSession(ctx, "chat-1", nil)
	if !client.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
	_, err = c.ClearSession(ctx, "chat-1", nil)
	if !client.IsNotFound(err) || errors.Is(err, client.ErrNotSupported) {
		t.Errorf("clearing a deleted session: %v", err)
	}
}

func TestDiscoveryOnServer(t *testing.T) {
	c, _ := startServer(t)
	home, err := c.Home(ctx)
	if err != nil || home.Name != "AgentOS API" {
		t.Errorf("home %+v, %v", home, err)
	}
	info, err := c.Info(ctx)
	if err != nil || info.AgentCount != 1 || info.AuthMode != "none" {
		t.Errorf("info %+v, %v", info, err)
	}
	models, err := c.Models(ctx)
	if err != nil || len(models) != 1 || models[0].ID != "gpt-4o" {
		t.Errorf("models %+v, %v", models, err)
	}
	agent, err := c.GetAgent(ctx, "assistant")
	if err != nil || agent.Model == nil || agent.Model.Model != "gpt-4o" {
		t.Errorf("agent %+v, %v", agent, err)
	}
	cfg, err := c.Config(ctx)
	if err != nil || len(cfg.Agents) != 1 || cfg.Session == nil {
		t.Errorf("config %+v, %v", cfg, err)
	}
}

// TestOddSessionIDsOnServer reaches sessions whose ids are path dot
// segments or contain characters with a meaning in URLs. Each call must
// address that session, not a route the cleaned path would name.
func TestOddSessionIDsOnServer(t *testing.T) {
	c, _ := startServer(t)
	for _, id := range []string{".", "..", "a/b", "a/../b", "a?b", "a#b", "%2F", "sp ace", "ü"} {
		if _, err := c.CreateSession(ctx, &client.CreateSessionRequest{SessionID: id}); err != nil {
			t.Fatalf("create %q: %v", id, err)
		}
		got, err := c.GetSession(ctx, id, &client.SessionOptions{Type: client.SessionTypeAgent})
		if err != nil {
			t.Errorf("get %q: %v", id, err)
			continue
		}
		if got.SessionID != id {
			t.Errorf("get %q returned session %q", id, got.SessionID)
		}
		renamed, err := c.RenameSession(ctx, id, "renamed", &client.SessionOptions{
			Type: client.SessionTypeAgent})
		if err != nil {
			t.Errorf("rename %q: %v", id, err)
		} else if renamed.SessionID != id || renamed.SessionName != "renamed" {
			t.Errorf("rename %q returned session %q named %q", id, renamed.SessionID,
				renamed.SessionName)
		}
		if _, err := c.ListSessionRuns(ctx, id, nil); err != nil {
			t.Errorf("runs of %q: %v", id, err)
		}
		if err := c.DeleteSession(ctx, id, nil); err != nil {
			t.Errorf("delete %q: %v", id, err)
		}
		if _, err := c.GetSession(ctx, id, nil); !client.IsNotFound(err) {
			t.Errorf("get %q after delete: %v, want 404", id, err)
		}
	}
}

// TestEmptyIDRejected checks that an empty id fails in the client instead
// of calling the route that the shortened path names, such as GET /sessions.
func TestEmptyIDRejected(t *testing.T) {
	c, _ := startServer(t)
	if _, err := c.CreateSession(ctx, &client.CreateSessionRequest{SessionID: "kept"}); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"GetSession": func() error { _, err := c.GetSession(ctx, "", nil); return err },
		"ListSessionRuns": func() error {
			_, err := c.ListSessionRuns(ctx, "", nil)
			return err
		},
		"GetSessionRun": func() error {
			_, err := c.GetSessionRun(ctx, "kept", "", nil)
			return err
		},
		"ClearSession":  func() error { _, err := c.ClearSession(ctx, "", nil); return err },
		"DeleteSession": func() error { return c.DeleteSession(ctx, "", nil) },
		"GetAgent":      func() error { _, err := c.GetAgent(ctx, ""); return err },
	}
	for name, call := range calls {
		err := call()
		if err == nil {
			t.Errorf("%s with an empty id: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), "empty") {
			t.Errorf("%s with an empty id: %v, want an error naming the empty id", name, err)
		}
	}
	if _, err := c.GetSession(ctx, "kept", nil); err != nil {
		t.Errorf("kept session after the calls: %v", err)
	}
}
