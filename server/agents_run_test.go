package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/model"
	"github.com/agentos-go/agentos/model/modeltest"
)

func TestRunCancelWhileStreaming(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	hold := make(chan struct{})
	defer close(hold)
	h.fake.Enqueue(modeltest.Reply{Chunks: []string{"partial", " rest"}, HoldAfter: 1,
		Hold: hold})
	resp := h.post("/agents/assistant/runs", url.Values{"message": {"Tell me a story"},
		"session_id": {"s-cancel"}})
	defer resp.Body.Close()
	events := newEventReader(t, resp.Body)
	started := events.until("RunContent")
	runID := started[0].Data["run_id"].(string)

	// While the model streams, the run is stored as RUNNING.
	running, err := h.store.GetRun(t.Context(), "s-cancel", runID)
	if err != nil {
		t.Fatal(err)
	}
	if running.Status != agentos.RunRunning {
		t.Errorf("status while streaming = %s, want RUNNING", running.Status)
	}
	status, body := get(t, h.URL+"/sessions/s-cancel/runs")
	if status != http.StatusOK || !strings.Contains(string(body), runID) ||
		!strings.Contains(string(body), `"RUNNING"`) {
		t.Errorf("GET /sessions/s-cancel/runs while streaming = %d %s, want the RUNNING run",
			status, body)
	}

	cancel := h.post("/agents/assistant/runs/"+runID+"/cancel", nil)
	if body := readAll(t, cancel); cancel.StatusCode != http.StatusOK || string(body) != "{}" {
		t.Fatalf("cancel answered %d %s", cancel.StatusCode, body)
	}
	tail := events.rest()
	if got := eventNames(tail); !slices.Equal(got, []string{"RunCancelled", "RunCompleted"}) {
		t.Fatalf("events after cancel = %v, want RunCancelled then RunCompleted", got)
	}
	if tail[0].Data["reason"] != "Run "+runID+" was cancelled" {
		t.Errorf("reason = %v", tail[0].Data["reason"])
	}
	if tail[0].Data["content"] != "partial" {
		t.Errorf("RunCancelled content = %v, want the partial text", tail[0].Data["content"])
	}
	stored := h.waitRunStatus("s-cancel", runID, agentos.RunCancelled)
	rec := decodeRecord(t, stored.Record)
	if rec["content"] != "partial" {
		t.Errorf("stored content = %v, want %q", rec["content"], "partial")
	}
}

