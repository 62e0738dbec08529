package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/model"
)

func get(t testing.TB, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readAll(t, resp)
}

func TestAgentsListMatchesRecording(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	status, body := get(t, h.URL+"/agents")
	rec := loadRecording(t, "02-agents-list").Response
	if status != rec.StatusCode {
		t.Errorf("status %d, agno answered %d", status, rec.StatusCode)
	}
	if !bytes.Equal(body, rec.Body) {
		t.Errorf("GET /agents =\n%s\nagno sent\n%s", body, rec.Body)
	}

	status, body = get(t, h.URL+"/agents/researcher")
	var list []json.RawMessage
	if err := json.Unmarshal(rec.Body, &list); err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK || !bytes.Equal(body, list[1]) {
		t.Errorf("GET /agents/researcher = %d %s\nwant %s", status, body, list[1])
	}
	status, body = get(t, h.URL+"/agents/nobody")
	if status != http.StatusNotFound || string(body) != `{"detail":"Agent not found"}` {
		t.Errorf("unknown agent answered %d %s", status, body)
	}
}

func TestAgentObjectDropsDefaults(t *testing.T) {
	h := newAgentHarness(t, func(url string) []*agent.Agent {
		opts := model.Options{BaseURL: url, APIKey: "k"}
		return []*agent.Agent{{ID: "plain", Name: "Plain", NumHistoryRuns: 3,
			Model: model.NewAnthropic("claude-sonnet-4-5", opts)},
			{ID: "told", Name: "Told", Description: "Helps.", NumHistoryRuns: 3,
				Instructions: []string{"Answer briefly.", "Cite."},
				Model:        model.NewOpenAI("gpt-4o", opts)}}
	})
	_, body := get(t, h.URL+"/agents/plain")
	want := `{"id":"plain","name":"Plain","db_id":"` + DefaultDBID + `","is_factory":false,` +
		`"model":{"name":"Claude","model":"claude-sonnet-4-5","provider":"Anthropic"},` +
		`"sessions":{"session_table":"agno_sessions"},"is_component":false}`
	if string(body) != want {
		t.Errorf("plain agent =\n%s\nwant\n%s", body, want)
	}
	_, body = get(t, h.URL+"/agents/told")
	want = `{"id":"told","name":"Told","db_id":"` + DefaultDBID + `","description":"Helps.",` +
		`"is_factory":false,"model":{"name":"OpenAIChat","model":"gpt-4o","provider":"OpenAI"},` +
		`"sessions":{"session_table":"agno_sessions"},"system_message":{"description":` +
		`"Helps.","instructions":["Answer briefly.","Cite."]},"is_component":false}`
	if string(body) != want {
		t.Errorf("agent with instructions =\n%s\nwant\n%s", body, want)
	}
}

func TestConfigMatchesRecording(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	status, body := get(t, h.URL+"/config")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	var got, want map[string]json.RawMessage
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(loadRecording(t, "01-config").Response.Body, &want); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"os_id", "databases", "agents", "teams", "workflows",
		"interfaces"} {
		if _, ok := got[key]; !ok {
			t.Errorf("/config lacks %s, which agno's client requires", key)
		}
	}
	for _, key := range []string{"available_models", "databases", "session", "agents",
		"teams", "workflows", "interfaces"} {
		if !bytes.Equal(got[key], want[key]) {
			t.Errorf("/config %s = %s, agno sent %s", key, got[key], want[key])
		}
	}
	for _, key := range []string{"memory", "metrics", "evals", "learning", "traces"} {
		if _, ok := got[key]; ok {
			t.Errorf("/config advertises %s, which has no routes here", key)
		}
	}
	keys := keyOrder(t, body)
	wantOrder := slices.DeleteFunc(keyOrder(t, loadRecording(t, "01-config").Response.Body),
		func(k string) bool { _, ok := got[k]; return !ok })
	if diff := cmp.Diff(wantOrder, keys); diff != "" {
		t.Errorf("key order (-agno +got):\n%s", diff)
	}
	// The OS id is stable across restarts of the same configuration.
	h2 := newAgentHarness(t, referenceAgents)
	_, body2 := get(t, h2.URL+"/config")
	var got2 map[string]json.RawMessage
	if err := json.Unmarshal(body2, &got2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got["os_id"], got2["os_id"]) {
		t.Errorf("os_id changed between starts: %s then %s", got["os_id"], got2["os_id"])
	}
}

func TestHealthHomeInfoModels(t *testing.T) {
	h := newAgentHarness(t, referenceAgents)
	status, body := get(t, h.URL+"/health")
	pattern := regexp.MustCompile(
		`^\{"status":"ok","instantiated_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"\}$`)
	if status != http.StatusOK || !pattern.Match(body) {
		t.Errorf("/health = %d %s", status, body)
	}
	rec := loadRecording(t, "00-health").Response.Body
	if !pattern.Match(rec) {
		t.Errorf("the pattern does not match agno's own answer %s", rec)
	}

	_, body = get(t, h.URL+"/")
	var home map[string]string
	if err := json.Unmarshal(body, &home); err != nil {
		t.Fatal(err)
	}
	if home["name"] != "AgentOS API" || home["id"] == "" || home["version"] == "" {
		t.Errorf("/ = %s", body)
	}

	_, body = get(t, h.URL+"/info")
	want := `{"os_id":"` + home["id"] + `","name":null,"agno_version":"2.9.0","agent_count":2,` +
		`"team_count":0,"workflow_count":0,"mcp":{"enabled":false,"path":null,"oauth":null},` +
		`"auth_mode":"none"}`
	if string(body) != want {
		t.Errorf("/info =\n%s\nwant\n%s", body, want)
	}

	_, body = get(t, h.URL+"/models")
	if string(body) != `[{"id":"gpt-4o","provider":"OpenAI"}]` {
		t.Errorf("/models = %s", body)
	}
}

func TestNoEngineServesNoAgents(t *testing.T) {
	h := newAgentHarness(t, func(string) []*agent.Agent { return nil })
	if _, body := get(t, h.URL+"/agents"); string(body) != "[]" {
		t.Errorf("/agents = %s", body)
	}
	resp := h.post("/agents/assistant/runs", nil)
	if body := readAll(t, resp); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("run without message answered %d %s", resp.StatusCode, body)
	}
}
