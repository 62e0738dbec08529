package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/internal/recording"
	"github.com/agentos-go/agentos/model"
	"github.com/agentos-go/agentos/model/modeltest"
	"github.com/agentos-go/agentos/sqlite"
)

// agentHarness is a server with agents on fake model hosts, over a real
// SQLite store in a temporary directory.
type agentHarness struct {
	t      testing.TB
	URL    string
	store  *sqlite.Store
	engine *agent.Engine
	fake   *modeltest.Server
}

// referenceAgents returns the agents of agno's reference recordings:
// Assistant and Researcher, both with history of five runs, on gpt-4o.
func referenceAgents(url string) []*agent.Agent {
	opts := model.Options{BaseURL: url, APIKey: "test-key", MaxRetries: -1}
	return []*agent.Agent{
		{ID: "assistant", Name: "Assistant", Model: model.NewOpenAI("gpt-4o", opts),
			AddHistoryToContext: true, NumHistoryRuns: 5},
		{ID: "researcher", Name: "Researcher", Model: model.NewOpenAI("gpt-4o", opts),
			AddHistoryToContext: true, NumHistoryRuns: 5},
	}
}

func newAgentHarness(t testing.TB, agents func(url string) []*agent.Agent,
	middleware ...func(http.Handler) http.Handler) *agentHarness {
	t.Helper()
	fake := modeltest.NewOpenAI(t)
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"),
		sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	engine, err := agent.NewEngine(agent.EngineConfig{Store: store, Agents: agents(fake.URL)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Store: store, Engine: engine, Middleware: middleware})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &agentHarness{t: t, URL: hs.URL, store: store, engine: engine, fake: fake}
}

// post sends a urlencoded form.
func (h *agentHarness) post(path string, form url.Values) *http.Response {
	h.t.Helper()
	resp, err := http.Post(h.URL+path, "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// runJSON runs a non-streaming request and decodes the answer.
func (h *agentHarness) runJSON(agentID string, form url.Values) map[string]any {
	h.t.Helper()
	form.Set("stream", "false")
	resp := h.post("/agents/"+agentID+"/runs", form)
	body := readAll(h.t, resp)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("run: status %d: %s", resp.StatusCode, body)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		h.t.Fatalf("run answer is not JSON: %v: %s", err, body)
	}
	return out
}

// sseEvent is one received server-sent event with its raw lines.
type sseEvent struct {
	Name string
	Data map[string]any
	Raw  string
}

// readEvents reads a whole event stream, checking the three-line framing.
func readEvents(t testing.TB, body io.Reader) []sseEvent {
	t.Helper()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var events []sseEvent
	var lines []string
	for sc.Scan() {
		line := sc.Text()
		if line != "" {
			lines = append(lines, line)
			continue
		}
		events = append(events, parseEvent(t, lines))
		lines = nil
	}
	if len(lines) != 0 {
		t.Errorf("stream ended inside an event: %q", lines)
	}
	return events
}

func parseEvent(t testing.TB, lines []string) sseEvent {
	t.Helper()
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "event: ") ||
		!strings.HasPrefix(lines[1], "data: ") {
		t.Fatalf("event is not an event line and one data line: %q", lines)
	}
	ev := sseEvent{Name: strings.TrimPrefix(lines[0], "event: "),
		Raw: strings.TrimPrefix(lines[1], "data: ")}
	if err := json.Unmarshal([]byte(ev.Raw), &ev.Data); err != nil {
		t.Fatalf("event data is not JSON: %v: %s", err, ev.Raw)
	}
	if ev.Data["event"] != ev.Name {
		t.Errorf("event %s carries event key %v", ev.Name, ev.Data["event"])
	}
	return ev
}

func eventNames(events []sseEvent) []string {
	names := make([]string, len(events))
	for i, ev := range events {
		names[i] = ev.Name
	}
	return names
}

func readAll(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadRecording(t testing.TB, name string) *recording.Exchange {
	t.Helper()
	ex, err := recording.Load(filepath.Join("..", "testdata", "agno-2.9", "recordings",
		name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// modelRequests reads the request bodies agno's model server received.
func modelRequests(t testing.TB) []modeltest.Request {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "agno-2.9", "model-requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []modeltest.Request
	dec := json.NewDecoder(f)
	for dec.More() {
		var line struct {
			Model    string              `json:"model"`
			Stream   bool                `json:"stream"`
			Messages []modeltest.Message `json:"messages"`
		}
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		out = append(out, modeltest.Request{Model: line.Model, Stream: line.Stream,
			Messages: line.Messages})
	}
	return out
}

// storedRuns returns the stored runs of a session.
func (h *agentHarness) storedRuns(sessionID string) []*agentos.Run {
	h.t.Helper()
	runs, err := h.store.ListRuns(context.Background(), sessionID, agentos.RunFilter{})
	if err != nil {
		h.t.Fatal(err)
	}
	return runs
}

// waitRunStatus polls the store until the run reaches status or the test's
// patience ends; it asserts nothing about how long that takes.
func (h *agentHarness) waitRunStatus(sessionID, runID string,
	status agentos.RunStatus) *agentos.Run {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := h.store.GetRun(context.Background(), sessionID, runID)
		if err == nil && r.Status == status {
			return r
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("run %s never reached %s (last: %v, %v)", runID, status, r, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func decodeRecord(t testing.TB, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("record is not JSON: %v", err)
	}
	return m
}

// keyOrder returns the top-level keys of a JSON object in document order.
func keyOrder(t testing.TB, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// eventReader reads server-sent events one at a time.
type eventReader struct {
	t  testing.TB
	sc *bufio.Scanner
}

func newEventReader(t testing.TB, body io.Reader) *eventReader {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return &eventReader{t: t, sc: sc}
}

// next returns the next event, or false at the end of the stream.
func (r *eventReader) next() (sseEvent, bool) {
	r.t.Helper()
	var lines []string
	for r.sc.Scan() {
		line := r.sc.Text()
		if line == "" {
			return parseEvent(r.t, lines), true
		}
		lines = append(lines, line)
	}
	return sseEvent{}, false
}

// until reads events up to and including the first named name.
func (r *eventReader) until(name string) []sseEvent {
	r.t.Helper()
	var out []sseEvent
	for {
		ev, ok := r.next()
		if !ok {
			r.t.Fatalf("stream ended before %s; got %v", name, eventNames(out))
		}
		out = append(out, ev)
		if ev.Name == name {
			return out
		}
	}
}

// rest reads the remaining events.
func (r *eventReader) rest() []sseEvent {
	var out []sseEvent
	for {
		ev, ok := r.next()
		if !ok {
			return out
		}
		out = append(out, ev)
	}
}
