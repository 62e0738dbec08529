package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/sqlite"
	"github.com/agentos-go/agentos/storetest"
)

func openTemp(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sub", "app.db"),
		sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) agentos.SessionStore { return openTemp(t) })
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sess := &agentos.Session{ID: "keep", Type: agentos.SessionTypeAgent}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if _, err := s.GetSession(ctx, "keep", agentos.Scope{}); err != nil {
		t.Fatalf("session lost across reopen: %v", err)
	}
}

func TestClosedStoreIsNotNotFound(t *testing.T) {
	s := openTemp(t)
	_ = s.Close()
	_, err := s.GetSession(context.Background(), "x", agentos.Scope{})
	if err == nil || agentos.ErrorCode(err) == agentos.ENOTFOUND {
		t.Fatalf("read on a closed store = %v, want a failure that is not ENOTFOUND", err)
	}
}

func TestLockedDatabaseIsUnavailable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{BusyTimeoutMillis: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustCreate(t, s, "before")

	// Another process holds the write lock.
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	err = s.CreateSession(ctx, &agentos.Session{ID: "during", Type: agentos.SessionTypeAgent})
	if code := agentos.ErrorCode(err); code != agentos.EUNAVAILABLE {
		t.Fatalf("create while locked: code %q (%v), want %q", code, err, agentos.EUNAVAILABLE)
	}
	if _, err := s.GetSession(ctx, "before", agentos.Scope{}); err != nil {
		t.Fatalf("read while another process writes: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "after")
}

func mustCreate(t *testing.T, s *sqlite.Store, id string) {
	t.Helper()
	err := s.CreateSession(context.Background(), &agentos.Session{ID: id,
		Type: agentos.SessionTypeAgent})
	if err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
}

// TestTwoStoresOnOneFile appends runs to one session through two stores on
// the same file, as the server and a command line process would.
func TestTwoStoresOnOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	stores := make([]*sqlite.Store, 2)
	for i := range stores {
		s, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	mustCreate(t, stores[0], "shared")
	const perStore = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*perStore)
	for i, s := range stores {
		wg.Go(func() {
			for j := range perStore {
				record := fmt.Appendf(nil,
					`{"run_id":"s%d-%d","agent_id":"a","status":"COMPLETED"}`, i, j)
				r, err := agentos.NewRun("shared", record)
				if err == nil {
					err = s.AddRun(ctx, r, agentos.SessionChange{})
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("add run: %v", err)
	}
	runs, err := stores[1].ListRuns(ctx, "shared", agentos.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2*perStore {
		t.Fatalf("runs = %d, want %d", len(runs), 2*perStore)
	}
	for i, r := range runs {
		if r.Seq != int64(i+1) {
			t.Fatalf("run %d has sequence %d, want %d", i, r.Seq, i+1)
		}
	}
}

func TestNewDatabaseIsPrivate(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	mustCreate(t, s, "x")
	for _, path := range []string{s.Path(), s.Path() + "-wal", s.Path() + "-shm"} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group and others", path, mode)
		}
	}
}

func TestOpenRejectsMemoryDatabase(t *testing.T) {
	for _, path := range []string{":memory:", "file::memory:?cache=shared"} {
		s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err == nil {
			_ = s.Close()
			t.Errorf("Open(%q) succeeded, want an error asking for a file path", path)
		}
	}
}

// TestOpenRejectsAgnoDatabase opens the database that agno 2.9.0 wrote.
// Made into a store, it would list none of agno's sessions.
func TestOpenRejectsAgnoDatabase(t *testing.T) {
	data, err := os.ReadFile("../testdata/agno-2.9/agno-reference.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "app.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err == nil {
		s.Close()
		t.Fatal("opened agno's database as a store")
	}
	if !errors.Is(err, sqlite.ErrAgnoDatabase) {
		t.Errorf("error %v, want sqlite.ErrAgnoDatabase", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, data) {
		t.Errorf("open changed agno's database")
	}
}
