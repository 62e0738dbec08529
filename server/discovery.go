package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// AgnoVersion is the agno release whose API this server follows. /info
// reports it so that clients gating features on agno's version behave.
const AgnoVersion = "2.9.0"

// discoveryRoutes registers the routes that describe the OS.
func (s *Server) discoveryRoutes() {
	s.mux.HandleFunc("GET /{$}", s.handleHome)
	s.mux.HandleFunc("GET /health", s.handleHealth)
	s.mux.HandleFunc("GET /info", s.handleInfo)
	s.mux.HandleFunc("GET /config", s.handleConfig)
	s.mux.HandleFunc("GET /models", s.handleModels)
}

// deriveOSID returns a stable OS id when none is configured: a UUID v5 of
// the OS name, as agno derives it, or of the database id when the OS has no
// name. agno falls back to a random id that changes on every restart.
func deriveOSID(name, dbID string) string {
	seed := name
	if seed == "" {
		seed = "agentos-go:" + dbID
	}
	return uuid.NewSHA1(uuid.NameSpaceDNS, []byte(seed)).String()
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	var o orderedObject
	o.add("name", "AgentOS API")
	o.add("id", s.osID)
	o.add("version", s.version)
	writeRaw(w, http.StatusOK, o.bytes())
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	var o orderedObject
	o.add("status", "ok")
	o.add("instantiated_at", s.started.UTC().Format("2006-01-02T15:04:05.000000Z"))
	writeRaw(w, http.StatusOK, o.bytes())
}

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) {
	var o orderedObject
	o.add("os_id", s.osID)
	o.raw("name", nullable(s.osName))
	o.add("agno_version", AgnoVersion)
	o.add("agent_count", len(s.agents()))
	o.add("team_count", 0)
	o.add("workflow_count", 0)
	o.raw("mcp", json.RawMessage(`{"enabled":false,"path":null,"oauth":null}`))
	o.add("auth_mode", s.authMode)
	writeRaw(w, http.StatusOK, o.bytes())
}

func nullable(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return mustJSON(s)
}

// handleConfig describes the OS. Only the session domain is advertised,
// because the other domains agno lists (memory, metrics, evals, knowledge,
// traces) have no routes here and the web UI would call them.
func (s *Server) handleConfig(w http.ResponseWriter, r *http.Request) {
	var o orderedObject
	o.add("os_id", s.osID)
	if s.osName != "" {
		// agno 2.9.0 never sends name; it is an optional field of the schema.
		o.add("name", s.osName)
	}
	if s.osDescription != "" {
		o.add("description", s.osDescription)
	}
	o.add("available_models", []string{})
	o.add("databases", []string{s.dbID})

	var domain orderedObject
	domain.add("display_name", s.dbID)
	var db orderedObject
	db.add("db_id", s.dbID)
	db.raw("domain_config", domain.bytes())
	db.add("tables", []string{s.table})
	o.raw("session", []byte(`{"dbs":[`+string(db.bytes())+`]}`))

	agents := []json.RawMessage{}
	for _, a := range s.agents() {
		info := a.Model.Info()
		var item orderedObject
		item.add("id", a.ID)
		item.add("name", a.Name)
		if a.Description != "" {
			item.add("description", a.Description)
		}
		item.add("db_id", s.dbID)
		var m orderedObject
		m.add("id", info.ID)
		m.add("provider", info.Provider)
		item.raw("model", m.bytes())
		agents = append(agents, item.bytes())
	}
	o.add("agents", agents)
	o.add("teams", []string{})
	o.add("workflows", []string{})
	o.add("interfaces", []string{})
	writeRaw(w, http.StatusOK, o.bytes())
}

// handleModels lists each distinct model id and provider pair of the agents.
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	type pair struct {
		ID       string `json:"id"`
		Provider string `json:"provider"`
	}
	out := []pair{}
	seen := map[pair]bool{}
	for _, a := range s.agents() {
		info := a.Model.Info()
		p := pair{ID: info.ID, Provider: info.Provider}
		if p.ID == "" || p.Provider == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	writeJSON(w, http.StatusOK, out)
}

// orderedObject builds a JSON object whose keys keep the order they are
// added in, with strings unescaped as agno sends them.
type orderedObject struct {
	buf []byte
}

func (o *orderedObject) add(key string, v any) {
	o.raw(key, mustJSON(v))
}

func (o *orderedObject) raw(key string, value []byte) {
	if len(o.buf) == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.buf = append(o.buf, mustJSON(key)...)
	o.buf = append(o.buf, ':')
	o.buf = append(o.buf, value...)
}

func (o *orderedObject) empty() bool { return len(o.buf) == 0 }

func (o *orderedObject) bytes() []byte {
	if len(o.buf) == 0 {
		return []byte("{}")
	}
	return append(append([]byte(nil), o.buf...), '}')
}

// mustJSON encodes v, which must be encodable, without HTML escaping.
func mustJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("server: encoding " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// startTime is the instant the health route reports, fixed at New.
func startTime() time.Time { return time.Now().UTC() }
