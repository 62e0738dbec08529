package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/agnodb"
	"github.com/agentos-go/agentos/auth"
	"github.com/agentos-go/agentos/model"
	"github.com/agentos-go/agentos/model/modeltest"
	"github.com/agentos-go/agentos/server"
	"github.com/agentos-go/agentos/sqlite"
)

// testServer is agentos serve's handler on loopback over a new SQLite file,
// with agno's two reference agents on a fake OpenAI host.
type testServer struct {
	url   string
	store *sqlite.Store
	model *modeltest.Server
}

func startServer(t *testing.T) (string, *sqlite.Store) {
	t.Helper()
	ts := startAgentServer(t)
	return ts.url, ts.store
}

func startAgentServer(t *testing.T) *testServer {
	t.Helper()
	fake := modeltest.NewOpenAI(t)
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"),
		sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opts := model.Options{BaseURL: fake.URL, APIKey: "test-key", MaxRetries: -1}
	engine, err := agent.NewEngine(agent.EngineConfig{Store: store, Agents: []*agent.Agent{
		{ID: "assistant", Name: "Assistant", Model: model.NewOpenAI("gpt-4o", opts),
			AddHistoryToContext: true, NumHistoryRuns: 5},
		{ID: "researcher", Name: "Researcher", Model: model.NewOpenAI("gpt-4o", opts),
			AddHistoryToContext: true, NumHistoryRuns: 5},
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: store, Engine: engine, OSID: "test-os"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		store.Close()
	})
	return &testServer{url: hs.URL, store: store, model: fake}
}

// seedReference copies sessions from the database agno 2.9.0 wrote during
// the recordings into store. Each copy is created offset seconds after the
// recorded time, in the order given, so listings order them as agno did.
func seedReference(t *testing.T, store *sqlite.Store, ids ...string) {
	t.Helper()
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "agno.db")
	data, err := os.ReadFile("../testdata/agno-2.9/agno-reference.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	reader, err := agnodb.Open(ctx, src, agnodb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	items := map[string]agnodb.Item{}
	err = reader.Each(ctx, func(item agnodb.Item) error {
		if item.Err != nil {
			return item.Err
		}
		items[item.Session.ID] = item
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for offset, id := range ids {
		item, ok := items[id]
		if !ok {
			t.Fatalf("no session %s in the reference database", id)
		}
		item.Session.CreatedAt += int64(offset)
		item.Session.UpdatedAt += int64(offset)
		if _, err := store.ImportSession(ctx, item.Session, item.Runs); err != nil {
			t.Fatal(err)
		}
	}
}

// splitRecordedArgs splits the arguments of a recorded invocation. The
// recording prints them without shell quoting, so words after a flag that
// takes a value, up to the next flag, form that value.
func splitRecordedArgs(line string) []string {
	var (
		words   []string
		inValue bool // the last word is the value of a flag
	)
	for _, w := range strings.Fields(line) {
		switch {
		case strings.HasPrefix(w, "--"):
			words = append(words, w)
			inValue = false
		case inValue:
			words[len(words)-1] += " " + w
		default:
			words = append(words, w)
			inValue = true
		}
	}
	for i, w := range words {
		words[i] = strings.Trim(w, `"`)
	}
	return words
}

var (
	pythonTimes = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00`)
	isoTimes    = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
)

// normalize replaces times, and the ids in ids by their keys, so outputs of
// different runs compare equal.
func normalize(s string, ids map[string]string) string {
	s = pythonTimes.ReplaceAllString(s, "TIME")
	s = isoTimes.ReplaceAllString(s, "TIME")
	for id, key := range ids {
		s = strings.ReplaceAll(s, id, key)
	}
	return s
}

func TestManageSessionsMatchesRecordedOutputs(t *testing.T) {
	url, store := startServer(t)
	seedReference(t, store, "client-history-session", "b61dee52-0cdf-43cc-9e5d-8adf3263a8d0",
		"fixed-session-id-gamma")

	// Sessions the script created get new ids here. The recorded id is
	// replaced by ours in later arguments and by a key in outputs.
	recordedIDs := map[string]string{}
	ourIDs := map[string]string{}
	created := regexp.MustCompile(`Created session: (\S+)`)

	for _, rec := range recordedRuns(t) {
		if rec.args == "--help" {
			continue // compared by TestManageHelpMatchesScript
		}
		args := splitRecordedArgs(rec.args)
		for i, a := range args {
			if a == "http://127.0.0.1:7777" {
				args[i] = url
			}
			for recorded, key := range recordedIDs {
				if a == recorded {
					for ours, k := range ourIDs {
						if k == key {
							args[i] = ours
						}
					}
				}
			}
		}
		t.Run(rec.args, func(t *testing.T) {
			r := execute(t, piped, "", append([]string{"manage-sessions"}, args...)...)
			if m := created.FindStringSubmatch(rec.output); m != nil {
				key := fmt.Sprintf("CREATED-%d", len(recordedIDs))
				recordedIDs[m[1]] = key
				if ours := created.FindStringSubmatch(r.stdout); ours != nil {
					ourIDs[ours[1]] = key
				}
			}
			wantCode := rec.code
			if wantCode == -1 {
				wantCode = 0
			}
			wantExit(t, r, wantCode)
			if strings.Contains(rec.output, "Traceback") || strings.Contains(rec.output, "File \"") {
				// The script died with a traceback naming the HTTP status.
				if !strings.HasPrefix(r.stderr, "error: 404 Not Found: ") ||
					strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
					t.Errorf("stdout %q, stderr %q, want one error line with 404", r.stdout, r.stderr)
				}
				return
			}
			got := normalize(r.stdout+r.stderr, ourIDs)
			want := normalize(rec.output, recordedIDs)
			if got != want {
				t.Errorf("output differs\n got: %q\nwant: %q", got, want)
			}
		})
	}
}

func TestSessionsLifecycleOnServer(t *testing.T) {
	url, _ := startServer(t)
	var transcript strings.Builder
	step := func(mode terminalMode, code int, args ...string) result {
		t.Helper()
		r := execute(t, mode, "", append(args, "--base-url", url)...)
		wantExit(t, r, code)
		fmt.Fprintf(&transcript, "$ agentos %s\n%s", strings.Join(args, " "), r.stdout)
		if r.stderr != "" {
			fmt.Fprintf(&transcript, "[stderr]\n%s", r.stderr)
		}
		fmt.Fprintf(&transcript, "[exit %d]\n\n", r.code)
		return r
	}

	step(piped, ExitOK, "sessions", "create", "--id", "trip", "--agent", "assistant",
		"--user", "alice", "--name", "Trip planning", "--state", `{"city":"Lisbon"}`)
	step(terminal, ExitOK, "sessions", "create", "--id", "notes", "--agent", "researcher",
		"--user", "alice", "--metadata", `{"team":"travel"}`)
	step(piped, ExitOK, "sessions", "create", "--id", "crew", "--team", "crew-team")
	step(terminal, ExitOK, "sessions", "list", "--sort-by", "session_id", "--asc")
	step(piped, ExitOK, "sessions", "list", "--user", "alice", "--agent", "assistant")
	step(piped, ExitOK, "sessions", "list", "--type", "team", "-o", "json")
	step(terminal, ExitOK, "sessions", "get", "trip")
	step(piped, ExitOK, "sessions", "rename", "trip", "Lisbon in May")
	step(terminal, ExitOK, "sessions", "update", "trip", "--state", `{"city":"Porto"}`,
		"--summary", "Picked a city", "--topic", "travel")
	step(piped, ExitOK, "sessions", "runs", "trip")
	step(piped, ExitOK, "sessions", "clear", "trip", "--yes")
	step(piped, ExitNotFound, "sessions", "get", "nowhere")
	step(piped, ExitNotFound, "sessions", "run", "trip", "no-such-run")
	step(piped, ExitOK, "sessions", "delete", "notes", "crew", "--yes")
	step(terminal, ExitOK, "sessions", "delete", "trip", "--yes")
	step(piped, ExitOK, "sessions", "list")

	checkGolden(t, "sessions-lifecycle", normalize(transcript.String(), map[string]string{url: "BASE_URL"}))
}

func TestSessionsListAllPages(t *testing.T) {
	url, store := startServer(t)
	ctx := context.Background()
	const total = 45
	for i := range total {
		owner := "bob"
		s := &agentos.Session{
			ID: fmt.Sprintf("s%02d", i), Type: agentos.SessionTypeAgent, AgentID: "assistant",
			UserID: &owner, CreatedAt: 1772356542 + int64(i),
		}
		if err := store.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	all := execute(t, piped, "", "sessions", "list", "--all", "--limit", "7", "--base-url", url)
	wantExit(t, all, ExitOK)
	lines := strings.Split(strings.TrimSuffix(all.stdout, "\n"), "\n")
	if len(lines) != total {
		t.Fatalf("--all listed %d sessions, want %d", len(lines), total)
	}
	for i, line := range lines {
		want := fmt.Sprintf("s%02d\t", total-1-i)
		if !strings.HasPrefix(line, want) {
			t.Errorf("line %d = %q, want it to start with %q", i, line, want)
		}
	}

	page := execute(t, piped, "", "sessions", "list", "--limit", "7", "--page", "7", "--base-url", url)
	wantExit(t, page, ExitOK)
	if got := strings.Count(page.stdout, "\n"); got != 3 {
		t.Errorf("last page has %d sessions, want 3", got)
	}

	js := execute(t, piped, "", "sessions", "list", "--all", "--user", "bob", "-o", "json",
		"--base-url", url)
	wantExit(t, js, ExitOK)
	var items []map[string]any
	if err := json.Unmarshal([]byte(js.stdout), &items); err != nil || len(items) != total {
		t.Errorf("JSON --all: %d items, %v", len(items), err)
	}

	del := execute(t, piped, "", append(append([]string{"sessions", "delete", "--yes"},
		strings.Fields("s00 s01 s02 s03")...), "--base-url", url)...)
	wantExit(t, del, ExitOK)
	n, err := countSessions(ctx, store)
	if err != nil || n != total-4 {
		t.Errorf("%d sessions left after deleting 4, %v", n, err)
	}
}

func countSessions(ctx context.Context, store *sqlite.Store) (int, error) {
	_, n, err := store.ListSessions(ctx, agentos.SessionFilter{Limit: 1})
	return n, err
}

func TestSecurityKeyOnServer(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"),
		sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	guard, err := auth.New(auth.Config{SecurityKey: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: store, Middleware: guard.Middleware()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	none := execute(t, piped, "", "sessions", "list", "--base-url", hs.URL)
	wantExit(t, none, ExitError)
	want := "error: 401 Unauthorized: Authorization header required\n" +
		"Pass the server's key with --security-key or OS_SECURITY_KEY.\n"
	if none.stderr != want {
		t.Errorf("stderr %q, want %q", none.stderr, want)
	}
	wrong := execute(t, piped, "", "sessions", "list", "--security-key", "guess", "--base-url", hs.URL)
	wantExit(t, wrong, ExitError)
	flag := execute(t, piped, "", "sessions", "create", "--id", "k1", "--security-key", "s3cret",
		"--base-url", hs.URL)
	wantExit(t, flag, ExitOK)

	// execute clears OS_SECURITY_KEY, so this run sets it for the client.
	var stdout, stderr bytes.Buffer
	streams := Streams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
	t.Setenv("OS_SECURITY_KEY", "s3cret")
	root := newRootCommand(streams, newApp(streams))
	root.SetArgs([]string{"sessions", "list", "--base-url", hs.URL})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("with OS_SECURITY_KEY: %v, %s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "k1\t") {
		t.Errorf("stdout %q", stdout.String())
	}
}

// TestControlCharactersEscaped stores a session whose name, owner and chat
// message carry terminal escape sequences and checks that no output mode
// prints them raw, so a stored name cannot restyle or retitle the terminal
// of whoever lists the sessions.
func TestControlCharactersEscaped(t *testing.T) {
	url, store := startServer(t)
	const hostile = "x\x1b]0;owned\x07\x1b[2J\u009b31m"
	user := "u\x1b[8m"
	name := "name " + hostile
	if err := store.CreateSession(context.Background(), &agentos.Session{
		ID: "esc", Type: agentos.SessionTypeAgent, UserID: &user, Name: &name,
	}); err != nil {
		t.Fatal(err)
	}
	run, err := agentos.NewRun("esc", json.RawMessage(`{"run_id":"r1","agent_id":"a",`+
		`"status":"COMPLETED","content":"reply \u001b[31mred\u001b[0m\nline two",`+
		`"messages":[{"role":"user","content":"hi \u001b]0;title\u0007"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddRun(context.Background(), run, agentos.SessionChange{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode terminalMode
		args []string
	}{
		{piped, []string{"sessions", "list"}},
		{terminal, []string{"sessions", "list"}},
		{piped, []string{"sessions", "get", "esc"}},
		{terminal, []string{"sessions", "get", "esc"}},
		{piped, []string{"sessions", "runs", "esc"}},
		{terminal, []string{"sessions", "runs", "esc"}},
		{piped, []string{"sessions", "run", "esc", "r1"}},
		{terminal, []string{"sessions", "run", "esc", "r1"}},
	} {
		r := execute(t, tc.mode, "", append(tc.args, "--base-url", url)...)
		wantExit(t, r, ExitOK)
		for _, c := range []string{"\x1b", "\x07", "\u009b"} {
			if strings.Contains(r.stdout, c) {
				t.Errorf("%q (terminal %v) printed %q raw:\n%q", tc.args, tc.mode == terminal,
					c, r.stdout)
			}
		}
		if !strings.Contains(r.stdout, `\x1b`) {
			t.Errorf("%q (terminal %v) does not show the escape as \\x1b:\n%q", tc.args,
				tc.mode == terminal, r.stdout)
		}
	}
}
