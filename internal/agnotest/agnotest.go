// Package agnotest writes agno's storage layout for tests: it copies the
// sessions of the SQLite database that agno 2.9.0 wrote into a PostgreSQL
// schema laid out as agno's PostgresDb creates it.
package agnotest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// postgresTable is agno's sessions table in PostgreSQL: the SQLite columns
// with JSONB in place of JSON, and the same index names.
const postgresTable = `CREATE TABLE %[1]s.%[2]s (
	session_id VARCHAR NOT NULL PRIMARY KEY,
	session_type VARCHAR NOT NULL,
	agent_id VARCHAR,
	team_id VARCHAR,
	workflow_id VARCHAR,
	user_id VARCHAR,
	session_data JSONB,
	agent_data JSONB,
	team_data JSONB,
	workflow_data JSONB,
	metadata JSONB,
	runs JSONB,
	summary JSONB,
	created_at BIGINT NOT NULL,
	updated_at BIGINT);
CREATE INDEX idx_%[2]s_session_type ON %[1]s.%[2]s (session_type);
CREATE INDEX idx_%[2]s_created_at ON %[1]s.%[2]s (created_at)`

// jsonColumns are the JSON columns of agno's sessions table, in order.
var jsonColumns = []string{
	"session_data", "agent_data", "team_data", "workflow_data", "metadata", "runs", "summary",
}

// CopyToPostgres creates schema (which must not exist) in the database at
// pgURL, with agno's sessions table named table, and copies every row of
// the agno SQLite file at sqlitePath into it. JSON values are stored once,
// as JSONB, as agno's PostgreSQL backend writes them. The text null becomes
// the JSON null, and SQL NULL stays SQL NULL. The schema is dropped when
// the test ends.
func CopyToPostgres(t testing.TB, sqlitePath, pgURL, schema, table string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", pgURL, err)
	}
	defer conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), pgURL)
		if err != nil {
			t.Logf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(),
			`DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(postgresTable, schema, table)); err != nil {
		t.Fatalf("create %s.%s: %v", schema, table, err)
	}

	src, err := sql.Open("sqlite", "file:"+(&url.URL{Path: sqlitePath}).EscapedPath()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows, err := src.QueryContext(ctx, `SELECT session_id, session_type, agent_id, team_id,
		workflow_id, user_id, session_data, agent_data, team_data, workflow_data, metadata,
		runs, summary, created_at, updated_at FROM agno_sessions`)
	if err != nil {
		t.Fatalf("read %s: %v", sqlitePath, err)
	}
	defer rows.Close()
	for rows.Next() {
		var ids [6]sql.NullString
		var values [7]sql.NullString
		var created int64
		var updated sql.NullInt64
		dest := []any{}
		for i := range ids {
			dest = append(dest, &ids[i])
		}
		for i := range values {
			dest = append(dest, &values[i])
		}
		dest = append(dest, &created, &updated)
		if err := rows.Scan(dest...); err != nil {
			t.Fatalf("read %s: %v", sqlitePath, err)
		}
		args := []any{}
		for _, id := range ids {
			args = append(args, nullable(id))
		}
		for i, v := range values {
			doc, err := singleEncoded(v)
			if err != nil {
				t.Fatalf("session %s: column %s: %v", ids[0].String, jsonColumns[i], err)
			}
			args = append(args, doc)
		}
		args = append(args, created, nullableInt(updated))
		if _, err := conn.Exec(ctx, `INSERT INTO `+schema+`.`+table+` (session_id,
			session_type, agent_id, team_id, workflow_id, user_id, session_data, agent_data,
			team_data, workflow_data, metadata, runs, summary, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8::text::jsonb, $9::text::jsonb,
			$10::text::jsonb, $11::text::jsonb, $12::text::jsonb, $13::text::jsonb, $14, $15)`,
			args...); err != nil {
			t.Fatalf("insert session %s: %v", ids[0].String, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", sqlitePath, err)
	}
}

// singleEncoded removes the string layer of a double-encoded SQLite JSON
// value and returns the document as text for a JSONB parameter.
func singleEncoded(v sql.NullString) (any, error) {
	if !v.Valid {
		return nil, nil
	}
	if v.String == "null" {
		return "null", nil
	}
	var inner string
	if err := json.Unmarshal([]byte(v.String), &inner); err != nil {
		if !json.Valid([]byte(v.String)) {
			return nil, fmt.Errorf("invalid JSON %q", v.String)
		}
		return v.String, nil // a single-encoded value
	}
	return inner, nil
}

func nullable(s sql.NullString) any {
	if !s.Valid {
		return nil
	}
	return s.String
}

func nullableInt(n sql.NullInt64) any {
	if !n.Valid {
		return nil
	}
	return n.Int64
}
