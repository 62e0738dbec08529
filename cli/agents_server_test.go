package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/model/modeltest"
)

var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func TestChatOnServer(t *testing.T) {
	ts := startAgentServer(t)
	first := execute(t, piped, "My name is Alice.\n\nWhat's my name?\n", "chat",
		"--user", "alice", "--base-url", ts.url)
	wantExit(t, first, ExitOK)
	id := uuidPattern.FindString(first.stdout)
	if id == "" || !strings.HasPrefix(first.stdout, "Session "+id+"\n") {
		t.Fatalf("no session id first: %q", first.stdout)
	}
	want := "Session " + id + "\n" +
		`Echo: I have seen 1 user message(s): [1] "My name is Alice."` + "\n" +
		`Echo: I have seen 2 user message(s): [1] "My name is Alice." [2] "What's my name?"` + "\n"
	if first.stdout != want {
		t.Errorf("stdout %q, want %q", first.stdout, want)
	}
	if first.stderr != "Resume with: agentos chat --session-id "+id+"\n" {
		t.Errorf("stderr %q", first.stderr)
	}

	resumed := execute(t, piped, "Say it again\n/exit\nignored\n", "chat", "--session-id", id,
		"--base-url", ts.url)
	wantExit(t, resumed, ExitOK)
	want = "Resuming session " + id + " (4 earlier messages)\n" +
		`Echo: I have seen 3 user message(s): [1] "My name is Alice." [2] "What's my name?" ` +
		`[3] "Say it again"` + "\n"
	if resumed.stdout != want {
		t.Errorf("resumed stdout %q, want %q", resumed.stdout, want)
	}

	runs := execute(t, piped, "", "sessions", "runs", id, "--base-url", ts.url)
	wantExit(t, runs, ExitOK)
	if n := strings.Count(runs.stdout, "\tCOMPLETED\t"); n != 3 {
		t.Errorf("%d completed runs listed:\n%s", n, runs.stdout)
	}
	list := execute(t, piped, "", "sessions", "list", "--user", "alice", "--base-url", ts.url)
	wantExit(t, list, ExitOK)
	if !strings.HasPrefix(list.stdout, id+"\tMy name is Alice.\tagent\tassistant\talice\t") {
		t.Errorf("list %q", list.stdout)
	}

	missing := execute(t, piped, "hi\n", "chat", "--session-id", "nowhere", "--base-url", ts.url)
	wantExit(t, missing, ExitNotFound)
	if !strings.HasPrefix(missing.stderr, "error: resume session nowhere: 404 ") {
		t.Errorf("stderr %q", missing.stderr)
	}
}

func TestChatGoesOnAfterFailedRun(t *testing.T) {
	ts := startAgentServer(t)
	ts.model.Enqueue(modeltest.Reply{Status: 400, Message: "context too long"})
	r := execute(t, piped, "first\nsecond\n", "chat", "--agent", "researcher", "--base-url", ts.url)
	wantExit(t, r, ExitOK)
	if !strings.Contains(r.stderr, "error: the run failed: ") {
		t.Errorf("stderr %q does not report the failed run", r.stderr)
	}
	if !strings.Contains(r.stdout, `[1] "second"`) {
		t.Errorf("second message not answered: %q", r.stdout)
	}
}

func TestChatInterruptCancelsRun(t *testing.T) {
	ts := startAgentServer(t)
	hold := make(chan struct{})
	held := make(chan struct{})
	defer close(hold)
	ts.model.Enqueue(modeltest.Reply{Chunks: []string{"Part", " one", " two"}, HoldAfter: 1,
		Hold: hold, Held: held})

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	streams := Streams{In: strings.NewReader("Tell a long story\n"), Out: &stdout, ErrOut: &stderr}
	root := newRootCommand(streams, newApp(streams))
	root.SetArgs([]string{"chat", "--base-url", ts.url})
	done := make(chan int)
	go func() {
		code := 0
		if err := root.ExecuteContext(ctx); err != nil {
			code = exitStatus(err, streams)
		}
		done <- code
	}()
	<-held
	cancel()
	if code := <-done; code != ExitInterrupted {
		t.Errorf("exit status %d, want %d; stderr %q", code, ExitInterrupted, stderr.String())
	}
	id := uuidPattern.FindString(stdout.String())
	if !strings.Contains(stderr.String(), "Resume with: agentos chat --session-id "+id) {
		t.Errorf("stderr %q does not say how to resume", stderr.String())
	}

	// The server stores the run as cancelled once it sees the disconnect.
	deadline := time.Now().Add(10 * time.Second)
	for {
		runs, err := ts.store.ListRuns(context.Background(), id, agentos.RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Status == agentos.RunCancelled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run not cancelled: %d runs, last %+v", len(runs), runs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAgentsOnServer(t *testing.T) {
	ts := startAgentServer(t)
	list := execute(t, piped, "", "agents", "list", "--base-url", ts.url)
	wantExit(t, list, ExitOK)
	if !strings.HasPrefix(list.stdout, "assistant\tAssistant\tgpt-4o\tOpenAI\t") {
		t.Errorf("agents list %q", list.stdout)
	}
	get := execute(t, terminal, "", "agents", "get", "researcher", "--base-url", ts.url)
	wantExit(t, get, ExitOK)
	if !strings.Contains(get.stdout, "history runs  5\n") {
		t.Errorf("agents get %q", get.stdout)
	}

	plain := execute(t, piped, "", "agents", "run", "assistant", "Hello there", "--no-stream",
		"--session-id", "s1", "--base-url", ts.url)
	wantExit(t, plain, ExitOK)
	if plain.stdout != `Echo: I have seen 1 user message(s): [1] "Hello there"`+"\n" {
		t.Errorf("stdout %q", plain.stdout)
	}

	events := execute(t, piped, "", "agents", "run", "assistant", "Again", "--session-id", "s1",
		"-o", "json", "--base-url", ts.url)
	wantExit(t, events, ExitOK)
	lines := strings.Split(strings.TrimSpace(events.stdout), "\n")
	var kinds []string
	for _, line := range lines {
		var ev struct{ Event string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		kinds = append(kinds, ev.Event)
	}
	if kinds[0] != "RunStarted" || kinds[len(kinds)-1] != "RunCompleted" {
		t.Errorf("event kinds %v", kinds)
	}

	noHistory := execute(t, piped, "", "agents", "run", "assistant", "Third", "--session-id", "s1",
		"--no-history", "--base-url", ts.url)
	wantExit(t, noHistory, ExitOK)
	if !strings.HasPrefix(noHistory.stdout, "Echo: I have seen 1 user message(s)") {
		t.Errorf("--no-history sent history: %q", noHistory.stdout)
	}

	unknown := execute(t, piped, "", "agents", "run", "nobody", "hi", "--base-url", ts.url)
	wantExit(t, unknown, ExitNotFound)

	cfg := execute(t, piped, "", "config", "--base-url", ts.url)
	wantExit(t, cfg, ExitOK)
	if !strings.Contains(cfg.stdout, "os id\ttest-os\n") ||
		!strings.Contains(cfg.stdout, "agent\tresearcher Researcher (OpenAI gpt-4o)\n") {
		t.Errorf("config %q", cfg.stdout)
	}
	health := execute(t, piped, "", "health", "--base-url", ts.url)
	wantExit(t, health, ExitOK)
	if !strings.HasPrefix(health.stdout, ts.url+" ok, up since ") {
		t.Errorf("health %q", health.stdout)
	}
}
