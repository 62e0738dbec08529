package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// These tests run the command line against the recorded answers of agno's
// Python AgentOS 2.9.0, so they show the commands work against it.

func TestAgentsListAgainstAgno(t *testing.T) {
	url := replayServer(t, "02-agents-list", "02-agents-list", "02-agents-list")
	table := execute(t, terminal, "", "agents", "list", "--base-url", url)
	wantExit(t, table, ExitOK)
	checkGolden(t, "agents-list-table", table.stdout)

	tsv := execute(t, piped, "", "agents", "list", "--base-url", url)
	wantExit(t, tsv, ExitOK)
	checkGolden(t, "agents-list-tsv", tsv.stdout)

	js := execute(t, piped, "", "agents", "list", "--base-url", url, "-o", "json")
	wantExit(t, js, ExitOK)
	var agents []map[string]any
	if err := json.Unmarshal([]byte(js.stdout), &agents); err != nil || len(agents) != 2 {
		t.Errorf("JSON output %q: %v", js.stdout, err)
	}
}

func TestConfigAndHealthAgainstAgno(t *testing.T) {
	url := replayServer(t, "01-config", "00-health")
	cfg := execute(t, terminal, "", "config", "--base-url", url)
	wantExit(t, cfg, ExitOK)
	checkGolden(t, "config-table", strings.ReplaceAll(cfg.stdout, url, "BASE_URL"))

	health := execute(t, piped, "", "health", "--base-url", url)
	wantExit(t, health, ExitOK)
	want := url + " ok, up since 2026-12-04T11:25:53Z\n"
	if health.stdout != want {
		t.Errorf("health printed %q, want %q", health.stdout, want)
	}
}

func TestSessionsListAgainstAgno(t *testing.T) {
	url := replayServer(t, "24-sessions-list-default", "24-sessions-list-default",
		"24-sessions-list-default", "40-sessions-list-all-filters")
	table := execute(t, terminal, "", "sessions", "list", "--base-url", url)
	wantExit(t, table, ExitOK)
	checkGolden(t, "sessions-list-table", table.stdout)

	tsv := execute(t, piped, "", "sessions", "list", "--base-url", url)
	wantExit(t, tsv, ExitOK)
	checkGolden(t, "sessions-list-tsv", tsv.stdout)
	if lines := strings.Count(tsv.stdout, "\n"); lines != 13 {
		t.Errorf("TSV has %d lines, want 13", lines)
	}

	js := execute(t, piped, "", "sessions", "list", "--base-url", url, "--output", "json")
	wantExit(t, js, ExitOK)
	checkGolden(t, "sessions-list-json", js.stdout)

	filtered := execute(t, piped, "", "sessions", "list", "--base-url", url,
		"--agent", "assistant", "--user", "alice@example.com", "--name", "Recorded",
		"--sort-by", "updated_at", "--asc", "--limit", "5")
	wantExit(t, filtered, ExitOK)
	if !strings.HasPrefix(filtered.stdout, "rec-s-full\tRecorded Session\tagent\tassistant\t") {
		t.Errorf("filtered list %q", filtered.stdout)
	}
}

func TestSessionsGetAgainstAgno(t *testing.T) {
	url := replayServer(t, "51-session-get", "51-session-get", "55-session-get-unknown-404")
	table := execute(t, terminal, "", "sessions", "get", "rec-chat", "--base-url", url)
	wantExit(t, table, ExitOK)
	checkGolden(t, "sessions-get-table", table.stdout)

	js := execute(t, piped, "", "sessions", "get", "rec-chat", "--base-url", url, "-o", "json")
	wantExit(t, js, ExitOK)
	checkGolden(t, "sessions-get-json", js.stdout)

	missing := execute(t, piped, "", "sessions", "get", "no-such-session", "--base-url", url)
	wantExit(t, missing, ExitNotFound)
	if !strings.Contains(missing.stderr, "Session with id 'no-such-session' not found") ||
		!strings.HasPrefix(missing.stderr, "error: 404 ") {
		t.Errorf("stderr %q", missing.stderr)
	}
	if strings.Count(missing.stderr, "\n") != 1 || missing.stdout != "" {
		t.Errorf("a 404 printed more than one line: %q %q", missing.stdout, missing.stderr)
	}
}

