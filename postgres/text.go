package postgres

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/agentos-go/agentos"
)

// PostgreSQL text columns contain UTF-8 without NUL characters, while Go
// strings, JSON bodies and SQLite take any bytes. A value outside that set
// cannot be stored, so writes reject it with EINVALID naming the field, and
// reads treat it as matching nothing instead of sending it to the server,
// which would fail the statement.

// storable reports whether PostgreSQL can store s as text.
func storable(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// storableAll reports whether every value is storable.
func storableAll(values ...string) bool {
	for _, v := range values {
		if !storable(v) {
			return false
		}
	}
	return true
}

// storableScope reports whether the owner of scope, if any, is storable.
func storableScope(scope agentos.Scope) bool {
	return scope.UserID == nil || storable(*scope.UserID)
}

// textField is one value that a write stores, with the name clients know
// it by.
type textField struct {
	name  string
	value string
}

// checkText returns an EINVALID error for the first field that PostgreSQL
// cannot store.
func checkText(fields ...textField) error {
	for _, f := range fields {
		if strings.IndexByte(f.value, 0) >= 0 {
			return agentos.Errorf(agentos.EINVALID, "invalid %s: it contains a NUL character "+
				"(\\u0000), which PostgreSQL cannot store; remove it", f.name)
		}
		if !utf8.ValidString(f.value) {
			return agentos.Errorf(agentos.EINVALID, "invalid %s: it contains bytes that are "+
				"not UTF-8, which PostgreSQL cannot store as text; send UTF-8", f.name)
		}
	}
	return nil
}

func optional(name string, p *string) textField {
	if p == nil {
		return textField{name: name}
	}
	return textField{name: name, value: *p}
}

func jsonField(name string, raw json.RawMessage) textField {
	return textField{name: name, value: string(raw)}
}

// checkSession checks every text value of sess.
func checkSession(sess *agentos.Session) error {
	return checkText(
		textField{"session_id", sess.ID},
		textField{"session_type", string(sess.Type)},
		textField{"agent_id", sess.AgentID},
		textField{"team_id", sess.TeamID},
		textField{"workflow_id", sess.WorkflowID},
		optional("user_id", sess.UserID),
		optional("session_name", sess.Name),
		textField{"derived session name", sess.DerivedName},
		jsonField("session_state", sess.State),
		jsonField("session_metrics", sess.Metrics),
		jsonField("session_data", sess.Data),
		jsonField("agent_data", sess.AgentData),
		jsonField("team_data", sess.TeamData),
		jsonField("workflow_data", sess.WorkflowData),
		jsonField("metadata", sess.Metadata),
		jsonField("summary", sess.Summary),
	)
}

// checkRun checks every text value of a run write.
func checkRun(r *agentos.Run, ch agentos.SessionChange) error {
	return checkText(
		textField{"run_id", r.RunID},
		textField{"parent_run_id", r.ParentRunID},
		textField{"run agent_id", r.AgentID},
		textField{"run team_id", r.TeamID},
		textField{"run workflow_id", r.WorkflowID},
		textField{"run status", string(r.Status)},
		jsonField("run record", r.Record),
		jsonField("session_state", ch.State),
		textField{"agent_id", ch.AgentID},
		jsonField("agent_data", ch.AgentData),
	)
}

// checkUpdate checks the values a session update stores.
func checkUpdate(upd agentos.SessionUpdate) error {
	return checkText(
		optional("session_name", upd.Name),
		jsonField("session_state", upd.State),
		jsonField("metadata", upd.Metadata),
		jsonField("summary", upd.Summary),
	)
}

// storableFilter reports whether every value f compares is storable. A
// filter with a value that is not matches no session.
func storableFilter(f agentos.SessionFilter) bool {
	if f.Type != nil && !storable(string(*f.Type)) {
		return false
	}
	if f.ComponentID != nil && !storable(*f.ComponentID) {
		return false
	}
	if f.UserID != nil && !storable(*f.UserID) {
		return false
	}
	return f.Name == nil || storable(agentos.FoldName(*f.Name))
}
