package agnodb

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/agentos-go/agentos"
)

// Item is one session read from agno, with its runs in stored order.
// Err is set instead when the row could not be converted. Session is still
// set then when the row's session id could be read, so the failure can be
// reported with that id.
type Item struct {
	Session *agentos.Session
	Runs    []*agentos.Run
	// LeftOut lists the entries of the runs array that were not converted,
	// because agno's own loader skips them too.
	LeftOut []LeftOutRun
	// Warnings describe values that were read in a lenient way, such as a
	// missing created_at or a NaN that JSON cannot hold.
	Warnings []string
	Err      error
}

// LeftOutRun is an entry of a session's runs array that was not imported.
type LeftOutRun struct {
	Index  int    // position in the runs array, from 0
	RunID  string // "" when the entry has none
	Reason string
}

// NeverExpires is the lease given to runs that agno left RUNNING or
// PENDING. No AgentOS-Go process executes them, and marking them
// interrupted would replace the content agno stored, so they keep agno's
// record and status.
const NeverExpires = math.MaxInt64

// rawRow is one row as the driver returns it. The timestamps are scanned
// without a type, because SQLite may hold a float or text in a BIGINT
// column.
type rawRow struct {
	id, typ, agentID, teamID, workflowID, userID sql.NullString
	sessionData, agentData, teamData             any
	workflowData, metadata, runs, summary        any
	createdAt, updatedAt                         any
}

func (row *rawRow) convert() Item {
	item := Item{}
	if !row.id.Valid || row.id.String == "" {
		item.Err = errors.New("a row has no session_id")
		return item
	}
	s := &agentos.Session{
		ID:         row.id.String,
		AgentID:    row.agentID.String,
		TeamID:     row.teamID.String,
		WorkflowID: row.workflowID.String,
	}
	item.Session = s
	if err := item.convert(row); err != nil {
		item.Err = fmt.Errorf("session %s: %w", s.ID, err)
	}
	return item
}

// convert fills item.Session and item.Runs from row, returning the first
// value that cannot be read.
func (item *Item) convert(row *rawRow) error {
	s := item.Session
	if row.userID.Valid {
		owner := row.userID.String
		s.UserID = &owner
	}
	s.Type = detectType(row.typ.String, s)
	var err error
	if s.CreatedAt, err = unixColumn(row.createdAt); err != nil {
		return fmt.Errorf("column created_at: %w", err)
	}
	if s.UpdatedAt, err = unixColumn(row.updatedAt); err != nil {
		return fmt.Errorf("column updated_at: %w", err)
	}
	for _, c := range []struct {
		name string
		unix *int64
	}{{"created_at", &s.CreatedAt}, {"updated_at", &s.UpdatedAt}} {
		if *c.unix < minPythonUnix || *c.unix > maxPythonUnix {
			item.warn("%s %d lies outside the years 1 to 9999 that agno and its clients "+
				"can print, so it counts as missing", c.name, *c.unix)
			*c.unix = 0
		}
	}

	fields := []struct {
		name string
		src  any
		dst  *json.RawMessage
	}{
		{"agent_data", row.agentData, &s.AgentData},
		{"team_data", row.teamData, &s.TeamData},
		{"workflow_data", row.workflowData, &s.WorkflowData},
		{"metadata", row.metadata, &s.Metadata},
		{"summary", row.summary, &s.Summary},
	}
	for _, f := range fields {
		if *f.dst, err = item.decode(f.name, f.src); err != nil {
			return err
		}
	}
	data, err := item.decode("session_data", row.sessionData)
	if err != nil {
		return err
	}
	if err := item.splitSessionData(data); err != nil {
		return fmt.Errorf("column session_data: %w", err)
	}

	runs, err := item.decode("runs", row.runs)
	if err != nil {
		return err
	}
	if err := item.splitRuns(runs); err != nil {
		return fmt.Errorf("column runs: %w", err)
	}

	if s.CreatedAt == 0 {
		s.CreatedAt = firstRunTime(item.Runs)
		if s.CreatedAt == 0 {
			s.CreatedAt = agentos.Now()
			item.warn("created_at is missing, so the session is dated now")
		} else {
			item.warn("created_at is missing, so the session is dated by its first run")
		}
	}
	if s.UpdatedAt < s.CreatedAt {
		s.UpdatedAt = s.CreatedAt
	}
	return nil
}

func (item *Item) warn(format string, args ...any) {
	item.Warnings = append(item.Warnings, fmt.Sprintf(format, args...))
}

// decode decodes the JSON column named column, noting a warning when
// numbers that JSON cannot hold were replaced.
func (item *Item) decode(column string, v any) (json.RawMessage, error) {
	raw, replaced, err := decodeColumn(v)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", column, err)
	}
	if replaced > 0 {
		item.warn("column %s: %d NaN or Infinity values became null, because JSON "+
			"cannot hold them", column, replaced)
	}
	return raw, nil
}

// minPythonUnix and maxPythonUnix bound the Unix seconds that Python's
// datetime can hold: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
const (
	minPythonUnix = -62135596800
	maxPythonUnix = 253402300799
)