func TestRunCancelNonStreaming(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	hold := make(chan struct{})
	defer close(hold)
	held := make(chan struct{})
	h.fake.Enqueue(modeltest.Reply{Chunks: []string{"never"}, HoldAfter: 0, Hold: hold,
		Held: held})
	type answer struct {
		rec map[string]any
		err error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := http.PostForm(h.URL+"/agents/assistant/runs", url.Values{
			"message": {"hi"}, "stream": {"false"}, "session_id": {"s-plain"}})
		if err != nil {
			done <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		var rec map[string]any
		err = json.NewDecoder(resp.Body).Decode(&rec)
		done <- answer{rec: rec, err: err}
	}()
	<-held
	runs := h.storedRuns("s-plain")
	if len(runs) != 1 || runs[0].Status != agentos.RunRunning {
		t.Fatalf("stored runs while the model works: %v", runs)
	}
	readAll(t, h.post("/agents/assistant/runs/"+runs[0].RunID+"/cancel", nil))
	got := <-done
	if got.err != nil {
		t.Fatal(got.err)
	}
	if got.rec["status"] != "CANCELLED" {
		t.Errorf("status = %v, want CANCELLED", got.rec["status"])
	}
	if want := "Run " + runs[0].RunID + " was cancelled"; got.rec["content"] != want {
		t.Errorf("content = %v, want the reason %q", got.rec["content"], want)
	}
}

func TestRunClientHangUpCancels(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	hold := make(chan struct{})
	defer close(hold)
	h.fake.Enqueue(modeltest.Reply{Chunks: []string{"half", " more"}, HoldAfter: 1,
		Hold: hold})
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL+"/agents/assistant/runs",
		strings.NewReader("message=hello&session_id=s-gone"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	first := newEventReader(t, resp.Body).until("RunContent")
	runID := first[0].Data["run_id"].(string)
	cancel() // the client hangs up mid-stream
	resp.Body.Close()

	stored := h.waitRunStatus("s-gone", runID, agentos.RunCancelled)
	rec := decodeRecord(t, stored.Record)
	if rec["content"] != "half" {
		t.Errorf("stored content = %v, want the partial text", rec["content"])
	}
}

func TestRunCancelUnknownRun(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	resp := h.post("/agents/assistant/runs/no-such-run/cancel", nil)
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || string(body) != "{}" {
		t.Errorf("cancel of an unknown run answered %d %s, want 200 {}", resp.StatusCode, body)
	}
	resp = h.post("/agents/nobody/runs/no-such-run/cancel", nil)
	if body := readAll(t, resp); resp.StatusCode != http.StatusNotFound ||
		string(body) != `{"detail":"Agent not found"}` {
		t.Errorf("cancel for an unknown agent answered %d %s", resp.StatusCode, body)
	}
}

func TestRunProviderFailure(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	h.fake.Key = "another-key" // the agent's key is now wrong

	rec := h.runJSON("assistant", url.Values{"message": {"hi"}, "session_id": {"s-fail"}})
	if rec["status"] != "ERROR" {
		t.Errorf("status = %v, want ERROR", rec["status"])
	}
	if content, _ := rec["content"].(string); !strings.Contains(content, "API key") {
		t.Errorf("content = %q, want the provider's complaint about the key", content)
	}

	resp := h.post("/agents/assistant/runs", url.Values{"message": {"again"},
		"session_id": {"s-fail"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream status %d, want 200", resp.StatusCode)
	}
	events := readEvents(t, resp.Body)
	resp.Body.Close()
	last := events[len(events)-1]
	if last.Name != "RunError" {
		t.Fatalf("last event %s, want RunError; events %v", last.Name, eventNames(events))
	}
	if last.Data["error_type"] != "model_authentication_error" {
		t.Errorf("error_type = %v", last.Data["error_type"])
	}
	if slices.Contains(eventNames(events), "RunCompleted") {
		t.Errorf("RunCompleted sent after an error: %v", eventNames(events))
	}
	runs := h.storedRuns("s-fail")
	if len(runs) != 2 {
		t.Fatalf("stored %d runs, want 2", len(runs))
	}
	for _, r := range runs {
		if r.Status != agentos.RunError {
			t.Errorf("run %s stored as %s, want ERROR", r.RunID, r.Status)
		}
	}
	streamed := decodeRecord(t, runs[1].Record)
	if evs, _ := streamed["events"].([]any); len(evs) != 1 {
		t.Errorf("streamed failure stores events %v, want its RunError", streamed["events"])
	}
}

func TestRunFailedRunsStayOutOfHistory(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	h.fake.Enqueue(modeltest.Reply{Status: http.StatusInternalServerError})
	h.runJSON("assistant", url.Values{"message": {"lost"}, "session_id": {"s-h"}})
	h.runJSON("assistant", url.Values{"message": {"kept"}, "session_id": {"s-h"}})
	h.runJSON("assistant", url.Values{"message": {"now"}, "session_id": {"s-h"}})
	reqs := h.fake.Requests()
	last := reqs[len(reqs)-1].Messages
	var users []string
	for _, m := range last {
		if m.Role == "user" {
			users = append(users, m.Content)
		}
	}
	if !slices.Equal(users, []string{"kept", "now"}) {
		t.Errorf("user messages sent = %v, want the completed run and the new one", users)
	}
}

func TestRunHistoryLimitAndOverride(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	for i := range 7 {
		h.runJSON("assistant", url.Values{"message": {fmt.Sprintf("m%d", i)},
			"session_id": {"s-limit"}})
	}
	reqs := h.fake.Requests()
	var users []string
	for _, m := range reqs[len(reqs)-1].Messages {
		if m.Role == "user" {
			users = append(users, m.Content)
		}
	}
	if want := []string{"m1", "m2", "m3", "m4", "m5", "m6"}; !slices.Equal(users, want) {
		t.Errorf("user messages = %v, want the last five runs and the new one %v", users, want)
	}

	h.runJSON("assistant", url.Values{"message": {"alone"}, "session_id": {"s-limit"},
		"add_history_to_context": {"false"}})
	reqs = h.fake.Requests()
	if got := reqs[len(reqs)-1].Messages; len(got) != 1 {
		t.Errorf("history off sent %d messages, want 1", len(got))
	}

	// Another session's runs never leak in.
	h.runJSON("assistant", url.Values{"message": {"fresh"}, "session_id": {"s-other"}})
	reqs = h.fake.Requests()
	if got := reqs[len(reqs)-1].Messages; len(got) != 1 || got[0].Content != "fresh" {
		t.Errorf("new session sent %v, want only its own message", got)
	}
}

func TestRunSessionOwnership(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	h.runJSON("assistant", url.Values{"message": {"mine"}, "session_id": {"s-own"},
		"user_id": {"alice"}})

	resp := h.post("/agents/assistant/runs", url.Values{"message": {"steal"},
		"session_id": {"s-own"}, "user_id": {"mallory"}, "stream": {"false"}})
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusNotFound ||
		string(body) != `{"detail":"Session with id 's-own' not found"}` {
		t.Errorf("run in another user's session answered %d %s", resp.StatusCode, body)
	}
	if n := len(h.storedRuns("s-own")); n != 1 {
		t.Errorf("session holds %d runs, want the owner's 1", n)
	}

	team := &agentos.Session{ID: "s-team", Type: agentos.SessionTypeTeam, TeamID: "t1"}
	if err := h.store.CreateSession(t.Context(), team); err != nil {
		t.Fatal(err)
	}
	resp = h.post("/agents/assistant/runs", url.Values{"message": {"hi"},
		"session_id": {"s-team"}, "stream": {"false"}})
	body = readAll(t, resp)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("run in a team session answered %d %s, want 409", resp.StatusCode, body)
	}
	if n := len(h.storedRuns("s-team")); n != 0 {
		t.Errorf("team session holds %d runs, want 0", n)
	}
	if n := len(h.fake.Requests()); n != 1 {
		t.Errorf("model got %d requests, want only the owner's", n)
	}
}

// TestRunConcurrentInOneSession starts two runs in one session and holds
// both model calls until both have begun: both callers get 200, both runs
// are stored, and each saw only the run completed before both started.
func TestRunConcurrentInOneSession(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	h.runJSON("assistant", url.Values{"message": {"before"}, "session_id": {"s-two"}})

	release := make(chan struct{})
	heldA, heldB := make(chan struct{}), make(chan struct{})
	h.fake.Enqueue(
		modeltest.Reply{Text: "answer", HoldAfter: 0, Hold: release, Held: heldA},
		modeltest.Reply{Text: "answer", HoldAfter: 0, Hold: release, Held: heldB},
	)
	var wg sync.WaitGroup
	results := make([]map[string]any, 2)
	statuses := make([]int, 2)
	for i, msg := range []string{"first", "second"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.PostForm(h.URL+"/agents/assistant/runs", url.Values{
				"message": {msg}, "stream": {"false"}, "session_id": {"s-two"}})
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			statuses[i] = resp.StatusCode
			var rec map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil {
				t.Error(err)
			}
			results[i] = rec
		}()
	}
	<-heldA
	<-heldB
	close(release)
	wg.Wait()

	for i := range 2 {
		if statuses[i] != http.StatusOK {
			t.Errorf("run %d status %d", i, statuses[i])
		}
		if results[i]["status"] != "COMPLETED" {
			t.Errorf("run %d status %v", i, results[i]["status"])
		}
	}
	runs := h.storedRuns("s-two")
	if len(runs) != 3 {
		t.Fatalf("stored %d runs, want 3", len(runs))
	}
	var inputs []string
	for _, r := range runs {
		if r.Status != agentos.RunCompleted {
			t.Errorf("run %s stored as %s", r.RunID, r.Status)
		}
		inputs = append(inputs, decodeRecord(t, r.Record)["input"].(map[string]any)["input_content"].(string))
	}
	slices.Sort(inputs[1:])
	if diff := cmp.Diff([]string{"before", "first", "second"}, inputs); diff != "" {
		t.Errorf("stored inputs (-want +got):\n%s", diff)
	}
	for _, req := range h.fake.Requests()[1:] {
		var users []string
		for _, m := range req.Messages {
			if m.Role == "user" {
				users = append(users, m.Content)
			}
		}
		if len(users) != 2 || users[0] != "before" {
			t.Errorf("concurrent run saw %v, want the completed run and its own message",
				users)
		}
	}
}

func TestRunPoll(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	rec := h.runJSON("assistant", url.Values{"message": {"poll me"}, "session_id": {"s-poll"},
		"user_id": {"u1"}})
	runID := rec["run_id"].(string)

	resp, err := http.Get(h.URL + "/agents/assistant/runs/" + runID + "?session_id=s-poll")
	if err != nil {
		t.Fatal(err)
	}
	got := decodeRecord(t, readAll(t, resp))
	if resp.StatusCode != http.StatusOK || got["run_id"] != runID ||
		got["status"] != "COMPLETED" {
		t.Errorf("poll answered %d %v", resp.StatusCode, got)
	}
	for _, target := range []string{
		"/agents/assistant/runs/nope?session_id=s-poll",
		"/agents/assistant/runs/" + runID + "?session_id=other",
		"/agents/researcher/runs/" + runID + "?session_id=s-poll",
		"/agents/assistant/runs/" + runID + "?session_id=s-poll&user_id=u2",
	} {
		resp, err := http.Get(h.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != http.StatusNotFound || string(body) != `{"detail":"Run not found"}` {
			t.Errorf("GET %s answered %d %s, want 404 Run not found", target,
				resp.StatusCode, body)
		}
	}
	resp, err = http.Get(h.URL + "/agents/assistant/runs/" + runID)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("poll without session_id answered %d %s, want 422", resp.StatusCode, body)
	}
}

func TestRunSessionStateAndMetadata(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	rec := h.runJSON("assistant", url.Values{"message": {"hi"}, "session_id": {"s-state"},
		"session_state": {`{"cart":{"items":2},"n":1}`}, "metadata": {`{"source":"test"}`}})
	if diff := cmp.Diff(map[string]any{"cart": map[string]any{"items": 2.0}, "n": 1.0},
		rec["session_state"]); diff != "" {
		t.Errorf("session_state (-want +got):\n%s", diff)
	}
	rec = h.runJSON("assistant", url.Values{"message": {"again"}, "session_id": {"s-state"},
		"session_state": {`{"cart":{"coupon":"X"}}`}})
	want := map[string]any{"cart": map[string]any{"items": 2.0, "coupon": "X"}, "n": 1.0}
	if diff := cmp.Diff(want, rec["session_state"]); diff != "" {
		t.Errorf("merged session_state (-want +got):\n%s", diff)
	}
	sess, err := h.store.GetSession(t.Context(), "s-state", agentos.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	var stored map[string]any
	if err := json.Unmarshal(sess.State, &stored); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("stored session_state (-want +got):\n%s", diff)
	}

	resp := h.post("/agents/assistant/runs", url.Values{"message": {"x"},
		"session_state": {`{broken`}})
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(string(body), `"loc":["body","session_state"]`) {
		t.Errorf("invalid session_state answered %d %s", resp.StatusCode, body)
	}
}

// TestRunStreamFailuresEndCleanly covers a provider that cuts its stream and
// one that stalls: each stream ends with RunError and the run is ERROR.
func TestRunStreamFailuresEndCleanly(t *testing.T) {
	h := newAgentHarness(t, func(url string) []*agent.Agent {
		opts := model.Options{BaseURL: url, APIKey: "k", MaxRetries: -1,
			IdleTimeout: 100 * time.Millisecond}
		return []*agent.Agent{{ID: "assistant", Name: "Assistant", NumHistoryRuns: 3,
			Model: model.NewOpenAI("gpt-4o", opts)}}
	})
	hold := make(chan struct{})
	defer close(hold)
	h.fake.Enqueue(
		modeltest.Reply{Chunks: []string{"cut", " here", " never"}, CutAfter: 2},
		modeltest.Reply{Chunks: []string{"stall", " never"}, HoldAfter: 1, Hold: hold},
	)
	for i, want := range []string{"before the answer was complete", "sent no data"} {
		resp := h.post("/agents/assistant/runs", url.Values{"message": {"hi"},
			"session_id": {"s-broken"}})
		events := readEvents(t, resp.Body)
		resp.Body.Close()
		last := events[len(events)-1]
		if last.Name != "RunError" {
			t.Fatalf("case %d: last event %s: %v", i, last.Name, eventNames(events))
		}
		if content, _ := last.Data["content"].(string); !strings.Contains(content, want) {
			t.Errorf("case %d: RunError content %q lacks %q", i, content, want)
		}
	}
	for _, r := range h.storedRuns("s-broken") {
		if r.Status != agentos.RunError {
			t.Errorf("run %s stored as %s, want ERROR", r.RunID, r.Status)
		}
	}
}

func TestRunWithoutAPIKey(t *testing.T) {
	h := newAgentHarness(t, func(string) []*agent.Agent {
		return agent.DefaultConfig(func(string) string { return "" }).Agents
	})
	rec := h.runJSON("assistant", url.Values{"message": {"hi"}, "session_id": {"s-nokey"}})
	if rec["status"] != "ERROR" {
		t.Errorf("status = %v, want ERROR", rec["status"])
	}
	if content, _ := rec["content"].(string); !strings.Contains(content, "ANTHROPIC_API_KEY") {
		t.Errorf("content = %q, want the variable to set", content)
	}
	status, body := get(t, h.URL+"/sessions/s-nokey/runs")
	if status != http.StatusOK && status != http.StatusNotFound {
		t.Errorf("session runs route answered %d %s", status, body)
	}
}
