// Package agent holds the agents AgentOS-Go serves and the engine that runs
// them: it builds each model request from the agent's instructions, the
// session's history and the new message, streams the answer as agno's run
// events, and keeps every run in the session store from start to finish.
package agent

import (
	"encoding/json"
	"strings"

	"github.com/agentos-go/agentos/model"
)

// DefaultNumHistoryRuns is how many earlier runs go into the context when
// history is on and the configuration sets no number, as in agno.
const DefaultNumHistoryRuns = 3

// Agent is one configured agent.
type Agent struct {
	ID          string
	Name        string
	Description string
	// Instructions are added to the system message, one item per line when
	// there are several.
	Instructions []string
	Model        model.Model
	// AddHistoryToContext sends earlier runs of the session to the model.
	// A run may override it with the form field of the same name.
	AddHistoryToContext bool
	// NumHistoryRuns is how many earlier runs the history holds.
	NumHistoryRuns int
	Temperature    *float64
	MaxTokens      int64
}

// SystemMessage returns the text of the system message, or "" when the
// agent has neither description nor instructions. The layout is agno
// 2.9.0's default, without instruction tags: the description on its own
// line, then a single instruction as it is or several as a bulleted list.
func (a *Agent) SystemMessage() string {
	var b strings.Builder
	if a.Description != "" {
		b.WriteString(a.Description)
		b.WriteString("\n")
	}
	switch len(a.Instructions) {
	case 0:
	case 1:
		b.WriteString(a.Instructions[0])
		b.WriteString("\n")
	default:
		for _, item := range a.Instructions {
			b.WriteString("- ")
			b.WriteString(item)
			b.WriteString("\n")
		}
	}
	return strings.TrimSpace(b.String())
}

// Data returns the agent_data object stored with the agent's sessions.
func (a *Agent) Data() json.RawMessage {
	info := a.Model.Info()
	var o jsonObject
	o.add("name", a.Name)
	o.add("agent_id", a.ID)
	var m jsonObject
	m.add("name", info.Name)
	m.add("id", info.ID)
	m.add("provider", info.Provider)
	o.raw("model", m.bytes())
	return o.bytes()
}

// Slug returns agno's default agent id for a name: lowercase, with spaces
// and underscores turned into hyphens.
func Slug(name string) string {
	s := strings.ToLower(name)
	s = strings.ReplaceAll(s, " ", "-")
	return strings.ReplaceAll(s, "_", "-")
}
