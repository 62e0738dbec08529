package agentos

import (
	"encoding/json"
	"strings"

	"golang.org/x/text/cases"
)

// StringifyInput returns a run input as agno shows it in run_input: a string
// as is, an object as JSON indented by two spaces, a list whose first element
// is a user message as that message's content, and anything else in Python's
// text form.
func StringifyInput(raw json.RawMessage) string {
	if IsNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if IsJSONObject(raw) {
		return PythonJSON(raw, 2)
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		var first struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		}
		if json.Unmarshal(list[0], &first) == nil && first.Role == "user" {
			return ContentText(first.Content)
		}
	}
	return PythonRepr(raw)
}

// ContentText returns the text of a message content: a string as is, for a
// list of multimodal parts the text of the first part that has one, and ""
// otherwise.
func ContentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text *string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) == nil {
		for _, p := range parts {
			if p.Text != nil {
				return *p.Text
			}
		}
	}
	return ""
}

// runNameKeys are the run record keys that name derivation reads.
type runNameKeys struct {
	AgentID  *string         `json:"agent_id"`
	Input    json.RawMessage `json:"input"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
}

// DeriveName returns the name a session without an explicit name shows,
// computed from one of its runs, and whether that run decides the name.
// Stores call it for each run in stored order until a run decides it.
//
// Agent sessions take the first user message with non-empty content, and
// team sessions do the same over runs without an agent_id. A run without such
// a message but with an input uses the input's text. Workflow sessions use
// their first run only: its input, or "New <name> Session" from
// workflowData. The rules follow agno 2.9.0, with two fixes: the text of an
// input object is its input_content rather than the object's JSON, and
// multimodal content yields the text of its first text part.
func DeriveName(typ SessionType, first bool, record, workflowData json.RawMessage) (string, bool) {
	var k runNameKeys
	if err := json.Unmarshal(record, &k); err != nil {
		return "", false
	}
	if typ == SessionTypeWorkflow {
		if !first {
			return "", false
		}
		if !IsNull(k.Input) {
			if IsJSONObject(k.Input) || isJSONArray(k.Input) {
				return PythonJSON(k.Input, 0), true
			}
			return StringifyInput(k.Input), true
		}
		var wd struct {
			Name *string `json:"name"`
		}
		if json.Unmarshal(workflowData, &wd) == nil && wd.Name != nil {
			return "New " + *wd.Name + " Session", true
		}
		return "", true
	}
	if typ == SessionTypeTeam && k.AgentID != nil && *k.AgentID != "" {
		return "", false
	}
	for _, m := range k.Messages {
		if m.Role != "user" {
			continue
		}
		if text := ContentText(m.Content); text != "" {
			return text, true
		}
	}
	if IsNull(k.Input) {
		return "", false
	}
	var in struct {
		InputContent json.RawMessage `json:"input_content"`
	}
	if IsJSONObject(k.Input) && json.Unmarshal(k.Input, &in) == nil {
		var s string
		if json.Unmarshal(in.InputContent, &s) == nil {
			return s, s != ""
		}
	}
	name := StringifyInput(k.Input)
	return name, name != ""
}

func isJSONArray(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return strings.HasPrefix(s, "[")
}

// FoldName returns s in the form the session name filter compares: Unicode
// case folded, so that "STRASSE" matches "straße" folded the same way. Bytes
// that are not valid UTF-8 become U+FFFD, so that the result is valid UTF-8,
// which SQLite's instr() needs to find substrings at character boundaries.
func FoldName(s string) string {
	return cases.Fold().String(strings.ToValidUTF8(s, "\uFFFD"))
}

// DeriveSessionName applies DeriveName to runs in stored order and returns
// the name of the first run that decides it, and whether one did.
func DeriveSessionName(typ SessionType, runs []*Run, workflowData json.RawMessage) (string, bool) {
	for i, r := range runs {
		if name, ok := DeriveName(typ, i == 0, r.Record, workflowData); ok {
			return name, true
		}
	}
	return "", false
}
