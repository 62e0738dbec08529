package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agentos-go/agentos/model"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestParseConfig(t *testing.T) {
	doc := `
os_id: research-os
name: Research
agents:
  - name: Research Assistant
    description: Finds sources.
    instructions:
      - Cite sources.
      - Answer briefly.
    model: anthropic:claude-sonnet-4-5
    add_history_to_context: true
    num_history_runs: 5
    temperature: 0.2
    max_tokens: 1024
  - name: Local_Helper
    instructions: Be kind.
    model:
      provider: ollama
      id: llama3.2
      timeout: 90s
  - id: writer
    name: Writer
    model: openai:gpt-4o
`
	cfg, err := ParseConfig([]byte(doc), "agentos.yaml",
		env(map[string]string{"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "o"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OSID != "research-os" || cfg.Name != "Research" {
		t.Errorf("os id %q name %q", cfg.OSID, cfg.Name)
	}
	if len(cfg.Agents) != 3 {
		t.Fatalf("got %d agents, want 3", len(cfg.Agents))
	}
	a := cfg.Agents[0]
	if a.ID != "research-assistant" {
		t.Errorf("id = %q, want the slug of the name", a.ID)
	}
	if !a.AddHistoryToContext || a.NumHistoryRuns != 5 {
		t.Errorf("history %v %d", a.AddHistoryToContext, a.NumHistoryRuns)
	}
	if a.Temperature == nil || *a.Temperature != 0.2 || a.MaxTokens != 1024 {
		t.Errorf("temperature %v max tokens %d", a.Temperature, a.MaxTokens)
	}
	if info := a.Model.Info(); info.Name != "Claude" || info.ID != "claude-sonnet-4-5" ||
		info.Provider != "Anthropic" {
		t.Errorf("model info %+v", info)
	}
	want := "Finds sources.\n- Cite sources.\n- Answer briefly."
	if got := a.SystemMessage(); got != want {
		t.Errorf("system message = %q, want %q", got, want)
	}
	local := cfg.Agents[1]
	if local.ID != "local-helper" || local.NumHistoryRuns != DefaultNumHistoryRuns {
		t.Errorf("second agent id %q history runs %d", local.ID, local.NumHistoryRuns)
	}
	if info := local.Model.Info(); info.Name != "Ollama" || info.Provider != "Ollama" {
		t.Errorf("ollama info %+v", info)
	}
	if got := local.SystemMessage(); got != "Be kind." {
		t.Errorf("single instruction system message = %q", got)
	}
	if cfg.Agents[2].ID != "writer" || cfg.Agents[2].Model.Info().Name != "OpenAIChat" {
		t.Errorf("third agent %+v", cfg.Agents[2])
	}
}

func TestParseConfigErrors(t *testing.T) {
	cases := []struct {
		name, doc string
		want      []string // fragments of the message
	}{
		{"unknown key", "agents:\n  - name: A\n    model: openai:gpt-4o\n    temprature: 1\n",
			[]string{"agentos.yaml", "temprature", "unknown key"}},
		{"unknown top key", "agent:\n  - name: A\n", []string{"agentos.yaml", "agent"}},
		{"bad model string", "agents:\n  - name: A\n    model: gpt-4o\n",
			[]string{"agentos.yaml", "gpt-4o", "<provider>:<model id>"}},
		{"unknown provider", "agents:\n  - name: A\n    model: mistral:large\n",
			[]string{"mistral", "anthropic"}},
		{"missing model", "agents:\n  - name: A\n", []string{"agents[0] (A)", "model: missing"}},
		{"duplicate ids", "agents:\n  - name: Helper\n    model: ollama:x\n" +
			"  - id: helper\n    model: ollama:y\n",
			[]string{"agents[1]", `duplicate id "helper"`, "agents[0]"}},
		{"negative history", "agents:\n  - name: A\n    model: ollama:x\n" +
			"    num_history_runs: -1\n", []string{"num_history_runs", "0 or more", "-1"}},
		{"no agents", "os_id: x\n", []string{"no agent is declared"}},
		{"empty file", "", []string{"no agent is declared"}},
		{"openai-like without url", "agents:\n  - name: A\n    model:\n" +
			"      provider: openai-like\n      id: m\n", []string{"base_url"}},
		{"unknown model key", "agents:\n  - name: A\n    model:\n      provider: ollama\n" +
			"      id: m\n      url: http://x\n", []string{`unknown key "url"`}},
		{"bad base url", "agents:\n  - name: A\n    model:\n      provider: ollama\n" +
			"      id: m\n      base_url: localhost:11434\n", []string{"invalid base_url"}},
		{"bad timeout", "agents:\n  - name: A\n    model:\n      provider: ollama\n" +
			"      id: m\n      timeout: soon\n", []string{"invalid timeout"}},
		{"temperature", "agents:\n  - name: A\n    model: ollama:m\n    temperature: 3\n",
			[]string{"temperature"}},
		{"max tokens", "agents:\n  - name: A\n    model: ollama:m\n    max_tokens: 0\n",
			[]string{"max_tokens"}},
		{"no name", "agents:\n  - model: ollama:m\n", []string{"name: missing"}},
		{"not yaml", "agents: [", []string{"agentos.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.doc), "agentos.yaml", env(nil))
			if err == nil {
				t.Fatal("ParseConfig accepted the document")
			}
			for _, frag := range tc.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error %q lacks %q", err, frag)
				}
			}
		})
	}
}

func TestLoadConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agents.yaml")
	if err := os.WriteFile(path, []byte("agents:\n  - name: A\n    model: ollama:m\n"),
		0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Agents[0].ID != "a" {
		t.Errorf("id = %q", cfg.Agents[0].ID)
	}
	_, err = LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"), env(nil))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file error = %v", err)
	}
}

func TestDefaultConfig(t *testing.T) {
	cases := []struct {
		name         string
		vars         map[string]string
		wantProvider string
	}{
		{"anthropic", map[string]string{"ANTHROPIC_API_KEY": "a", "OPENAI_API_KEY": "o"},
			"Anthropic"},
		{"openai", map[string]string{"OPENAI_API_KEY": "o"}, "OpenAI"},
		{"none", nil, "Anthropic"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig(env(tc.vars))
			if len(cfg.Agents) != 1 || cfg.Agents[0].ID != "assistant" ||
				cfg.Agents[0].Name != "Assistant" {
				t.Fatalf("agents %+v", cfg.Agents)
			}
			if got := cfg.Agents[0].Model.Info().Provider; got != tc.wantProvider {
				t.Errorf("provider = %q, want %q", got, tc.wantProvider)
			}
		})
	}
	m := DefaultConfig(env(nil)).Agents[0].Model
	_, err := m.Generate(context.Background(), &model.Request{}, nil)
	if err == nil || !strings.Contains(err.Error(), "ANTHROPIC_API_KEY") ||
		!strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Errorf("run without keys fails with %v, want both variables named", err)
	}
}

func TestMissingKeyNamesVariable(t *testing.T) {
	cfg, err := ParseConfig([]byte("agents:\n  - name: A\n    model:\n"+
		"      provider: openai-like\n      id: m\n      base_url: http://127.0.0.1:9/v1\n"+
		"      api_key_env: MY_GATEWAY_KEY\n"), "f.yaml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Agents[0].Model.Generate(context.Background(), &model.Request{}, nil)
	if err == nil || !strings.Contains(err.Error(), "MY_GATEWAY_KEY") {
		t.Errorf("error = %v, want it to name MY_GATEWAY_KEY", err)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Assistant": "assistant", "Research Assistant": "research-assistant",
		"my_agent": "my-agent", "Ünïcode Agent": "ünïcode-agent",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	if !slices.Contains(model.Providers(), "ollama") {
		t.Error("ollama is not a provider")
	}
}
