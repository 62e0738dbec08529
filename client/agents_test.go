package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentos-go/agentos/client"
)

func TestHealth(t *testing.T) {
	c := replay(t, "00-health")
	h, err := c.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != "ok" {
		t.Errorf("Status = %q", h.Status)
	}
	want := time.Date(2026, 12, 4, 11, 25, 53, 807713000, time.UTC)
	if !h.InstantiatedAt.Equal(want) {
		t.Errorf("InstantiatedAt = %v, want %v", h.InstantiatedAt, want)
	}
}

func TestConfig(t *testing.T) {
	c := replay(t, "01-config")
	cfg, err := c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OSID != "0b2ec523-7595-431a-b15c-8848ee470bd9" {
		t.Errorf("OSID = %q", cfg.OSID)
	}
	dbID := "21138089-9477-5cb5-98c0-fdc32ef6f1e0"
	if len(cfg.Databases) != 1 || cfg.Databases[0] != dbID {
		t.Errorf("Databases = %v", cfg.Databases)
	}
	if cfg.Session == nil || len(cfg.Session.DBs) != 1 {
		t.Fatalf("Session = %+v", cfg.Session)
	}
	db := cfg.Session.DBs[0]
	if db.DBID != dbID || db.DomainConfig.DisplayName != dbID || len(db.Tables) != 1 ||
		db.Tables[0] != "agno_sessions" {
		t.Errorf("session db = %+v", db)
	}
	if len(cfg.Agents) != 2 || cfg.Agents[1].ID != "researcher" {
		t.Fatalf("Agents = %+v", cfg.Agents)
	}
	if m := cfg.Agents[0].Model; m == nil || m.ID != "gpt-4o" || m.Provider != "OpenAI" {
		t.Errorf("agent model = %+v", m)
	}
	if cfg.Teams == nil || len(cfg.Teams) != 0 || len(cfg.Interfaces) != 0 {
		t.Errorf("teams %v, interfaces %v", cfg.Teams, cfg.Interfaces)
	}
	if !json.Valid(cfg.Raw) {
		t.Error("Raw is not JSON")
	}
}

func TestListAgents(t *testing.T) {
	c := replay(t, "02-agents-list")
	agents, err := c.ListAgents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(agents) != 2 {
		t.Fatalf("got %d agents", len(agents))
	}
	a := agents[0]
	if a.ID != "assistant" || a.Name != "Assistant" || a.IsFactory || a.IsComponent {
		t.Errorf("agent %+v", a)
	}
	if a.Model == nil || a.Model.Model != "gpt-4o" || a.Model.Name != "OpenAIChat" {
		t.Errorf("model %+v", a.Model)
	}
	if a.Sessions == nil || !a.Sessions.AddHistoryToContext || a.Sessions.NumHistoryRuns == nil ||
		*a.Sessions.NumHistoryRuns != 5 {
		t.Errorf("sessions %+v", a.Sessions)
	}
}

