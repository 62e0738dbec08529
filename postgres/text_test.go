package postgres_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/storetesting"
	"github.com/agentos-go/agentos/postgres"
)

// TestTextPostgresCannotStore sends values with a NUL character or bytes
// that are not UTF-8, which PostgreSQL text cannot hold. Writes fail with
// EINVALID naming the field, reads match nothing, and no call fails as an
// internal error.
func TestTextPostgresCannotStore(t *testing.T) {
	s := storetesting.OpenPostgres(t)
	ctx := context.Background()
	if err := s.CreateSession(ctx, &agentos.Session{ID: "ok", Type: agentos.SessionTypeAgent,
		UserID: ptr("alice")}); err != nil {
		t.Fatal(err)
	}
	invalid := func(what string, err error, field string) {
		t.Helper()
		if agentos.ErrorCode(err) != agentos.EINVALID {
			t.Fatalf("%s: %v, want EINVALID", what, err)
		}
		if !strings.Contains(err.Error(), field) {
			t.Fatalf("%s: %q does not name %s", what, err.Error(), field)
		}
	}
	notFound := func(what string, err error) {
		t.Helper()
		if agentos.ErrorCode(err) != agentos.ENOTFOUND {
			t.Fatalf("%s: %v, want ENOTFOUND", what, err)
		}
	}

	invalid("create with a NUL in the name", s.CreateSession(ctx, &agentos.Session{ID: "n",
		Type: agentos.SessionTypeAgent, Name: ptr("a\x00b")}), "session_name")
	invalid("create with a NUL in the id", s.CreateSession(ctx, &agentos.Session{ID: "n\x00",
		Type: agentos.SessionTypeAgent}), "session_id")
	invalid("create with an owner that is not UTF-8", s.CreateSession(ctx,
		&agentos.Session{ID: "n", Type: agentos.SessionTypeAgent, UserID: ptr("\xff")}),
		"user_id")
	invalid("create with metadata that is not UTF-8", s.CreateSession(ctx,
		&agentos.Session{ID: "n", Type: agentos.SessionTypeAgent,
			Metadata: json.RawMessage("{\"k\":\"\xff\"}")}), "metadata")

	_, err := s.GetSession(ctx, "ok\x00", agentos.Scope{})
	notFound("get by an id with a NUL", err)
	_, err = s.GetSession(ctx, "ok", agentos.Owned("\xff"))
	notFound("get for an owner that is not UTF-8", err)
	for _, f := range []agentos.SessionFilter{
		{UserID: ptr("\xff"), Limit: 10},
		{ComponentID: ptr("a\x00"), Limit: 10},
		{Name: ptr("\x00"), Limit: 10},
	} {
		list, total, err := s.ListSessions(ctx, f)
		if err != nil || len(list) != 0 || total != 0 {
			t.Fatalf("list %+v: %d sessions, total %d, %v; want none", f, len(list), total, err)
		}
	}

	_, err = s.UpdateSession(ctx, "ok", agentos.Scope{},
		agentos.SessionUpdate{Name: ptr("x\x00")})
	invalid("rename with a NUL", err, "session_name")
	_, err = s.UpdateSession(ctx, "ok", agentos.Scope{},
		agentos.SessionUpdate{State: json.RawMessage("{\"k\":\"\xfe\"}")})
	invalid("state that is not UTF-8", err, "session_state")
	_, err = s.UpdateSession(ctx, "ok\xff", agentos.Scope{},
		agentos.SessionUpdate{Name: ptr("x")})
	notFound("update of an id that is not UTF-8", err)
	_, err = s.ClearSession(ctx, "ok\x00", agentos.Scope{}, nil)
	notFound("clear of an id with a NUL", err)
	got, err := s.GetSession(ctx, "ok", agentos.Scope{})
	if err != nil || got.Name != nil || got.State != nil {
		t.Fatalf("session after rejected writes: %+v, %v; want it unchanged", got, err)
	}

	r, err := agentos.NewRun("ok", json.RawMessage("{\"run_id\":\"r1\",\"content\":\"\xff\"}"))
	if err != nil {
		t.Fatal(err)
	}
	invalid("run record that is not UTF-8", s.AddRun(ctx, r, agentos.SessionChange{}),
		"run record")
	r, err = agentos.NewRun("ok\x00", json.RawMessage(`{"run_id":"r1"}`))
	if err != nil {
		t.Fatal(err)
	}
	notFound("run of a session id with a NUL", s.AddRun(ctx, r, agentos.SessionChange{}))
	_, err = s.GetRun(ctx, "ok", "r\x00")
	notFound("get run by an id with a NUL", err)
	runs, err := s.ListRuns(ctx, "ok\xff", agentos.RunFilter{})
	if err != nil || len(runs) != 0 {
		t.Fatalf("runs of an id that is not UTF-8: %d, %v; want none", len(runs), err)
	}
	if err := s.RenewRunLeases(ctx, []agentos.RunRef{{SessionID: "ok", RunID: "\x00"}},
		1); err != nil {
		t.Fatalf("renew a lease of an id with a NUL: %v", err)
	}

	cancels := postgres.NewCancels(s, 0, nil)
	defer cancels.Close()
	if err := cancels.RequestCancel(ctx, "r\x00"); err != nil {
		t.Fatalf("cancel of a run id with a NUL: %v", err)
	}

	n, err := s.DeleteSessions(ctx, []string{"ok", "ok\x00"}, agentos.Scope{})
	if err != nil || n != 1 {
		t.Fatalf("delete: %d, %v; want the one storable id deleted", n, err)
	}
}
