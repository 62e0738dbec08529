package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/model"
	"github.com/agentos-go/agentos/model/modeltest"
	"github.com/agentos-go/agentos/sqlite"
)

func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"),
		sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newTestEngine(t testing.TB, store agentos.SessionStore) (*Engine, *modeltest.Server) {
	t.Helper()
	fake := modeltest.NewOpenAI(t)
	a := &Agent{ID: "assistant", Name: "Assistant", NumHistoryRuns: 3,
		Model: model.NewOpenAI("gpt-4o", model.Options{BaseURL: fake.URL, APIKey: "k"})}
	e, err := NewEngine(EngineConfig{Store: store, Agents: []*Agent{a}})
	if err != nil {
		t.Fatal(err)
	}
	return e, fake
}

// addRunningRun stores a RUNNING run whose lease ends at lease, as a
// process that died mid-run leaves it.
func addRunningRun(t testing.TB, store agentos.SessionStore, sessionID, runID string,
	lease int64) {
	t.Helper()
	ctx := context.Background()
	if _, err := store.GetSession(ctx, sessionID, agentos.Scope{}); err != nil {
		if err := store.CreateSession(ctx, &agentos.Session{ID: sessionID,
			Type: agentos.SessionTypeAgent, AgentID: "assistant"}); err != nil {
			t.Fatal(err)
		}
	}
	rec := fmt.Sprintf(`{"run_id":%q,"agent_id":"assistant","session_id":%q,`+
		`"status":"RUNNING","input":{"input_content":"hi"}}`, runID, sessionID)
	r, err := agentos.NewRun(sessionID, json.RawMessage(rec))
	if err != nil {
		t.Fatal(err)
	}
	r.LeaseExpiresAt = lease
	if err := store.AddRun(ctx, r, agentos.SessionChange{}); err != nil {
		t.Fatal(err)
	}
}

func TestReapExpired(t *testing.T) {
	store := openStore(t)
	e, _ := newTestEngine(t, store)
	ctx := context.Background()
	past := time.Now().Add(-time.Hour).Unix()
	future := time.Now().Add(time.Hour).Unix()
	addRunningRun(t, store, "s1", "dead", past)
	addRunningRun(t, store, "s1", "alive-elsewhere", future)
	addRunningRun(t, store, "s2", "mine", past)
	e.track(agentos.RunRef{SessionID: "s2", RunID: "mine"})

	n, err := e.ReapExpired(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("reaped %d runs, want 1", n)
	}
	dead, err := store.GetRun(ctx, "s1", "dead")
	if err != nil {
		t.Fatal(err)
	}
	if dead.Status != agentos.RunError {
		t.Errorf("dead run status %s, want ERROR", dead.Status)
	}
	var rec map[string]any
	if err := json.Unmarshal(dead.Record, &rec); err != nil {
		t.Fatal(err)
	}
	if rec["content"] != InterruptedContent || rec["status"] != "ERROR" {
		t.Errorf("dead run record %v", rec)
	}
	if rec["input"] == nil {
		t.Error("reaping dropped the record's other keys")
	}
	for _, ref := range [][2]string{{"s1", "alive-elsewhere"}, {"s2", "mine"}} {
		r, err := store.GetRun(ctx, ref[0], ref[1])
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != agentos.RunRunning {
			t.Errorf("run %s status %s, want RUNNING", ref[1], r.Status)
		}
	}
	if n, err := e.ReapExpired(ctx); err != nil || n != 0 {
		t.Errorf("second reap marked %d (%v), want 0", n, err)
	}
}

