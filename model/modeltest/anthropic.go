package modeltest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

type anthropicRequest struct {
	Model    string          `json:"model"`
	Stream   bool            `json:"stream"`
	System   json.RawMessage `json:"system"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	MaxTokens int64 `json:"max_tokens"`
}

func (s *Server) serveAnthropic(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var in anthropicRequest
	if err := json.Unmarshal(body, &in); err != nil {
		anthropicError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error(), "")
		return
	}
	req := Request{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Model: in.Model,
		Stream: in.Stream}
	if len(in.System) > 0 && string(in.System) != "null" {
		req.Messages = append(req.Messages, Message{Role: "system", Content: textOf(in.System)})
	}
	for _, m := range in.Messages {
		req.Messages = append(req.Messages, Message{Role: m.Role, Content: textOf(m.Content)})
	}
	reply, n := s.next(req)
	// Anthropic takes the key in X-Api-Key; the Go SDK v2 sends it as a
	// bearer token.
	if s.Key != "" && r.Header.Get("X-Api-Key") != s.Key &&
		r.Header.Get("Authorization") != "Bearer "+s.Key {
		anthropicError(w, http.StatusUnauthorized, "invalid x-api-key", "")
		return
	}
	if in.MaxTokens <= 0 {
		anthropicError(w, http.StatusBadRequest, "max_tokens: Field required", "")
		return
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		anthropicError(w, reply.Status, reply.Message, reply.RetryAfter)
		return
	}
	p := resolve(reply, req.Messages)
	id := fmt.Sprintf("msg_fake%04d", n)
	if !in.Stream {
		// A non-streaming response waits where a stream would hold or pause.
		if !(streamer{w: w, r: r, done: s.done}).pace(p, p.HoldAfter) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"id": id, "type": "message", "role": "assistant", "model": in.Model,
			"content":     []any{map[string]any{"type": "text", "text": p.text}},
			"stop_reason": "end_turn", "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": p.input, "output_tokens": p.output},
		})
		return
	}
	st := streamer{w: w, r: r, done: s.done}
	st.start()
	st.event("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": in.Model,
		"content": []any{}, "stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": p.input, "output_tokens": 1}}})
	st.event("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
		"content_block": map[string]any{"type": "text", "text": ""}})
	st.event("ping", map[string]any{"type": "ping"})
	for i, piece := range p.chunks {
		if !st.pace(p, i) {
			return
		}
		st.event("content_block_delta", map[string]any{"type": "content_block_delta",
			"index": 0, "delta": map[string]any{"type": "text_delta", "text": piece}})
	}
	if !st.pace(p, len(p.chunks)) {
		return
	}
	st.event("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	st.event("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": "end_turn", "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": p.output}})
	st.event("message_stop", map[string]any{"type": "message_stop"})
}

func anthropicError(w http.ResponseWriter, status int, msg, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	typ := "api_error"
	switch status {
	case http.StatusBadRequest:
		typ = "invalid_request_error"
	case http.StatusUnauthorized:
		typ = "authentication_error"
	case http.StatusForbidden:
		typ = "permission_error"
	case http.StatusTooManyRequests:
		typ = "rate_limit_error"
	case 529:
		typ = "overloaded_error"
	}
	if msg == "" {
		msg = strings.ToLower(http.StatusText(status))
		if msg == "" {
			msg = "overloaded"
		}
	}
	writeJSON(w, status, map[string]any{"type": "error",
		"error": map[string]any{"type": typ, "message": msg}})
}
