package agentos

import "encoding/json"

// RunSessionState is the part of a session that a run write reads to decide
// how the session changes.
type RunSessionState struct {
	Type         SessionType
	AgentID      string
	WorkflowData json.RawMessage
	HasName      bool // an explicit name is set
	NameDecided  bool // a run has decided the derived name
	Metrics      json.RawMessage
}

// RunSessionUpdate lists the session columns a run write sets. Nil and empty
// fields stay unchanged.
type RunSessionUpdate struct {
	State     json.RawMessage
	AgentID   string
	AgentData json.RawMessage
	// DerivedName is set when this run decides the derived name, and NameFold
	// when that name is also the displayed one.
	DerivedName *string
	NameFold    *string
	// Metrics is the new session total when SetMetrics is true.
	Metrics    json.RawMessage
	SetMetrics bool
}

// PlanRunWrite returns the session changes that writing run r makes, so
// every store applies the same rules: the state and agent from ch, the
// derived name while undecided (first tells whether r is the session's
// first run), and r's metrics added to the totals when count is set.
func PlanRunWrite(s RunSessionState, r *Run, first, count bool,
	ch SessionChange) RunSessionUpdate {
	u := RunSessionUpdate{State: ch.State}
	if s.AgentID == "" && ch.AgentID != "" {
		u.AgentID = ch.AgentID
		if !IsNull(ch.AgentData) {
			u.AgentData = ch.AgentData
		}
	}
	if !s.NameDecided {
		if name, decided := DeriveName(s.Type, first, r.Record, s.WorkflowData); decided {
			u.DerivedName = &name
			if !s.HasName {
				fold := FoldName(name)
				u.NameFold = &fold
			}
		}
	}
	if count {
		u.Metrics = AddMetrics(s.Metrics, RunMetrics(r.Record))
		u.SetMetrics = true
	}
	return u
}

// RunMetrics returns the metrics object of a run record, or nil.
func RunMetrics(record json.RawMessage) json.RawMessage {
	var k struct {
		Metrics json.RawMessage `json:"metrics"`
	}
	if json.Unmarshal(record, &k) != nil {
		return nil
	}
	return k.Metrics
}
