package model

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Spec names a model and where to reach it, as configuration writes it.
type Spec struct {
	// Provider is one of the names in Providers.
	Provider string
	// ID is the provider's model id.
	ID string
	// BaseURL replaces the provider's default address.
	BaseURL string
	// APIKeyEnv names the environment variable that holds the API key.
	// Empty means the provider's default variable, if it has one.
	APIKeyEnv string
}

// provider describes one accepted value of Spec.Provider.
type provider struct {
	info       Info
	keyEnv     string // default variable holding the key
	keyNeeded  bool   // calls fail without a key
	baseEnv    string // variable that may replace the default address
	defaultURL string // "" for the SDK's own default
	compatible bool   // reached through the Chat Completions protocol
}

var providers = map[string]provider{
	"anthropic": {info: Info{Name: "Claude", Provider: "Anthropic",
		// NOTE: agno's per-model metrics entry for Claude is assumed to
		// name the provider "Anthropic"; only OpenAI's was recorded.
		MetricsProvider: "Anthropic"},
		keyEnv: "ANTHROPIC_API_KEY", keyNeeded: true, baseEnv: "ANTHROPIC_BASE_URL"},
	"openai": {info: Info{Name: "OpenAIChat", Provider: "OpenAI", MetricsProvider: "OpenAI Chat"},
		keyEnv: "OPENAI_API_KEY", keyNeeded: true, baseEnv: "OPENAI_BASE_URL"},
	"openai-like": {info: Info{Name: "OpenAILike", Provider: "OpenAI"}, compatible: true},
	"ollama": {info: Info{Name: "Ollama", Provider: "Ollama"}, compatible: true,
		defaultURL: "http://localhost:11434/v1"},
	"vllm": {info: Info{Name: "VLLM", Provider: "VLLM"}, compatible: true,
		keyEnv: "VLLM_API_KEY", defaultURL: "http://localhost:8000/v1"},
	"lmstudio": {info: Info{Name: "LMStudio", Provider: "LMStudio"}, compatible: true,
		defaultURL: "http://localhost:1234/v1"},
}

// Providers lists the accepted provider names.
func Providers() []string {
	names := make([]string, 0, len(providers))
	for name := range providers {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// ParseSpec reads a model string of the form "<provider>:<model id>", such
// as "anthropic:claude-sonnet-4-5" or "ollama:llama3.2".
func ParseSpec(s string) (Spec, error) {
	name, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Spec{}, fmt.Errorf("invalid model %q: write <provider>:<model id>, "+
			"for example anthropic:claude-sonnet-4-5 or openai:gpt-4o", s)
	}
	spec := Spec{Provider: strings.ToLower(strings.TrimSpace(name)), ID: strings.TrimSpace(id)}
	return spec, spec.Validate()
}

// Validate checks the provider name, the model id and the base URL.
func (s Spec) Validate() error {
	if _, ok := providers[s.Provider]; !ok {
		return fmt.Errorf("invalid model provider %q: use one of %s", s.Provider,
			strings.Join(Providers(), ", "))
	}
	if s.ID == "" {
		return fmt.Errorf("missing model id for provider %s: write %s:<model id>",
			s.Provider, s.Provider)
	}
	if s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("invalid base_url %q: use an http or https URL such as "+
				"http://localhost:11434/v1", s.BaseURL)
		}
	}
	if s.Provider == "openai-like" && s.BaseURL == "" {
		return fmt.Errorf("missing base_url for provider openai-like: set the URL of " +
			"the server's Chat Completions API, such as http://localhost:8080/v1")
	}
	if s.APIKeyEnv != "" && strings.ContainsAny(s.APIKeyEnv, "= \t") {
		return fmt.Errorf("invalid api_key_env %q: give the name of an environment "+
			"variable, not its value", s.APIKeyEnv)
	}
	return nil
}

// Info returns the description of the model that New builds for s.
func (s Spec) Info() Info {
	info := providers[s.Provider].info
	info.ID = s.ID
	if info.MetricsProvider == "" {
		info.MetricsProvider = info.Provider
	}
	return info
}

// KeyEnv returns the name of the variable that holds the key for s, or ""
// when the provider needs none.
func (s Spec) KeyEnv() string {
	if s.APIKeyEnv != "" {
		return s.APIKeyEnv
	}
	return providers[s.Provider].keyEnv
}

// New returns the model s names. getenv reads the environment (os.Getenv in
// production). When the key s needs is missing, the model still exists and
// every call fails with an error naming the variable to set.
func New(s Spec, getenv func(string) string, opts Options) (Model, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	p := providers[s.Provider]
	info := s.Info()
	keyEnv := s.KeyEnv()
	if keyEnv != "" {
		opts.APIKey = getenv(keyEnv)
	}
	if opts.APIKey == "" && (p.keyNeeded || s.APIKeyEnv != "") {
		return Unavailable(info, MissingKeyError(info.Provider, keyEnv)), nil
	}
	switch {
	case s.BaseURL != "":
		opts.BaseURL = s.BaseURL
	case p.baseEnv != "" && getenv(p.baseEnv) != "":
		opts.BaseURL = getenv(p.baseEnv)
	default:
		opts.BaseURL = p.defaultURL
	}
	switch {
	case s.Provider == "anthropic":
		return NewAnthropic(s.ID, opts), nil
	case p.compatible:
		return NewOpenAICompatible(info, s.ID, opts), nil
	}
	return NewOpenAI(s.ID, opts), nil
}

// Unavailable returns a model described by info whose every call fails with
// err, for models that cannot be reached as configured.
func Unavailable(info Info, err *Error) Model {
	return &unavailable{info: info, err: err}
}

type unavailable struct {
	info Info
	err  *Error
}

func (m *unavailable) Info() Info { return m.info }

func (m *unavailable) Generate(context.Context, *Request, func(string) error) (*Response, error) {
	return nil, m.err
}
