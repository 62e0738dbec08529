package agnodb_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
	"github.com/agentos-go/agentos/internal/agnotest"
	"github.com/agentos-go/agentos/internal/pgtest"
)

// jsonEqual reports whether a and b hold the same JSON value. JSONB drops
// Python's spacing and reorders keys, so bytes cannot be compared.
func jsonEqual(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// TestPostgresLayout copies the reference sessions into agno's PostgreSQL
// layout (JSONB, encoded once) and checks that every session and run reads
// as it does from agno's SQLite file.
func TestPostgresLayout(t *testing.T) {
	url := pgtest.URL(t)
	schema := pgtest.Schema(t, url)
	agnotest.CopyToPostgres(t, referenceDB, url, schema, "agno_sessions")

	want := readAll(t, referenceDB, agnodb.Options{})
	got := readAll(t, url, agnodb.Options{Schema: schema})
	if len(got) != len(want) {
		t.Fatalf("read %d sessions from PostgreSQL, want %d", len(got), len(want))
	}
	for id, w := range want {
		g := got[id]
		if g.Err != nil {
			t.Errorf("%s: %v", id, g.Err)
			continue
		}
		compareSessions(t, g.Session, w.Session)
		if len(g.Runs) != len(w.Runs) {
			t.Errorf("%s: %d runs, want %d", id, len(g.Runs), len(w.Runs))
			continue
		}
		for i := range w.Runs {
			gr, wr := g.Runs[i], w.Runs[i]
			if gr.RunID != wr.RunID || gr.AgentID != wr.AgentID || gr.Status != wr.Status ||
				gr.CreatedAt != wr.CreatedAt || !jsonEqual(gr.Record, wr.Record) {
				t.Errorf("%s run %d: read %+v, want %+v", id, i, gr, wr)
			}
		}
	}
}

func compareSessions(t *testing.T, got, want *agentos.Session) {
	t.Helper()
	if got.Type != want.Type || got.AgentID != want.AgentID || got.TeamID != want.TeamID ||
		got.WorkflowID != want.WorkflowID || !reflect.DeepEqual(got.UserID, want.UserID) ||
		!reflect.DeepEqual(got.Name, want.Name) || got.CreatedAt != want.CreatedAt ||
		got.UpdatedAt != want.UpdatedAt {
		t.Errorf("%s: read %+v, want %+v", want.ID, got, want)
	}
	pairs := []struct {
		name      string
		got, want json.RawMessage
	}{
		{"state", got.State, want.State},
		{"metrics", got.Metrics, want.Metrics},
		{"data", got.Data, want.Data},
		{"agent_data", got.AgentData, want.AgentData},
		{"team_data", got.TeamData, want.TeamData},
		{"workflow_data", got.WorkflowData, want.WorkflowData},
		{"metadata", got.Metadata, want.Metadata},
		{"summary", got.Summary, want.Summary},
	}
	for _, p := range pairs {
		if !jsonEqual(p.got, p.want) {
			t.Errorf("%s: %s = %s, want %s", want.ID, p.name, p.got, p.want)
		}
	}
}

// TestPostgresReadingRules writes rows that agno's PostgreSQL backend may
// hold besides its usual ones: the JSON null, SQL NULL, a JSON string that
// contains a document, and a custom table name.
func TestPostgresReadingRules(t *testing.T) {
	url := pgtest.URL(t)
	schema := pgtest.Schema(t, url)
	agnotest.CopyToPostgres(t, referenceDB, url, schema, "team_sessions")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows := []struct{ id, data, runs string }{
		{"json-null", `null`, `null`},
		{"string-doc", `"{\"session_name\": \"Inside\"}"`,
			`"[{\"run_id\": \"r\", \"agent_id\": \"a\"}]"`},
		{"nul-free", `{"session_name": "tab\tand é"}`, `[]`},
	}
	for _, r := range rows {
		if _, err := conn.Exec(ctx, `INSERT INTO `+schema+`.team_sessions (session_id,
			session_type, agent_id, session_data, runs, created_at)
			VALUES ($1, 'agent', 'a', $2::jsonb, $3::jsonb, 7)`, r.id, r.data, r.runs); err != nil {
			t.Fatalf("insert %s: %v", r.id, err)
		}
	}
	if _, err := conn.Exec(ctx, `INSERT INTO `+schema+`.team_sessions (session_id,
		session_type, agent_id, created_at) VALUES ('sql-null', 'agent', 'a', 8)`); err != nil {
		t.Fatal(err)
	}

	items := readAll(t, url, agnodb.Options{Schema: schema, Table: "team_sessions"})
	if len(items) != 14 {
		t.Fatalf("read %d sessions, want 14", len(items))
	}
	for _, id := range []string{"json-null", "sql-null"} {
		it := items[id]
		if it.Err != nil || it.Session.Name != nil || len(it.Runs) != 0 ||
			it.Session.UpdatedAt != it.Session.CreatedAt {
			t.Errorf("%s: %+v, %d runs, %v", id, it.Session, len(it.Runs), it.Err)
		}
	}
	doc := items["string-doc"]
	if doc.Err != nil || doc.Session.Name == nil || *doc.Session.Name != "Inside" ||
		len(doc.Runs) != 1 {
		t.Errorf("string-doc: %+v, %d runs, %v", doc.Session, len(doc.Runs), doc.Err)
	}
	if n := items["nul-free"].Session.Name; n == nil || *n != "tab\tand é" {
		t.Errorf("nul-free name = %v", n)
	}

	_, err = agnodb.Open(ctx, url, agnodb.Options{Schema: schema})
	want := "has no table " + schema + ".agno_sessions, but table team_sessions has " +
		"agno's session columns: give --table team_sessions"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("default table name: %v, want an error containing %q", err, want)
	}
	_, err = agnodb.Open(ctx, url, agnodb.Options{Schema: schema + "_missing"})
	if err == nil || !strings.Contains(err.Error(), "has no tables in schema "+schema+"_missing") {
		t.Errorf("missing schema: %v", err)
	}
}

func TestPostgresPasswordNotShown(t *testing.T) {
	url := "postgres://agno:s3cret@127.0.0.1:1/ai?sslmode=disable&connect_timeout=2"
	_, err := agnodb.Open(context.Background(), url, agnodb.Options{})
	if err == nil {
		t.Fatal("opening a closed port succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "agno:xxxxx@127.0.0.1:1") {
		t.Errorf("error %q does not name the database", err)
	}
}