func TestSessionsRunsAgainstAgno(t *testing.T) {
	url := replayServer(t, "60-session-runs", "60-session-runs", "61-session-runs-created-after",
		"66-session-run-get")
	table := execute(t, terminal, "", "sessions", "runs", "rec-chat", "--base-url", url)
	wantExit(t, table, ExitOK)
	checkGolden(t, "sessions-runs-table", table.stdout)

	latest := execute(t, piped, "", "sessions", "runs", "rec-chat", "--base-url", url,
		"--latest-first")
	wantExit(t, latest, ExitOK)
	checkGolden(t, "sessions-runs-latest-first-tsv", latest.stdout)

	after := execute(t, piped, "", "sessions", "runs", "rec-chat", "--base-url", url,
		"--created-after", "2100-01-01T00:00:00Z")
	wantExit(t, after, ExitOK)
	if after.stdout != "" {
		t.Errorf("runs after 2100: %q", after.stdout)
	}

	run := execute(t, terminal, "", "sessions", "run", "rec-chat",
		"e9e6ffc7-79aa-45fd-9f5b-3838637355f0", "--base-url", url)
	wantExit(t, run, ExitOK)
	checkGolden(t, "sessions-run-table", run.stdout)

	bad := execute(t, piped, "", "sessions", "runs", "rec-chat", "--base-url", url,
		"--created-after", "yesterday")
	wantExit(t, bad, ExitUsage)
	if !strings.Contains(bad.stderr, "invalid --created-after \"yesterday\"") {
		t.Errorf("stderr %q", bad.stderr)
	}
}

func TestSessionsChangesAgainstAgno(t *testing.T) {
	url := replayServer(t, "70-session-rename", "76-session-patch", "83-session-delete",
		"87-sessions-bulk-delete", "93-session-clear-not-implemented", "17-sessions-create-duplicate-409")
	rename := execute(t, piped, "", "sessions", "rename", "rec-s-full", "Renamed by recording",
		"--base-url", url)
	wantExit(t, rename, ExitOK)
	if rename.stdout != "rec-s-full\n" {
		t.Errorf("rename printed %q", rename.stdout)
	}

	update := execute(t, terminal, "", "sessions", "update", "rec-s-full", "--base-url", url,
		"--name", "Patched name", "--state", `{"step":2,"done":false}`,
		"--metadata", `{"patched":true}`, "--summary", "A summary", "--topic", "alpha")
	wantExit(t, update, ExitOK)
	checkGolden(t, "sessions-update-table", update.stdout)

	one := execute(t, piped, "", "sessions", "delete", "4bf738d0-336a-4173-81e9-231c9221b182",
		"--base-url", url)
	wantExit(t, one, ExitOK)
	many := execute(t, terminal, "", "sessions", "delete", "e5706456-3cb4-4008-9145-210695894e4a",
		"48ae5155-3f93-4fac-8671-48c51047c2de", "--yes", "--base-url", url)
	wantExit(t, many, ExitOK)
	want := "Deleted session e5706456-3cb4-4008-9145-210695894e4a\n" +
		"Deleted session 48ae5155-3f93-4fac-8671-48c51047c2de\n"
	if many.stdout != want {
		t.Errorf("delete printed %q", many.stdout)
	}

	clear := execute(t, piped, "", "sessions", "clear", "rec-chat", "--yes", "--base-url", url)
	wantExit(t, clear, ExitError)
	if !strings.Contains(clear.stderr, "cannot clear sessions") {
		t.Errorf("clear stderr %q", clear.stderr)
	}

	dup := execute(t, piped, "", "sessions", "create", "--id", "rec-s-full", "--agent", "assistant",
		"--name", "dup", "--base-url", url)
	wantExit(t, dup, ExitError)
	wantErr := "error: 409 Conflict: Session with id 'rec-s-full' already exists. " +
		"Use PATCH /sessions/rec-s-full to update it.\n"
	if dup.stderr != wantErr {
		t.Errorf("stderr %q, want %q", dup.stderr, wantErr)
	}
}

