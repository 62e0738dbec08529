package agnodb_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
)

const referenceDB = "../testdata/agno-2.9/agno-reference.db"

func readAll(t *testing.T, source string, opts agnodb.Options) map[string]agnodb.Item {
	t.Helper()
	r, err := agnodb.Open(context.Background(), source, opts)
	if err != nil {
		t.Fatalf("open %s: %v", source, err)
	}
	defer r.Close()
	items := map[string]agnodb.Item{}
	err = r.Each(context.Background(), func(it agnodb.Item) error {
		if it.Session != nil {
			items[it.Session.ID] = it
		} else {
			items["<no id>"] = it
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestReferenceDatabase(t *testing.T) {
	items := readAll(t, referenceDB, agnodb.Options{})
	if len(items) != 10 {
		t.Fatalf("read %d sessions, want 10", len(items))
	}
	runs := 0
	for id, it := range items {
		if it.Err != nil {
			t.Errorf("session %s: %v", id, it.Err)
		}
		runs += len(it.Runs)
		if it.Skipped != 0 {
			t.Errorf("session %s: %d runs skipped", id, it.Skipped)
		}
	}
	if runs != 8 {
		t.Errorf("read %d runs, want 8", runs)
	}

	full := items["rec-s-full"].Session
	if full.Name == nil || *full.Name != "Patched name" {
		t.Errorf("rec-s-full name = %v", full.Name)
	}
	if string(full.State) != `{"step": 3}` {
		t.Errorf("rec-s-full state = %s", full.State)
	}
	if !strings.Contains(string(full.Summary), `"A summary"`) {
		t.Errorf("rec-s-full summary = %s", full.Summary)
	}
	if full.UserID == nil || *full.UserID != "alice@example.com" {
		t.Errorf("rec-s-full owner = %v", full.UserID)
	}
	if full.CreatedAt != 1796383576 || full.UpdatedAt != 1796383577 {
		t.Errorf("rec-s-full times = %d/%d", full.CreatedAt, full.UpdatedAt)
	}

	chat := items["rec-chat"]
	if chat.Session.Name != nil {
		t.Errorf("rec-chat has explicit name %q, want none", *chat.Session.Name)
	}
	if len(chat.Runs) == 0 || chat.Runs[0].AgentID != "assistant" ||
		chat.Runs[0].Status != agentos.RunCompleted {
		t.Fatalf("rec-chat runs = %+v", chat.Runs)
	}
	name, ok := agentos.DeriveSessionName(chat.Session.Type, chat.Runs, nil)
	if !ok || name != "My name is Alice." {
		t.Errorf("rec-chat derived name = %q, %v", name, ok)
	}
	if chat.Session.Metrics == nil {
		t.Errorf("rec-chat has no session metrics")
	}

	team := items["8038bd49-7766-48bc-93c6-564de609e317"].Session
	if team.Type != agentos.SessionTypeTeam || team.TeamID != "some-team" || team.UserID != nil {
		t.Errorf("team session = %+v", team)
	}
}

// agnoTable creates an agno-layout sessions table in a new SQLite file.
func agnoTable(t *testing.T, table string) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agno.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(`CREATE TABLE ` + table + ` (session_id VARCHAR NOT NULL,
		session_type VARCHAR NOT NULL, agent_id VARCHAR, team_id VARCHAR, workflow_id VARCHAR,
		user_id VARCHAR, session_data JSON, agent_data JSON, team_data JSON,
		workflow_data JSON, metadata JSON, runs JSON, summary JSON, created_at BIGINT NOT NULL,
		updated_at BIGINT, extra_column TEXT, CONSTRAINT uq_session_id UNIQUE (session_id))`)
	if err != nil {
		t.Fatal(err)
	}
	return db, path
}

func TestReadingRules(t *testing.T) {
	db, path := agnoTable(t, "my_sessions")
	rows := []struct {
		id, typ, agent, team string
		data, runs           any
		updated              any
	}{
		// Double-encoded, as agno writes it, with an unknown session_data key.
		{"double", "agent", "a", "", `"{\"session_name\": \"Caf\\u00e9\", \"images\": []}"`,
			`"[{\"run_id\": \"r1\", \"agent_id\": \"a\", \"status\": \"COMPLETED\"}]"`, 10},
		// Single-encoded values are accepted too.
		{"single", "agent", "a", "", `{"session_state": {"k": 1}}`,
			`[{"run_id": "r1", "agent_id": "a"}, 7, {"no_id": true}]`, nil},
		// The text null and SQL NULL are both absent; the type is detected.
		{"nulls", "", "", "t", "null", nil, 5},
	}
	for _, r := range rows {
		if _, err := db.Exec(`INSERT INTO my_sessions (session_id, session_type, agent_id,
			team_id, session_data, runs, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 5, ?)`,
			r.id, r.typ, nullIfEmpty(r.agent), nullIfEmpty(r.team), r.data, r.runs,
			r.updated); err != nil {
			t.Fatal(err)
		}
	}
	items := readAll(t, path, agnodb.Options{Table: "my_sessions"})

	double := items["double"]
	if double.Err != nil || double.Session.Name == nil || *double.Session.Name != "Café" {
		t.Fatalf("double: %+v %v", double.Session, double.Err)
	}
	var extra map[string]any
	if err := json.Unmarshal(double.Session.Data, &extra); err != nil || len(extra) != 1 {
		t.Errorf("double: unknown keys = %s, want images kept", double.Session.Data)
	}
	if len(double.Runs) != 1 || double.Runs[0].Status != agentos.RunCompleted {
		t.Errorf("double: runs = %+v", double.Runs)
	}

	single := items["single"]
	if single.Err != nil || string(single.Session.State) != `{"k": 1}` {
		t.Fatalf("single: %+v %v", single.Session, single.Err)
	}
	if len(single.Runs) != 1 || single.Skipped != 2 {
		t.Errorf("single: %d runs, %d skipped; want 1 and 2", len(single.Runs), single.Skipped)
	}
	if single.Runs[0].Status != agentos.RunRunning {
		t.Errorf("single: a run without status = %s, want RUNNING", single.Runs[0].Status)
	}
	if single.Session.UpdatedAt != single.Session.CreatedAt {
		t.Errorf("single: NULL updated_at = %d, want created_at", single.Session.UpdatedAt)
	}

	nulls := items["nulls"]
	if nulls.Err != nil || nulls.Session.Type != agentos.SessionTypeTeam {
		t.Fatalf("nulls: %+v %v", nulls.Session, nulls.Err)
	}
	if nulls.Session.Data != nil || nulls.Session.State != nil || len(nulls.Runs) != 0 {
		t.Errorf("nulls: data=%s state=%s runs=%d", nulls.Session.Data, nulls.Session.State,
			len(nulls.Runs))
	}
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TestFileNameWithURICharacters reads a database whose file name contains
// characters that SQLite URIs give a meaning to, and checks that no other
// file appears beside it.
func TestFileNameWithURICharacters(t *testing.T) {
	data, err := os.ReadFile(referenceDB)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"my?db.db", "a#b.db", "50%.db", "100%25.db"} {
		dir := t.TempDir()
		source := filepath.Join(dir, name)
		if err := os.WriteFile(source, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if items := readAll(t, source, agnodb.Options{}); len(items) != 10 {
			t.Errorf("%s: read %d sessions, want 10", name, len(items))
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), name) {
				t.Errorf("%s: reading created the file %q", name, e.Name())
			}
		}
	}
}

func TestRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a database at all, just some text"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE agno_sessions (session_id TEXT, runs TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	empty := filepath.Join(dir, "empty.db")
	db, _ = sql.Open("sqlite", empty)
	_, _ = db.Exec(`CREATE TABLE things (id INTEGER)`)
	db.Close()

	cases := []struct {
		source, want string
	}{
		{text, "is not a SQLite database"},
		{filepath.Join(dir, "missing.db"), "does not exist"},
		{dir, "is a folder"},
		{empty, "has no table agno_sessions"},
		{other, "lacks the agno columns session_type, agent_id"},
	}
	for _, tc := range cases {
		_, err := agnodb.Open(context.Background(), tc.source, agnodb.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("open %s: error %v, want one containing %q", tc.source, err, tc.want)
		}
	}
	_, err = agnodb.Open(context.Background(), referenceDB, agnodb.Options{Table: "x; DROP"})
	if err == nil || !strings.Contains(err.Error(), "invalid table name") {
		t.Errorf("unsafe table name: %v", err)
	}
}

func TestDecodeColumn(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"null", ""},
		{`"null"`, ""},
		{`"{\"a\": 1}"`, `{"a": 1}`},
		{[]byte(`{"a": 1}`), `{"a": 1}`},
		{`[1, 2]`, `[1, 2]`},
	}
	for _, tc := range cases {
		got, err := agnodb.DecodeColumn(tc.in)
		if err != nil {
			t.Errorf("DecodeColumn(%v): %v", tc.in, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("DecodeColumn(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, bad := range []any{`{`, `"not json inside"`, 42} {
		if _, err := agnodb.DecodeColumn(bad); err == nil {
			t.Errorf("DecodeColumn(%v) succeeded, want an error", bad)
		}
	}
}

func FuzzDecodeColumn(f *testing.F) {
	for _, seed := range []string{`null`, `"{\"a\": 1}"`, `{"a":[1,2]}`, `"\"x\""`, `"[1"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := agnodb.DecodeColumn(text)
		if err != nil {
			return
		}
		if got != nil && !json.Valid(got) {
			t.Fatalf("DecodeColumn(%q) = %q, which is not valid JSON", text, got)
		}
	})
}
