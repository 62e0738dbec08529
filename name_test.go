package agentos_test

import (
	"encoding/json"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestStringifyInput(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"absent", ``, ""},
		{"null", `null`, ""},
		{"string", `"What causes tides?"`, "What causes tides?"},
		{"object indented with escapes", `{"topic":"Café","n":2}`,
			"{\n  \"topic\": \"Caf\\u00e9\",\n  \"n\": 2\n}"},
		{"messages take the first user content", `[{"role":"user","content":"hi there"},` +
			`{"role":"assistant","content":"hello"}]`, "hi there"},
		{"multimodal user content", `[{"role":"user","content":[{"type":"image_url"},` +
			`{"type":"text","text":"describe it"}]}]`, "describe it"},
		{"list not led by a user message", `[{"role":"system","content":"x"},1]`,
			`[{'role': 'system', 'content': 'x'}, 1]`},
		{"list of scalars", `["a",true,null,1.50]`, `['a', True, None, 1.5]`},
		{"number", `42`, "42"},
		{"boolean", `false`, "False"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := agentos.StringifyInput(json.RawMessage(tc.in)); got != tc.want {
				t.Errorf("StringifyInput(%s)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDeriveName(t *testing.T) {
	agent, team, workflow := agentos.SessionTypeAgent, agentos.SessionTypeTeam,
		agentos.SessionTypeWorkflow
	digest := json.RawMessage(`{"name":"Digest"}`)
	cases := []struct {
		name         string
		typ          agentos.SessionType
		first        bool
		record       string
		workflowData json.RawMessage
		want         string
		decided      bool
	}{
		{"agent takes the first user message", agent, true,
			`{"agent_id":"a","messages":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":"Plan a trip"},{"role":"user","content":"later"}]}`,
			nil, "Plan a trip", true},
		{"agent skips empty user messages", agent, true,
			`{"agent_id":"a","messages":[{"role":"user","content":""},` +
				`{"role":"user","content":"second"}]}`, nil, "second", true},
		{"agent multimodal message", agent, false,
			`{"agent_id":"a","messages":[{"role":"user","content":[{"type":"image"},` +
				`{"type":"text","text":"what is this"}]}]}`, nil, "what is this", true},
		{"agent falls back to input_content", agent, true,
			`{"agent_id":"a","messages":[],"input":{"input_content":"from input"}}`,
			nil, "from input", true},
		{"agent with empty input_content is undecided", agent, true,
			`{"agent_id":"a","input":{"input_content":""}}`, nil, "", false},
		{"agent without input is undecided", agent, true,
			`{"agent_id":"a","messages":[{"role":"assistant","content":"hi"}]}`, nil, "", false},
		{"agent run of a later position still decides", agent, false,
			`{"agent_id":"a","messages":[{"role":"user","content":"late"}]}`, nil, "late", true},
		{"team member run never decides", team, true,
			`{"agent_id":"member","team_id":"t","messages":[{"role":"user","content":"x"}]}`,
			nil, "", false},
		{"team leader run decides", team, false,
			`{"team_id":"t","messages":[{"role":"user","content":"team question"}]}`,
			nil, "team question", true},
		{"team run with empty agent_id is a leader run", team, true,
			`{"agent_id":"","team_id":"t","messages":[{"role":"user","content":"q"}]}`,
			nil, "q", true},
		{"workflow object input as one-line JSON", workflow, true,
			`{"workflow_id":"f","input":{"topic":"tides","n":2}}`, digest,
			`{"topic": "tides", "n": 2}`, true},
		{"workflow string input", workflow, true,
			`{"workflow_id":"f","input":"summarise the news"}`, digest, "summarise the news", true},
		{"workflow list input", workflow, true,
			`{"workflow_id":"f","input":["a","é"]}`, digest, `["a", "\u00e9"]`, true},
		{"workflow without input names the workflow", workflow, true,
			`{"workflow_id":"f"}`, digest, "New Digest Session", true},
		{"workflow without input or name", workflow, true,
			`{"workflow_id":"f"}`, nil, "", true},
		{"workflow uses its first run only", workflow, false,
			`{"workflow_id":"f","input":"second"}`, digest, "", false},
		{"invalid record", agent, true, `{"messages":`, nil, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, decided := agentos.DeriveName(tc.typ, tc.first, json.RawMessage(tc.record),
				tc.workflowData)
			if got != tc.want {
				t.Errorf("name = %q, want %q", got, tc.want)
			}
			if decided != tc.decided {
				t.Errorf("decided = %v, want %v", decided, tc.decided)
			}
		})
	}
}

func TestDeriveSessionName(t *testing.T) {
	runs := []*agentos.Run{
		mustNewRun(t, `{"run_id":"m","agent_id":"member","team_id":"t",`+
			`"messages":[{"role":"user","content":"member"}]}`),
		mustNewRun(t, `{"run_id":"l1","team_id":"t","messages":[]}`),
		mustNewRun(t, `{"run_id":"l2","team_id":"t",`+
			`"messages":[{"role":"user","content":"lead"}]}`),
	}
	name, decided := agentos.DeriveSessionName(agentos.SessionTypeTeam, runs, nil)
	if name != "lead" || !decided {
		t.Errorf("team name = %q, %v; want %q, true", name, decided, "lead")
	}
	name, decided = agentos.DeriveSessionName(agentos.SessionTypeAgent, nil, nil)
	if name != "" || decided {
		t.Errorf("name without runs = %q, %v; want undecided", name, decided)
	}
}

func TestFoldName(t *testing.T) {
	pairs := [][2]string{
		{"ÉCOLE", "école"},
		{"STRASSE", "straße"},
		{"ΣΊΣΥΦΟΣ", "σίσυφος"},
		{"Tides", "TIDES"},
	}
	for _, p := range pairs {
		if a, b := agentos.FoldName(p[0]), agentos.FoldName(p[1]); a != b {
			t.Errorf("FoldName(%q) = %q, FoldName(%q) = %q; want equal", p[0], a, p[1], b)
		}
	}
	if got := agentos.FoldName("50% off_sale"); got != "50% off_sale" {
		t.Errorf("FoldName changed wildcard characters: %q", got)
	}
}

func mustNewRun(t *testing.T, record string) *agentos.Run {
	t.Helper()
	r, err := agentos.NewRun("s", json.RawMessage(record))
	if err != nil {
		t.Fatalf("NewRun(%s): %v", record, err)
	}
	return r
}

func TestNewRun(t *testing.T) {
	r := mustNewRun(t, `{"run_id":"r1","parent_run_id":"p","agent_id":"a","team_id":"t",`+
		`"workflow_id":"w","status":"COMPLETED","created_at":1796383576}`)
	want := agentos.Run{SessionID: "s", RunID: "r1", ParentRunID: "p", AgentID: "a",
		TeamID: "t", WorkflowID: "w", Status: agentos.RunCompleted, CreatedAt: 1796383576}
	if diff := cmp.Diff(want, *r, cmpopts.IgnoreFields(agentos.Run{}, "Record")); diff != "" {
		t.Errorf("NewRun mismatch (-want +got):\n%s", diff)
	}
	created := map[string]int64{
		`1796383576.75`:          1796383576,
		`"2026-12-04T13:40:24Z"`: 1796391624,
		`"2026-12-04T13:40:24"`:  1796391624,
		`"yesterday"`:            0,
		`null`:                   0,
	}
	for raw, want := range created {
		r := mustNewRun(t, `{"run_id":"r","created_at":`+raw+`}`)
		if r.CreatedAt != want {
			t.Errorf("created_at %s read as %d, want %d", raw, r.CreatedAt, want)
		}
		if r.Status != agentos.RunRunning {
			t.Errorf("missing status read as %q, want RUNNING", r.Status)
		}
	}
	for _, bad := range []string{`[]`, `null`, `{"run_id":""}`, `{"status":"RUNNING"}`,
		`{"run_id":5}`, `{"run_id":"r"`} {
		_, err := agentos.NewRun("s", json.RawMessage(bad))
		if code := agentos.ErrorCode(err); code != agentos.EINVALID {
			t.Errorf("NewRun(%s) error code = %q (%v), want %q", bad, code, err, agentos.EINVALID)
		}
	}
}

func FuzzNewRun(f *testing.F) {
	f.Add(`{"run_id":"r1","status":"COMPLETED","created_at":1796383576}`)
	f.Add(`{"run_id":"r","created_at":"2026-12-04T13:40:24.5+02:00","parent_run_id":null}`)
	f.Add(`{"run_id":"r","messages":[{"role":"user","content":[{"text":"x"}]}],"input":{}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, record string) {
		r, err := agentos.NewRun("s", json.RawMessage(record))
		if err != nil {
			if agentos.ErrorCode(err) != agentos.EINVALID {
				t.Fatalf("NewRun(%q) error code = %q, want %q", record, agentos.ErrorCode(err),
					agentos.EINVALID)
			}
			return
		}
		if r.RunID == "" || r.Status == "" {
			t.Fatalf("NewRun(%q) = %+v without run id or status", record, r)
		}
		for _, typ := range []agentos.SessionType{agentos.SessionTypeAgent,
			agentos.SessionTypeTeam, agentos.SessionTypeWorkflow} {
			_, _ = agentos.DeriveName(typ, true, r.Record, json.RawMessage(record))
		}
	})
}
