package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/agentos-go/agentos"
)

func testSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("CreateAndGet", func(t *testing.T) {
		s := newStore(t, open)
		in := &agentos.Session{
			ID: "s1", Type: agentos.SessionTypeAgent, AgentID: "assistant",
			UserID: ptr("alice"), Name: ptr("Café plans"),
			State:     json.RawMessage(`{"step":1,"ratio":0.004455051999684656}`),
			Metadata:  json.RawMessage(`{"source":"test"}`),
			AgentData: json.RawMessage(`{"name":"Assistant","agent_id":"assistant"}`),
			Data:      json.RawMessage(`{"images":[]}`),
		}
		mustCreate(t, s, in)
		got := mustGet(t, s, "s1")
		if got.Type != agentos.SessionTypeAgent || got.AgentID != "assistant" {
			t.Fatalf("type/agent = %s/%s", got.Type, got.AgentID)
		}
		if got.UserID == nil || *got.UserID != "alice" {
			t.Fatalf("user = %v, want alice", got.UserID)
		}
		if got.Name == nil || *got.Name != "Café plans" {
			t.Fatalf("name = %v", got.Name)
		}
		if string(got.State) != `{"step":1,"ratio":0.004455051999684656}` {
			t.Fatalf("state = %s, want bytes kept", got.State)
		}
		jsonEqual(t, "metadata", got.Metadata, `{"source":"test"}`)
		jsonEqual(t, "data", got.Data, `{"images":[]}`)
		if got.CreatedAt == 0 || got.UpdatedAt < got.CreatedAt {
			t.Fatalf("created_at=%d updated_at=%d", got.CreatedAt, got.UpdatedAt)
		}
		if got.Summary != nil || got.Metrics != nil {
			t.Fatalf("summary/metrics = %s/%s, want absent", got.Summary, got.Metrics)
		}
	})
	t.Run("NullOwnerDiffersFromEmpty", func(t *testing.T) {
		s := newStore(t, open)
		mustCreate(t, s, &agentos.Session{ID: "none"})
		mustCreate(t, s, &agentos.Session{ID: "empty", UserID: ptr("")})
		if got := mustGet(t, s, "none"); got.UserID != nil {
			t.Fatalf("owner = %q, want nil", *got.UserID)
		}
		if got := mustGet(t, s, "empty"); got.UserID == nil || *got.UserID != "" {
			t.Fatalf("owner = %v, want empty string", got.UserID)
		}
		list, total, err := s.ListSessions(ctx, agentos.SessionFilter{UserID: ptr(""), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(list) != 1 || list[0].ID != "empty" {
			t.Fatalf("user_id='' matched %d sessions (total %d)", len(list), total)
		}
	})
	t.Run("CreateConflictChangesNothing", func(t *testing.T) {
		s := newStore(t, open)
		mustCreate(t, s, &agentos.Session{ID: "dup", UserID: ptr("alice"), Name: ptr("first")})
		err := s.CreateSession(ctx, &agentos.Session{
			ID: "dup", Type: agentos.SessionTypeTeam, UserID: ptr("bob"), Name: ptr("second"),
		})
		wantCode(t, err, agentos.ECONFLICT)
		got := mustGet(t, s, "dup")
		if *got.Name != "first" || *got.UserID != "alice" || got.Type != agentos.SessionTypeAgent {
			t.Fatalf("session changed by a failed create: %+v", got)
		}
	})
	t.Run("GetMissingAndScoped", func(t *testing.T) {
		s := newStore(t, open)
		mustCreate(t, s, &agentos.Session{ID: "mine", UserID: ptr("alice")})
		_, err := s.GetSession(ctx, "nope", agentos.Scope{})
		wantCode(t, err, agentos.ENOTFOUND)
		_, err = s.GetSession(ctx, "mine", agentos.Owned("bob"))
		wantCode(t, err, agentos.ENOTFOUND)
		if _, err := s.GetSession(ctx, "mine", agentos.Owned("alice")); err != nil {
			t.Fatalf("owner read: %v", err)
		}
	})
}

func testUpdate(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OnlyNamedFields", func(t *testing.T) {
		s := newStore(t, open)
		mustCreate(t, s, &agentos.Session{
			ID: "u", UserID: ptr("alice"), Name: ptr("old"),
			State: json.RawMessage(`{"a":1}`), Metadata: json.RawMessage(`{"m":1}`),
		})
		got, err := s.UpdateSession(ctx, "u", agentos.Scope{}, agentos.SessionUpdate{
			State: json.RawMessage(`{"b":2}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, "state", got.State, `{"b":2}`)
		jsonEqual(t, "metadata", got.Metadata, `{"m":1}`)
		if *got.Name != "old" {
			t.Fatalf("name = %q, want unchanged", *got.Name)
		}
		got, err = s.UpdateSession(ctx, "u", agentos.Scope{}, agentos.SessionUpdate{
			Name: ptr("new"), Summary: json.RawMessage(`{"summary":"s","topics":["x"]}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		if *got.Name != "new" {
			t.Fatalf("name = %q, want new", *got.Name)
		}
		jsonEqual(t, "summary", got.Summary, `{"summary":"s","topics":["x"]}`)
		jsonEqual(t, "state after rename", got.State, `{"b":2}`)
	})
	t.Run("WrongTypeOrOwnerIsNotFound", func(t *testing.T) {
		s := newStore(t, open)
		mustCreate(t, s, &agentos.Session{ID: "u", UserID: ptr("alice"), Name: ptr("keep")})
		team := agentos.SessionTypeTeam
		_, err := s.UpdateSession(ctx, "u", agentos.Scope{},
			agentos.SessionUpdate{Name: ptr("x"), Type: &team})
		wantCode(t, err, agentos.ENOTFOUND)
		rename := agentos.SessionUpdate{Name: ptr("x")}
		_, err = s.UpdateSession(ctx, "u", agentos.Owned("bob"), rename)
		wantCode(t, err, agentos.ENOTFOUND)
		_, err = s.UpdateSession(ctx, "missing", agentos.Scope{}, rename)
		wantCode(t, err, agentos.ENOTFOUND)
		if got := mustGet(t, s, "u"); *got.Name != "keep" {
			t.Fatalf("name = %q after rejected updates", *got.Name)
		}
	})
	t.Run("EmptyNameIsKept", func(t *testing.T) {
		s := newStore(t, open)
		mustCreate(t, s, &agentos.Session{ID: "u"})
		got, err := s.UpdateSession(ctx, "u", agentos.Scope{}, agentos.SessionUpdate{Name: ptr("")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name == nil || *got.Name != "" {
			t.Fatalf("name = %v, want explicit empty name", got.Name)
		}
	})
}

func testDelete(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	for i := range 5 {
		owner := "alice"
		if i%2 == 1 {
			owner = "bob"
		}
		mustCreate(t, s, &agentos.Session{ID: fmt.Sprintf("d%d", i), UserID: ptr(owner)})
	}
	mustAddRun(t, s, mustRun(t, "d0", runRecord("r0", "COMPLETED", "hi", 100, "")))
	n, err := s.DeleteSessions(ctx, []string{"d0", "d1", "d2", "zzz"}, agentos.Owned("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("deleted %d, want 2 (alice's d0 and d2)", n)
	}
	if _, err := s.GetSession(ctx, "d1", agentos.Scope{}); err != nil {
		t.Fatalf("bob's d1 was deleted by alice: %v", err)
	}
	_, err = s.GetRun(ctx, "d0", "r0")
	wantCode(t, err, agentos.ENOTFOUND)
	n, err = s.DeleteSessions(ctx, []string{"d1", "d3", "d4"}, agentos.Scope{})
	if err != nil || n != 3 {
		t.Fatalf("unscoped delete = %d, %v; want 3", n, err)
	}
	_, total, err := s.ListSessions(ctx, agentos.SessionFilter{Limit: 10})
	if err != nil || total != 0 {
		t.Fatalf("sessions left = %d, %v", total, err)
	}
	n, err = s.DeleteSessions(ctx, []string{"gone"}, agentos.Scope{})
	if err != nil || n != 0 {
		t.Fatalf("delete of a missing id = %d, %v", n, err)
	}
}

// testTimes checks the timestamps the store sets on create and update.
func testTimes(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	before := agentos.Now()
	now := mustCreate(t, s, &agentos.Session{ID: "now"})
	if now.CreatedAt < before || now.UpdatedAt != now.CreatedAt {
		t.Errorf("zero times became created_at=%d updated_at=%d, want both now (>= %d)",
			now.CreatedAt, now.UpdatedAt, before)
	}
	mustCreate(t, s, &agentos.Session{ID: "given", CreatedAt: 100})
	got := mustGet(t, s, "given")
	if got.CreatedAt != 100 || got.UpdatedAt != 100 {
		t.Errorf("created_at=100 alone stored as %d/%d, want 100/100", got.CreatedAt,
			got.UpdatedAt)
	}
	mustCreate(t, s, &agentos.Session{ID: "backwards", CreatedAt: 500, UpdatedAt: 400})
	got = mustGet(t, s, "backwards")
	if got.UpdatedAt < got.CreatedAt {
		t.Errorf("updated_at %d stored before created_at %d", got.UpdatedAt, got.CreatedAt)
	}

	before = agentos.Now()
	upd, err := s.UpdateSession(ctx, "given", agentos.Scope{},
		agentos.SessionUpdate{Metadata: json.RawMessage(`{"k":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if upd.CreatedAt != 100 {
		t.Errorf("update changed created_at to %d", upd.CreatedAt)
	}
	if upd.UpdatedAt < before {
		t.Errorf("update left updated_at at %d, want now (>= %d)", upd.UpdatedAt, before)
	}
	if stored := mustGet(t, s, "given"); stored.UpdatedAt != upd.UpdatedAt {
		t.Errorf("update returned updated_at %d but stored %d", upd.UpdatedAt, stored.UpdatedAt)
	}

	// A session created in the future keeps created_at <= updated_at.
	future := agentos.Now() + 3600
	mustCreate(t, s, &agentos.Session{ID: "future", CreatedAt: future})
	upd, err = s.UpdateSession(ctx, "future", agentos.Scope{},
		agentos.SessionUpdate{Name: ptr("x")})
	if err != nil {
		t.Fatal(err)
	}
	if upd.UpdatedAt < upd.CreatedAt {
		t.Errorf("updated_at %d before created_at %d after an update", upd.UpdatedAt,
			upd.CreatedAt)
	}
}

// testScopes checks that an owner scope reaches only that owner's sessions:
// another owner's session reads as missing and is left unchanged.
func testScopes(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	mustCreate(t, s, &agentos.Session{ID: "nobody", Name: ptr("n")})
	mustCreate(t, s, &agentos.Session{ID: "empty", UserID: ptr(""), Name: ptr("e")})
	mustCreate(t, s, &agentos.Session{ID: "alice", UserID: ptr("alice"), Name: ptr("a")})
	mustAddRun(t, s, mustRun(t, "alice", runRecord("r", "COMPLETED", "hi", 1, "")))

	reach := map[string][]string{
		"":      {"empty"},
		"alice": {"alice"},
		"bob":   nil,
	}
	for owner, want := range reach {
		scope := agentos.Owned(owner)
		for _, id := range []string{"nobody", "empty", "alice"} {
			_, err := s.GetSession(ctx, id, scope)
			allowed := slices.Contains(want, id)
			if allowed && err != nil {
				t.Errorf("owner %q cannot read %s: %v", owner, id, err)
			}
			if !allowed && agentos.ErrorCode(err) != agentos.ENOTFOUND {
				t.Errorf("owner %q reading %s: error %v, want ENOTFOUND", owner, id, err)
			}
			if allowed {
				continue
			}
			_, err = s.UpdateSession(ctx, id, scope, agentos.SessionUpdate{Name: ptr("taken")})
			wantCode(t, err, agentos.ENOTFOUND)
			_, err = s.ClearSession(ctx, id, scope, nil)
			wantCode(t, err, agentos.ENOTFOUND)
			n, err := s.DeleteSessions(ctx, []string{id}, scope)
			if err != nil || n != 0 {
				t.Errorf("owner %q deleted %d of %s's sessions, %v", owner, n, id, err)
			}
		}
	}
	for _, id := range []string{"nobody", "empty", "alice"} {
		got := mustGet(t, s, id)
		if got.Name == nil || *got.Name == "taken" {
			t.Errorf("session %s renamed through another owner's scope", id)
		}
	}
	if got := mustGet(t, s, "alice"); got.RunCount != 1 {
		t.Errorf("alice's runs cleared through another owner's scope: %d left", got.RunCount)
	}
}

// testNullValues checks that JSON null clears a stored object and that an
// empty delete list deletes nothing.
func testNullValues(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	mustCreate(t, s, &agentos.Session{ID: "n", State: json.RawMessage(`{"a":1}`),
		Metadata: json.RawMessage(`{"m":1}`)})
	got, err := s.UpdateSession(ctx, "n", agentos.Scope{},
		agentos.SessionUpdate{State: json.RawMessage(`null`)})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != nil {
		t.Errorf("state = %s after setting null, want absent", got.State)
	}
	jsonEqual(t, "metadata", got.Metadata, `{"m":1}`)
	n, err := s.DeleteSessions(ctx, nil, agentos.Scope{})
	if err != nil || n != 0 {
		t.Errorf("delete of no ids = %d, %v", n, err)
	}
	mustGet(t, s, "n")
}
