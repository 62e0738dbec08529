package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/storetesting"
)

const (
	runOne = `{"run_id":"r1","agent_id":"assistant","user_id":"alice","status":"COMPLETED",` +
		`"content":"Hi Alice","content_type":"str","created_at":1772356543,` +
		`"metrics":{"input_tokens":5,"total_tokens":9,"duration":0.004455051999684656},` +
		`"input":{"input_content":"My name is Alice"},` +
		`"messages":[{"id":"m1","content":"system text","from_history":false,"stop_after_tool_call":false,"role":"system","created_at":1772356543},` +
		`{"id":"m2","content":"My name is Alice","from_history":false,"stop_after_tool_call":false,"role":"user","created_at":1772356543},` +
		`{"id":"m3","content":"Hi Alice","from_history":false,"stop_after_tool_call":false,"role":"assistant","metrics":{"input_tokens":5,"output_tokens":0,"total_tokens":9},"created_at":1772356543}]}`
	runTwo = `{"run_id":"r2","agent_id":"assistant","status":"ERROR","created_at":1772356600,` +
		`"messages":[{"id":"m4","content":"My name is Alice","from_history":true,"role":"user","created_at":1772356543},` +
		`{"id":"m5","content":"Again?","role":"user","created_at":1772356600}]}`
	memberRun = `{"run_id":"r3","agent_id":"helper","parent_run_id":"r1","created_at":1772356601,` +
		`"messages":[{"id":"m6","content":"member talk","role":"user","created_at":1772356601}]}`
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestCreateSession(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		resp := ts.do("POST", "/sessions", `{"session_id":"s1","agent_id":"assistant","user_id":"alice",`+
			`"session_name":"Research","session_state":{"topic":"tides"},"metadata":{"k":1},`+
			`"team_id":"ignored","unknown":true}`)
		m := resp.object(t, http.StatusCreated)
		for key, want := range map[string]any{
			"session_id": "s1", "agent_session_id": "s1", "user_id": "alice", "agent_id": "assistant",
			"session_name": "Research", "session_state": map[string]any{"topic": "tides"},
			"metrics": map[string]any{}, "metadata": map[string]any{"k": 1.0},
			"chat_history": []any{},
		} {
			if fmt.Sprint(m[key]) != fmt.Sprint(want) {
				t.Errorf("%s = %v, want %v", key, m[key], want)
			}
		}
		for _, key := range []string{"team_id", "session_summary", "total_tokens", "agent_data"} {
			if _, ok := m[key]; ok {
				t.Errorf("null field %s present in %s", key, resp.body)
			}
		}
		if m["created_at"] != m["updated_at"] {
			t.Errorf("created_at %v and updated_at %v differ", m["created_at"], m["updated_at"])
		}
		stored, err := ts.store.GetSession(context.Background(), "s1", agentos.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		if stored.TeamID != "" || stored.AgentID != "assistant" || stored.Type != agentos.SessionTypeAgent {
			t.Errorf("stored ids agent %q team %q type %q", stored.AgentID, stored.TeamID, stored.Type)
		}
	})
}

func TestCreateSessionWithoutBody(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		for _, body := range []string{"", "{}", "null", `{"session_id":""}`} {
			resp := ts.do("POST", "/sessions", body)
			m := resp.object(t, http.StatusCreated)
			id, _ := m["session_id"].(string)
			if !uuidPattern.MatchString(id) {
				t.Errorf("body %q: session_id %q is not a random UUID", body, id)
			}
			want := fmt.Sprintf(`{"agent_session_id":%q,"session_id":%q,"session_name":"",`+
				`"chat_history":[],"created_at":%q,"updated_at":%q}`, id, id, m["created_at"], m["updated_at"])
			if string(resp.body) != want {
				t.Errorf("body %q: got %s, want %s", body, resp.body, want)
			}
		}
	})
}

func TestCreateSessionTypes(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		team := ts.do("POST", "/sessions?type=team", `{"team_id":"crew","agent_id":"x","session_name":"T"}`).
			object(t, http.StatusCreated)
		if team["team_id"] != "crew" || team["agent_id"] != nil || team["agent_session_id"] != nil {
			t.Errorf("team session: %v", team)
		}
		wf := ts.do("POST", "/sessions?type=workflow", `{"workflow_id":"etl","session_state":{"a":1}}`).
			object(t, http.StatusCreated)
		if wf["workflow_id"] != "etl" || fmt.Sprint(wf["session_data"]) != "map[session_state:map[a:1]]" {
			t.Errorf("workflow session: %v", wf)
		}
		got := ts.do("GET", "/sessions?type=workflow", "").object(t, http.StatusOK)
		if n := len(got["data"].([]any)); n != 1 {
			t.Errorf("type=workflow lists %d sessions, want 1", n)
		}
	})
}

