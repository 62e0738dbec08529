package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/agentos-go/agentos"
)

func testNames(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	mustCreate(t, s, &agentos.Session{ID: "agent"})
	empty := json.RawMessage(`{"run_id":"r0","agent_id":"a","status":"COMPLETED","messages":[]}`)
	mustAddRun(t, s, mustRun(t, "agent", empty))
	if got := mustGet(t, s, "agent").DisplayName(); got != "" {
		t.Fatalf("name from a run without user input = %q", got)
	}
	mustAddRun(t, s, mustRun(t, "agent",
		runRecord("r1", "COMPLETED", "Plan a trip to Lisbon", 1, "")))
	mustAddRun(t, s, mustRun(t, "agent", runRecord("r2", "COMPLETED", "Later question", 2, "")))
	if got := mustGet(t, s, "agent").DisplayName(); got != "Plan a trip to Lisbon" {
		t.Fatalf("derived name = %q", got)
	}
	list, _, err := s.ListSessions(ctx, agentos.SessionFilter{Name: ptr("LISBON"), Limit: 5})
	if err != nil || len(list) != 1 {
		t.Fatalf("filter on a derived name matched %d, %v", len(list), err)
	}

	mustCreate(t, s, &agentos.Session{ID: "team", Type: agentos.SessionTypeTeam})
	member := json.RawMessage(`{"run_id":"m","agent_id":"x","team_id":"t","status":"COMPLETED",` +
		`"messages":[{"role":"user","content":"member text"}]}`)
	leader := json.RawMessage(`{"run_id":"l","team_id":"t","status":"COMPLETED",` +
		`"messages":[{"role":"user","content":[{"type":"image"},` +
		`{"type":"text","text":"leader"}]}]}`)
	mustAddRun(t, s, mustRun(t, "team", member))
	mustAddRun(t, s, mustRun(t, "team", leader))
	if got := mustGet(t, s, "team").DisplayName(); got != "leader" {
		t.Fatalf("team name = %q, want the first run without agent_id", got)
	}

	mustCreate(t, s, &agentos.Session{ID: "flow", Type: agentos.SessionTypeWorkflow,
		WorkflowData: json.RawMessage(`{"name":"Digest"}`)})
	flow := json.RawMessage(`{"run_id":"w","workflow_id":"f","status":"COMPLETED",` +
		`"input":{"topic":"tides","n":2}}`)
	mustAddRun(t, s, mustRun(t, "flow", flow))
	if got := mustGet(t, s, "flow").DisplayName(); got != `{"topic": "tides", "n": 2}` {
		t.Fatalf("workflow name = %q", got)
	}

	if _, err := s.UpdateSession(ctx, "agent", agentos.Scope{},
		agentos.SessionUpdate{Name: ptr("Explicit")}); err != nil {
		t.Fatal(err)
	}
	list, _, _ = s.ListSessions(ctx, agentos.SessionFilter{Name: ptr("lisbon"), Limit: 5})
	if len(list) != 0 {
		t.Fatalf("derived name still matched after an explicit rename")
	}
	list, _, _ = s.ListSessions(ctx, agentos.SessionFilter{Name: ptr("explicit"), Limit: 5})
	if len(list) != 1 {
		t.Fatalf("explicit name not matched")
	}
}

