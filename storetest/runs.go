package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/agentos-go/agentos"
)

func runIDs(runs []*agentos.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.RunID
	}
	return out
}

func testRuns(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("AppendAndFilter", func(t *testing.T) {
		s := newStore(t, open)
		mustCreate(t, s, &agentos.Session{ID: "s", AgentID: "assistant"})
		mustCreate(t, s, &agentos.Session{ID: "other", AgentID: "assistant"})
		statuses := []string{"COMPLETED", "ERROR", "COMPLETED", "CANCELLED", "RUNNING"}
		for i, st := range statuses {
			mustAddRun(t, s, mustRun(t, "s", runRecord(fmt.Sprintf("r%d", i), st,
				fmt.Sprintf("m%d", i), int64(100+10*i), "")))
		}
		child := runRecord("child", "COMPLETED", "sub", 115, "")
		var m map[string]any
		_ = json.Unmarshal(child, &m)
		m["parent_run_id"] = "r1"
		child, _ = json.Marshal(m)
		mustAddRun(t, s, mustRun(t, "s", child))
		mustAddRun(t, s, mustRun(t, "other", runRecord("x", "COMPLETED", "leak?", 100, "")))

		all, err := s.ListRuns(ctx, "s", agentos.RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"r0", "r1", "r2", "r3", "r4", "child"}
		if got := runIDs(all); !slices.Equal(got, want) {
			t.Fatalf("runs = %v, want %v", got, want)
		}
		for i := 1; i < len(all); i++ {
			if all[i].Seq <= all[i-1].Seq {
				t.Fatalf("sequence not increasing: %d then %d", all[i-1].Seq, all[i].Seq)
			}
		}
		after, before := int64(110), int64(130)
		got, _ := s.ListRuns(ctx, "s", agentos.RunFilter{CreatedAfter: &after, CreatedBefore: &before})
		if want := []string{"r1", "r2", "r3", "child"}; !slices.Equal(runIDs(got), want) {
			t.Fatalf("created in [110,130] = %v, want %v (bounds inclusive)", runIDs(got), want)
		}
		got, _ = s.ListRuns(ctx, "s", agentos.RunFilter{
			TopLevel: true, Last: 2,
			Statuses: []agentos.RunStatus{agentos.RunCompleted, agentos.RunRunning},
		})
		if want := []string{"r2", "r4"}; !slices.Equal(runIDs(got), want) {
			t.Fatalf("last 2 top-level completed/running = %v, want %v", runIDs(got), want)
		}
		r, err := s.GetRun(ctx, "s", "r2")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != agentos.RunCompleted || r.CreatedAt != 120 || r.AgentID != "assistant" {
			t.Fatalf("run = %+v", r)
		}
		_, err = s.GetRun(ctx, "s", "x")
		wantCode(t, err, agentos.ENOTFOUND)
		if got := mustGet(t, s, "s"); got.RunCount != 6 {
			t.Fatalf("run count = %d, want 6", got.RunCount)
		}
	})
	t.Run("AddRunErrors", func(t *testing.T) {
		s := newStore(t, open)
		err := s.AddRun(ctx, mustRun(t, "missing", runRecord("r", "RUNNING", "hi", 1, "")),
			agentos.SessionChange{})
		wantCode(t, err, agentos.ENOTFOUND)
		mustCreate(t, s, &agentos.Session{ID: "s"})
		mustAddRun(t, s, mustRun(t, "s", runRecord("r", "RUNNING", "hi", 1, "")))
		err = s.AddRun(ctx, mustRun(t, "s", runRecord("r", "RUNNING", "again", 2, "")),
			agentos.SessionChange{})
		wantCode(t, err, agentos.ECONFLICT)
	})
	t.Run("UpdateRunCountsMetricsOnce", func(t *testing.T) {
		s := newStore(t, open)
		mustCreate(t, s, &agentos.Session{ID: "s"})
		metrics := `{"input_tokens":4,"output_tokens":12,"total_tokens":16,"duration":0.5}`
		r := mustRun(t, "s", runRecord("r1", "RUNNING", "hi", 1, ""))
		mustAddRun(t, s, r)
		if got := mustGet(t, s, "s"); got.Metrics != nil {
			t.Fatalf("metrics of a running run counted: %s", got.Metrics)
		}
		done := mustRun(t, "s", runRecord("r1", "COMPLETED", "hi", 1, metrics))
		for range 3 {
			if err := s.UpdateRun(ctx, done, agentos.SessionChange{}); err != nil {
				t.Fatal(err)
			}
		}
		mustAddRun(t, s, mustRun(t, "s", runRecord("r2", "COMPLETED", "hi", 2, metrics)))
		jsonEqual(t, "session metrics", mustGet(t, s, "s").Metrics,
			`{"input_tokens":8,"output_tokens":24,"total_tokens":32}`)
		stored, err := s.GetRun(ctx, "s", "r1")
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status != agentos.RunCompleted || string(stored.Record) != string(done.Record) {
			t.Fatalf("stored run = %s %s", stored.Status, stored.Record)
		}
		err = s.UpdateRun(ctx, mustRun(t, "s", runRecord("ghost", "COMPLETED", "x", 1, "")),
			agentos.SessionChange{})
		wantCode(t, err, agentos.ENOTFOUND)
	})
	t.Run("SessionChange", func(t *testing.T) {
		s := newStore(t, open)
		mustCreate(t, s, &agentos.Session{ID: "s"})
		mustCreate(t, s, &agentos.Session{ID: "owned", AgentID: "first"})
		ch := agentos.SessionChange{
			State:     json.RawMessage(`{"n":2}`),
			AgentID:   "assistant",
			AgentData: json.RawMessage(`{"name":"Assistant","agent_id":"assistant"}`),
		}
		if err := s.AddRun(ctx, mustRun(t, "s", runRecord("r", "RUNNING", "hi", 1, "")), ch); err != nil {
			t.Fatal(err)
		}
		got := mustGet(t, s, "s")
		jsonEqual(t, "state", got.State, `{"n":2}`)
		if got.AgentID != "assistant" {
			t.Fatalf("agent_id = %q, want filled in", got.AgentID)
		}
		jsonEqual(t, "agent_data", got.AgentData, `{"name":"Assistant","agent_id":"assistant"}`)
		owned := mustRun(t, "owned", runRecord("r", "RUNNING", "hi", 1, ""))
		if err := s.AddRun(ctx, owned, ch); err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, s, "owned"); got.AgentID != "first" {
			t.Fatalf("agent_id = %q, want the existing agent kept", got.AgentID)
		}
	})
}

func testLeases(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	leaser, ok := s.(agentos.RunLeaser)
	if !ok {
		t.Skip("store does not track run leases")
	}
	mustCreate(t, s, &agentos.Session{ID: "s"})
	for i, st := range []string{"RUNNING", "RUNNING", "COMPLETED", "PENDING"} {
		r := mustRun(t, "s", runRecord(fmt.Sprintf("r%d", i), st, "hi", 1, ""))
		r.LeaseExpiresAt = 100
		mustAddRun(t, s, r)
	}
	renew := []agentos.RunRef{{SessionID: "s", RunID: "r1"}}
	if err := leaser.RenewRunLeases(ctx, renew, 500); err != nil {
		t.Fatal(err)
	}
	expired, err := leaser.ListExpiredRuns(ctx, 200, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := runIDs(expired), []string{"r0", "r3"}; !slices.Equal(got, want) {
		t.Fatalf("expired at 200 = %v, want %v", got, want)
	}
	expired, _ = leaser.ListExpiredRuns(ctx, 600, 1)
	if len(expired) != 1 {
		t.Fatalf("limit 1 returned %d runs", len(expired))
	}
}