func TestAgentsRunAgainstAgno(t *testing.T) {
	url := replayServer(t, "05-run-stream-true", "03-run-nonstream-1", "08-run-unknown-agent")
	stream := execute(t, piped, "", "agents", "run", "assistant", "Say it again",
		"--session-id", "rec-chat", "--user", "alice@example.com", "--base-url", url)
	wantExit(t, stream, ExitOK)
	want := `Echo: I have seen 3 user message(s): [1] "My name is Alice." [2] "What's my name?" ` +
		`[3] "Say it again"` + "\n"
	if stream.stdout != want {
		t.Errorf("stdout %q, want %q", stream.stdout, want)
	}
	if stream.stderr != "[session_id: rec-chat] [run_id: b0819963-d56d-4e35-98db-1562d8fe8603]\n" {
		t.Errorf("stderr %q", stream.stderr)
	}

	plain := execute(t, piped, "", "agents", "run", "assistant", "My name is Alice.", "--no-stream",
		"--session-id", "rec-chat", "--user", "alice@example.com", "--base-url", url)
	wantExit(t, plain, ExitOK)
	if plain.stdout != `Echo: I have seen 1 user message(s): [1] "My name is Alice."`+"\n" {
		t.Errorf("stdout %q", plain.stdout)
	}
	if !strings.Contains(plain.stderr, "[tokens: 16]") {
		t.Errorf("stderr %q", plain.stderr)
	}

	missing := execute(t, piped, "", "agents", "run", "no-such-agent", "hi", "--no-stream",
		"--base-url", url)
	wantExit(t, missing, ExitNotFound)
}

func TestChatResumesSessionAgainstAgno(t *testing.T) {
	url := replayServer(t, "51-session-get", "05-run-stream-true")
	r := execute(t, piped, "Say it again\n/session\n/exit\n", "chat", "--session-id", "rec-chat",
		"--base-url", url)
	wantExit(t, r, ExitOK)
	want := "Resuming session rec-chat (6 earlier messages)\n" +
		`Echo: I have seen 3 user message(s): [1] "My name is Alice." [2] "What's my name?" ` +
		`[3] "Say it again"` + "\nrec-chat\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if r.stderr != "Resume with: agentos chat --session-id rec-chat\n" {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestManageSessionsErrorsAgainstAgno(t *testing.T) {
	url := replayServer(t, "55-session-get-unknown-404", "64-session-runs-unknown-404",
		"74-session-rename-unknown-404", "86-session-delete-unknown")
	details := execute(t, piped, "", "manage-sessions", "--base-url", url,
		"--session-id", "no-such-session")
	wantExit(t, details, 1)
	if details.stderr != "error: 404 Not Found: Session with id 'no-such-session' not found\n" {
		t.Errorf("stderr %q", details.stderr)
	}
	runs := execute(t, piped, "", "manage-sessions", "--base-url", url,
		"--session-id", "no-such-session", "--show-runs")
	wantExit(t, runs, 1)
	rename := execute(t, piped, "", "manage-sessions", "--base-url", url,
		"--session-id", "no-such-session", "--rename", "x")
	wantExit(t, rename, 1)
	del := execute(t, piped, "", "manage-sessions", "--base-url", url,
		"--session-id", "no-such-session", "--delete")
	wantExit(t, del, 0)
	if del.stdout != "Deleted session: no-such-session\n" {
		t.Errorf("stdout %q", del.stdout)
	}
}

func TestCompletion(t *testing.T) {
	url := replayServer(t, "02-agents-list")
	r := execute(t, piped, "", "__complete", "agents", "get", "--base-url", url, "res")
	wantExit(t, r, ExitOK)
	if !strings.HasPrefix(r.stdout, "researcher\tResearcher\n") ||
		strings.Contains(r.stdout, "assistant") {
		t.Errorf("completion printed %q", r.stdout)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		script := execute(t, piped, "", "completion", shell)
		wantExit(t, script, ExitOK)
		if !strings.Contains(script.stdout, "agentos") || len(script.stdout) < 1000 {
			t.Errorf("%s script is %d bytes", shell, len(script.stdout))
		}
	}
	bad := execute(t, piped, "", "completion", "powershell")
	wantExit(t, bad, ExitUsage)
}