func testClear(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	mustCreate(t, s, &agentos.Session{ID: "c", AgentID: "assistant", UserID: ptr("alice"),
		State: json.RawMessage(`{"k":1}`), Metadata: json.RawMessage(`{"m":1}`),
		AgentData: json.RawMessage(`{"name":"Assistant"}`)})
	mustAddRun(t, s, mustRun(t, "c", runRecord("r1", "COMPLETED", "First words", 1,
		`{"total_tokens":5}`)))
	running := mustRun(t, "c", runRecord("r2", "RUNNING", "second", 2, ""))
	mustAddRun(t, s, running)
	if _, err := s.UpdateSession(ctx, "c", agentos.Scope{}, agentos.SessionUpdate{
		Summary: json.RawMessage(`{"summary":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.ClearSession(ctx, "c", agentos.Owned("bob"), nil)
	wantCode(t, err, agentos.ENOTFOUND)
	team := agentos.SessionTypeTeam
	_, err = s.ClearSession(ctx, "c", agentos.Scope{}, &team)
	wantCode(t, err, agentos.ENOTFOUND)

	got, err := s.ClearSession(ctx, "c", agentos.Owned("alice"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name == nil || *got.Name != "First words" {
		t.Fatalf("name after clear = %v, want the derived name pinned", got.Name)
	}
	if got.Summary != nil || got.Metrics != nil || got.RunCount != 0 {
		t.Fatalf("summary=%s metrics=%s runs=%d after clear", got.Summary, got.Metrics,
			got.RunCount)
	}
	jsonEqual(t, "state", got.State, `{"k":1}`)
	jsonEqual(t, "metadata", got.Metadata, `{"m":1}`)
	jsonEqual(t, "agent_data", got.AgentData, `{"name":"Assistant"}`)
	if got.AgentID != "assistant" || *got.UserID != "alice" {
		t.Fatalf("component or owner changed: %+v", got)
	}
	runs, err := s.ListRuns(ctx, "c", agentos.RunFilter{})
	if err != nil || len(runs) != 0 {
		t.Fatalf("runs after clear = %d, %v", len(runs), err)
	}
	done := mustRun(t, "c", runRecord("r2", "COMPLETED", "second", 2, `{"total_tokens":7}`))
	err = s.UpdateRun(ctx, done, agentos.SessionChange{})
	wantCode(t, err, agentos.ENOTFOUND)
	if got := mustGet(t, s, "c"); got.RunCount != 0 || got.Metrics != nil {
		t.Fatalf("a run in flight wrote back into a cleared session: %+v", got)
	}
}

// testClearAndContinue checks a session used again after a clear: the
// sequence goes on, totals restart, and a session without any name can
// still take one from its next run.
func testClearAndContinue(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	mustCreate(t, s, &agentos.Session{ID: "named"})
	first := mustRun(t, "named", runRecord("r1", "COMPLETED", "Original topic", 1,
		`{"total_tokens":5}`))
	mustAddRun(t, s, first)
	if _, err := s.ClearSession(ctx, "named", agentos.Scope{}, nil); err != nil {
		t.Fatal(err)
	}
	next := mustRun(t, "named", runRecord("r2", "COMPLETED", "New topic", 2,
		`{"total_tokens":3}`))
	mustAddRun(t, s, next)
	if next.Seq <= first.Seq {
		t.Errorf("sequence after clear = %d, want above %d", next.Seq, first.Seq)
	}
	got := mustGet(t, s, "named")
	if got.DisplayName() != "Original topic" {
		t.Errorf("name = %q, want the pinned %q", got.DisplayName(), "Original topic")
	}
	jsonEqual(t, "metrics", got.Metrics, `{"total_tokens":3}`)
	if got.RunCount != 1 {
		t.Errorf("run count = %d, want 1", got.RunCount)
	}
	// The cleared run id is free again.
	again := mustRun(t, "named", runRecord("r1", "COMPLETED", "x", 3, ""))
	mustAddRun(t, s, again)

	mustCreate(t, s, &agentos.Session{ID: "unnamed"})
	mustAddRun(t, s, mustRun(t, "unnamed", json.RawMessage(
		`{"run_id":"q","agent_id":"a","status":"COMPLETED","messages":[]}`)))
	cleared, err := s.ClearSession(ctx, "unnamed", agentos.Scope{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cleared.Name != nil {
		t.Errorf("clear pinned the empty name %q", *cleared.Name)
	}
	mustAddRun(t, s, mustRun(t, "unnamed", runRecord("r", "COMPLETED", "Late start", 4, "")))
	if got := mustGet(t, s, "unnamed").DisplayName(); got != "Late start" {
		t.Errorf("name after clear and a new run = %q, want %q", got, "Late start")
	}
}

// testWorkflowNames checks the workflow naming rules through the store.
func testWorkflowNames(t *testing.T, open Opener) {
	s := newStore(t, open)
	wf := agentos.SessionTypeWorkflow
	mustCreate(t, s, &agentos.Session{ID: "bare", Type: wf, WorkflowID: "f",
		WorkflowData: json.RawMessage(`{"name":"Digest"}`)})
	mustAddRun(t, s, mustRun(t, "bare", json.RawMessage(
		`{"run_id":"w1","workflow_id":"f","status":"COMPLETED"}`)))
	mustAddRun(t, s, mustRun(t, "bare", json.RawMessage(
		`{"run_id":"w2","workflow_id":"f","status":"COMPLETED","input":"later"}`)))
	if got := mustGet(t, s, "bare").DisplayName(); got != "New Digest Session" {
		t.Errorf("workflow name = %q, want %q", got, "New Digest Session")
	}
	mustCreate(t, s, &agentos.Session{ID: "text", Type: wf, WorkflowID: "f"})
	mustAddRun(t, s, mustRun(t, "text", json.RawMessage(
		`{"run_id":"w","workflow_id":"f","status":"RUNNING","input":"Summarise the news"}`)))
	if got := mustGet(t, s, "text").DisplayName(); got != "Summarise the news" {
		t.Errorf("workflow name = %q, want its first input", got)
	}
}

// testConcurrency appends runs from many goroutines while one renames the
// session and another patches its metadata in a known order. Afterwards
// every run is there with a distinct sequence number, the totals count
// each run once, and the last rename and patch are intact.
func testConcurrency(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	mustCreate(t, s, &agentos.Session{ID: "busy", AgentID: "assistant"})
	const writers, perWriter, edits = 8, 12, 40
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter*2+2*edits)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("w%d-r%d", w, i)
				status := "COMPLETED"
				if i%3 == 0 {
					status = "RUNNING"
				}
				r, err := agentos.NewRun("busy", runRecord(id, status, id, 1,
					`{"total_tokens":1}`))
				if err == nil {
					err = s.AddRun(ctx, r, agentos.SessionChange{
						State: json.RawMessage(fmt.Sprintf(`{"last":%q}`, id))})
				}
				if err == nil && status == "RUNNING" {
					r, err = agentos.NewRun("busy", runRecord(id, "COMPLETED", id, 1,
						`{"total_tokens":1}`))
					if err == nil {
						err = s.UpdateRun(ctx, r, agentos.SessionChange{})
					}
				}
				if err != nil {
					errs <- fmt.Errorf("run %s: %w", id, err)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range edits {
			name := fmt.Sprintf("name-%d", i)
			if _, err := s.UpdateSession(ctx, "busy", agentos.Scope{},
				agentos.SessionUpdate{Name: &name}); err != nil {
				errs <- fmt.Errorf("rename %d: %w", i, err)
			}
		}
	})
	wg.Go(func() {
		for i := range edits {
			meta := json.RawMessage(fmt.Sprintf(`{"patch":%d}`, i))
			if _, err := s.UpdateSession(ctx, "busy", agentos.Scope{},
				agentos.SessionUpdate{Metadata: meta}); err != nil {
				errs <- fmt.Errorf("patch %d: %w", i, err)
			}
		}
	})
	wg.Go(func() {
		for range edits {
			if _, _, err := s.ListSessions(ctx, agentos.SessionFilter{Limit: 5}); err != nil {
				errs <- fmt.Errorf("list: %w", err)
			}
			if _, err := s.ListRuns(ctx, "busy", agentos.RunFilter{Last: 3}); err != nil {
				errs <- fmt.Errorf("list runs: %w", err)
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}

	const total = writers * perWriter
	runs, err := s.ListRuns(ctx, "busy", agentos.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != total {
		t.Fatalf("runs stored = %d, want %d", len(runs), total)
	}
	seqs := map[int64]bool{}
	for _, r := range runs {
		if seqs[r.Seq] {
			t.Fatalf("sequence %d used twice", r.Seq)
		}
		seqs[r.Seq] = true
		if r.Status != agentos.RunCompleted {
			t.Errorf("run %s is %s, want COMPLETED", r.RunID, r.Status)
		}
	}
	got := mustGet(t, s, "busy")
	if got.Name == nil || *got.Name != fmt.Sprintf("name-%d", edits-1) {
		t.Errorf("name = %v, want the last rename name-%d", got.Name, edits-1)
	}
	jsonEqual(t, "metadata", got.Metadata, fmt.Sprintf(`{"patch":%d}`, edits-1))
	jsonEqual(t, "metrics", got.Metrics, fmt.Sprintf(`{"total_tokens":%d}`, total))
	if got.RunCount != total {
		t.Errorf("run count = %d, want %d", got.RunCount, total)
	}
	if !agentos.IsJSONObject(got.State) {
		t.Errorf("state = %s, want the object of one run write", got.State)
	}
}