func TestCreateSessionConflictTouchesNothing(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"dup","session_name":"First","user_id":"alice"}`)
		before := ts.do("GET", "/sessions/dup", "")
		ts.do("POST", "/sessions?type=team", `{"session_id":"dup","session_name":"Second"}`).detail(t,
			http.StatusConflict, "Session with id 'dup' already exists. Use PATCH /sessions/dup to update it.")
		after := ts.do("GET", "/sessions/dup", "")
		if string(before.body) != string(after.body) {
			t.Errorf("conflicting create changed the session:\nbefore %s\nafter  %s",
				before.body, after.body)
		}
	})
}

func TestCreateSessionValidation(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		for _, tc := range []struct {
			name, target, body, want string
		}{
			{"malformed JSON", "/sessions", `{"session_id": "broken",`,
				`{"detail":[{"type":"json_invalid","loc":["body",24],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting property name enclosed in double quotes"}}]}`},
			{"state not an object", "/sessions", `{"session_state":"nope"}`,
				`{"detail":[{"type":"dict_type","loc":["body","session_state"],"msg":"Input should be a valid dictionary","input":"nope"}]}`},
			{"array body", "/sessions", `[]`,
				`{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[]}]}`},
			{"unknown type", "/sessions?type=bogus", `{}`,
				`{"detail":[{"type":"enum","loc":["query","type"],"msg":"Input should be 'agent', 'team' or 'workflow'","input":"bogus","ctx":{"expected":"'agent', 'team' or 'workflow'"}}]}`},
			{"query and body items together", "/sessions?type=bot", `{"session_name":5,"metadata":[1],"user_id":false}`,
				`{"detail":[{"type":"enum","loc":["query","type"],"msg":"Input should be 'agent', 'team' or 'workflow'","input":"bot","ctx":{"expected":"'agent', 'team' or 'workflow'"}},` +
					`{"type":"string_type","loc":["body","session_name"],"msg":"Input should be a valid string","input":5},` +
					`{"type":"dict_type","loc":["body","metadata"],"msg":"Input should be a valid dictionary","input":[1]},` +
					`{"type":"string_type","loc":["body","user_id"],"msg":"Input should be a valid string","input":false}]}`},
			{"non-ASCII offset in characters", "/sessions", `{"session_name":"é",`,
				`{"detail":[{"type":"json_invalid","loc":["body",20],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting property name enclosed in double quotes"}}]}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := ts.do("POST", tc.target, tc.body)
				resp.expect(t, http.StatusUnprocessableEntity)
				if string(resp.body) != tc.want {
					t.Errorf("got  %s\nwant %s", resp.body, tc.want)
				}
			})
		}
		if got := ts.do("GET", "/sessions", "").object(t, http.StatusOK)["meta"].(map[string]any); got["total_count"] != 0.0 {
			t.Errorf("rejected creates stored sessions: %v", got)
		}
	})
}

func TestCreateSessionBodyErrors(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		resp := ts.do("POST", "/sessions", "{\"session_name\":\"\xff\"}")
		resp.detail(t, http.StatusBadRequest, "There was an error parsing the body")
		deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
		ts.do("POST", "/sessions", `{"session_state":{"x":`+deep+`}}`).detail(t,
			http.StatusBadRequest, "There was an error parsing the body")
		// A byte order mark is dropped, as Python's utf-8-sig decoding does.
		ts.do("POST", "/sessions", "\ufeff{\"session_id\":\"bom\"}").expect(t, http.StatusCreated)
	})
}

func TestDatabaseSelection(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1"}`)
		for _, tc := range []struct {
			method, target string
			status         int
			detail         string
		}{
			{"GET", "/sessions?db_id=nope", 404, "No database found with id 'nope'"},
			{"GET", "/sessions?table=agno_sessions", 400, "The db_id query parameter is required when passing a table"},
			{"GET", "/sessions?db_id=" + DefaultDBID + "&table=other", 404,
				"No database with id '" + DefaultDBID + "' has table 'other'"},
			{"GET", "/sessions/s1?db_id=nope", 404, "No database found with id 'nope'"},
			{"GET", "/sessions/s1/runs?table=x", 400, "The db_id query parameter is required when passing a table"},
			{"DELETE", "/sessions/s1?db_id=nope", 404, "No database found with id 'nope'"},
			{"POST", "/sessions?db_id=nope", 404, "No database found with id 'nope'"},
			{"POST", "/sessions/s1/rename?db_id=nope", 404, "No database found with id 'nope'"},
		} {
			body := ""
			if tc.method == "POST" {
				body = `{"session_name":"x"}`
			}
			ts.do(tc.method, tc.target, body).detail(t, tc.status, tc.detail)
		}
		for _, target := range []string{
			"/sessions?db_id=" + DefaultDBID,
			"/sessions?db_id=" + DefaultDBID + "&table=agno_sessions",
			"/sessions?db_id=&table=",
		} {
			ts.do("GET", target, "").expect(t, http.StatusOK)
		}
		// POST /sessions has no table parameter, so agno ignores one.
		ts.do("POST", "/sessions?table=other", "").expect(t, http.StatusCreated)
		if _, err := ts.store.GetSession(context.Background(), "s1", agentos.Scope{}); err != nil {
			t.Errorf("DELETE with an unknown db_id deleted the session: %v", err)
		}
	})
}

// seedList creates sessions with distinct, known times and names.
func seedList(t *testing.T, ts *testServer) {
	t.Helper()
	alice, bob := "alice", "bob"
	for i, s := range []*agentos.Session{
		{ID: "a", Type: agentos.SessionTypeAgent, AgentID: "assistant", UserID: &alice, CreatedAt: 100, UpdatedAt: 500},
		{ID: "b", Type: agentos.SessionTypeAgent, AgentID: "researcher", UserID: &bob, CreatedAt: 200, UpdatedAt: 300},
		{ID: "c", Type: agentos.SessionTypeTeam, TeamID: "assistant", UserID: &alice, CreatedAt: 300, UpdatedAt: 300},
		{ID: "d", Type: agentos.SessionTypeWorkflow, WorkflowID: "etl", CreatedAt: 300, UpdatedAt: 400},
	} {
		name := []string{"straße plans", "100% sure", "tides", "nightly_job"}[i]
		s.Name = &name
		if err := ts.store.CreateSession(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
}

// listIDs returns the session ids of a list response in order.
func listIDs(t *testing.T, ts *testServer, query string) ([]string, map[string]any) {
	t.Helper()
	m := ts.do("GET", "/sessions"+query, "").object(t, http.StatusOK)
	var ids []string
	for _, item := range m["data"].([]any) {
		ids = append(ids, item.(map[string]any)["session_id"].(string))
	}
	return ids, m["meta"].(map[string]any)
}

func TestListSessions(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		seedList(t, ts)
		for _, tc := range []struct {
			query string
			want  string
		}{
			{"", "d c b a"},
			{"?sort_order=asc", "a b c d"},
			{"?sort_by=updated_at", "a d c b"},
			{"?sort_by=session_id&sort_order=asc", "a b c d"},
			{"?sort_by=session_name&sort_order=asc", "b d a c"},
			{"?type=agent", "b a"},
			{"?type=team&component_id=assistant", "c"},
			{"?component_id=assistant", "c a"},
			{"?user_id=alice", "c a"},
			{"?user_id=", ""},
			{"?session_name=STRASSE", "a"},
			{"?session_name=%25", "b"},
			{"?session_name=_", "d"},
			{"?limit=2", "d c"},
			{"?limit=2&page=2", "b a"},
			{"?limit=2&page=0", "d c"},
			{"?limit=2&page=3", ""},
			{"?limit=2&limit=3", "d c b"},
			{"?type=agent&component_id=assistant&user_id=alice&session_name=plan&sort_by=updated_at&sort_order=asc&limit=5&page=1", "a"},
		} {
			ids, _ := listIDs(t, ts, tc.query)
			if got := strings.Join(ids, " "); got != tc.want {
				t.Errorf("GET /sessions%s = [%s], want [%s]", tc.query, got, tc.want)
			}
		}
		_, meta := listIDs(t, ts, "?limit=3&page=0")
		want := map[string]any{"page": 0.0, "limit": 3.0, "total_pages": 2.0, "total_count": 4.0}
		for k, v := range want {
			if meta[k] != v {
				t.Errorf("meta %s = %v, want %v", k, meta[k], v)
			}
		}
		if _, ok := meta["search_time_ms"].(float64); !ok {
			t.Errorf("meta search_time_ms = %v, want a number", meta["search_time_ms"])
		}
	})
}

func TestListSessionsEmptyMeta(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		resp := ts.do("GET", "/sessions?limit=9223372036854775807&page=9223372036854775807", "")
		resp.expect(t, http.StatusOK)
		want := `{"data":[],"meta":{"page":9223372036854775807,"limit":9223372036854775807,` +
			`"total_pages":0,"total_count":0,"search_time_ms":`
		if !strings.HasPrefix(string(resp.body), want) {
			t.Errorf("got %s, want prefix %s", resp.body, want)
		}
	})
}

