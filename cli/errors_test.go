package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/agentos-go/agentos/client"
)

func TestExitCodes(t *testing.T) {
	cases := []struct {
		err  error
		code int
	}{
		{nil, ExitOK},
		{errors.New("boom"), ExitError},
		{usageErrorf("bad flag"), ExitUsage},
		{fmt.Errorf("get: %w", &client.Error{StatusCode: 404}), ExitNotFound},
		{&client.Error{StatusCode: 409}, ExitError},
		{&client.Error{StatusCode: 422}, ExitError},
		{&client.Error{StatusCode: 500}, ExitServer},
		{&client.Error{StatusCode: 503}, ExitServer},
		{&client.UnreachableError{URL: "http://x", Err: errors.New("refused")}, ExitUnreachable},
		{fmt.Errorf("run: %w", context.Canceled), ExitInterrupted},
		{&exitError{code: 7}, 7},
	}
	for _, tc := range cases {
		if got := exitCode(tc.err); got != tc.code {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
	}
}

func TestErrorsPrintOneLine(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/sessions":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"detail":"Authorization header required"}`)
		default:
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"detail":"database is locked"}`)
		}
	}))
	defer srv.Close()

	auth := execute(t, piped, "", "sessions", "list", "--base-url", srv.URL)
	wantExit(t, auth, ExitError)
	want := "error: 401 Unauthorized: Authorization header required\n" +
		"Pass the server's key with --security-key or OS_SECURITY_KEY.\n"
	if auth.stderr != want {
		t.Errorf("stderr %q, want %q", auth.stderr, want)
	}

	server := execute(t, piped, "", "sessions", "get", "x", "--base-url", srv.URL)
	wantExit(t, server, ExitServer)
	if server.stderr != "error: 500 Internal Server Error: database is locked\n" {
		t.Errorf("stderr %q", server.stderr)
	}
}

func TestUnreachableNamesServeCommand(t *testing.T) {
	r := execute(t, piped, "", "sessions", "list", "--base-url", "http://127.0.0.1:1")
	wantExit(t, r, ExitUnreachable)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	wantFirst := "error: cannot reach AgentOS at http://127.0.0.1:1"
	if len(lines) != 2 || !strings.HasPrefix(lines[0], wantFirst) {
		t.Fatalf("stderr %q", r.stderr)
	}
	if !strings.Contains(lines[1], "agentos serve") {
		t.Errorf("hint %q does not name agentos serve", lines[1])
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{"sessions", "list", "--output", "yaml"},
		{"sessions", "list", "--limit", "0"},
		{"sessions", "list", "--sort-order", "up"},
		{"sessions", "list", "--agent", "a", "--team", "b"},
		{"sessions", "list", "--type", "robot"},
		{"sessions", "list", "--asc", "--desc"},
		{"sessions", "get"},
		{"sessions", "get", "a", "b"},
		{"sessions", "runs", "s", "--created-before", "soon"},
		{"sessions", "create", "--state", "[1]"},
		{"sessions", "create", "--agent", "a", "--type", "team"},
		{"sessions", "update", "s"},
		{"sessions", "update", "s", "--topic", "x"},
		{"sessions", "update", "s", "--metadata", "nope"},
		{"sessions", "delete"},
		{"sessions", "delete", "a", "b", "--session-type", "agent"},
		{"sessions", "bogus"},
		{"agents", "run", "a"},
		{"chat", "--output", "json"},
		{"bogus"},
		{"sessions", "list", "--bogus"},
	}
	for _, args := range cases {
		r := execute(t, piped, "", append(args, "--base-url", "http://127.0.0.1:1")...)
		if r.code != ExitUsage {
			t.Errorf("%q: exit status %d, stderr %q", args, r.code, r.stderr)
			continue
		}
		if !strings.HasPrefix(r.stderr, "error: ") || r.stdout != "" {
			t.Errorf("%q: stdout %q, stderr %q", args, r.stdout, r.stderr)
		}
	}
}

func TestDeleteConfirmation(t *testing.T) {
	var deletes atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			deletes.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	run := func(stdin string, args ...string) result {
		var stdout, stderr strings.Builder
		streams := Streams{In: strings.NewReader(stdin), Out: &stdout, ErrOut: &stderr}
		a := newApp(streams)
		a.terminal, a.interactive = true, true
		root := newRootCommand(streams, a)
		root.SetArgs(append(args, "--base-url", srv.URL))
		code := 0
		if err := root.ExecuteContext(context.Background()); err != nil {
			code = exitStatus(err, streams)
		}
		return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
	}

	no := run("n\n", "sessions", "delete", "s1")
	wantExit(t, no, ExitError)
	if deletes.Load() != 0 || !strings.Contains(no.stderr, "Delete session s1 and its runs? [y/N]") {
		t.Errorf("after no: %d deletes, stderr %q", deletes.Load(), no.stderr)
	}
	yes := run("yes\n", "sessions", "delete", "s1", "s2")
	wantExit(t, yes, ExitOK)
	if deletes.Load() != 1 || !strings.Contains(yes.stderr, "Delete 2 sessions and their runs?") {
		t.Errorf("after yes: %d deletes, stderr %q", deletes.Load(), yes.stderr)
	}
	flag := run("", "sessions", "delete", "s1", "--yes")
	wantExit(t, flag, ExitOK)
	if deletes.Load() != 2 || strings.Contains(flag.stderr, "[y/N]") {
		t.Errorf("with --yes: %d deletes, stderr %q", deletes.Load(), flag.stderr)
	}
}
