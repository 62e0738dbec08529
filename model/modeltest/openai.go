package modeltest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

type openAIRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
}

func (s *Server) serveOpenAI(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var in openAIRequest
	if err := json.Unmarshal(body, &in); err != nil {
		openAIError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error(), "")
		return
	}
	req := Request{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Model: in.Model,
		Stream: in.Stream}
	for _, m := range in.Messages {
		req.Messages = append(req.Messages, Message{Role: m.Role, Content: textOf(m.Content)})
	}
	reply, n := s.next(req)
	if s.Key != "" && r.Header.Get("Authorization") != "Bearer "+s.Key {
		openAIError(w, http.StatusUnauthorized, "Incorrect API key provided.", "")
		return
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		openAIError(w, reply.Status, reply.Message, reply.RetryAfter)
		return
	}
	p := resolve(reply, req.Messages)
	id := fmt.Sprintf("chatcmpl-fake%04d", n)
	created := time.Now().Unix()
	usage := map[string]int64{"prompt_tokens": p.input, "completion_tokens": p.output,
		"total_tokens": p.input + p.output}
	if !in.Stream {
		// A non-streaming response waits where a stream would hold or pause.
		if !(streamer{w: w, r: r, done: s.done}).pace(p, p.HoldAfter) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"id": id, "object": "chat.completion", "created": created, "model": in.Model,
			"choices": []any{map[string]any{"index": 0, "logprobs": nil,
				"finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": p.text,
					"refusal": nil}}},
			"usage": usage, "system_fingerprint": "fp_fake",
		})
		return
	}
	st := streamer{w: w, r: r, done: s.done}
	st.start()
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": id, "object": "chat.completion.chunk", "created": created,
			"model": in.Model, "system_fingerprint": "fp_fake",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil,
				"finish_reason": finish}}}
	}
	st.event("", chunk(map[string]any{"role": "assistant", "content": "", "refusal": nil}, nil))
	for i, piece := range p.chunks {
		if !st.pace(p, i) {
			return
		}
		st.event("", chunk(map[string]any{"content": piece}, nil))
	}
	if !st.pace(p, len(p.chunks)) {
		return
	}
	st.event("", chunk(map[string]any{}, "stop"))
	st.event("", map[string]any{"id": id, "object": "chat.completion.chunk",
		"created": created, "model": in.Model, "system_fingerprint": "fp_fake",
		"choices": []any{}, "usage": usage})
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func openAIError(w http.ResponseWriter, status int, msg, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	typ, code := "server_error", any(nil)
	switch status {
	case http.StatusUnauthorized:
		typ, code = "invalid_request_error", "invalid_api_key"
	case http.StatusTooManyRequests:
		typ, code = "requests", "rate_limit_exceeded"
	case http.StatusBadRequest:
		typ = "invalid_request_error"
	}
	if msg == "" {
		msg = strings.ToLower(http.StatusText(status))
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": code}})
}

// textOf returns the text of a message content: a string, or the text
// parts of a list joined.
func textOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return string(raw)
	}
	var b strings.Builder
	for _, part := range parts {
		b.WriteString(part.Text)
	}
	return b.String()
}
