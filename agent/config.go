package agent

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/agentos-go/agentos/model"
)

// DefaultConfigFile is the configuration file read when present and no
// other file is named.
const DefaultConfigFile = "agentos.yaml"

// Default model ids of the agent served without a configuration file.
const (
	DefaultAnthropicModel = "claude-sonnet-4-5"
	DefaultOpenAIModel    = "gpt-4o"
)

// Config is the parsed configuration: the OS identity and its agents.
type Config struct {
	// OSID is the id shown by /config and /. Empty lets the server derive
	// a stable one.
	OSID        string
	Name        string
	Description string
	Agents      []*Agent
}

// fileConfig is the YAML layout of a configuration file.
type fileConfig struct {
	OSID        string        `yaml:"os_id"`
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Agents      []agentConfig `yaml:"agents"`
}

type agentConfig struct {
	ID                  string       `yaml:"id"`
	Name                string       `yaml:"name"`
	Description         string       `yaml:"description"`
	Instructions        stringList   `yaml:"instructions"`
	Model               *modelConfig `yaml:"model"`
	AddHistoryToContext bool         `yaml:"add_history_to_context"`
	NumHistoryRuns      *int         `yaml:"num_history_runs"`
	Temperature         *float64     `yaml:"temperature"`
	MaxTokens           *int64       `yaml:"max_tokens"`
}

// stringList is a YAML string or list of strings.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = stringList{s}
		return nil
	case yaml.SequenceNode:
		var items []string
		if err := n.Decode(&items); err != nil {
			return err
		}
		*l = items
		return nil
	}
	return fmt.Errorf("line %d: expected a string or a list of strings", n.Line)
}

// modelConfig is a model written either as "<provider>:<model id>" or as a
// mapping with the connection details.
type modelConfig struct {
	spec       model.Spec
	timeout    time.Duration
	maxRetries int
	line       int
}

var modelKeys = []string{"provider", "id", "base_url", "api_key_env", "timeout", "max_retries"}

func (m *modelConfig) UnmarshalYAML(n *yaml.Node) error {
	m.line = n.Line
	if err := m.decode(n); err != nil {
		return fmt.Errorf("line %d: model: %w", n.Line, err)
	}
	return nil
}

func (m *modelConfig) decode(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		spec, err := model.ParseSpec(s)
		if err != nil {
			return err
		}
		m.spec = spec
		return nil
	case yaml.MappingNode:
		return m.decodeMapping(n)
	}
	return fmt.Errorf("expected \"<provider>:<model id>\" or a mapping with provider and id")
}

