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
		got, _ := s.ListRuns(ctx, "s",
			agentos.RunFilter{CreatedAfter: &after, CreatedBefore: &before})
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
		first := mustRun(t, "s", runRecord("r", "RUNNING", "hi", 1, ""))
		if err := s.AddRun(ctx, first, ch); err != nil {
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
	mustCreate(t, s, &agentos.Session{ID: "t"})
	leases := []struct {
		session, run, status string
		lease                int64
	}{
		{"s", "r0", "RUNNING", 100},
		{"s", "r1", "RUNNING", 100},
		{"s", "r2", "COMPLETED", 100},
		{"s", "r3", "PENDING", 150},
		{"t", "r4", "RUNNING", 0},
		{"t", "r5", "RUNNING", 120},
		{"t", "r6", "PAUSED", 10},
	}
	for _, l := range leases {
		r := mustRun(t, l.session, runRecord(l.run, l.status, "hi", 1, ""))
		r.LeaseExpiresAt = l.lease
		mustAddRun(t, s, r)
	}
	renew := []agentos.RunRef{
		{SessionID: "s", RunID: "r1"},
		{SessionID: "s", RunID: "r2"},      // finished: keeps its lease
		{SessionID: "t", RunID: "r1"},      // no such run in t
		{SessionID: "s", RunID: "missing"}, // ignored
	}
	if err := leaser.RenewRunLeases(ctx, renew, 500); err != nil {
		t.Fatal(err)
	}
	if err := leaser.RenewRunLeases(ctx, nil, 900); err != nil {
		t.Fatalf("renew no leases: %v", err)
	}
	expired, err := leaser.ListExpiredRuns(ctx, 200, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := runIDs(expired), []string{"r4", "r0", "r5", "r3"}; !slices.Equal(got, want) {
		t.Fatalf("expired at 200 = %v, want %v (oldest lease first, no lease first of all)",
			got, want)
	}
	if expired[0].SessionID != "t" || expired[1].SessionID != "s" {
		t.Errorf("expired runs carry sessions %s and %s, want t and s", expired[0].SessionID,
			expired[1].SessionID)
	}
	expired, err = leaser.ListExpiredRuns(ctx, 100, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := runIDs(expired), []string{"r4"}; !slices.Equal(got, want) {
		t.Errorf("expired at 100 = %v, want %v (a lease ending at 100 is still valid)",
			got, want)
	}
	expired, _ = leaser.ListExpiredRuns(ctx, 600, 2)
	if len(expired) != 2 {
		t.Errorf("limit 2 returned %d runs", len(expired))
	}

	// A checkpoint written without a lease keeps the stored one.
	checkpoint := mustRun(t, "s", runRecord("r1", "RUNNING", "hi", 1, ""))
	if err := s.UpdateRun(ctx, checkpoint, agentos.SessionChange{}); err != nil {
		t.Fatal(err)
	}
	expired, _ = leaser.ListExpiredRuns(ctx, 400, 10)
	if slices.Contains(runIDs(expired), "r1") {
		t.Errorf("a checkpoint without a lease expired the lease renewed until 500")
	}

	// A run that finishes leaves the sweep.
	done := mustRun(t, "s", runRecord("r0", "COMPLETED", "hi", 1, ""))
	if err := s.UpdateRun(ctx, done, agentos.SessionChange{}); err != nil {
		t.Fatal(err)
	}
	expired, _ = leaser.ListExpiredRuns(ctx, 600, 10)
	if got, want := runIDs(expired), []string{"r4", "r5", "r3", "r1"}; !slices.Equal(got, want) {
		t.Errorf("expired at 600 = %v, want %v", got, want)
	}
}

// withKeys returns record with the given keys set.
func withKeys(t *testing.T, record json.RawMessage, keys map[string]any) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(record, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range keys {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testRunFilters(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	mustCreate(t, s, &agentos.Session{ID: "s", AgentID: "assistant"})
	records := []json.RawMessage{
		runRecord("a1", "COMPLETED", "one", 100, ""),
		withKeys(t, runRecord("b1", "COMPLETED", "two", 200, ""), map[string]any{
			"agent_id": "researcher"}),
		withKeys(t, runRecord("undated", "ERROR", "three", 0, ""), map[string]any{
			"created_at": nil}),
		runRecord("a2", "PAUSED", "four", 300, ""),
		withKeys(t, runRecord("iso", "COMPLETED", "five", 0, ""), map[string]any{
			"created_at": "1970-01-01T00:06:40Z"}),
	}
	for _, rec := range records {
		mustAddRun(t, s, mustRun(t, "s", rec))
	}
	at := func(v int64) *int64 { return &v }
	cases := []struct {
		name string
		f    agentos.RunFilter
		want []string
	}{
		{"all in stored order", agentos.RunFilter{},
			[]string{"a1", "b1", "undated", "a2", "iso"}},
		{"created after keeps undated runs", agentos.RunFilter{CreatedAfter: at(200)},
			[]string{"b1", "undated", "a2", "iso"}},
		{"created before keeps undated runs", agentos.RunFilter{CreatedBefore: at(100)},
			[]string{"a1", "undated"}},
		{"ISO created_at is read", agentos.RunFilter{CreatedAfter: at(400)},
			[]string{"undated", "iso"}},
		{"agent", agentos.RunFilter{AgentID: "researcher"}, []string{"b1"}},
		{"one status", agentos.RunFilter{Statuses: []agentos.RunStatus{agentos.RunPaused}},
			[]string{"a2"}},
		{"last after filters", agentos.RunFilter{AgentID: "assistant", Last: 2},
			[]string{"a2", "iso"}},
		{"last beyond the count", agentos.RunFilter{Last: 50},
			[]string{"a1", "b1", "undated", "a2", "iso"}},
		{"no match", agentos.RunFilter{AgentID: "nobody"}, []string{}},
	}
	for _, tc := range cases {
		got, err := s.ListRuns(ctx, "s", tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got == nil {
			t.Errorf("%s: runs = nil, want an empty list", tc.name)
		}
		if !slices.Equal(runIDs(got), tc.want) {
			t.Errorf("%s: runs = %v, want %v", tc.name, runIDs(got), tc.want)
		}
	}
	got, err := s.ListRuns(ctx, "missing", agentos.RunFilter{})
	if err != nil || len(got) != 0 {
		t.Errorf("runs of a missing session = %v, %v; want none", runIDs(got), err)
	}
}

// testRunUpdates checks what UpdateRun writes besides the record: the
// session change, the indexed columns, and a name decided by a later write.
func testRunUpdates(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	mustCreate(t, s, &agentos.Session{ID: "s"})
	mustCreate(t, s, &agentos.Session{ID: "other"})
	started := json.RawMessage(`{"run_id":"r1","agent_id":"assistant","status":"RUNNING",` +
		`"created_at":50,"messages":[]}`)
	mustAddRun(t, s, mustRun(t, "s", started))
	if got := mustGet(t, s, "s").DisplayName(); got != "" {
		t.Fatalf("name = %q before any user message", got)
	}
	done := mustRun(t, "s", runRecord("r1", "COMPLETED", "Finished question", 60, ""))
	ch := agentos.SessionChange{State: json.RawMessage(`{"step":2}`), AgentID: "assistant",
		AgentData: json.RawMessage(`{"name":"Assistant"}`)}
	if err := s.UpdateRun(ctx, done, ch); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, "s")
	if got.DisplayName() != "Finished question" {
		t.Errorf("name = %q, want the one decided by the updated first run", got.DisplayName())
	}
	jsonEqual(t, "state", got.State, `{"step":2}`)
	if got.AgentID != "assistant" || got.RunCount != 1 {
		t.Errorf("agent %q, runs %d after update", got.AgentID, got.RunCount)
	}
	stored, err := s.GetRun(ctx, "s", "r1")
	if err != nil {
		t.Fatal(err)
	}
	if stored.CreatedAt != 60 || stored.Status != agentos.RunCompleted || stored.Seq != done.Seq {
		t.Errorf("stored run = %+v, want created_at 60, COMPLETED, seq %d", stored, done.Seq)
	}

	mustAddRun(t, s, mustRun(t, "s", runRecord("r2", "COMPLETED", "Second question", 70, "")))
	renamed := mustRun(t, "s", runRecord("r1", "COMPLETED", "Edited first", 60, ""))
	if err := s.UpdateRun(ctx, renamed, agentos.SessionChange{}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "s").DisplayName(); got != "Finished question" {
		t.Errorf("name = %q, want it kept once decided", got)
	}

	misplaced := mustRun(t, "other", runRecord("r1", "COMPLETED", "x", 1, ""))
	err = s.UpdateRun(ctx, misplaced, agentos.SessionChange{})
	wantCode(t, err, agentos.ENOTFOUND)
	if got := mustGet(t, s, "other"); got.RunCount != 0 {
		t.Errorf("update of a run of another session wrote %d runs", got.RunCount)
	}
}
