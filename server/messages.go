package server

import (
	"strconv"

	"github.com/agentos-go/agentos"
)

// messageFields are the message keys agno's Message.to_dict writes first,
// in its order, leaving out null values and empty lists and objects.
// from_history and stop_after_tool_call default to false and are always
// written.
var messageFields = []string{
	"id", "content", "reasoning_content", "from_history", "compressed_content",
	"stop_after_tool_call", "role", "name", "tool_call_id", "tool_name", "tool_args",
	"tool_call_error", "tool_calls", "redacted_reasoning_content", "provider_data",
	"checkpoint_status", "checkpoint_created_at",
}

// messageMediaFields follow messageFields when they hold a true value in
// Python's sense.
var messageMediaFields = []string{
	"images", "audio", "videos", "files", "audio_output", "references",
}

// appendChatHistory appends the chat_history of a session: the messages of
// runs without a parent run, in stored order and of every run status,
// without messages replayed from history and without system and tool
// messages. Messages are normalized as agno's Message.to_dict writes them.
// A message without created_at shows the creation time of its run.
func appendChatHistory(dst []byte, runs []*agentos.Run, sessionCreated int64) []byte {
	dst = append(dst, '[')
	n := 0
	var msg []member // reused for every message
	for _, r := range runs {
		if r.ParentRunID != "" {
			continue
		}
		msgs, _ := arrayElements(memberValue(r.Record, "messages"))
		created := r.CreatedAt
		if created == 0 {
			created = sessionCreated
		}
		for _, raw := range msgs {
			var ok bool
			msg, ok = appendMembers(msg[:0], raw)
			if !ok || skipInHistory(msg) {
				continue
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = appendMessage(dst, msg, created)
		}
	}
	return append(dst, ']')
}

// skipInHistory reports whether a message stays out of chat_history.
func skipInHistory(msg []member) bool {
	if truthy(lookup(msg, "from_history")) {
		return true
	}
	role, _ := jsonString(lookup(msg, "role"))
	return role == "system" || role == "tool"
}

// appendMessage appends one normalized message.
func appendMessage(dst []byte, msg []member, created int64) []byte {
	o := newObject(dst, true)
	for _, key := range messageFields {
		v := lookup(msg, key)
		switch key {
		case "from_history", "stop_after_tool_call":
			if agentos.IsNull(v) {
				v = []byte("false")
			}
		case "role":
			if agentos.IsNull(v) {
				v = []byte(`"user"`)
			}
		}
		if agentos.IsNull(v) || isEmptyContainer(v) {
			continue
		}
		o.raw(key, v)
	}
	for _, key := range messageMediaFields {
		if v := lookup(msg, key); truthy(v) {
			o.raw(key, v)
		}
	}
	if metrics := appendMessageMetrics(nil, lookup(msg, "metrics")); metrics != nil {
		o.key("metrics")
		o.buf = append(o.buf, metrics...)
	}
	if v := lookup(msg, "created_at"); !agentos.IsNull(v) {
		o.raw("created_at", v)
	} else {
		o.int("created_at", created)
	}
	return o.close()
}

// appendMessageMetrics appends the metrics object without null, integer
// zero, false and empty object values, as agno's metrics to_dict drops
// them. It returns nil when nothing is left.
func appendMessageMetrics(dst []byte, raw []byte) []byte {
	members, ok := objectMembers(raw)
	if !ok {
		return nil
	}
	o := newObject(dst, true)
	for _, m := range members {
		if droppedMetric(m.value) {
			continue
		}
		o.memberKey(m)
		o.buf = appendCompact(o.buf, m.value)
	}
	if o.count == 0 {
		return nil
	}
	return o.close()
}

func droppedMetric(v []byte) bool {
	if agentos.IsNull(v) || string(v) == "false" {
		return true
	}
	if n, err := strconv.ParseInt(string(v), 10, 64); err == nil && n == 0 {
		return true
	}
	return agentos.IsJSONObject(v) && isEmptyContainer(v)
}
