package model

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
)

// Anthropic is a Claude model reached through Anthropic's Messages API.
type Anthropic struct {
	info   Info
	opts   Options
	client anthropic.Client
}

// NewAnthropic returns the Claude model id. The SDK reads nothing from the
// environment: the key and base URL come from opts only.
func NewAnthropic(id string, opts Options) *Anthropic {
	ropts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithMaxRetries(opts.maxRetries()),
	}
	if opts.APIKey != "" {
		ropts = append(ropts, option.WithAPIKey(opts.APIKey))
	}
	if opts.BaseURL != "" {
		ropts = append(ropts, option.WithBaseURL(opts.BaseURL))
	}
	if opts.HTTPClient != nil {
		ropts = append(ropts, option.WithHTTPClient(opts.HTTPClient))
	}
	return &Anthropic{
		info: Info{Name: "Claude", ID: id, Provider: "Anthropic",
			MetricsProvider: "Anthropic"},
		opts:   opts,
		client: anthropic.NewClient(ropts...),
	}
}

// Info describes the model.
func (m *Anthropic) Info() Info { return m.info }

// Generate streams a completion. Anthropic calls always stream, whatever
// req.Stream is set to, because the SDK rejects non-streaming calls whose
// max_tokens could take longer than ten minutes (above about 21,000 tokens).
func (m *Anthropic) Generate(ctx context.Context, req *Request,
	onText func(string) error) (*Response, error) {
	start := time.Now()
	callCtx, cancel := context.WithTimeout(ctx, m.opts.timeout())
	defer cancel()
	callCtx, dog := newWatchdog(callCtx, m.opts.idleTimeout())
	defer dog.stop()

	params := m.params(req)
	var ropts []option.RequestOption
	if req.Temperature != nil {
		// MessageNewParams has no temperature field, but the API accepts one.
		ropts = append(ropts, option.WithJSONSet("temperature", *req.Temperature))
	}
	stream := m.client.Messages.NewStreaming(callCtx, params, ropts...)
	defer stream.Close()

	resp := &Response{}
	var text strings.Builder
	var stopped bool
	var streamErr error
	for stream.Next() {
		dog.feed()
		ev := stream.Current()
		switch ev.Type {
		case "message_start":
			u := ev.Message.Usage
			resp.Usage.InputTokens = u.InputTokens
			resp.Usage.CacheReadTokens = u.CacheReadInputTokens
			resp.Usage.CacheWriteTokens = u.CacheCreationInputTokens
			resp.Usage.OutputTokens = u.OutputTokens
		case "content_block_delta":
			if ev.Delta.Type != "text_delta" || ev.Delta.Text == "" {
				continue
			}
			if resp.TimeToFirstToken == 0 {
				resp.TimeToFirstToken = time.Since(start)
			}
			text.WriteString(ev.Delta.Text)
			if err := onText(ev.Delta.Text); err != nil {
				streamErr = err
			}
		case "message_delta":
			if ev.Delta.StopReason != "" {
				resp.StopReason = string(ev.Delta.StopReason)
			}
			// message_delta carries cumulative counts.
			if ev.Usage.OutputTokens > 0 {
				resp.Usage.OutputTokens = ev.Usage.OutputTokens
			}
			if ev.Usage.InputTokens > 0 {
				resp.Usage.InputTokens = ev.Usage.InputTokens
			}
		case "message_stop":
			stopped = true
		}
		if streamErr != nil {
			break
		}
	}
	resp.Text = text.String()
	resp.Usage.TotalTokens = resp.Usage.InputTokens + resp.Usage.OutputTokens
	resp.Duration = time.Since(start)
	if streamErr != nil {
		return resp, streamErr
	}
	if err := stream.Err(); err != nil {
		return resp, callError(ctx, dog, m.info.Provider, m.opts.timeout(), err,
			classifyAnthropic)
	}
	if !stopped {
		if ctx.Err() != nil {
			return resp, ctx.Err()
		}
		return resp, &Error{Type: TypeProvider, Provider: m.info.Provider,
			Message: "Anthropic ended the stream before the answer was complete"}
	}
	return resp, nil
}

func (m *Anthropic) params(req *Request) anthropic.MessageNewParams {
	p := anthropic.MessageNewParams{
		Model:     anthropic.Model(m.info.ID),
		MaxTokens: req.MaxTokens,
	}
	if p.MaxTokens <= 0 {
		p.MaxTokens = DefaultMaxTokens
	}
	for _, msg := range req.Messages {
		switch msg.Role {
		case RoleSystem:
			p.System = append(p.System, anthropic.TextBlockParam{Text: msg.Content})
		case RoleAssistant:
			p.Messages = append(p.Messages,
				anthropic.NewAssistantMessage(anthropic.NewTextBlock(msg.Content)))
		default:
			p.Messages = append(p.Messages,
				anthropic.NewUserMessage(anthropic.NewTextBlock(msg.Content)))
		}
	}
	return p
}

func classifyAnthropic(err error) *Error {
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) {
		return nil
	}
	detail := apiErr.Message
	if detail == "" {
		detail = strings.TrimSpace(apiErr.RawJSON())
	}
	return statusError("Anthropic", apiErr.StatusCode, detail, err)
}
