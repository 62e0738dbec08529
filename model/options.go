package model

import (
	"net/http"
	"time"
)

// Defaults for Options fields left zero.
const (
	DefaultTimeout     = 10 * time.Minute
	DefaultIdleTimeout = 2 * time.Minute
	DefaultMaxRetries  = 2
	// DefaultMaxTokens is the completion limit sent to Anthropic, whose API
	// requires one, when the request sets none.
	DefaultMaxTokens = 8192
)

// Options configures a provider client.
type Options struct {
	// APIKey authenticates the calls. Empty sends no key, which servers
	// such as Ollama accept.
	APIKey string
	// BaseURL replaces the provider's default API address.
	BaseURL string
	// HTTPClient sends the requests. Nil means a client of the SDK's own.
	HTTPClient *http.Client
	// Timeout bounds one whole call, retries and streaming included.
	// Zero means DefaultTimeout.
	Timeout time.Duration
	// IdleTimeout abandons a call that receives no data for this long.
	// Zero means DefaultIdleTimeout. Negative disables it.
	IdleTimeout time.Duration
	// MaxRetries is how many times a call that receives 408, 409, 429 or a
	// 5xx status, or failed to connect, is retried, with exponential
	// backoff that honours Retry-After. Zero means DefaultMaxRetries.
	// Negative disables retries.
	MaxRetries int
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

func (o Options) idleTimeout() time.Duration {
	switch {
	case o.IdleTimeout < 0:
		return 0
	case o.IdleTimeout == 0:
		return DefaultIdleTimeout
	}
	return o.IdleTimeout
}

func (o Options) maxRetries() int {
	switch {
	case o.MaxRetries < 0:
		return 0
	case o.MaxRetries == 0:
		return DefaultMaxRetries
	}
	return o.MaxRetries
}
