// Package model talks to large language model providers. A Model turns a
// list of chat messages into a completion, streaming the text as it arrives
// and reporting token usage when it ends.
//
// Providers are reached through their official Go SDKs: Anthropic's Messages
// API and OpenAI's Chat Completions API. The latter also serves every server
// that speaks the same protocol, such as Ollama, vLLM and LM Studio.
package model

import (
	"context"
	"encoding/json"
	"time"
)

// Role is the author of a chat message.
type Role string

// The roles a request may contain.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one chat message sent to a model.
type Message struct {
	Role    Role
	Content string
}

// Request is one completion request.
type Request struct {
	Messages []Message
	// Temperature, when non-nil, sets the sampling temperature.
	Temperature *float64
	// MaxTokens limits the completion's length. Zero means the provider's
	// default, which for Anthropic is DefaultMaxTokens.
	MaxTokens int64
	// Stream asks the provider to stream the completion. Providers that
	// always stream, such as Anthropic, ignore it. Text deltas reach the
	// callback of Generate either way.
	Stream bool
}

// Usage counts the tokens of one completion.
type Usage struct {
	InputTokens      int64
	OutputTokens     int64
	TotalTokens      int64
	CacheReadTokens  int64
	CacheWriteTokens int64
	ReasoningTokens  int64
}

// Response is a finished completion, or the part of it received before an
// error.
type Response struct {
	Text  string
	Usage Usage
	// TimeToFirstToken is the time from sending the request to receiving the
	// first text, zero when no text arrived.
	TimeToFirstToken time.Duration
	// Duration is the time the whole call took, retries included.
	Duration time.Duration
	// ProviderData holds provider-specific values kept with the answer, such
	// as OpenAI's completion id and system fingerprint. Nil when none.
	ProviderData json.RawMessage
	// StopReason is why the model stopped, in the provider's words.
	StopReason string
}

// Info describes a model the way agno names it.
type Info struct {
	// Name is agno's model class name: Claude, OpenAIChat, OpenAILike,
	// Ollama, VLLM or LMStudio.
	Name string
	// ID is the provider's model id, such as claude-sonnet-4-5 or gpt-4o.
	ID string
	// Provider is the provider name agno shows: Anthropic, OpenAI, Ollama,
	// VLLM or LMStudio.
	Provider string
	// MetricsProvider is the provider name agno writes in the per-model
	// entries of run metrics, which differs from Provider for OpenAI.
	MetricsProvider string
}

// Model generates completions. Implementations are safe for concurrent use.
type Model interface {
	// Info describes the model.
	Info() Info
	// Generate sends req and calls onText with each piece of text as it
	// arrives, in order. It returns when the completion ends, when onText
	// returns an error (which Generate returns), or when ctx ends. On error
	// the Response, when non-nil, holds the text received so far.
	Generate(ctx context.Context, req *Request, onText func(string) error) (*Response, error)
}
