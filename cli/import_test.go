package cli

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
	"github.com/agentos-go/agentos/internal/agnotest"
	"github.com/agentos-go/agentos/internal/pgtest"
	"github.com/agentos-go/agentos/postgres"
	"github.com/agentos-go/agentos/sqlite"
)

const agnoReference = "../testdata/agno-2.9/agno-reference.db"

// copyReference copies agno's reference database into a temporary file
// that the test may change.
func copyReference(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(agnoReference)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "agno.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func execAgno(t *testing.T, path, stmt string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatal(err)
	}
}

func openImported(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func TestImportAgnoTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "app.db")
	first := execute(t, piped, "", "import", "agno", "--db", db, agnoReference)
	wantExit(t, first, ExitOK)
	want := "Imported 10 sessions with 8 runs from " + agnoReference + " into " + db + "\n" +
		"  agent:    9 sessions, 8 runs\n" +
		"  team:     1 session, 0 runs\n" +
		"  workflow: 0 sessions, 0 runs\n"
	if first.stdout != want {
		t.Fatalf("first import printed\n%s\nwant\n%s", first.stdout, want)
	}

	second := execute(t, piped, "", "import", "agno", "--db", db, agnoReference)
	wantExit(t, second, ExitOK)
	if !strings.HasPrefix(second.stdout, "Imported 0 sessions with 0 runs") ||
		!strings.Contains(second.stdout, "Skipped 10 sessions already in the target: "+
			"10 unchanged, 0 different\n") {
		t.Fatalf("second import printed\n%s", second.stdout)
	}

	store := openImported(t, db)
	_, total, err := store.ListSessions(context.Background(), agentos.SessionFilter{Limit: 50})
	if err != nil || total != 10 {
		t.Fatalf("sessions after two imports = %d, %v", total, err)
	}
	chat, err := store.GetSession(context.Background(), "rec-chat", agentos.Scope{})
	if err != nil || chat.DisplayName() != "My name is Alice." || chat.RunCount != 3 {
		t.Fatalf("rec-chat = %+v, %v", chat, err)
	}
	if chat.CreatedAt != 1796383576 || chat.UpdatedAt != 1796383578 {
		t.Errorf("rec-chat times = %d/%d, want agno's 1796383576/1796383578", chat.CreatedAt,
			chat.UpdatedAt)
	}
}

func TestImportReportsDifferences(t *testing.T) {
	db := filepath.Join(t.TempDir(), "app.db")
	wantExit(t, execute(t, piped, "", "import", "agno", "--db", db, agnoReference), ExitOK)

	source := copyReference(t)
	// agno adds a run to rec-chat and gives the orphan session an owner.
	execAgno(t, source, `UPDATE agno_sessions SET runs = json_quote('' || json_insert(
		json(json_extract(runs, '$')), '$[#]', json('{"run_id": "late", "agent_id": "assistant"}'))),
		updated_at = updated_at + 60 WHERE session_id = 'rec-chat'`)
	execAgno(t, source, `UPDATE agno_sessions SET user_id = 'carol'
		WHERE session_id = '1176389c-5143-4f29-b045-8009044ee356'`)
	execAgno(t, source, `UPDATE agno_sessions SET updated_at = updated_at + 60
		WHERE session_id = 'rec-s-full'`)

	r := execute(t, piped, "", "import", "agno", "--db", db, source)
	wantExit(t, r, ExitOK)
	for _, line := range []string{
		"Skipped 10 sessions already in the target: 7 unchanged, 3 different\n",
		"  session 1176389c-5143-4f29-b045-8009044ee356: here its user_id is null, " +
			"in agno \"carol\"\n",
		"  session rec-chat: agno has 1 run that it lacks\n",
		"  session rec-s-full: agno changed it at 2026-12-04T11:27:17Z, after its last " +
			"change here\n",
		"  To import a different session again, delete it first",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("output lacks %q:\n%s", line, r.stdout)
		}
	}
	runs, err := openImported(t, db).ListRuns(context.Background(), "rec-chat",
		agentos.RunFilter{})
	if err != nil || len(runs) != 3 {
		t.Errorf("rec-chat has %d runs after the second import, want 3 kept: %v", len(runs), err)
	}
}

func TestImportDryRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sub", "app.db")
	r := execute(t, piped, "", "import", "agno", "--dry-run", "--db", db, agnoReference)
	wantExit(t, r, ExitOK)
	if !strings.HasPrefix(r.stdout, "Would import 10 sessions with 8 runs from "+
		agnoReference+"\n") {
		t.Errorf("dry run printed\n%s", r.stdout)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a dry run created %s: %v", db, err)
	}

	wantExit(t, execute(t, piped, "", "import", "agno", "--db", db, agnoReference), ExitOK)
	source := copyReference(t)
	execAgno(t, source, `DELETE FROM agno_sessions WHERE session_id = 'rec-chat'`)
	execAgno(t, source, `INSERT INTO agno_sessions (session_id, session_type, agent_id,
		session_data, runs, created_at) VALUES ('new-one', 'agent', 'assistant', 'null',
		'"[{\"run_id\": \"n1\", \"agent_id\": \"assistant\"}]"', 1796383600)`)
	r = execute(t, piped, "", "import", "agno", "--dry-run", "--db", db, source)
	wantExit(t, r, ExitOK)
	if !strings.HasPrefix(r.stdout, "Would import 1 session with 1 run from ") ||
		!strings.Contains(r.stdout, "Skipped 9 sessions already in the target: 9 unchanged") {
		t.Errorf("dry run against an imported target printed\n%s", r.stdout)
	}
	store := openImported(t, db)
	if _, err := store.GetSession(context.Background(), "new-one", agentos.Scope{}); err == nil {
		t.Errorf("a dry run imported session new-one")
	}
}

func TestImportReportsFailuresAndLeftOutRuns(t *testing.T) {
	source := copyReference(t)
	execAgno(t, source, `UPDATE agno_sessions SET session_data = '"{\"session_state\": "'
		WHERE session_id = 'rec-s-full'`)
	execAgno(t, source, `UPDATE agno_sessions SET runs = json_quote('' || json_insert(
		json(json_extract(runs, '$')), '$[#]', json('{"run_id": "no-agent"}'), '$[#]', 5))
		WHERE session_id = 'rec-multipart'`)
	execAgno(t, source, `UPDATE agno_sessions SET session_data =
		'"{\"session_state\": {\"ratio\": NaN}}"' WHERE session_id = 'fixed-session-id-gamma'`)
	db := filepath.Join(t.TempDir(), "app.db")
	r := execute(t, piped, "", "import", "agno", "--db", db, source)
	wantExit(t, r, ExitError)
	for _, line := range []string{
		"Imported 9 sessions with 8 runs from ",
		"Left out 2 runs that agno does not load either:\n" +
			"  session rec-multipart, runs[1] (no-agent): neither agent_id nor team_id, " +
			"so agno does not load it\n" +
			"  session rec-multipart, runs[2]: not a JSON object\n",
		"Warning: session fixed-session-id-gamma: column session_data: 1 NaN or Infinity " +
			"values became null",
		"Failed 1 session:\n  session rec-s-full: column session_data: a JSON string that " +
			"does not contain a JSON document: invalid JSON",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("output lacks %q:\n%s", line, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "1 session of "+source+" could not be imported") {
		t.Errorf("stderr %q", r.stderr)
	}
	store := openImported(t, db)
	if _, err := store.GetSession(context.Background(), "rec-multipart",
		agentos.Scope{}); err != nil {
		t.Errorf("rec-multipart was not imported: %v", err)
	}
	if _, err := store.GetSession(context.Background(), "rec-s-full",
		agentos.Scope{}); agentos.ErrorCode(err) != agentos.ENOTFOUND {
		t.Errorf("the unreadable session rec-s-full: %v, want not found", err)
	}
}

func TestImportRejectsBadSources(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "app.db")
	source := copyReference(t)
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"go file", []string{"--db", db, "import.go"}, ExitError, "is not a SQLite database"},
		{"missing file", []string{"--db", db, filepath.Join(dir, "none.db")}, ExitError,
			"does not exist"},
		{"into itself as a URL", []string{"--db", source, "sqlite:///" + source}, ExitUsage,
			"is also the target database (--db)"},
		{"into itself", []string{"--db", source, source}, ExitUsage,
			"is also the target database (--db)"},
		{"other table", []string{"--db", db, "--table", "agno_memories", source}, ExitError,
			"lacks the agno columns session_id, session_type"},
		{"no argument", []string{"--db", db}, ExitUsage, "expects one source"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := execute(t, piped, "", append([]string{"import", "agno"}, tc.args...)...)
			wantExit(t, r, tc.code)
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr %q, want it to contain %q", r.stderr, tc.stderr)
			}
		})
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a rejected import created %s", db)
	}
}

