package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/agentos-go/agentos"
)

func testImport(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	sess := &agentos.Session{
		ID: "imp", Type: agentos.SessionTypeAgent, AgentID: "assistant", UserID: ptr("alice"),
		Metrics:   json.RawMessage(`{"total_tokens":30}`),
		CreatedAt: 1000, UpdatedAt: 2000,
	}
	runs := []*agentos.Run{
		mustRun(t, "imp", runRecord("r1", "COMPLETED", "Imported question", 1000,
			`{"total_tokens":10}`)),
		mustRun(t, "imp", runRecord("r2", "COMPLETED", "Second", 1500, `{"total_tokens":20}`)),
	}
	ok, err := s.ImportSession(ctx, sess, runs)
	if err != nil || !ok {
		t.Fatalf("import = %v, %v", ok, err)
	}
	got := mustGet(t, s, "imp")
	if got.CreatedAt != 1000 || got.UpdatedAt != 2000 {
		t.Fatalf("times = %d/%d, want 1000/2000 kept", got.CreatedAt, got.UpdatedAt)
	}
	if got.DisplayName() != "Imported question" || got.RunCount != 2 {
		t.Fatalf("name %q, runs %d", got.DisplayName(), got.RunCount)
	}
	jsonEqual(t, "metrics", got.Metrics, `{"total_tokens":30}`)
	stored, err := s.ListRuns(ctx, "imp", agentos.RunFilter{})
	if err != nil || len(stored) != 2 || stored[0].RunID != "r1" {
		t.Fatalf("runs = %v, %v", runIDs(stored), err)
	}

	again := *sess
	again.Name = ptr("changed")
	ok, err = s.ImportSession(ctx, &again, runs[:1])
	if err != nil || ok {
		t.Fatalf("second import = %v, %v; want skipped", ok, err)
	}
	if got := mustGet(t, s, "imp"); got.Name != nil || got.RunCount != 2 {
		t.Fatalf("second import changed the session: %+v", got)
	}
	// A run appended later continues the sequence and the totals.
	mustAddRun(t, s, mustRun(t, "imp", runRecord("r3", "COMPLETED", "new", 3000,
		`{"total_tokens":5}`)))
	jsonEqual(t, "metrics", mustGet(t, s, "imp").Metrics, `{"total_tokens":35}`)
}