func TestListSessionsValidation(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		for _, tc := range []struct{ query, want string }{
			{"limit=0", `[{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]`},
			{"limit=abc", `[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]`},
			{"page=-1", `[{"type":"greater_than_equal","loc":["query","page"],"msg":"Input should be greater than or equal to 0","input":"-1","ctx":{"ge":0}}]`},
			{"limit=99999999999999999999", `[{"type":"less_than_equal","loc":["query","limit"],"msg":"Input should be less than or equal to 9223372036854775807","input":"99999999999999999999","ctx":{"le":9223372036854775807}}]`},
			{"page=-99999999999999999999", `[{"type":"greater_than_equal","loc":["query","page"],"msg":"Input should be greater than or equal to 0","input":"-99999999999999999999","ctx":{"ge":0}}]`},
			{"sort_by=keys", `[{"type":"enum","loc":["query","sort_by"],"msg":"Input should be 'created_at', 'updated_at', 'session_id', 'session_type', 'agent_id', 'team_id', 'workflow_id', 'user_id' or 'session_name'","input":"keys","ctx":{"expected":"'created_at', 'updated_at', 'session_id', 'session_type', 'agent_id', 'team_id', 'workflow_id', 'user_id' or 'session_name'"}}]`},
			{"sort_order=up&type=Agent", `[{"type":"enum","loc":["query","type"],"msg":"Input should be 'agent', 'team' or 'workflow'","input":"Agent","ctx":{"expected":"'agent', 'team' or 'workflow'"}},{"type":"enum","loc":["query","sort_order"],"msg":"Input should be 'asc' or 'desc'","input":"up","ctx":{"expected":"'asc' or 'desc'"}}]`},
		} {
			resp := ts.do("GET", "/sessions?"+tc.query, "")
			resp.expect(t, http.StatusUnprocessableEntity)
			if want := `{"detail":` + tc.want + `}`; string(resp.body) != want {
				t.Errorf("%s:\n got %s\nwant %s", tc.query, resp.body, want)
			}
		}
		// pydantic reads " 5 ", "+5" and "5.0" as 5.
		for _, v := range []string{"%205%20", "%2B5", "5.0"} {
			_, meta := listIDs(t, ts, "?limit="+v)
			if meta["limit"] != 5.0 {
				t.Errorf("limit=%s echoed as %v, want 5", v, meta["limit"])
			}
		}
	})
}