func TestImportIntoSourceRejected(t *testing.T) {
	data, err := os.ReadFile("../testdata/agno-2.9/agno-reference.db")
	if err != nil {
		t.Fatal(err)
	}
	source := filepath.Join(t.TempDir(), "agno.db")
	if err := os.WriteFile(source, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{source, "file:" + source} {
		var out, errOut bytes.Buffer
		streams := Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		args := []string{"import", "agno", "--db", target, source}
		if code := Main(context.Background(), args, streams); code != ExitUsage {
			t.Errorf("--db %s: exit status %d, want %d; stdout %q, stderr %q",
				target, code, ExitUsage, out.String(), errOut.String())
		}
		if !strings.Contains(errOut.String(), "is also the target") {
			t.Errorf("--db %s: stderr %q, want it to name the clash", target, errOut.String())
		}
	}
	after, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, data) {
		t.Errorf("the agno database changed")
	}
}

func TestImportArgumentCount(t *testing.T) {
	for _, args := range [][]string{{"import", "agno"}, {"import", "agno", "a.db", "b.db"}} {
		var out, errOut bytes.Buffer
		streams := Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		if code := Main(context.Background(), args, streams); code != ExitUsage {
			t.Errorf("%q: exit status %d, want %d; stderr %q", args, code, ExitUsage, errOut.String())
		}
		if !strings.Contains(errOut.String(), "expects one source") {
			t.Errorf("%q: stderr %q, want it to name the expected source", args, errOut.String())
		}
	}
}

// withPassword puts password into the user info of a postgres:// URL.
func withPassword(t *testing.T, raw, password string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return u.String()
}

func TestImportAgnoPostgresToPostgres(t *testing.T) {
	pgURL := pgtest.URL(t)
	source := pgtest.Schema(t, pgURL)
	agnotest.CopyToPostgres(t, agnoReference, pgURL, source, "agno_sessions")
	target := pgtest.Schema(t, pgURL)
	// Trust authentication ignores the password, which must not be printed.
	sourceURL := withPassword(t, pgURL, "s3cret")
	targetURL := withPassword(t, pgURL, "s3cret") + "&search_path=" + target
	t.Setenv("AGENTOS_DB", targetURL)

	// agno's examples give PostgresDb a SQLAlchemy URL with a driver name.
	agnoURL := strings.Replace(sourceURL, "postgres://", "postgresql+psycopg://", 1)
	first := execute(t, piped, "", "import", "agno", "--schema", source, agnoURL)
	wantExit(t, first, ExitOK)
	if !strings.HasPrefix(first.stdout, "Imported 10 sessions with 8 runs from postgresql://") ||
		!strings.Contains(first.stdout, "search_path="+target) {
		t.Errorf("first import printed\n%s", first.stdout)
	}
	if strings.Contains(first.stdout+first.stderr, "s3cret") {
		t.Errorf("the output shows the password:\n%s%s", first.stdout, first.stderr)
	}

	second := execute(t, piped, "", "import", "agno", "--schema", source, sourceURL)
	wantExit(t, second, ExitOK)
	if !strings.Contains(second.stdout, "Skipped 10 sessions already in the target: "+
		"10 unchanged, 0 different") {
		t.Errorf("second import printed\n%s", second.stdout)
	}

	store, err := postgres.Open(context.Background(), pgURL, postgres.Options{Schema: target})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	chat, err := store.GetSession(context.Background(), "rec-chat", agentos.Scope{})
	if err != nil || chat.DisplayName() != "My name is Alice." || chat.RunCount != 3 ||
		chat.UpdatedAt != 1796383578 {
		t.Errorf("rec-chat = %+v, %v", chat, err)
	}

	missing := execute(t, piped, "", "import", "agno", "--schema", source+"_none", sourceURL)
	wantExit(t, missing, ExitError)
	if !strings.Contains(missing.stderr, "has no tables in schema "+source+"_none") {
		t.Errorf("stderr %q", missing.stderr)
	}
}

