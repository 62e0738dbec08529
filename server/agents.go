package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
)

// agentRoutes registers the agent routes.
func (s *Server) agentRoutes() {
	s.mux.HandleFunc("GET /agents", s.handleListAgents)
	s.mux.HandleFunc("GET /agents/{agent_id}", s.handleGetAgent)
	s.mux.HandleFunc("POST /agents/{agent_id}/runs", s.handleRun)
	s.mux.HandleFunc("GET /agents/{agent_id}/runs/{run_id}", s.handleGetAgentRun)
	s.mux.HandleFunc("POST /agents/{agent_id}/runs/{run_id}/cancel", s.handleCancelRun)
}

func (s *Server) agents() []*agent.Agent {
	if s.engine == nil {
		return nil
	}
	return s.engine.Agents()
}

func (s *Server) findAgent(id string) (*agent.Agent, error) {
	if s.engine != nil {
		if a, ok := s.engine.Agent(id); ok {
			return a, nil
		}
	}
	return nil, agentos.Errorf(agentos.ENOTFOUND, "Agent not found")
}

func (s *Server) handleListAgents(w http.ResponseWriter, r *http.Request) {
	p := agentos.PrincipalFrom(r.Context())
	out := []json.RawMessage{}
	for _, a := range s.agents() {
		if p.CanReadAgent(a.ID) {
			out = append(out, s.agentObject(a))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetAgent(w http.ResponseWriter, r *http.Request) {
	a, err := s.findAgent(r.PathValue("agent_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.agentObject(a))
}

// agentObject returns agno's agent view. Like agno, it leaves out every
// setting equal to agno's default and every section left empty.
func (s *Server) agentObject(a *agent.Agent) json.RawMessage {
	info := a.Model.Info()
	var o orderedObject
	o.add("id", a.ID)
	o.add("name", a.Name)
	o.add("db_id", s.dbID)
	if a.Description != "" {
		o.add("description", a.Description)
	}
	o.add("is_factory", false)
	var m orderedObject
	m.add("name", info.Name)
	m.add("model", info.ID)
	m.add("provider", info.Provider)
	o.raw("model", m.bytes())

	var sess orderedObject
	sess.add("session_table", s.table)
	if a.AddHistoryToContext {
		sess.add("add_history_to_context", true)
	}
	if a.NumHistoryRuns != agent.DefaultNumHistoryRuns {
		sess.add("num_history_runs", a.NumHistoryRuns)
	}
	o.raw("sessions", sess.bytes())

	var sys orderedObject
	if a.Description != "" {
		sys.add("description", a.Description)
	}
	switch len(a.Instructions) {
	case 0:
	case 1:
		sys.add("instructions", a.Instructions[0])
	default:
		sys.add("instructions", a.Instructions)
	}
	if !sys.empty() {
		o.raw("system_message", sys.bytes())
	}
	o.add("is_component", false)
	return o.bytes()
}

// runRequest reads the run form and the caller's identity.
func (s *Server) runRequest(r *http.Request) (runForm, error) {
	values, err := formValues(r)
	if errors.Is(err, errFilesUnsupported) {
		return runForm{}, agentos.WrapError(agentos.EINVALID, err, "%s", err.Error())
	}
	if err != nil {
		return runForm{}, agentos.WrapError(agentos.EINVALID, err,
			"Invalid form body: %v; send multipart/form-data or "+
				"application/x-www-form-urlencoded", err)
	}
	f, err := parseRunForm(values)
	if err != nil {
		return f, err
	}
	f.UserID = s.owner(r, f.UserID)
	if p := agentos.PrincipalFrom(r.Context()); p != nil && p.SessionID != "" {
		f.SessionID = p.SessionID
	}
	return f, nil
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	f, err := s.runRequest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.findAgent(r.PathValue("agent_id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.Background {
		s.writeError(w, r, agentos.Errorf(agentos.EINVALID,
			"Background runs are not supported: send background=false and poll "+
				"GET /sessions/{session_id}/runs instead"))
		return
	}
	run, err := s.engine.Start(r.Context(), r.PathValue("agent_id"), agent.RunInput{
		Message:      f.Message,
		SessionID:    f.SessionID,
		UserID:       f.UserID,
		AddHistory:   f.AddHistory,
		StreamEvents: f.StreamEvents,
		StreamModel:  f.Stream,
		SessionState: f.SessionState,
		Metadata:     f.Metadata,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !f.Stream {
		res := run.Execute(r.Context(), nil)
		writeRaw(w, http.StatusOK, res.Record)
		return
	}
	s.streamRun(w, r, run)
}

// streamRun sends the run's events as server-sent events, each as an event
// line, one data line of compact JSON and a blank line.
func (s *Server) streamRun(w http.ResponseWriter, r *http.Request, run *agent.Run) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()
	buf := make([]byte, 0, 1024)
	run.Execute(r.Context(), func(ev agent.Event) error {
		buf = buf[:0]
		buf = append(buf, "event: "...)
		buf = append(buf, ev.Name...)
		buf = append(buf, "\ndata: "...)
		buf = append(buf, ev.Data...)
		buf = append(buf, "\n\n"...)
		if _, err := w.Write(buf); err != nil {
			return err
		}
		return rc.Flush()
	})
}

func (s *Server) handleGetAgentRun(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("session_id") {
		s.writeError(w, r, (&ValidationError{}).Add(ValidationItem{Type: "missing",
			Loc: []any{"query", "session_id"}, Msg: "Field required", Input: nil}))
		return
	}
	a, err := s.findAgent(r.PathValue("agent_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sessionIDs := q["session_id"]
	run, err := s.findRun(r.Context(), sessionIDs[len(sessionIDs)-1], r.PathValue("run_id"),
		s.scope(r))
	if err == nil && run.AgentID != a.ID {
		err = agentos.Errorf(agentos.ENOTFOUND, "Run not found")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeRaw(w, http.StatusOK, run.Record)
}

// findRun returns the run of a session inside scope, or ENOTFOUND "Run not
// found" when either is missing.
func (s *Server) findRun(ctx context.Context, sessionID, runID string,
	scope agentos.Scope) (*agentos.Run, error) {
	if _, err := s.store.GetSession(ctx, sessionID, scope); err != nil {
		if agentos.ErrorCode(err) == agentos.ENOTFOUND {
			return nil, agentos.Errorf(agentos.ENOTFOUND, "Run not found")
		}
		return nil, err
	}
	run, err := s.store.GetRun(ctx, sessionID, runID)
	if agentos.ErrorCode(err) == agentos.ENOTFOUND {
		return nil, agentos.Errorf(agentos.ENOTFOUND, "Run not found")
	}
	return run, err
}

func (s *Server) handleCancelRun(w http.ResponseWriter, r *http.Request) {
	if _, err := s.findAgent(r.PathValue("agent_id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	runID := r.PathValue("run_id")
	if p := agentos.PrincipalFrom(r.Context()); p.Isolated() {
		// A repeated session_id counts by its last value, as Starlette reads it.
		var sessionID string
		if values := r.URL.Query()["session_id"]; len(values) > 0 {
			sessionID = values[len(values)-1]
		}
		if sessionID == "" {
			s.writeError(w, r, agentos.Errorf(agentos.EINVALID,
				"session_id is required for this action"))
			return
		}
		if _, err := s.findRun(r.Context(), sessionID, runID, s.scope(r)); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if err := s.engine.Cancels().RequestCancel(r.Context(), runID); err != nil {
		s.writeError(w, r, fmt.Errorf("request cancel of run %s: %w", runID, err))
		return
	}
	writeRaw(w, http.StatusOK, json.RawMessage("{}"))
}

// writeRaw writes a response whose JSON body is encoded already.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
