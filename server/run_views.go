package server

import (
	"encoding/json"
	"math"
	"time"

	"github.com/agentos-go/agentos"
)

// Run views print agno 2.9.0's RunSchema, TeamRunSchema and
// WorkflowRunSchema from the stored run record. Values are copied from the
// record's JSON text, so numbers and nested objects pass through unchanged.

// runRecord is a stored run record split into its top-level members.
type runRecord struct {
	members []member
}

func parseRunRecord(r *agentos.Run) runRecord {
	members, _ := objectMembers(r.Record)
	return runRecord{members: members}
}

// get returns the member key and whether the record has it, even as null.
func (rec runRecord) get(key string) ([]byte, bool) {
	v := lookup(rec.members, key)
	return v, v != nil
}

// value returns the member key, nil when it is absent or null.
func (rec runRecord) value(key string) []byte {
	v := lookup(rec.members, key)
	if agentos.IsNull(v) {
		return nil
	}
	return v
}

// field writes the member key, or the JSON text def when the record lacks
// it. A member stored as null stays null, as Python's dict.get keeps it.
func (rec runRecord) field(o *jsonObject, key, def string) {
	v, ok := rec.get(key)
	if !ok {
		o.key(key)
		o.buf = append(o.buf, def...)
		return
	}
	o.raw(key, v)
}

// nonEmptyList writes the member key when it holds a non-empty value, and
// null otherwise, as agno does for messages, tools and events.
func (rec runRecord) nonEmptyList(o *jsonObject, key string) {
	v := rec.value(key)
	if v == nil || !truthy(v) {
		o.null(key)
		return
	}
	o.raw(key, v)
}

// truthy reports whether a JSON value is true in Python's sense.
func truthy(raw []byte) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) {
		return false
	}
	switch raw[i] {
	case 'n', 'f':
		return false
	case '"':
		return i+1 < len(raw) && raw[i+1] != '"'
	case '[', '{':
		return !isEmptyContainer(raw)
	case '0', '-':
		var f float64
		if json.Unmarshal(raw, &f) == nil {
			return f != 0
		}
	}
	return true
}

// has reports whether the record has a non-null member key, the test agno
// uses to pick a run's schema.
func (rec runRecord) has(key string) bool { return rec.value(key) != nil }

// appendRunByOwnFields appends the schema that fits the run's own component
// ids: a workflow id gives WorkflowRunSchema, a team id TeamRunSchema and
// anything else RunSchema.
func appendRunByOwnFields(dst []byte, r *agentos.Run, omitNull bool) []byte {
	rec := parseRunRecord(r)
	switch {
	case rec.has("workflow_id"):
		return appendWorkflowRun(dst, rec, omitNull)
	case rec.has("team_id"):
		return appendTeamRun(dst, rec, omitNull)
	}
	return appendAgentRun(dst, rec, omitNull)
}

// appendRunInSession appends the schema agno picks for a run listed in a
// session of type typ. It reports false for a team session run that has
// neither an agent id nor a team id, which agno leaves out.
func appendRunInSession(dst []byte, r *agentos.Run, typ agentos.SessionType) ([]byte, bool) {
	rec := parseRunRecord(r)
	switch typ {
	case agentos.SessionTypeTeam:
		switch {
		case rec.has("agent_id"):
			return appendAgentRun(dst, rec, true), true
		case rec.has("team_id"):
			return appendTeamRun(dst, rec, true), true
		}
		return dst, false
	case agentos.SessionTypeWorkflow:
		switch {
		case rec.has("workflow_id"):
			return appendWorkflowRun(dst, rec, true), true
		case rec.has("team_id"):
			return appendTeamRun(dst, rec, true), true
		}
	}
	return appendAgentRun(dst, rec, true), true
}