func TestGetSession(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1","agent_id":"assistant","user_id":"alice"}`)
		ts.addRun("s1", runOne)
		ts.addRun("s1", runTwo)
		ts.addRun("s1", memberRun)
		resp := ts.do("GET", "/sessions/s1", "")
		m := resp.object(t, http.StatusOK)
		if m["session_name"] != "My name is Alice" {
			t.Errorf("session_name = %v, want the first user message", m["session_name"])
		}
		history, _ := json.Marshal(m["chat_history"])
		sameJSON(t, history, `[
			{"id":"m2","content":"My name is Alice","from_history":false,"stop_after_tool_call":false,"role":"user","created_at":1772356543},
			{"id":"m3","content":"Hi Alice","from_history":false,"stop_after_tool_call":false,"role":"assistant","metrics":{"input_tokens":5,"total_tokens":9},"created_at":1772356543},
			{"id":"m5","content":"Again?","from_history":false,"stop_after_tool_call":false,"role":"user","created_at":1772356600}]`)

		ts.do("GET", "/sessions/s1?type=agent", "").expect(t, http.StatusOK)
		ts.do("GET", "/sessions/s1?type=team", "").detail(t, http.StatusNotFound,
			"Team Session with id 's1' not found")
		ts.do("GET", "/sessions/nope", "").detail(t, http.StatusNotFound, "Session with id 'nope' not found")
		ts.do("GET", "/sessions/nope?type=workflow", "").detail(t, http.StatusNotFound,
			"Workflow Session with id 'nope' not found")
		ts.do("GET", "/sessions/s1?user_id=mallory", "").detail(t, http.StatusNotFound,
			"Session with id 's1' not found")
		ts.do("GET", "/sessions/s1?user_id=alice", "").expect(t, http.StatusOK)
		ts.do("GET", "/sessions/s1/", "").expect(t, http.StatusOK)
	})
}

func TestSessionRuns(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1","agent_id":"assistant"}`)
		ts.create("", `{"session_id":"empty"}`)
		ts.addRun("s1", runOne)
		ts.addRun("s1", runTwo)
		ts.addRun("s1", `{"run_id":"r0","agent_id":"assistant","status":"RUNNING"}`)

		ids := func(query string) string {
			var runs []map[string]any
			resp := ts.do("GET", "/sessions/s1/runs"+query, "")
			resp.expect(t, http.StatusOK)
			if err := json.Unmarshal(resp.body, &runs); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range runs {
				out = append(out, r["run_id"].(string))
			}
			return strings.Join(out, " ")
		}
		for query, want := range map[string]string{
			"":                           "r1 r2 r0",
			"?created_after=1772356543":  "r1 r2 r0",
			"?created_after=1772356544":  "r2 r0",
			"?created_before=1772356543": "r1 r0",
			"?created_before=0":          "r0",
			"?created_after=4102444800":  "r0",
		} {
			if got := ids(query); got != want {
				t.Errorf("runs%s = [%s], want [%s]", query, got, want)
			}
		}
		ts.do("GET", "/sessions/s1/runs?created_after=yesterday", "").expect(t, http.StatusUnprocessableEntity)
		ts.do("GET", "/sessions/empty/runs", "").expect(t, http.StatusOK)
		if body := ts.do("GET", "/sessions/empty/runs", "").body; string(body) != "[]" {
			t.Errorf("runs of a session without runs = %s, want []", body)
		}
		ts.do("GET", "/sessions/nope/runs", "").detail(t, http.StatusNotFound, "Session with ID nope not found")
		ts.do("GET", "/sessions/s1/runs?type=team", "").detail(t, http.StatusNotFound,
			"Session with ID s1 not found")

		resp := ts.do("GET", "/sessions/s1/runs", "")
		var runs []map[string]any
		if err := json.Unmarshal(resp.body, &runs); err != nil {
			t.Fatal(err)
		}
		if _, ok := runs[0]["citations"]; ok {
			t.Errorf("the runs list printed a null citations: %s", resp.body)
		}
		if !strings.Contains(string(resp.body), `"duration":0.004455051999684656`) {
			t.Errorf("run metrics lost their number text: %s", resp.body)
		}
	})
}

func TestSessionRunsByType(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("?type=team", `{"session_id":"t1","team_id":"crew"}`)
		ts.addRun("t1", `{"run_id":"tr","team_id":"crew","content":{"a":1},"content_type":"dict"}`)
		ts.addRun("t1", `{"run_id":"mr","agent_id":"helper","parent_run_id":"tr"}`)
		ts.addRun("t1", `{"run_id":"orphan"}`)
		resp := ts.do("GET", "/sessions/t1/runs", "")
		resp.expect(t, http.StatusOK)
		var runs []map[string]any
		if err := json.Unmarshal(resp.body, &runs); err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 {
			t.Fatalf("team session lists %d runs, want the team run and the member run: %s", len(runs), resp.body)
		}
		if _, isTeam := runs[0]["team_id"]; !isTeam || runs[0]["run_response_format"] != "json" {
			t.Errorf("team run printed as %v", runs[0])
		}
		if runs[1]["agent_id"] != "helper" || runs[1]["parent_run_id"] != "tr" {
			t.Errorf("member run printed as %v", runs[1])
		}

		ts.create("?type=workflow", `{"session_id":"w1","workflow_id":"etl"}`)
		ts.addRun("w1", `{"run_id":"wr","workflow_id":"etl","input":{"city":"Lisbon"},"status":"COMPLETED"}`)
		one := ts.do("GET", "/sessions/w1/runs/wr", "")
		sameJSON(t, one.body, `{"run_id":"wr","run_input":"{\n  \"city\": \"Lisbon\"\n}","events":[],
			"workflow_id":"etl","user_id":"","content":"","content_type":"","status":"COMPLETED",
			"step_results":[],"step_executor_runs":[],"step_requirements":null,"pause_kind":null,
			"paused_step_name":null,"paused_step_index":null,"metrics":{},"created_at":null,
			"reasoning_content":"","reasoning_steps":[],"references":[],"citations":null,
			"reasoning_messages":[],"images":[],"videos":[],"audio":[],"files":[],"response_audio":null}`)
		detail := ts.do("GET", "/sessions/w1", "").object(t, http.StatusOK)
		if detail["session_name"] != `{"city": "Lisbon"}` {
			t.Errorf("workflow session_name = %v", detail["session_name"])
		}
	})
}

