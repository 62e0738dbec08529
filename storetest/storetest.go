// Package storetest is the conformance suite every agentos.SessionStore
// must pass. Each backend's tests call Run with a function that opens an
// empty store.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/agentos-go/agentos"
)

// Opener returns a new, empty store. The suite closes it.
type Opener func(t *testing.T) agentos.SessionStore

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("Times", func(t *testing.T) { testTimes(t, open) })
	t.Run("Scopes", func(t *testing.T) { testScopes(t, open) })
	t.Run("NullValues", func(t *testing.T) { testNullValues(t, open) })
	t.Run("List", func(t *testing.T) { testList(t, open) })
	t.Run("Sorting", func(t *testing.T) { testSorting(t, open) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, open) })
	t.Run("ListSnapshot", func(t *testing.T) { testListSnapshot(t, open) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, open) })
	t.Run("Runs", func(t *testing.T) { testRuns(t, open) })
	t.Run("RunFilters", func(t *testing.T) { testRunFilters(t, open) })
	t.Run("RunUpdates", func(t *testing.T) { testRunUpdates(t, open) })
	t.Run("Names", func(t *testing.T) { testNames(t, open) })
	t.Run("WorkflowNames", func(t *testing.T) { testWorkflowNames(t, open) })
	t.Run("Clear", func(t *testing.T) { testClear(t, open) })
	t.Run("ClearAndContinue", func(t *testing.T) { testClearAndContinue(t, open) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open) })
	t.Run("Leases", func(t *testing.T) { testLeases(t, open) })
	t.Run("Import", func(t *testing.T) { testImport(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
}

func newStore(t *testing.T, open Opener) agentos.SessionStore {
	t.Helper()
	s := open(t)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func ptr[T any](v T) *T { return &v }

func mustCreate(t *testing.T, s agentos.SessionStore, sess *agentos.Session) *agentos.Session {
	t.Helper()
	if sess.Type == "" {
		sess.Type = agentos.SessionTypeAgent
	}
	if err := s.CreateSession(context.Background(), sess); err != nil {
		t.Fatalf("create session %s: %v", sess.ID, err)
	}
	return sess
}

func mustGet(t *testing.T, s agentos.SessionStore, id string) *agentos.Session {
	t.Helper()
	sess, err := s.GetSession(context.Background(), id, agentos.Scope{})
	if err != nil {
		t.Fatalf("get session %s: %v", id, err)
	}
	return sess
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := agentos.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// runRecord returns an agent run record with one user message and an
// assistant answer.
func runRecord(runID, status, user string, createdAt int64, metrics string) json.RawMessage {
	rec := map[string]any{
		"run_id":     runID,
		"agent_id":   "assistant",
		"status":     status,
		"created_at": createdAt,
		"messages": []map[string]any{
			{"role": "system", "content": "Be brief."},
			{"role": "user", "content": user},
			{"role": "assistant", "content": "Echo: " + user},
		},
		"input": map[string]any{"input_content": user},
	}
	if metrics != "" {
		rec["metrics"] = json.RawMessage(metrics)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return b
}

func mustRun(t *testing.T, sessionID string, record json.RawMessage) *agentos.Run {
	t.Helper()
	r, err := agentos.NewRun(sessionID, record)
	if err != nil {
		t.Fatalf("new run: %v", err)
	}
	return r
}

func mustAddRun(t *testing.T, s agentos.SessionStore, r *agentos.Run) {
	t.Helper()
	if err := s.AddRun(context.Background(), r, agentos.SessionChange{}); err != nil {
		t.Fatalf("add run %s: %v", r.RunID, err)
	}
}

func jsonEqual(t *testing.T, what string, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: decode %q: %v", what, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: decode want %q: %v", what, want, err)
	}
	if fmt.Sprint(g) != fmt.Sprint(w) {
		t.Fatalf("%s = %s, want %s", what, got, want)
	}
}
