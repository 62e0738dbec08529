package server

import (
	"database/sql"
	"encoding/json"
	"sync"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/agentos-go/agentos"
)

const referenceDir = "../testdata/agno-2.9"

// referenceSession is one row of agno-reference.db, the database agno
// 2.9.0 wrote while the recordings were made.
type referenceSession struct {
	Session *agentos.Session
	Runs    []json.RawMessage // run records in stored order
}

var (
	referenceOnce sync.Once
	reference     map[string]*referenceSession
	referenceErr  error
)

// loadReference returns the sessions of agno-reference.db by id, built as
// a store returns them.
func loadReference(t testing.TB) map[string]*referenceSession {
	t.Helper()
	referenceOnce.Do(func() { reference, referenceErr = readReference() })
	if referenceErr != nil {
		t.Fatalf("read agno-reference.db: %v", referenceErr)
	}
	return reference
}

func readReference() (map[string]*referenceSession, error) {
	db, err := sql.Open("sqlite", "file:"+referenceDir+"/agno-reference.db?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT session_id, session_type, agent_id, team_id, workflow_id,
		user_id, session_data, agent_data, team_data, workflow_data, metadata, runs, summary,
		created_at, updated_at FROM agno_sessions`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*referenceSession{}
	for rows.Next() {
		var (
			s                                   agentos.Session
			typ                                 string
			agentID, teamID, workflowID, userID sql.NullString
			data, agentData, teamData, wfData   sql.NullString
			metadata, runs, summary             sql.NullString
			updatedAt                           sql.NullInt64
		)
		if err := rows.Scan(&s.ID, &typ, &agentID, &teamID, &workflowID, &userID, &data,
			&agentData, &teamData, &wfData, &metadata, &runs, &summary,
			&s.CreatedAt, &updatedAt); err != nil {
			return nil, err
		}
		s.Type = agentos.SessionType(typ)
		s.AgentID, s.TeamID, s.WorkflowID = agentID.String, teamID.String, workflowID.String
		if userID.Valid {
			s.UserID = &userID.String
		}
		s.UpdatedAt = updatedAt.Int64
		s.AgentData = unwrapColumn(agentData)
		s.TeamData = unwrapColumn(teamData)
		s.WorkflowData = unwrapColumn(wfData)
		s.Metadata = unwrapColumn(metadata)
		s.Summary = unwrapColumn(summary)
		if err := splitSessionData(&s, unwrapColumn(data)); err != nil {
			return nil, err
		}
		ref := &referenceSession{Session: &s}
		if raw := unwrapColumn(runs); raw != nil {
			if err := json.Unmarshal(raw, &ref.Runs); err != nil {
				return nil, err
			}
		}
		s.RunCount = len(ref.Runs)
		for i, rec := range ref.Runs {
			if name, done := agentos.DeriveName(s.Type, i == 0, rec, s.WorkflowData); done {
				s.DerivedName = name
				break
			}
		}
		out[s.ID] = ref
	}
	return out, rows.Err()
}

// unwrapColumn decodes agno's double-encoded JSON column: a JSON string
// whose text is the JSON value. It returns nil for SQL NULL and JSON null.
func unwrapColumn(col sql.NullString) json.RawMessage {
	if !col.Valid {
		return nil
	}
	var text string
	if err := json.Unmarshal([]byte(col.String), &text); err != nil {
		return json.RawMessage(col.String)
	}
	if agentos.IsNull(json.RawMessage(text)) {
		return nil
	}
	return json.RawMessage(text)
}

// splitSessionData fills the name, state, metrics and other keys of s from
// its session_data object.
func splitSessionData(s *agentos.Session, data json.RawMessage) error {
	if data == nil {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if raw, ok := m["session_name"]; ok && !agentos.IsNull(raw) {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return err
		}
		s.Name = &name
	}
	s.State, s.Metrics = m["session_state"], m["session_metrics"]
	delete(m, "session_name")
	delete(m, "session_state")
	delete(m, "session_metrics")
	if len(m) > 0 {
		extra, err := json.Marshal(m)
		if err != nil {
			return err
		}
		s.Data = extra
	}
	return nil
}

// referenceRuns returns the runs of a reference session as a store returns
// them.
func referenceRuns(t testing.TB, ref *referenceSession) []*agentos.Run {
	t.Helper()
	runs := make([]*agentos.Run, len(ref.Runs))
	for i, rec := range ref.Runs {
		r, err := agentos.NewRun(ref.Session.ID, rec)
		if err != nil {
			t.Fatalf("run %d of %s: %v", i, ref.Session.ID, err)
		}
		r.Seq = int64(i + 1)
		runs[i] = r
	}
	return runs
}