func TestSessionRun(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1","agent_id":"assistant"}`)
		ts.create("", `{"session_id":"empty"}`)
		ts.addRun("s1", runOne)
		resp := ts.do("GET", "/sessions/s1/runs/r1", "")
		sameJSON(t, resp.body, `{"run_id":"r1","parent_run_id":"","agent_id":"assistant",
			"user_id":"alice",
			"status":"COMPLETED","run_input":"My name is Alice","content":"Hi Alice","run_response_format":"text",
			"reasoning_content":"","reasoning_steps":[],
			"metrics":{"input_tokens":5,"total_tokens":9,"duration":0.004455051999684656},
			"messages":[{"id":"m1","content":"system text","from_history":false,"stop_after_tool_call":false,"role":"system","created_at":1772356543},
				{"id":"m2","content":"My name is Alice","from_history":false,"stop_after_tool_call":false,"role":"user","created_at":1772356543},
				{"id":"m3","content":"Hi Alice","from_history":false,"stop_after_tool_call":false,"role":"assistant","metrics":{"input_tokens":5,"output_tokens":0,"total_tokens":9},"created_at":1772356543}],
			"tools":null,"events":null,"created_at":"2026-03-01T09:15:43Z","references":[],"citations":null,
			"reasoning_messages":[],"session_state":null,"images":[],"videos":[],"audio":[],"files":[],
			"response_audio":null,"input_media":{"images":[],"videos":[],"audios":[],"files":[]},
			"followups":null,"forked_from_run_id":null,"forked_from_message_index":null,
			"forked_from_session_id":null,"regenerated_from":null,"last_checkpoint_at_message_index":null}`)
		ts.do("GET", "/sessions/s1/runs/nope", "").detail(t, http.StatusNotFound,
			"Run with ID nope not found in session s1")
		ts.do("GET", "/sessions/empty/runs/r1", "").detail(t, http.StatusNotFound,
			"Session with ID empty has no runs")
		ts.do("GET", "/sessions/nope/runs/r1", "").detail(t, http.StatusNotFound,
			"Session with ID nope not found")
		ts.do("GET", "/sessions/s1/runs/r1?type=workflow", "").detail(t, http.StatusNotFound,
			"Session with ID s1 not found")
	})
}

func TestRenameSession(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1","agent_id":"assistant","session_state":{"x":1},"metadata":{"m":2}}`)
		resp := ts.do("POST", "/sessions/s1/rename", `{"session_name":"New name"}`)
		m := resp.object(t, http.StatusOK)
		if m["session_name"] != "New name" || fmt.Sprint(m["session_state"]) != "map[x:1]" ||
			fmt.Sprint(m["metadata"]) != "map[m:2]" {
			t.Errorf("rename changed more than the name: %s", resp.body)
		}
		for _, key := range []string{"session_summary", "total_tokens", "agent_data"} {
			if v, ok := m[key]; !ok || v != nil {
				t.Errorf("rename answer %s = %v, %v, want a printed null", key, v, ok)
			}
		}
		ts.do("POST", "/sessions/s1/rename", `{"session_name":""}`).expect(t, http.StatusOK)
		for _, body := range []string{"", "{}", `{"session_name":null}`, "[]", `"x"`} {
			resp := ts.do("POST", "/sessions/s1/rename", body)
			resp.expect(t, http.StatusUnprocessableEntity)
			want := `{"detail":[{"type":"missing","loc":["body","session_name"],"msg":"Field required","input":null}]}`
			if string(resp.body) != want {
				t.Errorf("rename with %q: %s", body, resp.body)
			}
		}
		ts.do("POST", "/sessions/s1/rename", `{"session_name":7}`).expect(t, http.StatusUnprocessableEntity)
		ts.do("POST", "/sessions/nope/rename", `{"session_name":"x"}`).detail(t, http.StatusNotFound,
			"Session with id 'nope' not found")
		ts.do("POST", "/sessions/s1/rename?type=team", `{"session_name":"x"}`).detail(t,
			http.StatusNotFound, "Session with id 's1' not found")
		ts.do("POST", "/sessions/s1/rename?user_id=bob", `{"session_name":"x"}`).expect(t, http.StatusNotFound)
		if got := ts.do("GET", "/sessions/s1", "").object(t, 200)["session_name"]; got != "" {
			t.Errorf("failed renames changed the name to %v", got)
		}
	})
}