// appendAgentRun appends RunSchema.
func appendAgentRun(dst []byte, rec runRecord, omitNull bool) []byte {
	o := newObject(dst, omitNull)
	rec.field(&o, "run_id", `""`)
	rec.field(&o, "parent_run_id", `""`)
	rec.field(&o, "agent_id", `""`)
	rec.field(&o, "user_id", `""`)
	o.raw("status", rec.value("status"))
	o.string("run_input", rec.runInput(false))
	rec.field(&o, "content", `""`)
	o.string("run_response_format", rec.responseFormat())
	rec.field(&o, "reasoning_content", `""`)
	rec.field(&o, "reasoning_steps", `[]`)
	rec.field(&o, "metrics", `{}`)
	rec.nonEmptyList(&o, "messages")
	rec.nonEmptyList(&o, "tools")
	rec.nonEmptyList(&o, "events")
	rec.createdAt(&o)
	rec.field(&o, "references", `[]`)
	o.raw("citations", rec.value("citations"))
	rec.field(&o, "reasoning_messages", `[]`)
	o.raw("session_state", rec.value("session_state"))
	rec.mediaFields(&o)
	o.raw("response_audio", rec.value("response_audio"))
	rec.inputMedia(&o)
	o.raw("followups", rec.value("followups"))
	rec.lineage(&o)
	return o.close()
}

// appendTeamRun appends TeamRunSchema.
func appendTeamRun(dst []byte, rec runRecord, omitNull bool) []byte {
	o := newObject(dst, omitNull)
	rec.field(&o, "run_id", `""`)
	rec.field(&o, "parent_run_id", `""`)
	rec.field(&o, "team_id", `""`)
	o.raw("status", rec.value("status"))
	rec.field(&o, "content", `""`)
	rec.field(&o, "reasoning_content", `""`)
	rec.field(&o, "reasoning_steps", `[]`)
	o.string("run_input", rec.runInput(false))
	o.string("run_response_format", rec.responseFormat())
	rec.field(&o, "metrics", `{}`)
	rec.nonEmptyList(&o, "tools")
	rec.nonEmptyList(&o, "messages")
	rec.nonEmptyList(&o, "events")
	rec.createdAt(&o)
	rec.field(&o, "references", `[]`)
	o.raw("citations", rec.value("citations"))
	rec.field(&o, "reasoning_messages", `[]`)
	o.raw("session_state", rec.value("session_state"))
	rec.inputMedia(&o)
	rec.mediaFields(&o)
	o.raw("response_audio", rec.value("response_audio"))
	o.raw("followups", rec.value("followups"))
	rec.lineage(&o)
	return o.close()
}

// appendWorkflowRun appends WorkflowRunSchema.
func appendWorkflowRun(dst []byte, rec runRecord, omitNull bool) []byte {
	o := newObject(dst, omitNull)
	rec.field(&o, "run_id", `""`)
	o.string("run_input", rec.runInput(true))
	rec.field(&o, "events", `[]`)
	rec.field(&o, "workflow_id", `""`)
	rec.field(&o, "user_id", `""`)
	rec.field(&o, "content", `""`)
	rec.field(&o, "content_type", `""`)
	rec.field(&o, "status", `""`)
	rec.field(&o, "step_results", `[]`)
	rec.field(&o, "step_executor_runs", `[]`)
	for _, key := range []string{
		"step_requirements", "pause_kind", "paused_step_name", "paused_step_index",
	} {
		o.raw(key, rec.value(key))
	}
	rec.field(&o, "metrics", `{}`)
	rec.createdAt(&o)
	rec.field(&o, "reasoning_content", `""`)
	rec.field(&o, "reasoning_steps", `[]`)
	rec.field(&o, "references", `[]`)
	o.raw("citations", rec.value("citations"))
	rec.field(&o, "reasoning_messages", `[]`)
	rec.mediaFields(&o)
	o.raw("response_audio", rec.value("response_audio"))
	return o.close()
}

func (rec runRecord) mediaFields(o *jsonObject) {
	for _, key := range []string{"images", "videos", "audio", "files"} {
		rec.field(o, key, `[]`)
	}
}

