package model

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// OpenAI is a model reached through the OpenAI Chat Completions API: OpenAI
// itself or any server that speaks the same protocol.
type OpenAI struct {
	info   Info
	opts   Options
	client openai.Client
	// compatible marks servers other than OpenAI, which take max_tokens
	// rather than max_completion_tokens.
	compatible bool
}

// NewOpenAI returns OpenAI's model id. The key and base URL come from opts;
// the SDK may still read other OPENAI_ variables, such as OPENAI_ORG_ID.
func NewOpenAI(id string, opts Options) *OpenAI {
	m := newOpenAI(Info{Name: "OpenAIChat", ID: id, Provider: "OpenAI",
		MetricsProvider: "OpenAI Chat"}, opts)
	return m
}

// NewOpenAICompatible returns the model id of a server that implements the
// Chat Completions API, described by info (Name, Provider and
// MetricsProvider; ID is replaced by id).
func NewOpenAICompatible(info Info, id string, opts Options) *OpenAI {
	info.ID = id
	if info.MetricsProvider == "" {
		info.MetricsProvider = info.Provider
	}
	m := newOpenAI(info, opts)
	m.compatible = true
	return m
}

func newOpenAI(info Info, opts Options) *OpenAI {
	ropts := []option.RequestOption{
		option.WithMaxRetries(opts.maxRetries()),
		// An explicit key, even empty, overrides OPENAI_API_KEY.
		option.WithAPIKey(opts.APIKey),
	}
	if opts.BaseURL != "" {
		ropts = append(ropts, option.WithBaseURL(opts.BaseURL))
	} else {
		ropts = append(ropts, option.WithBaseURL("https://api.openai.com/v1/"))
	}
	if opts.HTTPClient != nil {
		ropts = append(ropts, option.WithHTTPClient(opts.HTTPClient))
	}
	return &OpenAI{info: info, opts: opts, client: openai.NewClient(ropts...)}
}

// Info describes the model.
func (m *OpenAI) Info() Info { return m.info }

// Generate sends the request, streaming when req.Stream is set.
func (m *OpenAI) Generate(ctx context.Context, req *Request,
	onText func(string) error) (*Response, error) {
	start := time.Now()
	callCtx, cancel := context.WithTimeout(ctx, m.opts.timeout())
	defer cancel()
	callCtx, dog := newWatchdog(callCtx, m.opts.idleTimeout())
	defer dog.stop()

	var resp *Response
	var err error
	if req.Stream {
		resp, err = m.stream(callCtx, dog, start, req, onText)
	} else {
		resp, err = m.complete(callCtx, start, req, onText)
	}
	resp.Duration = time.Since(start)
	if err == nil {
		return resp, nil
	}
	var cb *callbackError
	if errors.As(err, &cb) {
		return resp, cb.err
	}
	var me *Error
	if errors.As(err, &me) {
		return resp, err
	}
	return resp, callError(ctx, dog, m.info.Provider, m.opts.timeout(), err,
		func(err error) *Error { return classifyOpenAI(m.info.Provider, err) })
}

// callbackError carries an error returned by the onText callback, so that
// Generate returns it unchanged.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }

func (m *OpenAI) params(req *Request) openai.ChatCompletionNewParams {
	p := openai.ChatCompletionNewParams{Model: m.info.ID}
	if req.Temperature != nil {
		p.Temperature = openai.Float(*req.Temperature)
	}
	if req.MaxTokens > 0 {
		if m.compatible {
			p.MaxTokens = openai.Int(req.MaxTokens)
		} else {
			p.MaxCompletionTokens = openai.Int(req.MaxTokens)
		}
	}
	for _, msg := range req.Messages {
		switch msg.Role {
		case RoleSystem:
			p.Messages = append(p.Messages, openai.SystemMessage(msg.Content))
		case RoleAssistant:
			p.Messages = append(p.Messages, openai.AssistantMessage(msg.Content))
		default:
			p.Messages = append(p.Messages, openai.UserMessage(msg.Content))
		}
	}
	return p
}

func (m *OpenAI) complete(ctx context.Context, start time.Time, req *Request,
	onText func(string) error) (*Response, error) {
	resp := &Response{}
	c, err := m.client.Chat.Completions.New(ctx, m.params(req))
	if err != nil {
		return resp, err
	}
	resp.TimeToFirstToken = time.Since(start)
	resp.ProviderData = providerData(c.ID, c.SystemFingerprint)
	setOpenAIUsage(&resp.Usage, c.Usage)
	if len(c.Choices) > 0 {
		resp.Text = c.Choices[0].Message.Content
		resp.StopReason = c.Choices[0].FinishReason
	}
	if resp.Text != "" {
		if err := onText(resp.Text); err != nil {
			return resp, &callbackError{err: err}
		}
	}
	return resp, nil
}

func (m *OpenAI) stream(ctx context.Context, dog *watchdog, start time.Time, req *Request,
	onText func(string) error) (*Response, error) {
	p := m.params(req)
	p.StreamOptions.IncludeUsage = openai.Bool(true)
	stream := m.client.Chat.Completions.NewStreaming(ctx, p)
	defer stream.Close()

	resp := &Response{}
	var text strings.Builder
	defer func() { resp.Text = text.String() }()
	for stream.Next() {
		dog.feed()
		chunk := stream.Current()
		if resp.ProviderData == nil && chunk.ID != "" {
			resp.ProviderData = providerData(chunk.ID, chunk.SystemFingerprint)
		}
		if chunk.JSON.Usage.Valid() {
			setOpenAIUsage(&resp.Usage, chunk.Usage)
		}
		for _, choice := range chunk.Choices {
			if choice.Index != 0 {
				continue
			}
			if choice.FinishReason != "" {
				resp.StopReason = choice.FinishReason
			}
			delta := choice.Delta.Content
			if delta == "" {
				continue
			}
			if resp.TimeToFirstToken == 0 {
				resp.TimeToFirstToken = time.Since(start)
			}
			text.WriteString(delta)
			if err := onText(delta); err != nil {
				return resp, &callbackError{err: err}
			}
		}
	}
	if err := stream.Err(); err != nil {
		return resp, err
	}
	if resp.StopReason == "" {
		if ctx.Err() != nil {
			return resp, ctx.Err()
		}
		return resp, &Error{Type: TypeProvider, Provider: m.info.Provider,
			Message: m.info.Provider + " ended the stream before the answer was complete"}
	}
	return resp, nil
}

func setOpenAIUsage(u *Usage, cu openai.CompletionUsage) {
	u.InputTokens = cu.PromptTokens
	u.OutputTokens = cu.CompletionTokens
	u.TotalTokens = cu.TotalTokens
	u.CacheReadTokens = cu.PromptTokensDetails.CachedTokens
	u.ReasoningTokens = cu.CompletionTokensDetails.ReasoningTokens
	if u.TotalTokens == 0 {
		u.TotalTokens = u.InputTokens + u.OutputTokens
	}
}

func providerData(id, fingerprint string) json.RawMessage {
	m := map[string]string{}
	if id != "" {
		m["id"] = id
	}
	if fingerprint != "" {
		m["system_fingerprint"] = fingerprint
	}
	if len(m) == 0 {
		return nil
	}
	b, _ := json.Marshal(m)
	return b
}

func classifyOpenAI(provider string, err error) *Error {
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) {
		return nil
	}
	detail := apiErr.Message
	if detail == "" {
		detail = strings.TrimSpace(apiErr.RawJSON())
	}
	return statusError(provider, apiErr.StatusCode, detail, err)
}