func TestReapManyExpired(t *testing.T) {
	store := openStore(t)
	e, _ := newTestEngine(t, store)
	past := time.Now().Add(-time.Hour).Unix()
	for i := range reapBatch + 20 {
		addRunningRun(t, store, "s-many", fmt.Sprintf("r%03d", i), past)
	}
	n, err := e.ReapExpired(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != reapBatch+20 {
		t.Errorf("reaped %d runs, want %d", n, reapBatch+20)
	}
}

func TestRenewLeases(t *testing.T) {
	store := openStore(t)
	e, _ := newTestEngine(t, store)
	soon := time.Now().Add(time.Second).Unix()
	addRunningRun(t, store, "s1", "r1", soon)
	e.track(agentos.RunRef{SessionID: "s1", RunID: "r1"})
	if err := e.RenewLeases(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, err := store.GetRun(context.Background(), "s1", "r1")
	if err != nil {
		t.Fatal(err)
	}
	if r.LeaseExpiresAt < time.Now().Add(DefaultLeaseTTL/2).Unix() {
		t.Errorf("lease ends at %d, not renewed", r.LeaseExpiresAt)
	}
}

func TestMaintainReapsAtStart(t *testing.T) {
	store := openStore(t)
	e, _ := newTestEngine(t, store)
	addRunningRun(t, store, "s1", "dead", time.Now().Add(-time.Minute).Unix())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.Maintain(ctx)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := store.GetRun(context.Background(), "s1", "dead")
		if err == nil && r.Status == agentos.RunError {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run not reaped: %v %v", r, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

// TestRunHoldsLease checks that a run executing here is stored with a
// lease in the future and is left alone by the reaper.
func TestRunHoldsLease(t *testing.T) {
	store := openStore(t)
	e, fake := newTestEngine(t, store)
	hold := make(chan struct{})
	held := make(chan struct{})
	fake.Enqueue(modeltest.Reply{Text: "ok", Hold: hold, Held: held})
	ctx := context.Background()
	run, err := e.Start(ctx, "assistant", RunInput{Message: "hi", SessionID: "s-lease"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var res *Result
	go func() {
		defer wg.Done()
		res = run.Execute(ctx, nil)
	}()
	<-held
	stored, err := store.GetRun(ctx, "s-lease", run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != agentos.RunRunning || stored.LeaseExpiresAt <= time.Now().Unix() {
		t.Errorf("running run status %s lease %d", stored.Status, stored.LeaseExpiresAt)
	}
	// Even with a clock past the lease, the reaper skips runs executing here.
	e.now = func() time.Time { return time.Now().Add(time.Hour) }
	if n, err := e.ReapExpired(ctx); err != nil || n != 0 {
		t.Errorf("reaper marked %d (%v) while the run executes", n, err)
	}
	e.now = time.Now
	close(hold)
	wg.Wait()
	if res.Status != agentos.RunCompleted {
		t.Errorf("status %s", res.Status)
	}
}

func TestLocalCancels(t *testing.T) {
	c := NewLocalCancels(time.Minute)
	now := time.Unix(1_000_000, 0)
	c.now = func() time.Time { return now }
	ctx := context.Background()

	// A request before the run starts still applies to it.
	if err := c.RequestCancel(ctx, "early"); err != nil {
		t.Fatal(err)
	}
	ch, stop := c.Watch("early")
	select {
	case <-ch:
	default:
		t.Error("watch of a cancelled run is not closed")
	}
	stop()

	ch, stop = c.Watch("later")
	select {
	case <-ch:
		t.Fatal("watch closed before any request")
	default:
	}
	if err := c.RequestCancel(ctx, "later"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	default:
		t.Error("request did not close the watch")
	}
	stop()
	stop() // a second stop is harmless

	// Requests for runs nobody watches expire.
	for i := range 1000 {
		if err := c.RequestCancel(ctx, fmt.Sprintf("bogus-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Len(); n != 1000 {
		t.Errorf("pending requests = %d, want 1000", n)
	}
	now = now.Add(2 * time.Minute)
	if n := c.Len(); n != 0 {
		t.Errorf("pending requests after the TTL = %d, want 0", n)
	}
}

func TestLocalCancelsConcurrent(t *testing.T) {
	c := NewLocalCancels(0)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(2)
		id := fmt.Sprintf("run-%d", i%5)
		go func() {
			defer wg.Done()
			ch, stop := c.Watch(id)
			defer stop()
			select {
			case <-ch:
			case <-time.After(time.Millisecond):
			}
		}()
		go func() {
			defer wg.Done()
			_ = c.RequestCancel(context.Background(), id)
		}()
	}
	wg.Wait()
}

func TestLocalCancelsCap(t *testing.T) {
	c := NewLocalCancels(time.Hour)
	c.maxPending = 100
	start := time.Unix(1_000_000, 0)
	tick := 0
	c.now = func() time.Time { return start.Add(time.Duration(tick) * time.Millisecond) }
	ch, stop := c.Watch("watched")
	defer stop()
	for i := range 500 {
		tick = i
		if err := c.RequestCancel(context.Background(), fmt.Sprintf("bogus-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Len(); n > 101 {
		t.Errorf("kept %d entries, want at most the cap of 100 and the watched run", n)
	}
	if err := c.RequestCancel(context.Background(), "watched"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	default:
		t.Error("eviction broke the watch of a running run")
	}
	// The newest requests survive eviction.
	ch2, stop2 := c.Watch("bogus-499")
	defer stop2()
	select {
	case <-ch2:
	default:
		t.Error("the newest request was evicted")
	}
}