func (rec runRecord) lineage(o *jsonObject) {
	for _, key := range []string{
		"forked_from_run_id", "forked_from_message_index", "forked_from_session_id",
		"regenerated_from", "last_checkpoint_at_message_index",
	} {
		o.raw(key, rec.value(key))
	}
}

// responseFormat returns run_response_format: "text" when content_type is
// absent or "str", else "json".
func (rec runRecord) responseFormat() string {
	v, ok := rec.get("content_type")
	if !ok {
		return "text"
	}
	if s, isString := jsonString(v); isString && s == "str" {
		return "text"
	}
	return "json"
}

// inputMedia writes input_media: the images, videos, audios and files of
// the run's input object, each [] when absent.
func (rec runRecord) inputMedia(o *jsonObject) {
	var input []member
	if v := rec.value("input"); v != nil {
		input, _ = objectMembers(v)
	}
	o.key("input_media")
	inner := newObject(o.buf, false)
	for _, key := range []string{"images", "videos", "audios", "files"} {
		v := lookup(input, key)
		if _, isList := arrayElements(v); !isList {
			v = []byte("[]")
		}
		inner.raw(key, v)
	}
	o.buf = inner.close()
}

// createdAt writes the run's created_at as an ISO time, null when absent or
// unreadable.
func (rec runRecord) createdAt(o *jsonObject) {
	v := rec.value("created_at")
	if v == nil {
		o.null("created_at")
		return
	}
	var f float64
	if err := json.Unmarshal(v, &f); err == nil && !math.IsInf(f, 0) &&
		math.Abs(f) < 1e13 {
		sec, frac := math.Modf(f)
		t := time.Unix(int64(sec), int64(math.Round(frac*1e6))*1000).UTC()
		o.key("created_at")
		o.buf = appendUTCTime(o.buf, t)
		return
	}
	if s, ok := jsonString(v); ok {
		if t, ok := parsePythonISO(s); ok {
			o.key("created_at")
			o.buf = append(o.buf, '"')
			o.buf = append(o.buf, t.pydanticString()...)
			o.buf = append(o.buf, '"')
			return
		}
	}
	o.null("created_at")
}

// appendUTCTime appends t as pydantic prints an aware UTC datetime: Z for
// the offset and six fraction digits only when there is a fraction.
func appendUTCTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	if t.Nanosecond() == 0 {
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05Z")
	} else {
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05.000000Z")
	}
	return append(dst, '"')
}

// runInput returns run_input: the run's input text, else the content of
// its last user message, else "". Workflow runs stringify their whole input
// and then look at the first step executor run's messages.
func (rec runRecord) runInput(workflow bool) string {
	input := rec.value("input")
	if !workflow && input != nil {
		var in struct {
			InputContent json.RawMessage `json:"input_content"`
		}
		if agentos.IsJSONObject(input) && json.Unmarshal(input, &in) == nil &&
			!agentos.IsNull(in.InputContent) {
			return agentos.StringifyInput(in.InputContent)
		}
	}
	if workflow {
		if input != nil {
			return agentos.StringifyInput(input)
		}
		if steps, ok := arrayElements(rec.value("step_executor_runs")); ok && len(steps) > 0 {
			first, _ := objectMembers(steps[0])
			if text, ok := lastUserContent(lookup(first, "messages")); ok {
				return text
			}
		}
	}
	text, _ := lastUserContent(rec.value("messages"))
	return text
}

// lastUserContent returns the text of the last message with role user in
// the message list raw.
func lastUserContent(raw []byte) (string, bool) {
	msgs, ok := arrayElements(raw)
	if !ok {
		return "", false
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		members, _ := objectMembers(msgs[i])
		if role, _ := jsonString(lookup(members, "role")); role == "user" {
			return agentos.ContentText(lookup(members, "content")), true
		}
	}
	return "", false
}
