package server

import (
	"strconv"

	"github.com/agentos-go/agentos"
)

// The session views print agno 2.9.0's response models: SessionSchema in
// listings and one detail schema per session type, with agno's field order.

// sessionType returns the type of s. A session stored without one is typed
// by its component ids, agent first, and is an agent session otherwise.
func sessionType(s *agentos.Session) agentos.SessionType {
	switch {
	case s.Type != "":
		return s.Type
	case s.AgentID != "":
		return agentos.SessionTypeAgent
	case s.TeamID != "":
		return agentos.SessionTypeTeam
	case s.WorkflowID != "":
		return agentos.SessionTypeWorkflow
	}
	return agentos.SessionTypeAgent
}

// hasSessionData reports whether the session_data column of s is non-null,
// which decides between null and {} in several detail fields.
func hasSessionData(s *agentos.Session) bool {
	return s.Name != nil || !agentos.IsNull(s.State) || !agentos.IsNull(s.Metrics) ||
		!agentos.IsNull(s.Data)
}

// totalTokens returns the total_tokens member of session metrics, or nil.
func totalTokens(metrics []byte) []byte {
	return memberValue(metrics, "total_tokens")
}

// appendListItem appends the SessionSchema of s, the item of GET /sessions.
// Null fields are left out.
func appendListItem(dst []byte, s *agentos.Session) []byte {
	o := newObject(dst, true)
	o.string("session_id", s.ID)
	o.string("session_name", s.DisplayName())
	o.raw("session_state", s.State)
	o.time("created_at", s.CreatedAt)
	// Unlike the detail views, the list shows no updated_at when none is
	// stored rather than falling back to created_at.
	if s.UpdatedAt != 0 {
		o.time("updated_at", s.UpdatedAt)
	}
	o.string("session_type", string(sessionType(s)))
	o.optString("user_id", s.UserID)
	o.nonEmpty("agent_id", s.AgentID)
	o.nonEmpty("team_id", s.TeamID)
	o.nonEmpty("workflow_id", s.WorkflowID)
	o.raw("session_summary", s.Summary)
	o.raw("metrics", s.Metrics)
	o.raw("total_tokens", totalTokens(s.Metrics))
	o.raw("metadata", s.Metadata)
	return o.close()
}

// appendPageMeta ends the data list of agno's PaginatedResponse, which
// the caller opened with `{"data":[`, and appends its meta object.
// searchMillis is the time the store took.
func appendPageMeta(dst []byte, page, limit int64, total int, searchMillis float64) []byte {
	dst = append(dst, `],"meta":`...)
	o := newObject(dst, false)
	o.int("page", page)
	o.int("limit", limit)
	o.int("total_pages", totalPages(int64(total), limit))
	o.int("total_count", int64(total))
	o.key("search_time_ms")
	o.buf = appendPythonFloat(o.buf, searchMillis)
	dst = o.close()
	return append(dst, '}')
}

// totalPages returns ceil(total / limit) without overflowing for limits
// near the largest integer.
func totalPages(total, limit int64) int64 {
	if limit <= 0 {
		return 0
	}
	pages := total / limit
	if total%limit != 0 {
		pages++
	}
	return pages
}