// unixColumn reads a timestamp column: agno writes integer Unix seconds,
// but a float, a numeric text or an ISO 8601 text is accepted too. SQL NULL
// reads as 0.
func unixColumn(v any) (int64, error) {
	var text string
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("invalid timestamp %v", x)
		}
		return int64(x), nil
	case string:
		text = x
	case []byte:
		text = string(x)
	default:
		return 0, fmt.Errorf("unexpected value of type %T", v)
	}
	text = strings.TrimSpace(text)
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return int64(f), nil
	}
	if t, ok := agentos.ParseTime(text); ok {
		return t.Unix(), nil
	}
	return 0, fmt.Errorf("invalid timestamp %q: expected Unix seconds", text)
}

// detectType applies agno's order: the stored type, else the first
// component id present, else agent.
func detectType(stored string, s *agentos.Session) agentos.SessionType {
	if t, err := agentos.ParseSessionType(stored); err == nil {
		return t
	}
	switch {
	case s.AgentID != "":
		return agentos.SessionTypeAgent
	case s.TeamID != "":
		return agentos.SessionTypeTeam
	case s.WorkflowID != "":
		return agentos.SessionTypeWorkflow
	}
	return agentos.SessionTypeAgent
}

// splitSessionData moves session_name, session_state and session_metrics
// out of session_data and keeps the other keys in Session.Data.
func (item *Item) splitSessionData(data json.RawMessage) error {
	s := item.Session
	if data == nil {
		return nil
	}
	if !agentos.IsJSONObject(data) {
		return errors.New("expected a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	if raw, ok := fields["session_name"]; ok && !agentos.IsNull(raw) {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			// agno's API fails on such a name. Keeping its JSON text
			// keeps the session readable and the value visible.
			name = string(raw)
			item.warn("session_name is not a string, so its JSON text %s is the name",
				truncate(name, 40))
		}
		s.Name = &name
	}

	if raw := fields["session_state"]; !agentos.IsNull(raw) {
		s.State = raw
	}
	if raw := fields["session_metrics"]; !agentos.IsNull(raw) {
		s.Metrics = raw
	}
	delete(fields, "session_name")
	delete(fields, "session_state")
	delete(fields, "session_metrics")
	if len(fields) > 0 {
		extra, err := json.Marshal(fields)
		if err != nil {
			return err
		}
		s.Data = extra
	}
	return nil
}

// runHead holds the keys of a run entry that decide whether agno loads it.
// A key present with a null value counts as present, as in agno.
type runHead struct {
	RunID   json.RawMessage `json:"run_id"`
	AgentID json.RawMessage `json:"agent_id"`
	TeamID  json.RawMessage `json:"team_id"`
}

// splitRuns converts the runs array and leaves out the entries that agno's
// loader cannot use or skips. Those are values that are not objects and
// objects without a run_id. They are also repeats of an earlier run_id,
// because agno finds runs by id and returns the first. In agent and team
// sessions, runs with neither an agent_id nor a team_id key are left out.
func (item *Item) splitRuns(raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return errors.New("expected a JSON array of runs")
	}
	s := item.Session
	item.Runs = make([]*agentos.Run, 0, len(list))
	seen := map[string]bool{}
	unfinished := 0
	for i, entry := range list {
		leave := func(runID, reason string) {
			item.LeftOut = append(item.LeftOut, LeftOutRun{Index: i, RunID: runID, Reason: reason})
		}
		if agentos.IsNull(entry) {
			leave("", "null entry")
			continue
		}
		if !agentos.IsJSONObject(entry) {
			leave("", "not a JSON object")
			continue
		}
		r, err := agentos.NewRun(s.ID, entry)
		if err != nil {
			leave("", err.Error())
			continue
		}
		if seen[r.RunID] {
			leave(r.RunID, "repeats an earlier run_id")
			continue
		}
		if s.Type != agentos.SessionTypeWorkflow && !hasComponentKey(r) {
			leave(r.RunID, "neither agent_id nor team_id, so agno does not load it")
			continue
		}
		seen[r.RunID] = true
		if r.Status == agentos.RunRunning || r.Status == agentos.RunPending {
			r.LeaseExpiresAt = NeverExpires
			unfinished++
		}
		item.Runs = append(item.Runs, r)
	}
	if unfinished > 0 {
		counted := fmt.Sprintf("%d runs are", unfinished)
		if unfinished == 1 {
			counted = "1 run is"
		}
		item.warn("%s %s or %s in agno, so they keep that status and are never marked "+
			"interrupted", counted, agentos.RunRunning, agentos.RunPending)
	}
	return nil
}

// hasComponentKey reports whether the record of r has an agent_id or a
// team_id key. A key with a null value counts, as in agno.
func hasComponentKey(r *agentos.Run) bool {
	if r.AgentID != "" || r.TeamID != "" {
		return true
	}
	var head runHead
	if err := json.Unmarshal(r.Record, &head); err != nil {
		return false
	}
	return head.AgentID != nil || head.TeamID != nil
}

func firstRunTime(runs []*agentos.Run) int64 {
	for _, r := range runs {
		if r.CreatedAt > 0 {
			return r.CreatedAt
		}
	}
	return 0
}

// truncate shortens s to at most n runes, marking a cut with an ellipsis.
func truncate(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n]) + "…"
}
