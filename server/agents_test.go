package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/internal/recording"
	"github.com/agentos-go/agentos/model"
	"github.com/agentos-go/agentos/model/modeltest"
)

// TestRunAliceConversation replays agno's recordings 03 to 05: two plain
// runs and a streamed one in one session, each seeing the earlier ones.
func TestRunAliceConversation(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	wantModel := modelRequests(t)

	first := h.runJSON("assistant", url.Values{"message": {"My name is Alice."},
		"session_id": {"rec-chat"}, "user_id": {"alice@example.com"}})
	rec03 := decodeRecord(t, loadRecording(t, "03-run-nonstream-1").Response.Body)
	for _, key := range []string{"agent_id", "agent_name", "session_id", "user_id", "content",
		"content_type", "model", "model_provider", "session_state", "status", "tools", "input"} {
		if !cmp.Equal(first[key], rec03[key]) {
			t.Errorf("first run %s = %v, agno sent %v", key, first[key], rec03[key])
		}
	}

	second := h.runJSON("assistant", url.Values{"message": {"What's my name?"},
		"session_id": {"rec-chat"}, "user_id": {"alice@example.com"}})
	rec04Body := loadRecording(t, "04-run-nonstream-2-history").Response.Body
	rec04 := decodeRecord(t, rec04Body)
	if second["content"] != rec04["content"] {
		t.Errorf("second run content = %v, agno sent %v", second["content"], rec04["content"])
	}
	gotMsgs := messageShapes(second["messages"])
	wantMsgs := messageShapes(rec04["messages"])
	if diff := cmp.Diff(wantMsgs, gotMsgs); diff != "" {
		t.Errorf("second run messages differ from agno's (-agno +got):\n%s", diff)
	}

	// The streamed third run.
	resp := h.post("/agents/assistant/runs", url.Values{"message": {"Say it again"},
		"stream": {"true"}, "session_id": {"rec-chat"}, "user_id": {"alice@example.com"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream run status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	events := readEvents(t, resp.Body)
	resp.Body.Close()
	recEvents, err := loadRecording(t, "05-run-stream-true").Response.Events()
	if err != nil {
		t.Fatal(err)
	}
	var wantNames []string
	for _, ev := range recEvents {
		// agno's first RunContent carries the empty role chunk of OpenAI.
		if ev.Name == "RunContent" && strings.Contains(ev.Data, `"content":"",`) {
			continue
		}
		wantNames = append(wantNames, ev.Name)
	}
	if diff := cmp.Diff(wantNames, eventNames(events)); diff != "" {
		t.Errorf("event sequence differs from agno's (-agno +got):\n%s", diff)
	}
	last := events[len(events)-1]
	recLast := decodeRecordString(t, recEvents[len(recEvents)-1].Data)
	if last.Data["content"] != recLast["content"] {
		t.Errorf("RunCompleted content = %v, agno sent %v", last.Data["content"],
			recLast["content"])
	}
	for _, ev := range events {
		if want := wantKeyOrder(t, recEvents, ev.Name); want != nil {
			if got := keyOrder(t, []byte(ev.Raw)); !slices.Equal(got, want) {
				t.Errorf("%s keys = %v, agno sent %v", ev.Name, got, want)
			}
		}
	}

	// What the model received matches what agno's model received for the
	// same three messages (lines 4 to 6 of model-requests.jsonl).
	got := h.fake.Requests()
	if len(got) != 3 {
		t.Fatalf("model got %d requests, want 3", len(got))
	}
	for i := range got {
		want := wantModel[3+i]
		if diff := cmp.Diff(want.Messages, got[i].Messages); diff != "" {
			t.Errorf("model request %d messages (-agno +got):\n%s", i+1, diff)
		}
		if got[i].Stream != want.Stream {
			t.Errorf("model request %d stream = %v, agno sent %v", i+1, got[i].Stream,
				want.Stream)
		}
		if got[i].Model != want.Model {
			t.Errorf("model request %d model = %q, want %q", i+1, got[i].Model, want.Model)
		}
	}

	// Stored runs hold no history copies, and the session totals add up.
	runs := h.storedRuns("rec-chat")
	if len(runs) != 3 {
		t.Fatalf("stored %d runs, want 3", len(runs))
	}
	var sumTotal float64
	for i, r := range runs {
		if r.Status != agentos.RunCompleted {
			t.Errorf("run %d status %s", i, r.Status)
		}
		rec := decodeRecord(t, r.Record)
		msgs := rec["messages"].([]any)
		if len(msgs) != 2 {
			t.Errorf("stored run %d has %d messages, want user and assistant only", i,
				len(msgs))
		}
		for _, m := range msgs {
			if m.(map[string]any)["from_history"] != false {
				t.Errorf("stored run %d keeps a history copy: %v", i, m)
			}
		}
		sumTotal += rec["metrics"].(map[string]any)["total_tokens"].(float64)
	}
	sess, err := h.store.GetSession(t.Context(), "rec-chat", agentos.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	var totals map[string]any
	if err := json.Unmarshal(sess.Metrics, &totals); err != nil {
		t.Fatalf("session metrics %s: %v", sess.Metrics, err)
	}
	if totals["total_tokens"] != sumTotal {
		t.Errorf("session total_tokens = %v, want the runs' sum %v", totals["total_tokens"],
			sumTotal)
	}
	if sess.AgentID != "assistant" || sess.UserID == nil || *sess.UserID != "alice@example.com" {
		t.Errorf("session agent %q owner %v", sess.AgentID, sess.UserID)
	}
	if !bytes.Contains(sess.AgentData, []byte(`"agent_id":"assistant"`)) {
		t.Errorf("agent_data = %s", sess.AgentData)
	}
}

// messageShapes keeps the compared parts of messages: role, content and
// from_history.
func messageShapes(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, item := range list {
		m := item.(map[string]any)
		out = append(out, map[string]any{"role": m["role"], "content": m["content"],
			"from_history": m["from_history"]})
	}
	return out
}

func decodeRecordString(t testing.TB, s string) map[string]any {
	return decodeRecord(t, json.RawMessage(s))
}

// wantKeyOrder returns the key order of agno's event of that name, minus
// model_provider_data, which the model layer reports only at the end.
func wantKeyOrder(t testing.TB, events []recording.Event, name string) []string {
	for _, ev := range events {
		if ev.Name != name {
			continue
		}
		keys := keyOrder(t, []byte(ev.Data))
		return slices.DeleteFunc(keys, func(k string) bool {
			return k == "model_provider_data" && name == "RunContent"
		})
	}
	return nil
}

// TestRunRejectionsMatchRecordings sends agno's failing run requests and
// expects agno's exact status and body.
func TestRunRejectionsMatchRecordings(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	for _, name := range []string{"08-run-unknown-agent", "09-run-missing-message",
		"10-run-json-body", "11-run-bad-stream-value"} {
		t.Run(name, func(t *testing.T) {
			ex := loadRecording(t, name)
			req, err := ex.Request.NewHTTPRequest(t.Context(), h.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if resp.StatusCode != ex.Response.StatusCode {
				t.Errorf("status %d, agno answered %d", resp.StatusCode, ex.Response.StatusCode)
			}
			if !bytes.Equal(body, ex.Response.Body) {
				t.Errorf("body %s\nagno sent %s", body, ex.Response.Body)
			}
		})
	}
	if n := len(h.fake.Requests()); n != 0 {
		t.Errorf("model got %d requests for rejected runs", n)
	}
}

// TestRunMultipart replays recording 07, a multipart form.
func TestRunMultipart(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, kv := range [][2]string{{"message", "Multipart hello"}, {"stream", "false"},
		{"session_id", "rec-multipart"}, {"user_id", "bob@example.com"}} {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	mw.Close()
	resp, err := http.Post(h.URL+"/agents/researcher/runs", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	raw := readAll(t, resp)
	got := decodeRecord(t, raw)
	wantRaw := loadRecording(t, "07-run-multipart-nonstream").Response.Body
	want := decodeRecord(t, wantRaw)
	for _, key := range []string{"agent_id", "session_id", "user_id", "content", "status",
		"input"} {
		if !cmp.Equal(got[key], want[key]) {
			t.Errorf("%s = %v, agno sent %v", key, got[key], want[key])
		}
	}
	if diff := cmp.Diff(keyOrder(t, wantRaw), keyOrder(t, raw)); diff != "" {
		t.Errorf("run record keys (-agno +got):\n%s", diff)
	}
}

// TestRunAnthropicStreaming runs the Alice conversation on a fake Anthropic
// host: streamed, with a system message, and with the history reaching the
// model as Messages API turns.
func TestRunAnthropicStreaming(t *testing.T) {
	var fake *modeltest.Server
	h := newAgentHarness(t, func(string) []*agent.Agent {
		fake = modeltest.NewAnthropic(t)
		return []*agent.Agent{{ID: "claude", Name: "Claude", AddHistoryToContext: true,
			NumHistoryRuns: 3, Instructions: []string{"Answer briefly."},
			Model: model.NewAnthropic("claude-sonnet-4-5",
				model.Options{BaseURL: fake.URL, APIKey: "test-key"})}}
	})
	fake.Key = "test-key"
	for _, msg := range []string{"My name is Alice.", "What's my name?"} {
		resp := h.post("/agents/claude/runs", url.Values{"message": {msg},
			"session_id": {"s-claude"}})
		events := readEvents(t, resp.Body)
		resp.Body.Close()
		last := events[len(events)-1]
		if last.Name != "RunCompleted" {
			t.Fatalf("last event %s: %v %s", last.Name, eventNames(events), last.Raw)
		}
		if events[0].Data["model_provider"] != "Anthropic" {
			t.Errorf("RunStarted model_provider = %v", events[0].Data["model_provider"])
		}
		metrics := last.Data["metrics"].(map[string]any)
		if metrics["output_tokens"] == nil || metrics["time_to_first_token"] == nil {
			t.Errorf("metrics lack tokens or time to first token: %v", metrics)
		}
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("model got %d requests, want 2", len(reqs))
	}
	want := []modeltest.Message{
		{Role: "system", Content: "Answer briefly."},
		{Role: "user", Content: "My name is Alice."},
		{Role: "assistant", Content: `Echo: I have seen 1 user message(s): [1] "My name is Alice."`},
		{Role: "user", Content: "What's my name?"},
	}
	if diff := cmp.Diff(want, reqs[1].Messages); diff != "" {
		t.Errorf("second request (-want +got):\n%s", diff)
	}
	runs := h.storedRuns("s-claude")
	rec := decodeRecord(t, runs[1].Record)
	if got := len(rec["messages"].([]any)); got != 3 {
		t.Errorf("stored run has %d messages, want system, user and assistant", got)
	}
}

func TestRunRejectsUploads(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("message", "Read this"); err != nil {
		t.Fatal(err)
	}
	part, err := mw.CreateFormFile("files", "notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	part.Write([]byte("hello"))
	mw.Close()
	resp, err := http.Post(h.URL+"/agents/assistant/runs", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(got, []byte("file uploads")) {
		t.Errorf("upload answered %d %s, want 400 naming file uploads", resp.StatusCode, got)
	}
	if n := len(h.fake.Requests()); n != 0 {
		t.Errorf("model got %d requests", n)
	}
}