func TestUpdateSession(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1","agent_id":"assistant","session_name":"Keep","metadata":{"m":1}}`)
		resp := ts.do("PATCH", "/sessions/s1", `{"session_state":{"step":2},"summary":{"summary":"S",`+
			`"topics":["a"],"updated_at":"2026-03-01T09:00:00Z"}}`)
		m := resp.object(t, http.StatusOK)
		if m["session_name"] != "Keep" || fmt.Sprint(m["metadata"]) != "map[m:1]" {
			t.Errorf("PATCH changed fields it did not name: %s", resp.body)
		}
		summary, _ := json.Marshal(m["session_summary"])
		sameJSON(t, summary, `{"summary":"S","topics":["a"],"updated_at":"2026-03-01T09:00:00+00:00"}`)

		resp = ts.do("PATCH", "/sessions/s1", `{"metadata":{"m":3},"session_name":null,"summary":null}`)
		m = resp.object(t, http.StatusOK)
		if m["session_name"] != "Keep" || fmt.Sprint(m["session_state"]) != "map[step:2]" ||
			fmt.Sprint(m["metadata"]) != "map[m:3]" || m["session_summary"] == nil {
			t.Errorf("PATCH of metadata alone: %s", resp.body)
		}
		ts.do("PATCH", "/sessions/s1", `{}`).expect(t, http.StatusOK)
		ts.do("PATCH", "/sessions/nope", `{}`).detail(t, http.StatusNotFound, "Session with id 'nope' not found")
		ts.do("PATCH", "/sessions/s1?type=workflow", `{}`).detail(t, http.StatusNotFound,
			"Session with id 's1' not found")
	})
}

func TestUpdateSessionValidation(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1"}`)
		for _, tc := range []struct{ body, want string }{
			{"", `[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]`},
			{"null", `[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]`},
			{`{"session_state": [`, `[{"type":"json_invalid","loc":["body",19],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting value"}}]`},
			{`{"session_state":[1,2]}`, `[{"type":"dict_type","loc":["body","session_state"],"msg":"Input should be a valid dictionary","input":[1,2]}]`},
			{`{"summary":"text"}`, `[{"type":"dict_type","loc":["body","summary"],"msg":"Input should be a valid dictionary","input":"text"}]`},
			{`{"summary":{"topics":["a"]}}`, `[{"type":"missing","loc":["body","summary","summary"],"msg":"Field required","input":{"topics":["a"]}}]`},
			{`{"summary":{"summary":null}}`, `[{"type":"string_type","loc":["body","summary","summary"],"msg":"Input should be a valid string","input":null}]`},
			{`{"summary":{"summary":"s","topics":"a"}}`, `[{"type":"list_type","loc":["body","summary","topics"],"msg":"Input should be a valid list","input":"a"}]`},
			{`{"summary":{"summary":"s","topics":["a",1]}}`, `[{"type":"string_type","loc":["body","summary","topics",1],"msg":"Input should be a valid string","input":1}]`},
			{`{"summary":{"summary":"s","updated_at":"yesterday"}}`, `[{"type":"datetime_parsing","loc":["body","summary","updated_at"],"msg":"Input should be a valid datetime in ISO 8601 form, such as 2026-03-01T09:00:00Z","input":"yesterday"}]`},
			{`{"summary":{"summary":"s","mood":"ok"}}`, `[{"type":"extra_forbidden","loc":["body","summary","mood"],"msg":"Extra inputs are not permitted","input":"ok"}]`},
		} {
			resp := ts.do("PATCH", "/sessions/s1", tc.body)
			resp.expect(t, http.StatusUnprocessableEntity)
			if want := `{"detail":` + tc.want + `}`; string(resp.body) != want {
				t.Errorf("PATCH %s:\n got %s\nwant %s", tc.body, resp.body, want)
			}
		}
		if m := ts.do("GET", "/sessions/s1", "").object(t, 200); m["session_summary"] != nil {
			t.Errorf("rejected PATCHes stored a summary: %v", m["session_summary"])
		}
	})
}

func TestDeleteSession(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1","user_id":"alice"}`)
		ts.addRun("s1", runOne)
		resp := ts.do("DELETE", "/sessions/s1?user_id=bob", "")
		resp.expect(t, http.StatusNoContent)
		ts.do("GET", "/sessions/s1", "").expect(t, http.StatusOK)
		resp = ts.do("DELETE", "/sessions/s1", "")
		resp.expect(t, http.StatusNoContent)
		if resp.header.Get("Content-Type") != "application/json" || len(resp.body) != 0 {
			t.Errorf("204 answer: type %q, body %q", resp.header.Get("Content-Type"), resp.body)
		}
		ts.do("GET", "/sessions/s1", "").expect(t, http.StatusNotFound)
		ts.do("GET", "/sessions/s1/runs/r1", "").expect(t, http.StatusNotFound)
		ts.do("DELETE", "/sessions/s1", "").expect(t, http.StatusNoContent)
	})
}

