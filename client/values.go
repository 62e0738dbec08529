package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Time is a point in time that AgentOS sends either as an ISO 8601 string
// (top-level session and run times) or as Unix seconds (times nested in
// messages and events). The zero Time means the value was missing or null.
type Time struct {
	time.Time
}

// timeLayouts are the ISO 8601 forms Time accepts, tried in order. Forms
// without an offset are read as UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// ParseTime parses an ISO 8601 time with or without a fraction (up to nine
// digits), with Z, a numeric offset or no offset. No offset means UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q: expected ISO 8601", s)
}

// UnmarshalJSON accepts an ISO string, a number of Unix seconds or null.
func (t *Time) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		t.Time = time.Time{}
		return nil
	}
	if data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		if s == "" {
			t.Time = time.Time{}
			return nil
		}
		parsed, err := ParseTime(s)
		if err != nil {
			return err
		}
		t.Time = parsed
		return nil
	}
	sec, err := strconv.ParseFloat(string(data), 64)
	if err != nil || math.IsInf(sec, 0) || math.IsNaN(sec) {
		return fmt.Errorf("invalid time %s: expected an ISO string or Unix seconds", data)
	}
	whole, frac := math.Modf(sec)
	t.Time = time.Unix(int64(whole), int64(frac*1e9)).UTC()
	return nil
}

// MarshalJSON writes the time as agno writes top-level times, ISO 8601 in
// UTC, or null for the zero Time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(time.RFC3339Nano) + `"`), nil
}

// Content is a value that AgentOS sends as a string for text and as any
// other JSON value for structured output. The zero Content means absent.
type Content struct {
	Raw json.RawMessage
}

// UnmarshalJSON keeps any JSON value. Null reads as absent.
func (c *Content) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		c.Raw = nil
		return nil
	}
	c.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// MarshalJSON writes the value as received, or null when absent.
func (c Content) MarshalJSON() ([]byte, error) {
	if len(c.Raw) == 0 {
		return []byte("null"), nil
	}
	return c.Raw, nil
}

// IsZero reports whether the content is absent or null.
func (c Content) IsZero() bool { return len(c.Raw) == 0 }

// IsString reports whether the content is a JSON string.
func (c Content) IsString() bool {
	raw := bytes.TrimSpace(c.Raw)
	return len(raw) > 0 && raw[0] == '"'
}

// String returns the text of a string value, the compact JSON text of any
// other value, and "" when absent.
func (c Content) String() string {
	if len(c.Raw) == 0 {
		return ""
	}
	if c.IsString() {
		var s string
		if json.Unmarshal(c.Raw, &s) == nil {
			return s
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, c.Raw) == nil {
		return buf.String()
	}
	return string(c.Raw)
}

// Metrics are token and timing counters of a run, a message or a session.
// Counters that agno leaves out read as zero.
type Metrics struct {
	InputTokens       int64   `json:"input_tokens,omitempty"`
	OutputTokens      int64   `json:"output_tokens,omitempty"`
	TotalTokens       int64   `json:"total_tokens,omitempty"`
	AudioInputTokens  int64   `json:"audio_input_tokens,omitempty"`
	AudioOutputTokens int64   `json:"audio_output_tokens,omitempty"`
	AudioTotalTokens  int64   `json:"audio_total_tokens,omitempty"`
	CacheReadTokens   int64   `json:"cache_read_tokens,omitempty"`
	CacheWriteTokens  int64   `json:"cache_write_tokens,omitempty"`
	ReasoningTokens   int64   `json:"reasoning_tokens,omitempty"`
	Cost              float64 `json:"cost,omitempty"`
	TimeToFirstToken  float64 `json:"time_to_first_token,omitempty"` // seconds
	Duration          float64 `json:"duration,omitempty"`            // seconds
	// Details maps a model role, such as "model", to per-model counters.
	Details           map[string][]ModelMetrics `json:"details,omitempty"`
	AdditionalMetrics json.RawMessage           `json:"additional_metrics,omitempty"`
}

// ModelMetrics are the counters of one model within Metrics.Details.
type ModelMetrics struct {
	ID              string  `json:"id,omitempty"`
	Provider        string  `json:"provider,omitempty"`
	InputTokens     int64   `json:"input_tokens,omitempty"`
	OutputTokens    int64   `json:"output_tokens,omitempty"`
	TotalTokens     int64   `json:"total_tokens,omitempty"`
	ReasoningTokens int64   `json:"reasoning_tokens,omitempty"`
	Cost            float64 `json:"cost,omitempty"`
}

// UnmarshalJSON reads counters written as integers or as floats, because
// some providers report token counts as floats.
func (m *Metrics) UnmarshalJSON(data []byte) error {
	type plain Metrics
	var p plain
	if string(bytes.TrimSpace(data)) == "null" {
		*m = Metrics{}
		return nil
	}
	if err := json.Unmarshal(data, &p); err != nil {
		p = plain{}
		if err := json.Unmarshal(floatsToInts(data), &p); err != nil {
			return err
		}
	}
	*m = Metrics(p)
	return nil
}

// floatsToInts rewrites numbers with an integral value written in float
// form, such as 12.0, as integers, and leaves fractions alone, so the result
// decodes into integer fields where the value allows.
func floatsToInts(data []byte) []byte {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return data
	}
	changed := false
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				v[k] = walk(e)
			}
		case []any:
			for i, e := range v {
				v[i] = walk(e)
			}
		case json.Number:
			if strings.ContainsAny(string(v), ".eE") {
				if f, err := v.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
					changed = true
					return json.Number(strconv.FormatInt(int64(f), 10))
				}
			}
		}
		return v
	}
	v = walk(v)
	if !changed {
		return data
	}
	out, err := json.Marshal(v)
	if err != nil {
		return data
	}
	return out
}

// Message is one message of a run or of a session's chat history.
type Message struct {
	ID               string          `json:"id,omitempty"`
	Role             string          `json:"role"`
	Content          Content         `json:"content,omitzero"`
	ReasoningContent string          `json:"reasoning_content,omitempty"`
	Name             string          `json:"name,omitempty"`
	ToolCallID       string          `json:"tool_call_id,omitempty"`
	ToolName         string          `json:"tool_name,omitempty"`
	ToolArgs         json.RawMessage `json:"tool_args,omitempty"`
	ToolCallError    bool            `json:"tool_call_error,omitempty"`
	ToolCalls        json.RawMessage `json:"tool_calls,omitempty"`
	FromHistory      bool            `json:"from_history"`
	Metrics          *Metrics        `json:"metrics,omitempty"`
	CreatedAt        Time            `json:"created_at"`
}