func TestRunAgent(t *testing.T) {
	c := replay(t, "03-run-nonstream-1", "04-run-nonstream-2-history", "08-run-unknown-agent")
	run, err := c.RunAgent(ctx, "assistant", &client.RunRequest{
		Message: "My name is Alice.", SessionID: "rec-chat", UserID: "alice@example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	if run.RunID != "e9e6ffc7-79aa-45fd-9f5b-3838637355f0" || run.SessionID != "rec-chat" {
		t.Errorf("run %q in %q", run.RunID, run.SessionID)
	}
	want := `Echo: I have seen 1 user message(s): [1] "My name is Alice."`
	if run.Content.String() != want || run.Status != "COMPLETED" {
		t.Errorf("content %q, status %q", run.Content.String(), run.Status)
	}
	if run.CreatedAt.Unix() != 1796383576 || run.Model != "gpt-4o" {
		t.Errorf("created %v, model %q", run.CreatedAt, run.Model)
	}
	if run.Metrics == nil || run.Metrics.TotalTokens != 16 || len(run.Messages) != 2 {
		t.Errorf("metrics %+v, %d messages", run.Metrics, len(run.Messages))
	}

	second, err := c.RunAgent(ctx, "assistant", &client.RunRequest{
		Message: "What's my name?", SessionID: "rec-chat", UserID: "alice@example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(second.Content.String(), "[2] \"What's my name?\"") {
		t.Errorf("second run content %q", second.Content.String())
	}

	_, err = c.RunAgent(ctx, "no-such-agent", &client.RunRequest{Message: "hi"})
	wantAPIError(t, err, 404, "Agent not found")
}

func TestRunAgentStream(t *testing.T) {
	c := replay(t, "05-run-stream-true", "06-run-stream-default")
	var (
		types   []string
		text    strings.Builder
		last    *client.Event
		session string
	)
	for ev, err := range c.RunAgentStream(ctx, "assistant", &client.RunRequest{
		Message: "Say it again", SessionID: "rec-chat", UserID: "alice@example.com",
	}) {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, ev.Type)
		if ev.Type == client.EventRunContent {
			text.WriteString(ev.Content.String())
		}
		session = ev.SessionID
		last = ev
	}
	if len(types) < 6 || types[0] != client.EventRunStarted ||
		types[1] != client.EventModelRequestStarted {
		t.Fatalf("event types %v", types)
	}
	if last.Type != client.EventRunCompleted || session != "rec-chat" {
		t.Fatalf("last event %q in %q", last.Type, session)
	}
	if text.String() != last.Content.String() {
		t.Errorf("streamed text %q, completed content %q", text.String(), last.Content.String())
	}
	if last.Metrics == nil || last.Metrics.TotalTokens != 58 {
		t.Errorf("completed metrics %+v", last.Metrics)
	}
	if !json.Valid(last.Raw) {
		t.Error("Raw is not JSON")
	}

	count := 0
	for ev, err := range c.RunAgentStream(ctx, "researcher", &client.RunRequest{
		Message: "Hello researcher", UserID: "bob@example.com",
	}) {
		if err != nil {
			t.Fatal(err)
		}
		count++
		if ev.Type == client.EventRunStarted && ev.SessionID == "" {
			t.Error("RunStarted without a session id")
		}
	}
	if count == 0 {
		t.Error("no events")
	}
}

func TestRunAgentStreamHTTPError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"detail":"Agent not found"}`)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	n := 0
	for ev, err := range c.RunAgentStream(ctx, "nope", &client.RunRequest{Message: "hi"}) {
		n++
		if ev != nil {
			t.Errorf("event %+v", ev)
		}
		wantAPIError(t, err, 404, "Agent not found")
	}
	if n != 1 {
		t.Errorf("yielded %d times, want 1", n)
	}
}

func TestRunAgentStreamIdleTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: RunStarted\ndata: {\"event\":\"RunStarted\",\"run_id\":\"r1\"}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(""),
		client.WithStreamIdleTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var events []*client.Event
	var streamErr error
	for ev, err := range c.RunAgentStream(ctx, "a", &client.RunRequest{Message: "hi"}) {
		if err != nil {
			streamErr = err
			break
		}
		events = append(events, ev)
	}
	if len(events) != 1 || events[0].RunID != "r1" {
		t.Errorf("events %+v", events)
	}
	if !errors.Is(streamErr, client.ErrIdleTimeout) {
		t.Fatalf("error %v, want ErrIdleTimeout", streamErr)
	}
	var unreachable *client.UnreachableError
	if !errors.As(streamErr, &unreachable) || !unreachable.Timeout() {
		t.Errorf("error %v is not a timed-out *UnreachableError", streamErr)
	}
}

func TestRunFormEncoding(t *testing.T) {
	got := make(chan *http.Request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		got <- r
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"run_id":"r","content":{"answer":42},"status":"COMPLETED"}`)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	run, err := c.RunAgent(ctx, "a b", &client.RunRequest{
		Message:      "héllo & bye",
		SessionState: map[string]int{"n": 1},
		Images:       []any{map[string]string{"url": "https://example.com/x.png"}},
		Fields: map[string]any{
			"add_history_to_context": false,
			"stream_events":          true,
			"knowledge_filters":      map[string]string{"k": "v"},
			"skipped":                nil,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if run.Content.IsString() || run.Content.String() != `{"answer":42}` {
		t.Errorf("object content read as %q", run.Content.String())
	}
	r := <-got
	if r.URL.EscapedPath() != "/agents/a%20b/runs" {
		t.Errorf("path %q", r.URL.EscapedPath())
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", ct)
	}
	want := map[string]string{
		"message":                "héllo & bye",
		"stream":                 "false",
		"session_state":          `{"n":1}`,
		"images":                 `[{"url":"https://example.com/x.png"}]`,
		"add_history_to_context": "false",
		"stream_events":          "true",
		"knowledge_filters":      `{"k":"v"}`,
	}
	for key, value := range want {
		if got := r.PostForm.Get(key); got != value {
			t.Errorf("form %s = %q, want %q", key, got, value)
		}
	}
	for _, absent := range []string{"session_id", "user_id", "skipped", "audio", "input_files"} {
		if _, ok := r.PostForm[absent]; ok {
			t.Errorf("form has %s", absent)
		}
	}
}

func TestCancelAgentRun(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Method + " " + r.URL.RequestURI()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	if err := c.CancelAgentRun(ctx, "assistant", "run-1", "s1"); err != nil {
		t.Fatal(err)
	}
	if r := <-got; r != "POST /agents/assistant/runs/run-1/cancel?session_id=s1" {
		t.Errorf("request %q", r)
	}
}

func newClient(t *testing.T, baseURL string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(append([]client.Option{client.WithBaseURL(baseURL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAuthorizationHeader(t *testing.T) {
	got := make(chan http.Header, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	defer srv.Close()

	t.Setenv("OS_SECURITY_KEY", "from-env")
	if _, err := newClient(t, srv.URL).Health(ctx); err != nil {
		t.Fatal(err)
	}
	if h := <-got; h.Get("Authorization") != "Bearer from-env" {
		t.Errorf("env fallback sent %q", h.Get("Authorization"))
	}

	c := newClient(t, srv.URL, client.WithToken("explicit"), client.WithHeader("X-Extra", "1"))
	if _, err := c.Health(ctx, client.Header("X-Call", "2")); err != nil {
		t.Fatal(err)
	}
	h := <-got
	if h.Get("Authorization") != "Bearer explicit" || h.Get("X-Extra") != "1" ||
		h.Get("X-Call") != "2" {
		t.Errorf("headers %v", h)
	}

	if _, err := newClient(t, srv.URL, client.WithToken("")).Health(ctx); err != nil {
		t.Fatal(err)
	}
	if h := <-got; h.Get("Authorization") != "" {
		t.Errorf("empty token sent %q", h.Get("Authorization"))
	}
}

func TestUnreachableServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	ln.Close()

	_, err = newClient(t, addr).Health(ctx)
	var unreachable *client.UnreachableError
	if !errors.As(err, &unreachable) {
		t.Fatalf("error %v (%T), want *UnreachableError", err, err)
	}
	if unreachable.URL != addr || unreachable.Timeout() {
		t.Errorf("URL %q, timeout %v", unreachable.URL, unreachable.Timeout())
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("message %q does not name %s", err, addr)
	}
}

func TestCallTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	_, err := newClient(t, srv.URL, client.WithTimeout(20*time.Millisecond)).Health(ctx)
	var unreachable *client.UnreachableError
	if !errors.As(err, &unreachable) || !unreachable.Timeout() {
		t.Fatalf("error %v, want a timed-out *UnreachableError", err)
	}
}

func TestCallerCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := newClient(t, srv.URL).Health(cctx)
	var unreachable *client.UnreachableError
	if errors.As(err, &unreachable) {
		t.Fatalf("a cancelled call reported an unreachable server: %v", err)
	}
	if err == nil {
		t.Fatal("no error")
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{"localhost:7777", "ftp://x", "http://", "://"} {
		if _, err := client.New(client.WithBaseURL(u)); err == nil {
			t.Errorf("New accepted base URL %q", u)
		}
	}
	c := newClient(t, "http://127.0.0.1:7777///")
	if c.BaseURL() != "http://127.0.0.1:7777" {
		t.Errorf("BaseURL = %q", c.BaseURL())
	}
}
