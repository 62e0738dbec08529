package postgres_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/internal/pgtest"
	"github.com/agentos-go/agentos/model"
	"github.com/agentos-go/agentos/model/modeltest"
	"github.com/agentos-go/agentos/postgres"
	"github.com/agentos-go/agentos/server"
)

// leaseTTL is short so that a lapsed lease shows within seconds. Leases
// count whole Unix seconds, so it must exceed two seconds of renewal slack.
const leaseTTL = 3 * time.Second

// leasedReplica is a replica whose engine renews leases every third of
// leaseTTL until stop is called, as a live process does.
type leasedReplica struct {
	URL    string
	store  *postgres.Store
	engine *agent.Engine
	stop   func()
}

func startLeasedReplica(t *testing.T, dbURL, schema, modelURL string) *leasedReplica {
	t.Helper()
	store := openStore(t, dbURL, schema)
	t.Cleanup(func() { store.Close() })
	cancels := postgres.NewCancels(store, 0, nil)
	t.Cleanup(func() { cancels.Close() })
	opts := model.Options{BaseURL: modelURL, APIKey: "test-key", MaxRetries: -1}
	engine, err := agent.NewEngine(agent.EngineConfig{
		Store:    store,
		Cancels:  cancels,
		LeaseTTL: leaseTTL,
		Agents: []*agent.Agent{{ID: "assistant", Name: "Assistant",
			Model: model.NewOpenAI("gpt-4o", opts)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: store, Engine: engine})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		engine.Maintain(ctx)
	}()
	stopped := func() {
		stop()
		<-done
	}
	t.Cleanup(stopped)
	return &leasedReplica{URL: hs.URL, store: store, engine: engine, stop: stopped}
}

// TestLeasesAcrossReplicas runs a long model call on replica A. While A
// renews the run's lease, replica B's sweep leaves the run alone, however
// long it takes. Once A stops renewing, as a process that died does, B's
// sweep stores the run as ERROR, so the session is not left with a run that
// never ends.
func TestLeasesAcrossReplicas(t *testing.T) {
	dbURL := pgtest.URL(t)
	schema := pgtest.Schema(t, dbURL)
	fake := modeltest.NewOpenAI(t)
	a := startLeasedReplica(t, dbURL, schema, fake.URL)
	b := startLeasedReplica(t, dbURL, schema, fake.URL)
	ctx := context.Background()

	hold := make(chan struct{})
	defer close(hold)
	held := make(chan struct{})
	fake.Enqueue(modeltest.Reply{Chunks: []string{"partial", " answer"}, HoldAfter: 1,
		Hold: hold, Held: held})
	form := url.Values{"message": {"long question"}, "session_id": {"long"}}
	answer := make(chan string, 1)
	go func() {
		resp, err := http.PostForm(a.URL+"/agents/assistant/runs", form)
		if err != nil {
			answer <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answer <- fmt.Sprintf("%d %s", resp.StatusCode, body)
	}()
	select {
	case <-held:
	case got := <-answer:
		t.Fatalf("the run ended before the model was held: %s", got)
	case <-time.After(30 * time.Second):
		t.Fatal("the model was never called")
	}
	runs, err := b.store.ListRuns(ctx, "long", agentos.RunFilter{})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs of the session: %d, %v; want the one running", len(runs), err)
	}
	runID := runs[0].RunID

	// Two lease lengths with A alive: every sweep by B must skip the run.
	deadline := time.Now().Add(2 * leaseTTL)
	for time.Now().Before(deadline) {
		n, err := b.engine.ReapExpired(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("B marked %d runs interrupted while A renewed their lease", n)
		}
		run, err := b.store.GetRun(ctx, "long", runID)
		if err != nil || run.Status != agentos.RunRunning {
			t.Fatalf("run while A is alive: %+v, %v; want RUNNING", run, err)
		}
		time.Sleep(leaseTTL / 6)
	}

	// A stops renewing. A sweep by B, from its own maintenance or from this
	// test, marks the run once the lease has lapsed.
	a.stop()
	deadline = time.Now().Add(3 * leaseTTL)
	var run *agentos.Run
	for time.Now().Before(deadline) {
		time.Sleep(leaseTTL / 6)
		if _, err := b.engine.ReapExpired(ctx); err != nil {
			t.Fatal(err)
		}
		if run, err = b.store.GetRun(ctx, "long", runID); err != nil {
			t.Fatal(err)
		}
		if run.Status != agentos.RunRunning {
			break
		}
	}
	if run.Status != agentos.RunError {
		t.Fatalf("status after A stopped renewing = %s, want ERROR", run.Status)
	}
	if !strings.Contains(string(run.Record), agent.InterruptedContent) {
		t.Errorf("record of the swept run says nothing of the interruption: %s", run.Record)
	}
}
