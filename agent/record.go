package agent

import (
	"encoding/json"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/model"
)

// message is one message of a run record, in agno's key order. History
// copies are kept as read from the store, in raw.
type message struct {
	ID           string          `json:"id"`
	Content      *string         `json:"content,omitempty"`
	FromHistory  bool            `json:"from_history"`
	StopAfter    bool            `json:"stop_after_tool_call"`
	Role         model.Role      `json:"role"`
	ProviderData json.RawMessage `json:"provider_data,omitempty"`
	Metrics      *messageMetrics `json:"metrics,omitempty"`
	CreatedAt    int64           `json:"created_at"`

	raw json.RawMessage
}

// MarshalJSON writes history copies as stored and others from their fields.
func (m message) MarshalJSON() ([]byte, error) {
	if m.raw != nil {
		return m.raw, nil
	}
	type plain message
	return marshal(plain(m)), nil
}

type messageMetrics struct {
	InputTokens      int64   `json:"input_tokens,omitempty"`
	OutputTokens     int64   `json:"output_tokens,omitempty"`
	TotalTokens      int64   `json:"total_tokens,omitempty"`
	CacheReadTokens  int64   `json:"cache_read_tokens,omitempty"`
	CacheWriteTokens int64   `json:"cache_write_tokens,omitempty"`
	ReasoningTokens  int64   `json:"reasoning_tokens,omitempty"`
	Duration         float64 `json:"duration,omitempty"`
	TimeToFirstToken float64 `json:"time_to_first_token,omitempty"`
}

// runMetrics are a run's metrics in agno's key order, zero values dropped.
type runMetrics struct {
	InputTokens      int64                    `json:"input_tokens,omitempty"`
	OutputTokens     int64                    `json:"output_tokens,omitempty"`
	TotalTokens      int64                    `json:"total_tokens,omitempty"`
	CacheReadTokens  int64                    `json:"cache_read_tokens,omitempty"`
	CacheWriteTokens int64                    `json:"cache_write_tokens,omitempty"`
	ReasoningTokens  int64                    `json:"reasoning_tokens,omitempty"`
	TimeToFirstToken float64                  `json:"time_to_first_token,omitempty"`
	Duration         float64                  `json:"duration,omitempty"`
	Details          map[string][]modelDetail `json:"details,omitempty"`
}

type modelDetail struct {
	InputTokens      int64  `json:"input_tokens,omitempty"`
	OutputTokens     int64  `json:"output_tokens,omitempty"`
	TotalTokens      int64  `json:"total_tokens,omitempty"`
	CacheReadTokens  int64  `json:"cache_read_tokens,omitempty"`
	CacheWriteTokens int64  `json:"cache_write_tokens,omitempty"`
	ReasoningTokens  int64  `json:"reasoning_tokens,omitempty"`
	ID               string `json:"id"`
	Provider         string `json:"provider"`
}

// record is agno's run record, in its key order, with null values dropped.
type record struct {
	RunID             string            `json:"run_id"`
	AgentID           string            `json:"agent_id"`
	AgentName         string            `json:"agent_name"`
	SessionID         string            `json:"session_id"`
	UserID            *string           `json:"user_id,omitempty"`
	Content           *string           `json:"content,omitempty"`
	ContentType       string            `json:"content_type"`
	ModelProviderData json.RawMessage   `json:"model_provider_data,omitempty"`
	Model             string            `json:"model"`
	ModelProvider     string            `json:"model_provider"`
	SessionState      json.RawMessage   `json:"session_state,omitempty"`
	CreatedAt         int64             `json:"created_at"`
	Status            agentos.RunStatus `json:"status"`
	Metrics           *runMetrics       `json:"metrics,omitempty"`
	Events            []json.RawMessage `json:"events,omitempty"`
	Messages          []message         `json:"messages,omitempty"`
	Metadata          json.RawMessage   `json:"metadata,omitempty"`
	Tools             []json.RawMessage `json:"tools"`
	Input             recordInput       `json:"input"`
}

type recordInput struct {
	InputContent string `json:"input_content"`
}

// encode returns the record as stored: without history copies.
func (r *record) encode(withHistory bool) json.RawMessage {
	c := *r
	if c.Tools == nil {
		c.Tools = []json.RawMessage{}
	}
	if !withHistory {
		c.Messages = nil
		for _, m := range r.Messages {
			if !m.FromHistory {
				c.Messages = append(c.Messages, m)
			}
		}
	}
	return marshal(c)
}

func seconds(d time.Duration) float64 { return d.Seconds() }

// usageMetrics returns the run metrics of one model response.
func usageMetrics(info model.Info, resp *model.Response, total time.Duration) *runMetrics {
	u := resp.Usage
	m := &runMetrics{
		InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, TotalTokens: u.TotalTokens,
		CacheReadTokens: u.CacheReadTokens, CacheWriteTokens: u.CacheWriteTokens,
		ReasoningTokens:  u.ReasoningTokens,
		TimeToFirstToken: seconds(resp.TimeToFirstToken),
		Duration:         seconds(total),
	}
	if u.InputTokens != 0 || u.OutputTokens != 0 || u.TotalTokens != 0 {
		m.Details = map[string][]modelDetail{"model": {{
			InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, TotalTokens: u.TotalTokens,
			CacheReadTokens: u.CacheReadTokens, CacheWriteTokens: u.CacheWriteTokens,
			ReasoningTokens: u.ReasoningTokens,
			ID:              info.ID, Provider: info.MetricsProvider,
		}}}
	}
	return m
}

func assistantMetrics(resp *model.Response) *messageMetrics {
	u := resp.Usage
	m := &messageMetrics{
		InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, TotalTokens: u.TotalTokens,
		CacheReadTokens: u.CacheReadTokens, CacheWriteTokens: u.CacheWriteTokens,
		ReasoningTokens:  u.ReasoningTokens,
		Duration:         seconds(resp.Duration),
		TimeToFirstToken: seconds(resp.TimeToFirstToken),
	}
	if *m == (messageMetrics{}) {
		return nil
	}
	return m
}
