package agnodb_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/agentos-go/agentos/agnodb"
)

// postgresURL returns the test server's URL. Outside CI a server that does
// not answer skips the test; under CI it fails it.
func postgresURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("AGENTOS_TEST_POSTGRES")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("pgx", url)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s is required under CI: %v", url, err)
		}
		t.Skipf("PostgreSQL at %s does not answer (set AGENTOS_TEST_POSTGRES): %v", url, err)
	}
	return url
}

// TestPostgresLayout writes the reference sessions into agno's PostgreSQL
// layout (JSONB, encoded once) and reads them back.
func TestPostgresLayout(t *testing.T) {
	url := postgresURL(t)
	ctx := context.Background()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema := fmt.Sprintf("agno_import_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	if _, err := db.ExecContext(ctx, `CREATE TABLE `+schema+`.agno_sessions (
		session_id VARCHAR PRIMARY KEY, session_type VARCHAR NOT NULL, agent_id VARCHAR,
		team_id VARCHAR, workflow_id VARCHAR, user_id VARCHAR, session_data JSONB,
		agent_data JSONB, team_data JSONB, workflow_data JSONB, metadata JSONB, runs JSONB,
		summary JSONB, created_at BIGINT NOT NULL, updated_at BIGINT)`); err != nil {
		t.Fatal(err)
	}
	source := readAll(t, referenceDB, agnodb.Options{})
	for id, it := range source {
		s := it.Session
		var runs []byte
		if len(it.Runs) > 0 {
			runs = []byte("[")
			for i, r := range it.Runs {
				if i > 0 {
					runs = append(runs, ',')
				}
				runs = append(runs, r.Record...)
			}
			runs = append(runs, ']')
		}
		data := s.SessionData()
		if _, err := db.ExecContext(ctx, `INSERT INTO `+schema+`.agno_sessions (session_id,
			session_type, agent_id, team_id, user_id, session_data, agent_data, runs, summary,
			created_at, updated_at) VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5,
			$6, $7, $8, $9, $10, $11)`,
			id, string(s.Type), s.AgentID, s.TeamID, s.UserID, text(data), text(s.AgentData),
			text(runs), text(s.Summary), s.CreatedAt, s.UpdatedAt); err != nil {
			t.Fatalf("insert %s: %v", id, err)
		}
	}
	got := readAll(t, url, agnodb.Options{Schema: schema})
	if len(got) != len(source) {
		t.Fatalf("read %d sessions from PostgreSQL, want %d", len(got), len(source))
	}
	for id, want := range source {
		it := got[id]
		if it.Err != nil {
			t.Errorf("%s: %v", id, it.Err)
			continue
		}
		if len(it.Runs) != len(want.Runs) {
			t.Errorf("%s: %d runs, want %d", id, len(it.Runs), len(want.Runs))
		}
		if (it.Session.Name == nil) != (want.Session.Name == nil) ||
			(it.Session.Name != nil && *it.Session.Name != *want.Session.Name) {
			t.Errorf("%s: name %v, want %v", id, it.Session.Name, want.Session.Name)
		}
		if it.Session.CreatedAt != want.Session.CreatedAt {
			t.Errorf("%s: created_at %d, want %d", id, it.Session.CreatedAt, want.Session.CreatedAt)
		}
	}
	_, err = agnodb.Open(ctx, url, agnodb.Options{Schema: schema + "_missing"})
	if err == nil {
		t.Errorf("a schema without agno tables was accepted")
	}
}

func text(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}