func (m *modelConfig) decodeMapping(n *yaml.Node) error {
	// Node.Decode ignores the decoder's KnownFields, so keys are checked
	// here.
	for i := 0; i < len(n.Content); i += 2 {
		key := n.Content[i].Value
		if !contains(modelKeys, key) {
			return fmt.Errorf("unknown key %q: use %s", key, strings.Join(modelKeys, ", "))
		}
	}
	var raw struct {
		Provider   string `yaml:"provider"`
		ID         string `yaml:"id"`
		BaseURL    string `yaml:"base_url"`
		APIKeyEnv  string `yaml:"api_key_env"`
		Timeout    string `yaml:"timeout"`
		MaxRetries *int   `yaml:"max_retries"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	m.spec = model.Spec{Provider: strings.ToLower(raw.Provider), ID: raw.ID,
		BaseURL: raw.BaseURL, APIKeyEnv: raw.APIKeyEnv}
	if raw.Provider == "" {
		return fmt.Errorf("missing provider: use one of %s",
			strings.Join(model.Providers(), ", "))
	}
	if err := m.spec.Validate(); err != nil {
		return err
	}
	if raw.Timeout != "" {
		d, err := time.ParseDuration(raw.Timeout)
		if err != nil || d <= 0 {
			return fmt.Errorf("invalid timeout %q: use a positive duration such as 90s or 5m",
				raw.Timeout)
		}
		m.timeout = d
	}
	if raw.MaxRetries != nil {
		if *raw.MaxRetries < 0 {
			return fmt.Errorf("invalid max_retries %d: use 0 or more", *raw.MaxRetries)
		}
		m.maxRetries = *raw.MaxRetries
		if m.maxRetries == 0 {
			m.maxRetries = -1 // model.Options reads 0 as the default
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// LoadConfig reads the configuration file at path. getenv reads the
// environment for API keys and base URLs.
func LoadConfig(path string, getenv func(string) string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return ParseConfig(data, path, getenv)
}

// ParseConfig parses a configuration document. source names it in errors.
// Unknown keys, invalid models, duplicate ids and negative numbers are
// errors that name the file, the agent, the field and the fix.
func ParseConfig(data []byte, source string, getenv func(string) string) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var fc fileConfig
	if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %s", source, yamlMessage(err))
	}
	if len(fc.Agents) == 0 {
		return nil, fmt.Errorf("%s: agents: no agent is declared; add at least one "+
			"under agents: with a name and a model", source)
	}
	cfg := &Config{OSID: fc.OSID, Name: fc.Name, Description: fc.Description}
	seen := map[string]int{}
	for i, ac := range fc.Agents {
		a, err := buildAgent(ac, getenv)
		if err != nil {
			return nil, fmt.Errorf("%s: agents[%d]%s: %w", source, i, label(ac), err)
		}
		if j, dup := seen[a.ID]; dup {
			return nil, fmt.Errorf("%s: agents[%d]%s: id: duplicate id %q, also used by "+
				"agents[%d]; give each agent a distinct id or name", source, i, label(ac),
				a.ID, j)
		}
		seen[a.ID] = i
		cfg.Agents = append(cfg.Agents, a)
	}
	return cfg, nil
}

func label(ac agentConfig) string {
	if ac.Name != "" {
		return fmt.Sprintf(" (%s)", ac.Name)
	}
	return ""
}

// knownKeys lists the keys of each mapping, by the Go type the YAML library
// names in its errors.
var knownKeys = map[string]string{
	"agent.fileConfig": "os_id, name, description, agents",
	"agent.agentConfig": "id, name, description, instructions, model, " +
		"add_history_to_context, num_history_runs, temperature, max_tokens",
}

var unknownFieldPattern = regexp.MustCompile(`field (\S+) not found in type (\S+)`)

// yamlMessage rewrites the YAML library's error text, which starts with
// "yaml: " and names Go types, in the configuration's own terms.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	return unknownFieldPattern.ReplaceAllStringFunc(msg, func(m string) string {
		parts := unknownFieldPattern.FindStringSubmatch(m)
		return fmt.Sprintf("unknown key %q: use %s", parts[1], knownKeys[parts[2]])
	})
}

func buildAgent(ac agentConfig, getenv func(string) string) (*Agent, error) {
	a := &Agent{
		ID:                  strings.TrimSpace(ac.ID),
		Name:                strings.TrimSpace(ac.Name),
		Description:         ac.Description,
		Instructions:        ac.Instructions,
		AddHistoryToContext: ac.AddHistoryToContext,
		NumHistoryRuns:      DefaultNumHistoryRuns,
		Temperature:         ac.Temperature,
	}
	if a.Name == "" && a.ID == "" {
		return nil, errors.New("name: missing; set name (the id defaults to its slug)")
	}
	if a.ID == "" {
		a.ID = Slug(a.Name)
	}
	if strings.ContainsAny(a.ID, "/?#% ") {
		return nil, fmt.Errorf("id: invalid id %q: use letters, digits, - and _ only", a.ID)
	}
	if a.Name == "" {
		a.Name = a.ID
	}
	if ac.NumHistoryRuns != nil {
		if *ac.NumHistoryRuns < 0 {
			return nil, fmt.Errorf("num_history_runs: must be 0 or more, got %d",
				*ac.NumHistoryRuns)
		}
		a.NumHistoryRuns = *ac.NumHistoryRuns
	}
	if ac.Temperature != nil && (*ac.Temperature < 0 || *ac.Temperature > 2) {
		return nil, fmt.Errorf("temperature: must be between 0 and 2, got %g", *ac.Temperature)
	}
	if ac.MaxTokens != nil {
		if *ac.MaxTokens <= 0 {
			return nil, fmt.Errorf("max_tokens: must be positive, got %d", *ac.MaxTokens)
		}
		a.MaxTokens = *ac.MaxTokens
	}
	if ac.Model == nil {
		return nil, errors.New("model: missing; set it to <provider>:<model id>, " +
			"for example anthropic:claude-sonnet-4-5")
	}
	opts := model.Options{Timeout: ac.Model.timeout, MaxRetries: ac.Model.maxRetries}
	m, err := model.New(ac.Model.spec, getenv, opts)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	a.Model = m
	return a, nil
}

// DefaultConfig returns the configuration used without a file: one agent,
// Assistant, on Claude when ANTHROPIC_API_KEY is set, else on OpenAI when
// OPENAI_API_KEY is set. With neither, the agent exists and its runs fail
// with a message naming both variables.
func DefaultConfig(getenv func(string) string) *Config {
	spec := model.Spec{Provider: "anthropic", ID: DefaultAnthropicModel}
	if getenv("ANTHROPIC_API_KEY") == "" && getenv("OPENAI_API_KEY") != "" {
		spec = model.Spec{Provider: "openai", ID: DefaultOpenAIModel}
	}
	var m model.Model
	if getenv("ANTHROPIC_API_KEY") == "" && getenv("OPENAI_API_KEY") == "" {
		m = model.Unavailable(spec.Info(), &model.Error{
			Type:     model.TypeAuthentication,
			Provider: "Anthropic",
			Message: "no model API key: set ANTHROPIC_API_KEY (Claude) or OPENAI_API_KEY " +
				"(OpenAI) and restart the server, or configure agents in " + DefaultConfigFile,
		})
	} else {
		var err error
		m, err = model.New(spec, getenv, model.Options{})
		if err != nil {
			// The spec is a constant known to be valid.
			panic(err)
		}
	}
	return &Config{Agents: []*Agent{{
		ID:             "assistant",
		Name:           "Assistant",
		Model:          m,
		NumHistoryRuns: DefaultNumHistoryRuns,
	}}}
}