func TestDeleteSessions(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		for _, id := range []string{"a", "b", "c"} {
			ts.create("", fmt.Sprintf(`{"session_id":%q}`, id))
		}
		ts.do("DELETE", "/sessions", `{"session_ids":["a","b","zz"],"session_types":["agent","team","workflow"]}`).
			expect(t, http.StatusNoContent)
		ids, _ := listIDs(t, ts, "")
		if strings.Join(ids, " ") != "c" {
			t.Errorf("after bulk delete: %v, want [c]", ids)
		}
		ts.do("DELETE", "/sessions", `{"session_ids":["a","b"],"session_types":["agent"]}`).detail(t,
			http.StatusBadRequest, "Session IDs and session types must have the same length")
		for _, tc := range []struct{ body, want string }{
			{"", `[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]`},
			{`{"session_ids":[],"session_types":[]}`, `[{"type":"too_short","loc":["body","session_ids"],"msg":"List should have at least 1 item after validation, not 0","input":[],"ctx":{"field_type":"List","min_length":1,"actual_length":0}},{"type":"too_short","loc":["body","session_types"],"msg":"List should have at least 1 item after validation, not 0","input":[],"ctx":{"field_type":"List","min_length":1,"actual_length":0}}]`},
			{`{"session_ids":["a"],"session_types":["robot"]}`, `[{"type":"enum","loc":["body","session_types",0],"msg":"Input should be 'agent', 'team' or 'workflow'","input":"robot","ctx":{"expected":"'agent', 'team' or 'workflow'"}}]`},
			{`{"session_ids":"a","session_types":["agent"]}`, `[{"type":"list_type","loc":["body","session_ids"],"msg":"Input should be a valid list","input":"a"}]`},
			{`{"session_ids":[1],"session_types":["agent"]}`, `[{"type":"string_type","loc":["body","session_ids",0],"msg":"Input should be a valid string","input":1}]`},
			{`{"session_types":["agent"]}`, `[{"type":"missing","loc":["body","session_ids"],"msg":"Field required","input":{"session_types":["agent"]}}]`},
			{`{"session_ids":["a"],"session_types":["agent"]`, `[{"type":"json_invalid","loc":["body",46],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting ',' delimiter"}}]`},
		} {
			resp := ts.do("DELETE", "/sessions", tc.body)
			resp.expect(t, http.StatusUnprocessableEntity)
			if want := `{"detail":` + tc.want + `}`; string(resp.body) != want {
				t.Errorf("DELETE %s:\n got %s\nwant %s", tc.body, resp.body, want)
			}
		}
	})
}

func TestClearSession(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1","agent_id":"assistant","user_id":"alice","session_state":{"x":1},"metadata":{"m":1}}`)
		ts.addRun("s1", runOne)
		ts.do("PATCH", "/sessions/s1", `{"summary":{"summary":"S"}}`).expect(t, http.StatusOK)
		resp := ts.do("POST", "/sessions/s1/clear", "")
		m := resp.object(t, http.StatusOK)
		want := map[string]any{
			"session_name": "My name is Alice", "session_state": map[string]any{"x": 1.0},
			"metadata": map[string]any{"m": 1.0}, "metrics": map[string]any{}, "chat_history": []any{},
			"user_id": "alice", "agent_id": "assistant",
		}
		for k, v := range want {
			if fmt.Sprint(m[k]) != fmt.Sprint(v) {
				t.Errorf("after clear %s = %v, want %v", k, m[k], v)
			}
		}
		for _, k := range []string{"session_summary", "total_tokens"} {
			if _, ok := m[k]; ok {
				t.Errorf("after clear %s is still present: %s", k, resp.body)
			}
		}
		if body := ts.do("GET", "/sessions/s1/runs", "").body; string(body) != "[]" {
			t.Errorf("runs after clear: %s", body)
		}
		ts.do("POST", "/sessions/nope/clear", "").detail(t, http.StatusNotFound, "Session with id 'nope' not found")

		// A run still in flight when the session is cleared must not come back
		// when it finishes.
		ts.addRun("s1", `{"run_id":"late","agent_id":"assistant","status":"RUNNING"}`)
		ts.do("POST", "/sessions/s1/clear", "").expect(t, http.StatusOK)
		late, err := agentos.NewRun("s1", json.RawMessage(
			`{"run_id":"late","agent_id":"assistant","status":"COMPLETED","content":"done"}`))
		if err != nil {
			t.Fatal(err)
		}
		err = ts.store.UpdateRun(context.Background(), late, agentos.SessionChange{})
		if agentos.ErrorCode(err) != agentos.ENOTFOUND {
			t.Errorf("finishing a run after clear: %v, want not found", err)
		}
		if body := ts.do("GET", "/sessions/s1/runs", "").body; string(body) != "[]" {
			t.Errorf("runs after a late run finished: %s", body)
		}
		ts.do("POST", "/sessions/s1/clear?type=team", "").expect(t, http.StatusNotFound)
		ts.do("POST", "/sessions/s1/clear?user_id=bob", "").expect(t, http.StatusNotFound)
	})
}

func TestUnknownPathsAndMethods(t *testing.T) {
	ts := newTestServer(t)
	ts.do("GET", "/sessions/a/b/c", "").detail(t, http.StatusNotFound, "Not Found")
	resp := ts.do("PUT", "/sessions/s1", "")
	resp.detail(t, http.StatusMethodNotAllowed, "Method Not Allowed")
	if allow := resp.header.Get("Allow"); allow != "GET, PATCH, DELETE" {
		t.Errorf("Allow = %q, want GET, PATCH, DELETE", allow)
	}
	resp = ts.do("PATCH", "/sessions/", "")
	resp.detail(t, http.StatusMethodNotAllowed, "Method Not Allowed")
	if allow := resp.header.Get("Allow"); allow != "GET, POST, DELETE" {
		t.Errorf("Allow = %q, want GET, POST, DELETE", allow)
	}
	ts.do("GET", "/sessions/s1/clear", "").expect(t, http.StatusMethodNotAllowed)
}

