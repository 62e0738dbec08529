package postgres_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
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

// replica is one agentos server process's worth of parts: its own store
// connections, run engine, cancel broker and HTTP listener.
type replica struct {
	URL    string
	store  *postgres.Store
	engine *agent.Engine
}

func startReplica(t *testing.T, url, schema, modelURL string) *replica {
	t.Helper()
	store := openStore(t, url, schema)
	t.Cleanup(func() { store.Close() })
	cancels := postgres.NewCancels(store, 0, nil)
	t.Cleanup(func() { cancels.Close() })
	opts := model.Options{BaseURL: modelURL, APIKey: "test-key", MaxRetries: -1}
	engine, err := agent.NewEngine(agent.EngineConfig{
		Store:   store,
		Cancels: cancels,
		Agents: []*agent.Agent{{ID: "assistant", Name: "Assistant",
			Model: model.NewOpenAI("gpt-4o", opts), AddHistoryToContext: true,
			NumHistoryRuns: 3}},
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
	return &replica{URL: hs.URL, store: store, engine: engine}
}

func do(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		buf.WriteString(sc.Text())
		buf.WriteByte('\n')
	}
	return resp.StatusCode, []byte(buf.String())
}

func TestReplicasShareSessions(t *testing.T) {
	dbURL := pgtest.URL(t)
	schema := pgtest.Schema(t, dbURL)
	fake := modeltest.NewOpenAI(t)
	a := startReplica(t, dbURL, schema, fake.URL)
	b := startReplica(t, dbURL, schema, fake.URL)

	status, body := do(t, "POST", a.URL+"/sessions",
		`{"session_id":"shared","session_name":"Made on A","user_id":"alice"}`)
	if status != 201 {
		t.Fatalf("create on A: %d %s", status, body)
	}
	status, body = do(t, "GET", b.URL+"/sessions?user_id=alice", "")
	if status != 200 || !strings.Contains(string(body), `"Made on A"`) {
		t.Fatalf("list on B: %d %s", status, body)
	}
	status, body = do(t, "POST", b.URL+"/sessions/shared/rename", `{"session_name":"Renamed on B"}`)
	if status != 200 {
		t.Fatalf("rename on B: %d %s", status, body)
	}
	status, body = do(t, "GET", a.URL+"/sessions/shared", "")
	if status != 200 || !strings.Contains(string(body), `"Renamed on B"`) {
		t.Fatalf("read on A: %d %s", status, body)
	}
	status, body = do(t, "POST", b.URL+"/sessions/shared/clear", "")
	if status != 200 {
		t.Fatalf("clear on B: %d %s", status, body)
	}
}

// TestReplicasKeepEveryRun sends runs for one session to two replicas at
// once, released together, and checks that every run is stored.
func TestReplicasKeepEveryRun(t *testing.T) {
	dbURL := pgtest.URL(t)
	schema := pgtest.Schema(t, dbURL)
	fake := modeltest.NewOpenAI(t)
	replicas := []*replica{
		startReplica(t, dbURL, schema, fake.URL), startReplica(t, dbURL, schema, fake.URL),
	}
	const runs = 12
	start := make(chan struct{})
	var wg sync.WaitGroup
	statuses := make([]int, runs)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			form := url.Values{"message": {fmt.Sprintf("message %d", i)}, "stream": {"false"},
				"session_id": {"busy"}}
			resp, err := http.PostForm(replicas[i%2].URL+"/agents/assistant/runs", form)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	for i, st := range statuses {
		if st != 200 {
			t.Errorf("run %d answered %d", i, st)
		}
	}
	stored, err := replicas[0].store.ListRuns(context.Background(), "busy", agentos.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != runs {
		t.Fatalf("stored %d runs, want %d", len(stored), runs)
	}
	for _, r := range stored {
		if r.Status != agentos.RunCompleted {
			t.Errorf("run %s is %s", r.RunID, r.Status)
		}
	}
	sess, err := replicas[1].store.GetSession(context.Background(), "busy", agentos.Scope{})
	if err != nil || sess.RunCount != runs {
		t.Fatalf("session run count = %+v, %v", sess, err)
	}
}

// TestCancelReachesOtherReplica starts a streaming run on replica A, sends
// the cancel to replica B, and checks that A stops the run and stores it as
// CANCELLED.
func TestCancelReachesOtherReplica(t *testing.T) {
	dbURL := pgtest.URL(t)
	schema := pgtest.Schema(t, dbURL)
	fake := modeltest.NewOpenAI(t)
	a := startReplica(t, dbURL, schema, fake.URL)
	b := startReplica(t, dbURL, schema, fake.URL)

	hold := make(chan struct{})
	defer close(hold)
	held := make(chan struct{})
	fake.Enqueue(modeltest.Reply{Chunks: []string{"partial", " answer"}, HoldAfter: 1,
		Hold: hold, Held: held})
	form := url.Values{"message": {"long question"}, "session_id": {"c"}}
	resp, err := http.PostForm(a.URL+"/agents/assistant/runs", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := make(chan map[string]any, 64)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var ev map[string]any
			if json.Unmarshal([]byte(line), &ev) == nil {
				events <- ev
			}
		}
	}()
	var runID string
	for ev := range events {
		if id, ok := ev["run_id"].(string); ok && id != "" {
			runID = id
			break
		}
	}
	if runID == "" {
		t.Fatal("no run id in the stream")
	}
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the model was never called")
	}
	status, body := do(t, "POST", b.URL+"/agents/assistant/runs/"+runID+"/cancel", "")
	if status != 200 {
		t.Fatalf("cancel on B: %d %s", status, body)
	}
	var names []string
	timeout := time.After(15 * time.Second)
	for done := false; !done; {
		select {
		case ev, ok := <-events:
			if !ok {
				done = true
				break
			}
			names = append(names, fmt.Sprint(ev["event"]))
		case <-timeout:
			t.Fatalf("stream on A did not end after the cancel; events %v", names)
		}
	}
	if !contains(names, "RunCancelled") {
		t.Fatalf("events after the cancel = %v, want RunCancelled", names)
	}
	r, err := b.store.GetRun(context.Background(), "c", runID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != agentos.RunCancelled {
		t.Fatalf("stored status = %s, want CANCELLED", r.Status)
	}
}

// TestSurvivorReapsDeadReplicaRuns leaves a RUNNING run whose lease has
// expired, as a replica that died mid-run would, and checks that another
// replica marks it failed.
func TestSurvivorReapsDeadReplicaRuns(t *testing.T) {
	dbURL := pgtest.URL(t)
	schema := pgtest.Schema(t, dbURL)
	fake := modeltest.NewOpenAI(t)
	survivor := startReplica(t, dbURL, schema, fake.URL)
	ctx := context.Background()
	if err := survivor.store.CreateSession(ctx, &agentos.Session{ID: "orphan",
		Type: agentos.SessionTypeAgent, AgentID: "assistant"}); err != nil {
		t.Fatal(err)
	}
	r, err := agentos.NewRun("orphan", json.RawMessage(`{"run_id":"lost","agent_id":"assistant",`+
		`"status":"RUNNING","messages":[{"role":"user","content":"hello"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r.LeaseExpiresAt = time.Now().Add(-time.Minute).Unix()
	if err := survivor.store.AddRun(ctx, r, agentos.SessionChange{}); err != nil {
		t.Fatal(err)
	}
	n, err := survivor.engine.ReapExpired(ctx)
	if err != nil || n != 1 {
		t.Fatalf("reaped %d, %v; want 1", n, err)
	}
	got, err := survivor.store.GetRun(ctx, "orphan", "lost")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != agentos.RunError {
		t.Fatalf("status = %s, want ERROR", got.Status)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
