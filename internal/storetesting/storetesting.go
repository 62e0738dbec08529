// Package storetesting opens empty session stores of either backend for
// tests: a SQLite file in the test's temporary folder, or a fresh schema on
// the PostgreSQL server of package pgtest, dropped when the test ends.
package storetesting

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/pgtest"
	"github.com/agentos-go/agentos/postgres"
	"github.com/agentos-go/agentos/sqlite"
)

// Kind names a store backend.
type Kind string

// The backends.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// Kinds lists every backend, for tests that run against each.
var Kinds = []Kind{SQLite, Postgres}

// Open returns an empty store of the kind, closed when the test ends. A
// PostgreSQL store skips the test when no server answers, or fails it
// under CI, as pgtest.URL does.
func Open(t testing.TB, kind Kind) agentos.SessionStore {
	t.Helper()
	switch kind {
	case SQLite:
		return OpenSQLite(t)
	case Postgres:
		return OpenPostgres(t)
	}
	t.Fatalf("unknown store kind %q", kind)
	return nil
}

// OpenSQLite returns a store on a new SQLite file, closed when the test
// ends.
func OpenSQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"),
		sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// OpenPostgres returns a store on a new schema of the test server, closed
// when the test ends, before the schema is dropped.
func OpenPostgres(t testing.TB) *postgres.Store {
	t.Helper()
	url := pgtest.URL(t)
	schema := pgtest.Schema(t, url)
	// Tests run side by side on a server that allows 100 connections.
	s, err := postgres.Open(context.Background(), url,
		postgres.Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Each runs test once per backend, as a subtest named after the kind.
func Each(t *testing.T, test func(t *testing.T, kind Kind)) {
	t.Helper()
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) { test(t, kind) })
	}
}
