// Package agentos holds the domain of AgentOS-Go: sessions, the runs they
// contain, the errors every layer shares, and the storage interface that the
// SQLite and PostgreSQL packages implement.
//
// The wire format follows agno's AgentOS (version 2.9.0). Free-form values
// such as session state, metadata and run records are kept as raw JSON, so
// numbers and unknown keys survive a round trip byte for byte.
package agentos

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// SessionType is the kind of component that owns a session.
type SessionType string

// The session types agno defines.
const (
	SessionTypeAgent    SessionType = "agent"
	SessionTypeTeam     SessionType = "team"
	SessionTypeWorkflow SessionType = "workflow"
)

// ParseSessionType returns the session type named by s, or an EINVALID error.
func ParseSessionType(s string) (SessionType, error) {
	switch t := SessionType(s); t {
	case SessionTypeAgent, SessionTypeTeam, SessionTypeWorkflow:
		return t, nil
	}
	return "", Errorf(EINVALID, "invalid session type %q: use agent, team or workflow", s)
}

// Title returns the type with a capital first letter, as agno prints it in
// messages such as "Agent Session with id 'x' not found".
func (t SessionType) Title() string {
	switch t {
	case SessionTypeAgent:
		return "Agent"
	case SessionTypeTeam:
		return "Team"
	case SessionTypeWorkflow:
		return "Workflow"
	}
	return string(t)
}

// RunStatus is the lifecycle state of a run, as agno spells it.
type RunStatus string

// The run statuses agno defines.
const (
	RunPending     RunStatus = "PENDING"
	RunRunning     RunStatus = "RUNNING"
	RunCompleted   RunStatus = "COMPLETED"
	RunPaused      RunStatus = "PAUSED"
	RunCancelled   RunStatus = "CANCELLED"
	RunError       RunStatus = "ERROR"
	RunRegenerated RunStatus = "REGENERATED"
)

// Finished reports whether a run in this status will not change again.
func (s RunStatus) Finished() bool {
	switch s {
	case RunCompleted, RunCancelled, RunError, RunRegenerated:
		return true
	}
	return false
}

// Now returns the current time as whole Unix seconds in UTC, the resolution
// in which agno stores every timestamp.
func Now() int64 { return time.Now().Unix() }

// IsJSONObject reports whether raw holds a JSON object (and not null).
func IsJSONObject(raw json.RawMessage) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

// IsNull reports whether raw is empty or the JSON literal null.
func IsNull(raw json.RawMessage) bool {
	// Slicing raw rather than a string copy of it keeps IsNull free of
	// allocations: views call it for every field they print.
	for len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\n' || raw[0] == '\t' || raw[0] == '\r') {
		raw = raw[1:]
	}
	return len(raw) == 0 || string(raw) == "null"
}

// mustMarshal encodes v, which must be a value that cannot fail to encode.
func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("agentos: encoding %T: %v", v, err))
	}
	return b
}

func sortStrings(s []string) { slices.Sort(s) }
