package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
)

// rawDB opens the file at path with no migrations applied by the store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, Options{BusyTimeoutMillis: 5000}, false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func schemaVersions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var versions []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	return versions
}

func TestMigrationsApplyOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	for range 3 {
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	files, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	versions := schemaVersions(t, rawDB(t, path))
	if len(versions) != len(files) {
		t.Fatalf("schema_migrations holds versions %v, want one row for each of %d files",
			versions, len(files))
	}
	for i, v := range versions {
		if v != i+1 {
			t.Fatalf("schema_migrations holds versions %v, want 1 to %d", versions, len(files))
		}
	}
}

func TestMigrationUpgradesOldDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	db := rawDB(t, path)
	first, err := migrationFiles.ReadFile("migrations/0001_sessions.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY,
			name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
		string(first),
		`INSERT INTO schema_migrations VALUES (1, '0001_sessions.sql', 1796383576)`,
		`INSERT INTO sessions (session_id, session_type, user_id, session_name, name_fold,
			created_at, updated_at) VALUES ('old', 'agent', 'alice', 'Kept', 'kept', 10, 20)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("build a version 1 database: %v", err)
		}
	}
	_ = db.Close()

	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("open a version 1 database: %v", err)
	}
	defer s.Close()
	got, err := s.GetSession(ctx, "old", agentos.Scope{})
	if err != nil {
		t.Fatalf("session written before the upgrade: %v", err)
	}
	if got.DisplayName() != "Kept" || got.CreatedAt != 10 || got.UpdatedAt != 20 {
		t.Errorf("session after upgrade = %+v", got)
	}
	var n int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM sqlite_master
		WHERE type = 'index' AND name = 'sessions_user_updated_at'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("index of migration 2 missing after the upgrade")
	}
}

func TestNewerDatabaseRejected(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	db := rawDB(t, path)
	_, err = db.Exec(`INSERT INTO schema_migrations VALUES (99, '0099_future.sql', 1)`)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	s, err = Open(ctx, path, Options{})
	if err == nil {
		_ = s.Close()
		t.Fatal("open succeeded on a database of schema version 99")
	}
	if !strings.Contains(err.Error(), "schema version 99") ||
		!strings.Contains(err.Error(), "upgrade agentos") {
		t.Errorf("error = %q, want it to name version 99 and the fix", err)
	}
}

func TestOpenRejectsNonDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("plain text, not SQLite\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path, Options{})
	if err == nil {
		_ = s.Close()
		t.Fatal("open succeeded on a text file")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error = %q, want it to name the file", err)
	}
}
