package agentos

import (
	"encoding/json"
	"testing"
)

func TestPlanRunWrite(t *testing.T) {
	r, err := NewRun("s", json.RawMessage(`{"run_id":"r","agent_id":"a","status":"COMPLETED",`+
		`"messages":[{"role":"user","content":"Hello there"}],"metrics":{"total_tokens":3}}`))
	if err != nil {
		t.Fatal(err)
	}
	state := RunSessionState{Type: SessionTypeAgent, Metrics: json.RawMessage(`{"total_tokens":2}`)}
	ch := SessionChange{State: json.RawMessage(`{"k":1}`), AgentID: "a",
		AgentData: json.RawMessage(`{"name":"A"}`)}
	u := PlanRunWrite(state, r, true, true, ch)
	if string(u.State) != `{"k":1}` {
		t.Errorf("state = %s", u.State)
	}
	if u.AgentID != "a" || string(u.AgentData) != `{"name":"A"}` {
		t.Errorf("agent = %q %s, want it filled", u.AgentID, u.AgentData)
	}
	if u.DerivedName == nil || *u.DerivedName != "Hello there" {
		t.Errorf("derived name = %v", u.DerivedName)
	}
	if u.NameFold == nil || *u.NameFold != "hello there" {
		t.Errorf("name fold = %v", u.NameFold)
	}
	if !u.SetMetrics || string(u.Metrics) != `{"total_tokens":5}` {
		t.Errorf("metrics = %v %s", u.SetMetrics, u.Metrics)
	}

	state = RunSessionState{Type: SessionTypeAgent, AgentID: "b", HasName: true, NameDecided: false}
	u = PlanRunWrite(state, r, true, false, ch)
	if u.AgentID != "" {
		t.Errorf("agent %q replaced an existing one", u.AgentID)
	}
	if u.DerivedName == nil || u.NameFold != nil {
		t.Errorf("with an explicit name: derived %v, fold %v; want derived only",
			u.DerivedName, u.NameFold)
	}
	if u.SetMetrics {
		t.Error("metrics counted without count")
	}
	state.NameDecided = true
	if u := PlanRunWrite(state, r, true, false, SessionChange{}); u.DerivedName != nil {
		t.Error("a decided name was derived again")
	}
}
