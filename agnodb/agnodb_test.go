package agnodb_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
	"github.com/agentos-go/agentos/sqlite"
)

const referenceDB = "../testdata/agno-2.9/agno-reference.db"

func readAll(t *testing.T, source string, opts agnodb.Options) map[string]agnodb.Item {
	t.Helper()
	r, err := agnodb.Open(context.Background(), source, opts)
	if err != nil {
		t.Fatalf("open %s: %v", source, err)
	}
	defer r.Close()
	items := map[string]agnodb.Item{}
	err = r.Each(context.Background(), func(it agnodb.Item) error {
		if it.Session != nil {
			items[it.Session.ID] = it
		} else {
			items["<no id>"] = it
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// storedRuns reads the runs column of every row of the reference database
// with plain encoding/json, decoding the string layer by hand, so the test
// does not trust the reader's own decoding.
func storedRuns(t *testing.T) map[string][]json.RawMessage {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+referenceDB+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT session_id, runs FROM agno_sessions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	all := map[string][]json.RawMessage{}
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			t.Fatal(err)
		}
		if text == "null" {
			all[id] = nil
			continue
		}
		var inner string
		if err := json.Unmarshal([]byte(text), &inner); err != nil {
			t.Fatalf("%s: runs is not double-encoded: %v", id, err)
		}
		var runs []json.RawMessage
		if err := json.Unmarshal([]byte(inner), &runs); err != nil {
			t.Fatalf("%s: runs: %v", id, err)
		}
		all[id] = runs
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return all
}

func TestReferenceDatabaseEveryRow(t *testing.T) {
	items := readAll(t, referenceDB, agnodb.Options{})
	if len(items) != 10 {
		t.Fatalf("read %d sessions, want 10", len(items))
	}
	want := storedRuns(t)
	total := 0
	for id, it := range items {
		if it.Err != nil {
			t.Errorf("session %s: %v", id, it.Err)
			continue
		}
		if len(it.LeftOut) != 0 || len(it.Warnings) != 0 {
			t.Errorf("session %s: left out %v, warnings %v", id, it.LeftOut, it.Warnings)
		}
		if it.Session.UpdatedAt < it.Session.CreatedAt {
			t.Errorf("session %s: updated_at %d before created_at %d", id,
				it.Session.UpdatedAt, it.Session.CreatedAt)
		}
		if len(it.Runs) != len(want[id]) {
			t.Errorf("session %s: %d runs, stored %d", id, len(it.Runs), len(want[id]))
			continue
		}
		for i, r := range it.Runs {
			total++
			if string(r.Record) != string(want[id][i]) {
				t.Errorf("session %s run %d: record differs from the stored one", id, i)
			}
			if r.SessionID != id || r.AgentID == "" || r.Status != agentos.RunCompleted {
				t.Errorf("session %s run %d: session %q agent %q status %q", id, i,
					r.SessionID, r.AgentID, r.Status)
			}
			if r.CreatedAt < it.Session.CreatedAt {
				t.Errorf("session %s run %d: created_at %d before the session's %d", id, i,
					r.CreatedAt, it.Session.CreatedAt)
			}
		}
	}
	if total != 8 {
		t.Errorf("read %d runs, want 8", total)
	}
}

func TestReferenceDatabaseValues(t *testing.T) {
	items := readAll(t, referenceDB, agnodb.Options{})
	full := items["rec-s-full"].Session
	if full.Name == nil || *full.Name != "Patched name" {
		t.Errorf("rec-s-full name = %v", full.Name)
	}
	if string(full.State) != `{"step": 3}` {
		t.Errorf("rec-s-full state = %s", full.State)
	}
	if string(full.Summary) != `{"summary": "A summary", "topics": ["alpha"]}` {
		t.Errorf("rec-s-full summary = %s", full.Summary)
	}
	if string(full.Metadata) != `{"patched": true}` {
		t.Errorf("rec-s-full metadata = %s", full.Metadata)
	}
	if full.UserID == nil || *full.UserID != "alice@example.com" {
		t.Errorf("rec-s-full owner = %v", full.UserID)
	}
	if full.CreatedAt != 1796383576 || full.UpdatedAt != 1796383577 {
		t.Errorf("rec-s-full times = %d/%d", full.CreatedAt, full.UpdatedAt)
	}
	if full.Data != nil || full.Metrics != nil || full.AgentData != nil {
		t.Errorf("rec-s-full data %s metrics %s agent_data %s, want none", full.Data,
			full.Metrics, full.AgentData)
	}

	chat := items["rec-chat"]
	if chat.Session.Name != nil {
		t.Errorf("rec-chat has explicit name %q, want none", *chat.Session.Name)
	}
	if len(chat.Runs) != 3 || chat.Runs[0].RunID != "e9e6ffc7-79aa-45fd-9f5b-3838637355f0" {
		t.Fatalf("rec-chat runs = %+v", chat.Runs)
	}
	name, ok := agentos.DeriveSessionName(chat.Session.Type, chat.Runs, nil)
	if !ok || name != "My name is Alice." {
		t.Errorf("rec-chat derived name = %q, %v", name, ok)
	}
	var metrics struct {
		TotalTokens int `json:"total_tokens"`
	}
	if err := json.Unmarshal(chat.Session.Metrics, &metrics); err != nil ||
		metrics.TotalTokens != 109 {
		t.Errorf("rec-chat metrics = %s, want total_tokens 109", chat.Session.Metrics)
	}
	var agentData struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(chat.Session.AgentData, &agentData); err != nil ||
		agentData.Name != "Assistant" {
		t.Errorf("rec-chat agent_data = %s", chat.Session.AgentData)
	}

	team := items["8038bd49-7766-48bc-93c6-564de609e317"].Session
	if team.Type != agentos.SessionTypeTeam || team.TeamID != "some-team" || team.UserID != nil {
		t.Errorf("team session = %+v", team)
	}
	orphan := items["1176389c-5143-4f29-b045-8009044ee356"].Session
	if orphan.UserID != nil || orphan.AgentID != "my-agent" {
		t.Errorf("orphan session = %+v", orphan)
	}
}

// agnoTable creates a sessions table in agno's layout in a new SQLite file,
// in the older form with a uq_session_id constraint and an extra column.
func agnoTable(t *testing.T, table string) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agno.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(`CREATE TABLE ` + table + ` (session_id VARCHAR NOT NULL,
		session_type VARCHAR NOT NULL, agent_id VARCHAR, team_id VARCHAR, workflow_id VARCHAR,
		user_id VARCHAR, session_data JSON, agent_data JSON, team_data JSON,
		workflow_data JSON, metadata JSON, runs JSON, summary JSON, created_at BIGINT NOT NULL,
		updated_at BIGINT, extra_column TEXT, CONSTRAINT uq_session_id UNIQUE (session_id))`)
	if err != nil {
		t.Fatal(err)
	}
	return db, path
}

// agnoRow is one row to insert. Its nil fields are inserted as SQL NULL.
type agnoRow struct {
	id, typ                 string
	agent, team, workflow   any
	data, runs, wfData      any
	created, updated, owner any
}

func insertRows(t *testing.T, db *sql.DB, table string, rows []agnoRow) {
	t.Helper()
	for _, r := range rows {
		if r.created == nil {
			r.created = 5
		}
		if _, err := db.Exec(`INSERT INTO `+table+` (session_id, session_type, agent_id,
			team_id, workflow_id, user_id, session_data, runs, workflow_data, created_at,
			updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.id, r.typ, r.agent, r.team, r.workflow, r.owner, r.data, r.runs, r.wfData,
			r.created, r.updated); err != nil {
			t.Fatalf("insert %s: %v", r.id, err)
		}
	}
}

func TestReadingRules(t *testing.T) {
	db, path := agnoTable(t, "my_sessions")
	insertRows(t, db, "my_sessions", []agnoRow{
		// Double-encoded, as agno writes it, with an unknown session_data key.
		{id: "double", typ: "agent", agent: "a", updated: 10,
			data: `"{\"session_name\": \"Caf\\u00e9\", \"images\": []}"`,
			runs: `"[{\"run_id\": \"r1\", \"agent_id\": \"a\", \"status\": \"COMPLETED\"}]"`},
		// Single-encoded values are accepted too. NULL updated_at.
		{id: "single", typ: "agent", agent: "a", data: `{"session_state": {"k": 1}}`,
			runs: `[{"run_id": "r1", "agent_id": "a"}]`},
		// The text null and SQL NULL are both absent. The type is detected.
		{id: "nulls", typ: "", team: "t", data: "null", updated: 5},
		// A JSON string that holds null is absent too.
		{id: "string-null", typ: "agent", agent: "a", data: `"null"`, runs: `"null"`},
	})
	items := readAll(t, path, agnodb.Options{Table: "my_sessions"})

	double := items["double"]
	if double.Err != nil || double.Session.Name == nil || *double.Session.Name != "Café" {
		t.Fatalf("double: %+v %v", double.Session, double.Err)
	}
	if string(double.Session.Data) != `{"images":[]}` {
		t.Errorf("double: unknown keys = %s, want images kept", double.Session.Data)
	}
	if len(double.Runs) != 1 || double.Runs[0].Status != agentos.RunCompleted {
		t.Errorf("double: runs = %+v", double.Runs)
	}
	if double.Session.CreatedAt != 5 || double.Session.UpdatedAt != 10 {
		t.Errorf("double: times %d/%d, want 5/10", double.Session.CreatedAt,
			double.Session.UpdatedAt)
	}

	single := items["single"]
	if single.Err != nil || string(single.Session.State) != `{"k": 1}` {
		t.Fatalf("single: %+v %v", single.Session, single.Err)
	}
	if len(single.Runs) != 1 || single.Runs[0].Status != agentos.RunRunning {
		t.Errorf("single: runs %+v, want one RUNNING run (a missing status)", single.Runs)
	}
	if len(single.Runs) == 1 && single.Runs[0].LeaseExpiresAt != agnodb.NeverExpires {
		t.Errorf("single: RUNNING run has lease %d, want NeverExpires",
			single.Runs[0].LeaseExpiresAt)
	}
	if len(single.Warnings) != 1 || !strings.Contains(single.Warnings[0], "1 run is RUNNING") {
		t.Errorf("single: warnings %q, want one about the RUNNING run", single.Warnings)
	}
	if len(double.Runs) == 1 && double.Runs[0].LeaseExpiresAt != 0 {
		t.Errorf("double: COMPLETED run has lease %d, want 0", double.Runs[0].LeaseExpiresAt)
	}
	if single.Session.UpdatedAt != single.Session.CreatedAt {
		t.Errorf("single: NULL updated_at = %d, want created_at", single.Session.UpdatedAt)
	}

	nulls := items["nulls"]
	if nulls.Err != nil || nulls.Session.Type != agentos.SessionTypeTeam {
		t.Fatalf("nulls: %+v %v", nulls.Session, nulls.Err)
	}
	if nulls.Session.Data != nil || nulls.Session.State != nil || len(nulls.Runs) != 0 {
		t.Errorf("nulls: data=%s state=%s runs=%d", nulls.Session.Data, nulls.Session.State,
			len(nulls.Runs))
	}
	if s := items["string-null"]; s.Err != nil || s.Session.State != nil || len(s.Runs) != 0 {
		t.Errorf("string-null: %+v %v", s.Session, s.Err)
	}
}

func TestRunsOfEveryKind(t *testing.T) {
	db, path := agnoTable(t, "agno_sessions")
	teamRuns := `[{"run_id": "t1", "team_id": "squad", "status": "COMPLETED"},
		{"run_id": "m1", "agent_id": "member", "parent_run_id": "t1", "status": "COMPLETED"},
		{"run_id": "t2", "agent_id": null, "team_id": "squad", "status": "ERROR"}]`
	workflowRuns := `[{"run_id": "w1", "workflow_id": "flow", "input": {"topic": "x"},
		"step_results": [], "step_executor_runs": [], "status": "COMPLETED"}]`
	agentRuns := `[{"run_id": "a1", "agent_id": "a"}, 7, null, {"no_id": true},
		{"run_id": "a1", "agent_id": "a", "status": "ERROR"}, {"run_id": "x1", "input": {}},
		{"run_id": 12, "agent_id": "a"}, {"run_id": "a2", "agent_id": "a"}]`
	insertRows(t, db, "agno_sessions", []agnoRow{
		{id: "team", typ: "team", team: "squad", runs: teamRuns},
		{id: "workflow", typ: "workflow", workflow: "flow", runs: workflowRuns,
			wfData: `{"name": "Flow"}`},
		{id: "agent", typ: "agent", agent: "a", runs: agentRuns},
	})
	items := readAll(t, path, agnodb.Options{})

	team := items["team"]
	if got := runIDs(team.Runs); !slices.Equal(got, []string{"t1", "m1", "t2"}) {
		t.Errorf("team runs = %v, want t1 m1 t2", got)
	}
	if len(team.Runs) == 3 && (team.Runs[1].ParentRunID != "t1" || team.Runs[2].TeamID != "squad") {
		t.Errorf("team runs = %+v", team.Runs)
	}
	workflow := items["workflow"]
	if got := runIDs(workflow.Runs); !slices.Equal(got, []string{"w1"}) {
		t.Errorf("workflow runs = %v, want w1 (workflow runs need no agent_id)", got)
	}
	if string(workflow.Session.WorkflowData) != `{"name": "Flow"}` {
		t.Errorf("workflow data = %s", workflow.Session.WorkflowData)
	}

	agent := items["agent"]
	if got := runIDs(agent.Runs); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Errorf("agent runs = %v, want a1 a2", got)
	}
	wantLeft := []struct {
		index int
		runID string
		cause string
	}{
		{1, "", "not a JSON object"},
		{2, "", "null entry"},
		{3, "", "run_id is missing"},
		{4, "a1", "repeats an earlier run_id"},
		{5, "x1", "neither agent_id nor team_id"},
		{6, "", "invalid run record"},
	}
	if len(agent.LeftOut) != len(wantLeft) {
		t.Fatalf("left out %+v, want %d entries", agent.LeftOut, len(wantLeft))
	}
	for i, w := range wantLeft {
		got := agent.LeftOut[i]
		if got.Index != w.index || got.RunID != w.runID || !strings.Contains(got.Reason, w.cause) {
			t.Errorf("left out[%d] = %+v, want index %d, run %q, reason with %q", i, got,
				w.index, w.runID, w.cause)
		}
	}
}

func runIDs(runs []*agentos.Run) []string {
	ids := []string{}
	for _, r := range runs {
		ids = append(ids, r.RunID)
	}
	return ids
}

func TestLenientValues(t *testing.T) {
	db, path := agnoTable(t, "agno_sessions")
	insertRows(t, db, "agno_sessions", []agnoRow{
		// Python writes NaN and Infinity for floats JSON cannot hold.
		{id: "nan", typ: "agent", agent: "a",
			data: `"{\"session_state\": {\"x\": NaN, \"y\": -Infinity, \"s\": \"NaN\"}}"`},
		{id: "name-number", typ: "agent", agent: "a", data: `{"session_name": 42}`},
		{id: "float-times", typ: "agent", agent: "a", created: 100.7, updated: "200"},
		{id: "iso-time", typ: "agent", agent: "a", created: "2026-12-04T11:26:16Z"},
		{id: "no-time", typ: "agent", agent: "a", created: 0,
			runs: `[{"run_id": "r", "agent_id": "a", "status": "COMPLETED", "created_at": 300}]`},
		{id: "bad-time", typ: "agent", agent: "a", created: "yesterday"},
		{id: "bad-json", typ: "agent", agent: "a", data: `"{\"session_state\": {"`},
		{id: "not-object", typ: "agent", agent: "a", data: `"[1, 2]"`},
		{id: "not-array", typ: "agent", agent: "a", runs: `{"run_id": "r"}`},
		{id: "plain-string", typ: "agent", agent: "a", data: `"hello"`},
	})
	items := readAll(t, path, agnodb.Options{})

	nan := items["nan"]
	if nan.Err != nil || string(nan.Session.State) != `{"x": null, "y": null, "s": "NaN"}` {
		t.Errorf("nan: state %s, err %v", nan.Session.State, nan.Err)
	}
	if len(nan.Warnings) != 1 || !strings.Contains(nan.Warnings[0], "2 NaN or Infinity") {
		t.Errorf("nan: warnings %q", nan.Warnings)
	}
	named := items["name-number"]
	if named.Err != nil || named.Session.Name == nil || *named.Session.Name != "42" ||
		len(named.Warnings) != 1 {
		t.Errorf("name-number: %+v %v %q", named.Session, named.Err, named.Warnings)
	}
	floats := items["float-times"].Session
	if floats.CreatedAt != 100 || floats.UpdatedAt != 200 {
		t.Errorf("float-times: %d/%d, want 100/200", floats.CreatedAt, floats.UpdatedAt)
	}
	if iso := items["iso-time"].Session; iso.CreatedAt != 1796383576 {
		t.Errorf("iso-time: created_at %d, want 1796383576", iso.CreatedAt)
	}
	noTime := items["no-time"]
	if noTime.Session.CreatedAt != 300 || len(noTime.Warnings) != 1 {
		t.Errorf("no-time: created_at %d warnings %q, want the first run's 300",
			noTime.Session.CreatedAt, noTime.Warnings)
	}
	failures := map[string]string{
		"bad-time":     "column created_at: invalid timestamp \"yesterday\"",
		"bad-json":     "column session_data: a JSON string that does not contain a JSON document",
		"not-object":   "column session_data: expected a JSON object",
		"not-array":    "column runs: expected a JSON array of runs",
		"plain-string": "column session_data: a JSON string that does not contain",
	}
	for id, want := range failures {
		it := items[id]
		if it.Err == nil || !strings.Contains(it.Err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", id, it.Err, want)
			continue
		}
		if !strings.HasPrefix(it.Err.Error(), "session "+id+": ") {
			t.Errorf("%s: error %q does not name the session", id, it.Err)
		}
	}
}

// TestTimesOutsidePythonYears reads times that no client can print as an
// ISO date, because Python's datetime ends at year 9999. They count as
// missing, with a warning, so one bad row cannot break every session list.
func TestTimesOutsidePythonYears(t *testing.T) {
	db, path := agnoTable(t, "agno_sessions")
	insertRows(t, db, "agno_sessions", []agnoRow{
		{id: "far-created", typ: "agent", agent: "a", created: int64(99999999999999),
			runs: `[{"run_id": "r", "agent_id": "a", "created_at": 300}]`},
		{id: "far-updated", typ: "agent", agent: "a", created: 100, updated: 1e300},
		{id: "last-second", typ: "agent", agent: "a", created: int64(253402300799)},
	})
	items := readAll(t, path, agnodb.Options{})

	created := items["far-created"]
	if created.Err != nil || created.Session.CreatedAt != 300 {
		t.Errorf("far-created: created_at %d, err %v, want the first run's 300",
			created.Session.CreatedAt, created.Err)
	}
	if len(created.Warnings) == 0 || !strings.Contains(created.Warnings[0], "9999") {
		t.Errorf("far-created: warnings %q, want one naming the year range", created.Warnings)
	}
	updated := items["far-updated"]
	if updated.Err != nil || updated.Session.UpdatedAt != 100 {
		t.Errorf("far-updated: updated_at %d, err %v, want created_at 100",
			updated.Session.UpdatedAt, updated.Err)
	}
	if len(updated.Warnings) != 1 {
		t.Errorf("far-updated: warnings %q, want one", updated.Warnings)
	}
	last := items["last-second"]
	if last.Session.CreatedAt != 253402300799 || len(last.Warnings) != 0 {
		t.Errorf("last-second: created_at %d, warnings %q, want the time kept",
			last.Session.CreatedAt, last.Warnings)
	}
}

// TestFileNameWithURICharacters reads a database whose file name contains
// characters that SQLite URIs give a meaning to, and checks that no other
// file appears beside it.
func TestFileNameWithURICharacters(t *testing.T) {
	data, err := os.ReadFile(referenceDB)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"my?db.db", "a#b.db", "50%.db", "100%25.db"} {
		dir := t.TempDir()
		source := filepath.Join(dir, name)
		if err := os.WriteFile(source, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if items := readAll(t, source, agnodb.Options{}); len(items) != 10 {
			t.Errorf("%s: read %d sessions, want 10", name, len(items))
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), name) {
				t.Errorf("%s: reading created the file %q", name, e.Name())
			}
		}
	}
}

func TestRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a database at all, just some text"), 0o644); err != nil {
		t.Fatal(err)
	}
	blank := filepath.Join(dir, "blank.db")
	if err := os.WriteFile(blank, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	execSQL(t, other, `CREATE TABLE agno_sessions (session_id TEXT, runs TEXT)`)
	unrelated := filepath.Join(dir, "unrelated.db")
	execSQL(t, unrelated, `CREATE TABLE things (id INTEGER)`)
	_, renamed := agnoTable(t, "team_sessions")
	ours := filepath.Join(dir, "app.db")
	store, err := sqlite.Open(context.Background(), ours, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()

	cases := []struct {
		source, want string
	}{
		{text, "is not a SQLite database"},
		{filepath.Join(dir, "missing.db"), "does not exist"},
		{dir, "is a folder"},
		{blank, "is empty, so it is not an agno database"},
		{unrelated, "has no table agno_sessions, so it is not an agno database"},
		{other, "lacks the agno columns session_type, agent_id"},
		{renamed, "table team_sessions has agno's session columns: give --table team_sessions"},
		{ours, "is an AgentOS-Go session database, not an agno one"},
	}
	for _, tc := range cases {
		_, err := agnodb.Open(context.Background(), tc.source, agnodb.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("open %s: error %v, want one containing %q", tc.source, err, tc.want)
		}
	}
	_, err = agnodb.Open(context.Background(), referenceDB, agnodb.Options{Table: "x; DROP"})
	if err == nil || !strings.Contains(err.Error(), "invalid table name") {
		t.Errorf("unsafe table name: %v", err)
	}
}

func execSQL(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatal(err)
	}
}

func TestOpensReadOnly(t *testing.T) {
	db, path := agnoTable(t, "agno_sessions")
	insertRows(t, db, "agno_sessions", []agnoRow{{id: "s", typ: "agent", agent: "a"}})
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, path, agnodb.Options{})
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Errorf("reading changed the agno file")
	}
}

func TestDecodeColumn(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"null", ""},
		{`"null"`, ""},
		{`"{\"a\": 1}"`, `{"a": 1}`},
		{[]byte(`{"a": 1}`), `{"a": 1}`},
		{`[1, 2]`, `[1, 2]`},
		{`"[NaN, Infinity, -Infinity, \"NaN\"]"`, `[null, null, null, "NaN"]`},
		{`{"a": NaN}`, `{"a": null}`},
		{`"\"x\""`, `"x"`},
		{`"  {\"a\": 1}  "`, `  {"a": 1}  `},
		{`3`, `3`},
	}
	for _, tc := range cases {
		got, err := agnodb.DecodeColumn(tc.in)
		if err != nil {
			t.Errorf("DecodeColumn(%v): %v", tc.in, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("DecodeColumn(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, bad := range []any{`{`, `"not json inside"`, 42, `"{\"a\": nan}"`, `[Infinit]`} {
		if _, err := agnodb.DecodeColumn(bad); err == nil {
			t.Errorf("DecodeColumn(%v) succeeded, want an error", bad)
		}
	}
}

func TestAgnoURLForms(t *testing.T) {
	cases := []struct {
		source, normal string
		postgres       bool
	}{
		{"tmp/agno.db", "tmp/agno.db", false},
		{"sqlite:///tmp/agno.db", "tmp/agno.db", false},
		{"sqlite:////var/lib/agno.db", "/var/lib/agno.db", false},
		{"postgres://ai@db/ai", "postgres://ai@db/ai", true},
		{"postgresql+psycopg://ai:ai@localhost:5532/ai", "postgresql://ai:ai@localhost:5532/ai",
			true},
		{"postgresql+psycopg2://h/d", "postgresql://h/d", true},
		{"postgresql+asyncpg://h/d", "postgresql://h/d", true},
		{"mysql+pymysql://h/d", "mysql+pymysql://h/d", false},
		{"postgres.db", "postgres.db", false},
	}
	for _, tc := range cases {
		if got := agnodb.NormalizeSource(tc.source); got != tc.normal {
			t.Errorf("NormalizeSource(%q) = %q, want %q", tc.source, got, tc.normal)
		}
		if got := agnodb.IsPostgresURL(tc.source); got != tc.postgres {
			t.Errorf("IsPostgresURL(%q) = %v, want %v", tc.source, got, tc.postgres)
		}
	}
	abs, err := filepath.Abs(referenceDB)
	if err != nil {
		t.Fatal(err)
	}
	if items := readAll(t, "sqlite:///"+abs, agnodb.Options{}); len(items) != 10 {
		t.Errorf("read %d sessions through sqlite:///%s, want 10", len(items), abs)
	}
}