// appendPythonFloat appends f as Python's repr writes a float: the
// shortest form that reads back the same, with ".0" on whole numbers.
func appendPythonFloat(dst []byte, f float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'g', -1, 64)
	for _, c := range dst[start:] {
		if c == '.' || c == 'e' || c == 'n' || c == 'I' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

// detailOptions select the variant of a detail view.
type detailOptions struct {
	// omitNull leaves out null fields, as the create, get and clear routes
	// do. Rename and PATCH print them.
	omitNull bool
}

// appendDetail appends the detail schema of s for its type. runs are the
// session's top-level runs in stored order, the source of chat_history;
// workflow details do not use them.
func appendDetail(dst []byte, s *agentos.Session, runs []*agentos.Run, opt detailOptions) []byte {
	switch sessionType(s) {
	case agentos.SessionTypeTeam:
		return appendTeamDetail(dst, s, runs, opt)
	case agentos.SessionTypeWorkflow:
		return appendWorkflowDetail(dst, s, opt)
	}
	return appendAgentDetail(dst, s, runs, opt)
}

func appendAgentDetail(dst []byte, s *agentos.Session, runs []*agentos.Run,
	opt detailOptions) []byte {
	o := newObject(dst, opt.omitNull)
	o.optString("user_id", s.UserID)
	o.string("agent_session_id", s.ID)
	o.string("session_id", s.ID)
	o.string("session_name", s.DisplayName())
	appendSummaryField(&o, s.Summary)
	appendStateField(&o, s)
	o.nonEmpty("agent_id", s.AgentID)
	appendTotalTokensField(&o, s)
	o.raw("agent_data", s.AgentData)
	appendMetricsField(&o, s)
	o.raw("metadata", s.Metadata)
	o.key("chat_history")
	o.buf = appendChatHistory(o.buf, runs, s.CreatedAt)
	appendDetailTimes(&o, s)
	return o.close()
}

func appendTeamDetail(dst []byte, s *agentos.Session, runs []*agentos.Run,
	opt detailOptions) []byte {
	o := newObject(dst, opt.omitNull)
	o.string("session_id", s.ID)
	o.string("session_name", s.DisplayName())
	o.optString("user_id", s.UserID)
	o.nonEmpty("team_id", s.TeamID)
	appendSummaryField(&o, s.Summary)
	appendStateField(&o, s)
	appendMetricsField(&o, s)
	o.raw("team_data", s.TeamData)
	o.raw("metadata", s.Metadata)
	o.key("chat_history")
	o.buf = appendChatHistory(o.buf, runs, s.CreatedAt)
	appendDetailTimes(&o, s)
	appendTotalTokensField(&o, s)
	return o.close()
}

func appendWorkflowDetail(dst []byte, s *agentos.Session, opt detailOptions) []byte {
	o := newObject(dst, opt.omitNull)
	o.optString("user_id", s.UserID)
	o.nonEmpty("workflow_id", s.WorkflowID)
	// The sessions table has no workflow name, so agno always sends null.
	o.null("workflow_name")
	o.string("session_id", s.ID)
	o.string("session_name", s.DisplayName())
	data := s.SessionData()
	o.rawOr("session_data", data, "{}")
	if agentos.IsNull(data) || isEmptyContainer(data) {
		o.null("session_state")
	} else {
		o.raw("session_state", s.State)
	}
	o.rawOr("workflow_data", s.WorkflowData, "{}")
	o.rawOr("metadata", s.Metadata, "{}")
	appendDetailTimes(&o, s)
	return o.close()
}

// appendSummaryField writes session_summary with agno's members summary,
// topics and updated_at in that order, leaving out null ones.
func appendSummaryField(o *jsonObject, summary []byte) {
	if agentos.IsNull(summary) {
		o.null("session_summary")
		return
	}
	members, ok := objectMembers(summary)
	if !ok {
		o.raw("session_summary", summary)
		return
	}
	o.key("session_summary")
	inner := newObject(o.buf, true)
	for _, name := range []string{"summary", "topics", "updated_at"} {
		inner.raw(name, lookup(members, name))
	}
	o.buf = inner.close()
}

// appendStateField writes session_state, null when session_data is null or
// holds no state.
func appendStateField(o *jsonObject, s *agentos.Session) {
	if !hasSessionData(s) {
		o.null("session_state")
		return
	}
	o.raw("session_state", s.State)
}

// appendMetricsField writes the session metrics: {} when session_data
// exists without metrics, null only when session_data is null.
func appendMetricsField(o *jsonObject, s *agentos.Session) {
	if !hasSessionData(s) {
		o.null("metrics")
		return
	}
	o.rawOr("metrics", s.Metrics, "{}")
}

func appendTotalTokensField(o *jsonObject, s *agentos.Session) {
	o.raw("total_tokens", totalTokens(s.Metrics))
}

// appendDetailTimes writes created_at, null when unset, and updated_at,
// which falls back to created_at.
func appendDetailTimes(o *jsonObject, s *agentos.Session) {
	if s.CreatedAt == 0 {
		o.null("created_at")
	} else {
		o.time("created_at", s.CreatedAt)
	}
	switch {
	case s.UpdatedAt != 0:
		o.time("updated_at", s.UpdatedAt)
	case s.CreatedAt != 0:
		o.time("updated_at", s.CreatedAt)
	default:
		o.null("updated_at")
	}
}
