package cli

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
)

// recordedRun is one manage_sessions.py invocation recorded against agno
// 2.9.0: the arguments after the script name, the output and the exit
// status.
type recordedRun struct {
	args   string
	output string
	code   int // -1 when the recording has no exit line
}

// recordedRuns returns the recorded invocations in order.
func recordedRuns(t *testing.T) []recordedRun {
	t.Helper()
	data, err := os.ReadFile("../testdata/agno-2.9/manage_sessions-outputs.txt")
	if err != nil {
		t.Fatal(err)
	}
	var (
		runs    []recordedRun
		current *recordedRun
		out     strings.Builder
	)
	finish := func(code int) {
		if current != nil {
			current.output, current.code = out.String(), code
			if code == -1 {
				// Without an exit line, the blank line before the next
				// invocation is not part of the output.
				current.output = strings.TrimSuffix(current.output, "\n\n") + "\n"
			}
			runs = append(runs, *current)
		}
		current = nil
		out.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "$ manage_sessions.py"):
			finish(-1)
			args := strings.TrimSpace(strings.TrimPrefix(line, "$ manage_sessions.py"))
			current = &recordedRun{args: args}
		case strings.HasPrefix(line, "[exit "):
			code, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(
				strings.TrimSpace(line), "[exit "), "]"))
			finish(code)
		case current != nil:
			out.WriteString(line)
		}
	}
	finish(-1)
	return runs
}

// recordedOutputs returns the recorded invocations by their arguments.
func recordedOutputs(t *testing.T) map[string]recordedRun {
	t.Helper()
	byArgs := map[string]recordedRun{}
	for _, r := range recordedRuns(t) {
		byArgs[r.args] = r
	}
	return byArgs
}

func TestManageHelpMatchesScript(t *testing.T) {
	recorded, ok := recordedOutputs(t)["--help"]
	if !ok {
		t.Fatal("no recorded --help output")
	}
	// The usage lines wrap after the program name, so render them for the
	// script's name to compare the whole text.
	want := recorded.output
	got := usageFor("manage_sessions.py") + manageHelpBody
	if got != want {
		t.Errorf("help text differs:\n got: %q\nwant: %q", got, want)
	}

	for _, args := range [][]string{{"--help"}, {"-h"}, {"--he"}, {"--limit", "5", "-h", "--bogus"}} {
		r := execute(t, piped, "", append([]string{"manage-sessions"}, args...)...)
		wantExit(t, r, 0)
		if r.stdout != manageUsage()+manageHelpBody || r.stderr != "" {
			t.Errorf("%v printed %q, stderr %q", args, r.stdout, r.stderr)
		}
	}
}

func TestManageArgsParseLikeArgparse(t *testing.T) {
	cases := []struct {
		args []string
		want manageFlags
	}{
		{nil, manageFlags{baseURL: "http://localhost:7777", limit: 20}},
		{[]string{"--base-url=http://h:1", "--limit", "5", "--show-runs"},
			manageFlags{baseURL: "http://h:1", limit: 5, showRuns: true}},
		{[]string{"--sess", "s1", "--ag", "a", "--user", "u", "--ren", "New Name", "--na", "n"},
			manageFlags{baseURL: "http://localhost:7777", limit: 20, sessionID: "s1", agentID: "a",
				userID: "u", rename: "New Name", name: "n"}},
		{[]string{"--limit", "-3", "--cr", "--del", "--limit", " 1_0 "},
			manageFlags{baseURL: "http://localhost:7777", limit: 10, create: true, delete: true}},
		{[]string{"--rename", "-"},
			manageFlags{baseURL: "http://localhost:7777", limit: 20, rename: "-"}},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		got, done, err := parseManageArgs(tc.args, &out, &errOut)
		if err != nil || done {
			t.Errorf("%q: done %v, error %v, stderr %q", tc.args, done, err, errOut.String())
			continue
		}
		if got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.args, got, tc.want)
		}
	}
}

func TestManageArgErrors(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"--limit", "abc"}, "argument --limit: invalid int value: 'abc'"},
		{[]string{"--limit", "1.5"}, "argument --limit: invalid int value: '1.5'"},
		{[]string{"--limit"}, "argument --limit: expected one argument"},
		{[]string{"--session-id", "--delete"}, "argument --session-id: expected one argument"},
		{[]string{"--s", "x"}, "ambiguous option: --s could match --session-id, --show-runs"},
		{[]string{"--bogus", "x"}, "unrecognized arguments: --bogus x"},
		{[]string{"list"}, "unrecognized arguments: list"},
		{[]string{"--create=yes"}, "argument --create: ignored explicit argument 'yes'"},
	}
	for _, tc := range cases {
		r := execute(t, piped, "", append([]string{"manage-sessions"}, tc.args...)...)
		wantExit(t, r, 2)
		want := manageUsage() + "agentos manage-sessions: error: " + tc.msg + "\n"
		if r.stderr != want {
			t.Errorf("%q: stderr %q, want %q", tc.args, r.stderr, want)
		}
	}
}

func TestManageMissingCompanionFlags(t *testing.T) {
	cases := map[string][]string{
		"--create requires --agent-id\n":   {"--create", "--agent-id", ""},
		"--delete requires --session-id\n": {"--delete", "--rename", "x"},
		"--rename requires --session-id\n": {"--rename", "x", "--session-id", ""},
	}
	for want, args := range cases {
		r := execute(t, piped, "", append([]string{"manage-sessions", "--base-url",
			"http://127.0.0.1:1"}, args...)...)
		wantExit(t, r, 1)
		if r.stderr != want || r.stdout != "" {
			t.Errorf("%q: stdout %q, stderr %q, want %q", args, r.stdout, r.stderr, want)
		}
	}
	recorded := recordedOutputs(t)["--base-url http://127.0.0.1:7777 --create"]
	if recorded.output != "--create requires --agent-id\n" || recorded.code != 1 {
		t.Errorf("recorded --create without --agent-id: %+v", recorded)
	}
}

func TestManageUnreachableServer(t *testing.T) {
	r := execute(t, piped, "", "manage-sessions", "--base-url", "http://127.0.0.1:1")
	wantExit(t, r, 1)
	if !strings.HasPrefix(r.stderr, "error: cannot reach AgentOS at http://127.0.0.1:1") ||
		strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr %q", r.stderr)
	}
}