func TestTrailingSlashKeepsEscapedPath(t *testing.T) {
	ts := newTestServer(t)
	ts.create("", `{"session_id":"a/b"}`)
	for _, target := range []string{"/sessions/a%2Fb", "/sessions/a%2Fb/"} {
		m := ts.do("GET", target, "").object(t, http.StatusOK)
		if m["session_id"] != "a/b" {
			t.Errorf("GET %s: session_id %v, want a/b", target, m["session_id"])
		}
	}
	ts.do("GET", "/sessions/a%2Fb/runs/", "").expect(t, http.StatusOK)
}

func TestOwnerScoping(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		alice := &agentos.Principal{UserID: "alice"}
		ts := newTestServerOn(t, kind, asPrincipal(alice))
		bob := "bob"
		if err := ts.store.CreateSession(context.Background(), &agentos.Session{
			ID: "bobs", Type: agentos.SessionTypeAgent, UserID: &bob}); err != nil {
			t.Fatal(err)
		}
		m := ts.do("POST", "/sessions", `{"session_id":"mine","user_id":"bob"}`).object(t, http.StatusCreated)
		if m["user_id"] != "alice" {
			t.Errorf("create by alice stored owner %v", m["user_id"])
		}
		ids, _ := listIDs(t, ts, "?user_id=bob")
		if strings.Join(ids, " ") != "mine" {
			t.Errorf("alice lists %v, want only her session", ids)
		}
		ts.do("GET", "/sessions/bobs", "").expect(t, http.StatusNotFound)
		ts.do("PATCH", "/sessions/bobs", `{"metadata":{"x":1}}`).expect(t, http.StatusNotFound)
		ts.do("POST", "/sessions/bobs/rename", `{"session_name":"x"}`).expect(t, http.StatusNotFound)
		ts.do("POST", "/sessions/bobs/clear", "").expect(t, http.StatusNotFound)
		ts.do("DELETE", "/sessions/bobs", "").expect(t, http.StatusNoContent)
		ts.do("DELETE", "/sessions", `{"session_ids":["bobs"],"session_types":["agent"]}`).expect(t, http.StatusNoContent)
		if _, err := ts.store.GetSession(context.Background(), "bobs", agentos.Scope{}); err != nil {
			t.Errorf("alice deleted bob's session: %v", err)
		}
	})
}

// TestRepeatedUserIDUsesLast checks that a repeated user_id filters by its
// last value, as Starlette reads every other repeated query parameter.
func TestRepeatedUserIDUsesLast(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"alices","user_id":"alice"}`)
		ts.create("", `{"session_id":"bobs","user_id":"bob"}`)

		ids, _ := listIDs(t, ts, "?user_id=alice&user_id=bob")
		if strings.Join(ids, " ") != "bobs" {
			t.Errorf("list with user_id=alice&user_id=bob: %v, want [bobs]", ids)
		}
		ts.do("GET", "/sessions/bobs?user_id=alice&user_id=bob", "").expect(t, http.StatusOK)
		ts.do("GET", "/sessions/alices?user_id=alice&user_id=bob", "").
			expect(t, http.StatusNotFound)
	})
}

func TestStoreFailureIsServerError(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1"}`)
		if err := ts.store.Close(); err != nil {
			t.Fatal(err)
		}
		for _, req := range []struct{ method, target, body string }{
			{"GET", "/sessions", ""},
			{"GET", "/sessions/s1", ""},
			{"GET", "/sessions/s1/runs", ""},
			{"POST", "/sessions", `{"session_id":"s2"}`},
			{"PATCH", "/sessions/s1", `{}`},
			{"DELETE", "/sessions/s1", ""},
		} {
			resp := ts.do(req.method, req.target, req.body)
			if resp.status < 500 {
				t.Errorf("%s %s with a closed store: status %d, want 5xx; body %s",
					req.method, req.target, resp.status, resp.body)
			}
		}
	})
}

// TestConcurrentUpdatesKeepLastValues renames a session and PATCHes its
// state and metadata from three clients at once. Each client writes its
// field in sequence, so the last value each one wrote must survive the
// others' writes.
func TestConcurrentUpdatesKeepLastValues(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1","agent_id":"assistant"}`)
		const writes = 40
		writers := []func(i int) (string, string, string){
			func(i int) (string, string, string) {
				return "POST", "/sessions/s1/rename", fmt.Sprintf(`{"session_name":"name %d"}`, i)
			},
			func(i int) (string, string, string) {
				return "PATCH", "/sessions/s1", fmt.Sprintf(`{"session_state":{"n":%d}}`, i)
			},
			func(i int) (string, string, string) {
				return "PATCH", "/sessions/s1", fmt.Sprintf(`{"metadata":{"m":%d}}`, i)
			},
		}
		errs := make(chan string, len(writers)*writes)
		var wg sync.WaitGroup
		for _, write := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range writes {
					method, target, body := write(i)
					req, _ := http.NewRequest(method, ts.URL+target, strings.NewReader(body))
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						errs <- err.Error()
						return
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						errs <- fmt.Sprintf("%s %s: status %d", method, target, resp.StatusCode)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		m := ts.do("GET", "/sessions/s1", "").object(t, http.StatusOK)
		if want := fmt.Sprintf("name %d", writes-1); m["session_name"] != want {
			t.Errorf("session_name = %v, want %s", m["session_name"], want)
		}
		if got := fmt.Sprint(m["session_state"]); got != fmt.Sprintf("map[n:%d]", writes-1) {
			t.Errorf("session_state = %s, want n=%d", got, writes-1)
		}
		if got := fmt.Sprint(m["metadata"]); got != fmt.Sprintf("map[m:%d]", writes-1) {
			t.Errorf("metadata = %s, want m=%d", got, writes-1)
		}
	})
}