// TestImportAtDefaultPathSuggestsOtherFile imports agno's file from
// tmp/app.db, where agno's examples keep it and where --db points by
// default. The error must suggest a target other than the source.
func TestImportAtDefaultPathSuggestsOtherFile(t *testing.T) {
	data, err := os.ReadFile("../testdata/agno-2.9/agno-reference.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	t.Setenv(envDB, "")
	if err := os.MkdirAll("tmp", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(defaultDBPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	streams := Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := Main(context.Background(), []string{"import", "agno", defaultDBPath}, streams)
	if code != ExitUsage {
		t.Errorf("exit status %d, want %d; stderr %q", code, ExitUsage, errOut.String())
	}
	if !strings.Contains(errOut.String(), "--db tmp/agentos.db") {
		t.Errorf("stderr %q, want it to suggest --db tmp/agentos.db", errOut.String())
	}
	if strings.Contains(errOut.String(), "such as "+defaultDBPath) {
		t.Errorf("stderr %q suggests the source itself as the target", errOut.String())
	}
}

func TestImportKeepsUnfinishedRuns(t *testing.T) {
	source := copyReference(t)
	execAgno(t, source, `UPDATE agno_sessions SET runs = json_quote('' || json_set(
		json(json_extract(runs, '$')), '$[0].status', 'RUNNING'))
		WHERE session_id = 'rec-multipart'`)
	db := filepath.Join(t.TempDir(), "app.db")
	r := execute(t, piped, "", "import", "agno", "--db", db, source)
	wantExit(t, r, ExitOK)
	want := "Warning: session rec-multipart: 1 run is RUNNING or PENDING in agno, so they " +
		"keep that status and are never marked interrupted\n"
	if !strings.Contains(r.stdout, want) {
		t.Errorf("output lacks %q:\n%s", want, r.stdout)
	}

	store := openImported(t, db)
	ctx := context.Background()
	expired, err := store.ListExpiredRuns(ctx, agentos.Now()+365*24*3600, 10)
	if err != nil || len(expired) != 0 {
		t.Errorf("expired runs after the import = %d, %v; want none", len(expired), err)
	}
	run, err := store.GetRun(ctx, "rec-multipart", "98c06e6f-f7a8-43d8-8a8a-80ca8cf54804")
	if err != nil || run.Status != agentos.RunRunning {
		t.Errorf("run = %+v, %v; want it RUNNING as agno stored it", run, err)
	}
}

// TestImportConcurrently runs two imports of one source into one target at
// once, as two shells might. Every session must be stored once, by one of
// them, and the other must count it as unchanged.
func TestImportConcurrently(t *testing.T) {
	db := filepath.Join(t.TempDir(), "app.db")
	var outputs [2]bytes.Buffer
	errs := make(chan error, 2)
	for i := range outputs {
		go func() {
			errs <- runImportAgno(context.Background(), &outputs[i], agnoReference,
				importOptions{db: db, table: "agno_sessions", schema: "ai"})
		}()
	}
	for range outputs {
		if err := <-errs; err != nil {
			t.Fatalf("import: %v", err)
		}
	}
	imported, unchanged := 0, 0
	summary := regexp.MustCompile(`^Imported (\d+) sessions? with \d+ runs?`)
	skipped := regexp.MustCompile(`Skipped \d+ sessions? already in the target: ` +
		`(\d+) unchanged, (\d+) different`)
	for _, out := range outputs {
		m := summary.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("output without a summary:\n%s", out.String())
		}
		n, _ := strconv.Atoi(m[1])
		imported += n
		if m := skipped.FindStringSubmatch(out.String()); m != nil {
			same, _ := strconv.Atoi(m[1])
			unchanged += same
			if m[2] != "0" {
				t.Errorf("an import found %s different sessions:\n%s", m[2], out.String())
			}
		}
	}
	if imported != 10 || unchanged != 10 {
		t.Errorf("imported %d and skipped %d unchanged in all, want 10 and 10:\n%s\n%s",
			imported, unchanged, outputs[0].String(), outputs[1].String())
	}
	store := openImported(t, db)
	_, total, err := store.ListSessions(context.Background(), agentos.SessionFilter{Limit: 1})
	if err != nil || total != 10 {
		t.Errorf("target holds %d sessions, %v; want 10", total, err)
	}
	runs, err := store.ListRuns(context.Background(), "rec-chat", agentos.RunFilter{})
	if err != nil || len(runs) != 3 {
		t.Errorf("rec-chat holds %d runs, %v; want 3", len(runs), err)
	}
}

func TestImportProgressMeter(t *testing.T) {
	reader, err := agnodb.Open(context.Background(), agnoReference, agnodb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	clock := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	var line bytes.Buffer
	meter, err := newProgressMeter(context.Background(), &line, reader, now)
	if err != nil {
		t.Fatal(err)
	}
	meter.step()
	if line.Len() != 0 {
		t.Errorf("printed %q before a second passed", line.String())
	}
	clock = clock.Add(progressInterval)
	meter.step()
	meter.step()
	clock = clock.Add(progressInterval)
	meter.step()
	meter.clear()
	want := "\rRead 2 of 10 sessions\rRead 4 of 10 sessions\r\033[K"
	if line.String() != want {
		t.Errorf("progress wrote %q, want %q", line.String(), want)
	}

	quiet, err := newProgressMeter(context.Background(), nil, reader, now)
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(progressInterval)
	quiet.step()
	quiet.clear()
}
