package agent_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/sqlite"
)

// TestReapKeepsExistingContent checks that marking an abandoned run failed
// keeps the content it already holds, such as imported content.
func TestReapKeepsExistingContent(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "app.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.CreateSession(ctx, &agentos.Session{ID: "s",
		Type: agentos.SessionTypeAgent, AgentID: "assistant"}); err != nil {
		t.Fatal(err)
	}
	r, err := agentos.NewRun("s", json.RawMessage(
		`{"run_id":"old","agent_id":"assistant","content":[1,2,3]}`))
	if err != nil {
		t.Fatal(err)
	}
	r.LeaseExpiresAt = time.Now().Add(-time.Hour).Unix()
	if err := store.AddRun(ctx, r, agentos.SessionChange{}); err != nil {
		t.Fatal(err)
	}
	engine, err := agent.NewEngine(agent.EngineConfig{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	n, err := engine.ReapExpired(ctx)
	if err != nil || n != 1 {
		t.Fatalf("reaped %d, %v; want 1", n, err)
	}
	got, err := store.GetRun(ctx, "s", "old")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != agentos.RunError {
		t.Errorf("status = %s, want ERROR", got.Status)
	}
	var rec struct {
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(got.Record, &rec); err != nil {
		t.Fatal(err)
	}
	if string(rec.Content) != "[1,2,3]" {
		t.Errorf("content = %s, want the stored [1,2,3] kept", rec.Content)
	}
}
