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
	mustAddRun(t, s, mustRun(t, "agent", runRecord("r1", "COMPLETED", "Plan a trip to Lisbon", 1, "")))
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
		`"messages":[{"role":"user","content":[{"type":"image"},{"type":"text","text":"leader"}]}]}`)
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
		t.Fatalf("summary=%s metrics=%s runs=%d after clear", got.Summary, got.Metrics, got.RunCount)
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

// testConcurrency appends runs from many goroutines while others rename and
// patch the same session, then checks that nothing was lost.
func testConcurrency(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	mustCreate(t, s, &agentos.Session{ID: "busy", AgentID: "assistant"})
	const writers, perWriter = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter*3)
	for w := range writers {
		wg.Add(3)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				id := fmt.Sprintf("w%d-r%d", w, i)
				r, err := agentos.NewRun("busy", runRecord(id, "COMPLETED", id, 1, `{"total_tokens":1}`))
				if err == nil {
					err = s.AddRun(ctx, r, agentos.SessionChange{})
				}
				if err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range perWriter {
				name := fmt.Sprintf("name-%d-%d", w, i)
				if _, err := s.UpdateSession(ctx, "busy", agentos.Scope{},
					agentos.SessionUpdate{Name: &name}); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range perWriter {
				meta := json.RawMessage(fmt.Sprintf(`{"writer":%d,"i":%d}`, w, i))
				if _, err := s.UpdateSession(ctx, "busy", agentos.Scope{},
					agentos.SessionUpdate{Metadata: meta}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	runs, err := s.ListRuns(ctx, "busy", agentos.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != writers*perWriter {
		t.Fatalf("runs stored = %d, want %d", len(runs), writers*perWriter)
	}
	seqs := map[int64]bool{}
	for _, r := range runs {
		if seqs[r.Seq] {
			t.Fatalf("sequence %d used twice", r.Seq)
		}
		seqs[r.Seq] = true
	}
	got := mustGet(t, s, "busy")
	if got.Name == nil || got.Metadata == nil {
		t.Fatalf("rename or patch lost: name=%v metadata=%s", got.Name, got.Metadata)
	}
	jsonEqual(t, "metrics", got.Metrics, fmt.Sprintf(`{"total_tokens":%d}`, writers*perWriter))
	if got.RunCount != writers*perWriter {
		t.Fatalf("run count = %d", got.RunCount)
	}
}
