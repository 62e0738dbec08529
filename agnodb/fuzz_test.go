package agnodb_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
)

// pythonDouble encodes doc the way agno's SQLite backend stores it: the JSON
// document inside a JSON string.
func pythonDouble(doc string) string {
	b, _ := json.Marshal(doc)
	return string(b)
}

func FuzzDecodeColumn(f *testing.F) {
	for _, seed := range []string{
		`null`, `"null"`, `"{\"a\": 1}"`, `{"a":[1,2]}`, `"\"x\""`, `"[1"`,
		`"{\"x\": NaN, \"s\": \"Infinity\\\"\"}"`, `[-Infinity]`, `"\\u00e9"`, ` 7 `,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := agnodb.DecodeColumn(text)
		if err != nil {
			return
		}
		if got == nil {
			return
		}
		if !json.Valid(got) {
			t.Fatalf("DecodeColumn(%q) = %q, which is not valid JSON", text, got)
		}
		if agentos.IsNull(got) {
			t.Fatalf("DecodeColumn(%q) = null, want nil for an absent value", text)
		}
		// An object or array read once reads the same when agno's double
		// encoding is put around it. json.Marshal would replace invalid
		// UTF-8, which Python never writes, so such input is left out.
		if !utf8.Valid(got) {
			return
		}
		if agentos.IsJSONObject(got) || bytes.HasPrefix(bytes.TrimSpace(got), []byte("[")) {
			again, err := agnodb.DecodeColumn(pythonDouble(string(got)))
			if err != nil || !bytes.Equal(again, got) {
				t.Fatalf("double-encoded %q decoded to %q, %v; want it unchanged", got, again, err)
			}
		}
	})
}

func FuzzConvertRow(f *testing.F) {
	f.Add("agent", `"{\"session_name\": \"n\", \"x\": 1}"`,
		`"[{\"run_id\": \"r\", \"agent_id\": \"a\"}]"`, "5")
	f.Add("team", `{"session_state": {"k": NaN}}`,
		`[{"run_id": "t", "team_id": "x"}, {"run_id": "m", "agent_id": "a", "parent_run_id": "t"}]`,
		"2026-12-04T11:26:16Z")
	f.Add("workflow", `null`, `[{"run_id": "w"}, 1, null, {"run_id": "w"}]`, "1.5")
	f.Add("", `{"session_name": ["x"]}`, `"null"`, "")
	f.Fuzz(func(t *testing.T, typ, data, runs, created string) {
		it := agnodb.ConvertRow(typ, data, runs, created)
		if it.Session == nil {
			t.Fatalf("no session for a row with a session_id")
		}
		if it.Err != nil {
			if !strings.HasPrefix(it.Err.Error(), "session s: ") {
				t.Fatalf("error %q does not name the session", it.Err)
			}
			return
		}
		s := it.Session
		if s.UpdatedAt < s.CreatedAt || s.CreatedAt == 0 {
			t.Fatalf("times %d/%d", s.CreatedAt, s.UpdatedAt)
		}
		if _, err := agentos.ParseSessionType(string(s.Type)); err != nil {
			t.Fatalf("type %q: %v", s.Type, err)
		}
		for _, raw := range []json.RawMessage{s.State, s.Metrics, s.Data} {
			if raw != nil && !json.Valid(raw) {
				t.Fatalf("invalid JSON %q", raw)
			}
		}
		if s.Data != nil {
			var extra map[string]json.RawMessage
			if err := json.Unmarshal(s.Data, &extra); err != nil {
				t.Fatalf("data %q is not an object: %v", s.Data, err)
			}
			for _, key := range []string{"session_name", "session_state", "session_metrics"} {
				if _, ok := extra[key]; ok {
					t.Fatalf("data %q keeps %s", s.Data, key)
				}
			}
		}
		seen := map[string]bool{}
		for _, r := range it.Runs {
			if r.RunID == "" || seen[r.RunID] || r.SessionID != "s" || !json.Valid(r.Record) {
				t.Fatalf("run %+v", r)
			}
			seen[r.RunID] = true
		}
		for _, left := range it.LeftOut {
			if left.Reason == "" {
				t.Fatalf("left out %+v without a reason", left)
			}
		}
	})
}
