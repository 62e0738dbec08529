package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
	"github.com/agentos-go/agentos/internal/agnotest"
	"github.com/agentos-go/agentos/internal/pgtest"
	"github.com/agentos-go/agentos/internal/recording"
	"github.com/agentos-go/agentos/postgres"
	"github.com/agentos-go/agentos/server"
	"github.com/agentos-go/agentos/sqlite"
)

const agnoReference = "../testdata/agno-2.9/agno-reference.db"

// importedServer imports the agno sessions that reader yields into store
// and serves store on loopback.
func importedServer(t *testing.T, reader *agnodb.Reader,
	store agentos.SessionStore) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	err := reader.Each(ctx, func(it agnodb.Item) error {
		if it.Err != nil {
			return it.Err
		}
		if len(it.LeftOut) > 0 || len(it.Warnings) > 0 {
			t.Errorf("session %s: left out %v, warnings %q", it.Session.ID, it.LeftOut,
				it.Warnings)
		}
		_, err := store.ImportSession(ctx, it.Session, it.Runs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// importSetup names where agno's sessions are read from and where they are
// imported to.
type importSetup struct {
	name   string
	source func(t *testing.T, sqlitePath string) *agnodb.Reader
	target func(t *testing.T) agentos.SessionStore
}

// importSetups covers agno's SQLite file and its PostgreSQL layout as
// sources, and both stores of this server as targets. The PostgreSQL ones
// are skipped when no server answers, as pgtest.URL does.
var importSetups = []importSetup{
	{"sqlite to sqlite", sqliteSource, sqliteTarget},
	{"postgres to postgres", postgresSource, postgresTarget},
	{"postgres to sqlite", postgresSource, sqliteTarget},
}

func sqliteSource(t *testing.T, path string) *agnodb.Reader {
	t.Helper()
	reader, err := agnodb.Open(context.Background(), path, agnodb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reader.Close() })
	return reader
}

// postgresSource copies the agno SQLite file at path into agno's
// PostgreSQL layout in a new schema and opens that.
func postgresSource(t *testing.T, path string) *agnodb.Reader {
	t.Helper()
	url := pgtest.URL(t)
	schema := pgtest.Schema(t, url)
	agnotest.CopyToPostgres(t, path, url, schema, agnodb.DefaultTable)
	reader, err := agnodb.Open(context.Background(), url, agnodb.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reader.Close() })
	return reader
}

func sqliteTarget(t *testing.T) agentos.SessionStore {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"),
		sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

func postgresTarget(t *testing.T) agentos.SessionStore {
	t.Helper()
	url := pgtest.URL(t)
	store, err := postgres.Open(context.Background(), url,
		postgres.Options{Schema: pgtest.Schema(t, url)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// referenceServer imports agno's reference database as setup says and
// serves the result.
func referenceServer(t *testing.T, setup importSetup, path string) *httptest.Server {
	t.Helper()
	return importedServer(t, setup.source(t, path), setup.target(t))
}

func loadRecordings(t *testing.T) []*recording.Exchange {
	t.Helper()
	exchanges, err := recording.LoadAll("../testdata/agno-2.9/recordings")
	if err != nil {
		t.Fatal(err)
	}
	return exchanges
}

func findRecording(t *testing.T, exchanges []*recording.Exchange, name string) *recording.Exchange {
	t.Helper()
	ex := recording.Find(exchanges, name)
	if ex == nil {
		t.Fatalf("no recording %s", name)
	}
	return ex
}

// replay sends the recorded request to the server at baseURL and returns
// the status and the decoded JSON body.
func replay(t *testing.T, baseURL string, ex *recording.Exchange) (int, any) {
	t.Helper()
	req, err := ex.Request.NewHTTPRequest(context.Background(), baseURL)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, decodeJSON(t, "our body", body)
}

func decodeJSON(t *testing.T, what string, body []byte) any {
	t.Helper()
	if len(body) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: invalid JSON %q: %v", what, body, err)
	}
	return v
}

func compareBodies(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("body differs from the recording\n got: %s\nwant: %s", g, w)
	}
}

// TestImportedReferenceMatchesRecordings imports the database agno wrote
// while the recordings were made and replays every recorded exchange whose
// response does not depend on state that changed later. Status and JSON body
// must equal agno's.
//
// The other exchanges are left out because a later one changed what they
// read: the listings 24 to 40 ran before sessions were renamed, patched and
// deleted, and the writes 12 to 16, 23, 70, 71 and 75 to 79 changed sessions
// that later writes changed again.
func TestImportedReferenceMatchesRecordings(t *testing.T) {
	for _, setup := range importSetups {
		t.Run(setup.name, func(t *testing.T) {
			replayFinalState(t, referenceServer(t, setup, agnoReference))
		})
	}
}

func replayFinalState(t *testing.T, ts *httptest.Server) {
	exchanges := loadRecordings(t)
	cases := []struct {
		name string
		// bodyFrom names a later write whose response showed the session's
		// final state. A read now returns that state, without the null
		// members that agno prints in PATCH responses only.
		bodyFrom string
	}{
		// The last listing, made after every other change.
		{name: "96-sessions-list-final"},
		// The team session never changed after it was created.
		{name: "26-sessions-list-type-team"},
		{name: "49-sessions-list-huge-limit"},
		{name: "54-session-get-team"},
		// The PATCH of 79 was the last change to rec-chat, and the empty
		// PATCH of 78 the last change to rec-s-full.
		{name: "51-session-get", bodyFrom: "79-session-patch-run-session"},
		{name: "52-session-get-typed", bodyFrom: "78-session-patch-empty"},
		// Runs of rec-chat: its runs never changed afterwards.
		{name: "60-session-runs"},
		{name: "61-session-runs-created-after"},
		{name: "62-session-runs-created-before"},
		{name: "66-session-run-get"},
		{name: "67-session-run-get-unknown-run-404"},
		{name: "63-session-runs-empty"},
		{name: "68-session-run-get-no-runs-404"},
		// Reads of missing sessions, including one deleted by 83.
		{name: "55-session-get-unknown-404"},
		{name: "56-session-get-unknown-typed-404"},
		{name: "58-session-get-wrong-user-404"},
		{name: "64-session-runs-unknown-404"},
		{name: "69-session-run-get-unknown-session-404"},
		{name: "84-session-get-after-delete-404"},
		// Rejected requests, which change nothing.
		{name: "17-sessions-create-duplicate-409"},
		{name: "18-sessions-create-duplicate-of-run-session-409"},
		{name: "19-sessions-create-malformed-json"},
		{name: "20-sessions-create-bad-field-type"},
		{name: "21-sessions-create-bad-type-param"},
		{name: "22-sessions-create-array-body"},
		{name: "41-sessions-list-limit0-422"},
		{name: "42-sessions-list-limit-neg-422"},
		{name: "43-sessions-list-limit-nan-422"},
		{name: "44-sessions-list-page-neg-422"},
		{name: "45-sessions-list-sort-order-sideways-422"},
		{name: "46-sessions-list-bad-type-422"},
		{name: "47-sessions-list-multi-422"},
		{name: "59-session-get-bad-type-422"},
		{name: "65-session-runs-bad-ts-422"},
		{name: "72-session-rename-missing-422"},
		{name: "73-session-rename-malformed-422"},
		{name: "74-session-rename-unknown-404"},
		{name: "80-session-patch-unknown-404"},
		{name: "81-session-patch-malformed-422"},
		{name: "82-session-patch-bad-field-422"},
		{name: "88-sessions-bulk-delete-mismatch-400"},
		{name: "89-sessions-bulk-delete-empty-422"},
		{name: "90-sessions-bulk-delete-malformed-422"},
		{name: "91-sessions-bulk-delete-nobody-422"},
		{name: "92-sessions-bulk-delete-bad-type-422"},
		// Deleting a missing session returns 204 and deletes nothing.
		{name: "86-session-delete-unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ex := findRecording(t, exchanges, tc.name)
			status, got := replay(t, ts.URL, ex)
			if status != ex.Response.StatusCode {
				t.Fatalf("status %d, recorded %d; body %v", status, ex.Response.StatusCode, got)
			}
			want := decodeJSON(t, "recorded body", ex.Response.Body)
			if tc.bodyFrom != "" {
				later := findRecording(t, exchanges, tc.bodyFrom)
				want = dropNullMembers(decodeJSON(t, "recorded body", later.Response.Body))
			}
			// agno never measures search_time_ms and always sends 0.0.
			for _, v := range []any{got, want} {
				if m, ok := v.(map[string]any); ok {
					if meta, ok := m["meta"].(map[string]any); ok {
						delete(meta, "search_time_ms")
					}
				}
			}
			if tc.name == "96-sessions-list-final" {
				// agno orders sessions created in the same second as the
				// database happens to return them. This server breaks
				// such ties by session_id, so pages are stable: put the
				// recorded page in that order before comparing.
				sortNewestFirst(want)
			}
			compareBodies(t, got, want)
		})
	}
}

// dropNullMembers removes the members of a top-level object whose value is
// null.
func dropNullMembers(v any) any {
	if m, ok := v.(map[string]any); ok {
		for k, member := range m {
			if member == nil {
				delete(m, k)
			}
		}
	}
	return v
}

// sortNewestFirst orders the data items of a list body by created_at, then
// session_id, both descending.
func sortNewestFirst(body any) {
	data := body.(map[string]any)["data"].([]any)
	key := func(i int) (string, string) {
		item := data[i].(map[string]any)
		return item["created_at"].(string), item["session_id"].(string)
	}
	sort.SliceStable(data, func(i, j int) bool {
		ci, si := key(i)
		cj, sj := key(j)
		if ci != cj {
			return ci > cj
		}
		return si > sj
	})
}

// TestImportedReferenceFixes replays the recorded exchanges where this
// server deliberately responds otherwise than agno 2.9.0, and checks the
// fixed response.
func TestImportedReferenceFixes(t *testing.T) {
	exchanges := loadRecordings(t)

	t.Run("48-sessions-list-unknown-db-id", func(t *testing.T) {
		// agno wraps the error as 404 with the detail "404: No database
		// found with id 'nope'". This server keeps the status and drops
		// the status text from the detail.
		ts := referenceServer(t, importSetups[0], agnoReference)
		ex := findRecording(t, exchanges, "48-sessions-list-unknown-db-id")
		status, got := replay(t, ts.URL, ex)
		if status != http.StatusNotFound || ex.Response.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d, recorded %d", status, ex.Response.StatusCode)
		}
		compareBodies(t, got, map[string]any{"detail": "No database found with id 'nope'"})
	})

	t.Run("93-session-clear-not-implemented", func(t *testing.T) {
		// agno 2.9.0 has no clear route and returns 404. This server
		// clears the runs, summary and metrics and keeps the name that
		// was shown, so the session still lists under it.
		ts := referenceServer(t, importSetups[0], agnoReference)
		ex := findRecording(t, exchanges, "93-session-clear-not-implemented")
		status, got := replay(t, ts.URL, ex)
		if status != http.StatusOK {
			t.Fatalf("status %d, want 200; body %v", status, got)
		}
		body := got.(map[string]any)
		if body["session_name"] != "My name is Alice." {
			t.Errorf("session_name = %v, want the derived name kept", body["session_name"])
		}
		if history, _ := body["chat_history"].([]any); len(history) != 0 {
			t.Errorf("chat_history has %d messages after a clear", len(history))
		}
		runs := findRecording(t, exchanges, "60-session-runs")
		status, after := replay(t, ts.URL, runs)
		if list, _ := after.([]any); status != http.StatusOK || len(list) != 0 {
			t.Errorf("runs after a clear: status %d, body %v", status, after)
		}
	})
}

// TestImportedNameFixes imports agno rows whose displayed names agno gets
// wrong and checks the names this server lists for them.
func TestImportedNameFixes(t *testing.T) {
	source := filepath.Join(t.TempDir(), "agno.db")
	data, err := os.ReadFile(agnoReference)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(source, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", source)
	if err != nil {
		t.Fatal(err)
	}
	rows := []struct{ id, typ, component, runs, workflowData string }{
		// agno names this session with the whole input object as indented
		// JSON; the fix uses input.input_content.
		{"input-object", "agent", "assistant", `[{"run_id": "r1", "agent_id": "assistant",
			"status": "COMPLETED", "input": {"input_content": "Plan a trip"},
			"messages": [{"role": "assistant", "content": "Where to?"}]}]`, ""},
		// agno fails with 500 on multimodal content; the fix uses the text
		// of the first part that has one.
		{"multimodal", "agent", "assistant", `[{"run_id": "r2", "agent_id": "assistant",
			"status": "COMPLETED", "messages": [{"role": "user", "content": [
			{"type": "image_url", "image_url": {"url": "x"}},
			{"type": "text", "text": "Describe this"}]}]}]`, ""},
		// agno fails with 500 for the whole list on a null workflow_data;
		// the fix reads it as empty.
		{"workflow-null", "workflow", "flow", `[]`, "null"},
	}
	for _, r := range rows {
		runs, _ := json.Marshal(r.runs)
		column := map[string]string{"agent": "agent_id", "workflow": "workflow_id"}[r.typ]
		_, err := db.Exec(`INSERT INTO agno_sessions (session_id, session_type, `+column+`,
			session_data, runs, workflow_data, created_at, updated_at)
			VALUES (?, ?, ?, 'null', ?, ?, 1796400000, 1796400000)`,
			r.id, r.typ, r.component, string(runs), nullText(r.workflowData))
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	for _, setup := range importSetups {
		t.Run(setup.name, func(t *testing.T) {
			checkFixedNames(t, referenceServer(t, setup, source))
		})
	}
}

func checkFixedNames(t *testing.T, ts *httptest.Server) {
	resp, err := http.Get(ts.URL + "/sessions?limit=50&type=agent")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	names := listedNames(t, resp.StatusCode, body)
	if names["input-object"] != "Plan a trip" {
		t.Errorf("input-object is named %q, want the input text", names["input-object"])
	}
	if names["multimodal"] != "Describe this" {
		t.Errorf("multimodal is named %q, want the text part", names["multimodal"])
	}

	resp, err = http.Get(ts.URL + "/sessions?type=workflow")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if name, ok := listedNames(t, resp.StatusCode, body)["workflow-null"]; !ok || name != "" {
		t.Errorf("workflow-null listed %v with name %q, want an empty name", ok, name)
	}
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// listedNames returns the session_name of each session in a list body.
func listedNames(t *testing.T, status int, body []byte) map[string]string {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("list status %d: %s", status, body)
	}
	var list struct {
		Data []struct {
			ID   string `json:"session_id"`
			Name string `json:"session_name"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("list body %s: %v", body, err)
	}
	names := map[string]string{}
	for _, s := range list.Data {
		names[s.ID] = s.Name
	}
	if len(names) == 0 {
		t.Fatalf("empty list: %s", body)
	}
	return names
}
