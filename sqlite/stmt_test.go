package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/agentos-go/agentos"
)

// TestStatementCacheBounded deletes with IN lists of many lengths, each a
// different statement text, and checks that the cache stops growing at its
// bound while the store keeps working.
func TestStatementCacheBounded(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "app.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for n := 1; n <= maxCachedStatements+50; n++ {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("missing-%d", i)
		}
		if _, err := s.DeleteSessions(ctx, ids, agentos.Scope{}); err != nil {
			t.Fatalf("delete %d ids: %v", n, err)
		}
	}
	s.writes.mu.Lock()
	cached := len(s.writes.stmts) + len(s.writes.pending)
	s.writes.mu.Unlock()
	if cached > maxCachedStatements {
		t.Fatalf("write cache holds %d statements, want at most %d", cached,
			maxCachedStatements)
	}
	sess := &agentos.Session{ID: "after", Type: agentos.SessionTypeAgent}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatalf("create with a full cache: %v", err)
	}
	if _, err := s.GetSession(ctx, "after", agentos.Scope{}); err != nil {
		t.Fatalf("get with a full cache: %v", err)
	}
}
