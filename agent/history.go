package agent

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/model"
)

// historyFilter selects the runs whose messages go into the next run's
// context: the last n top-level runs that completed. agno also keeps RUNNING
// and PENDING runs; they are left out here, so that a run never sees the
// half-built record of a run executing at the same time.
func historyFilter(n int) agentos.RunFilter {
	return agentos.RunFilter{
		TopLevel: true,
		Statuses: []agentos.RunStatus{agentos.RunCompleted},
		Last:     n,
	}
}

// loadHistory returns copies of the messages of the session's last n
// completed top-level runs, marked from_history, without system messages
// and without messages that were history copies already.
func loadHistory(ctx context.Context, store agentos.SessionStore, sessionID string,
	n int) ([]message, error) {
	if n <= 0 {
		return nil, nil
	}
	runs, err := store.ListRuns(ctx, sessionID, historyFilter(n))
	if err != nil {
		return nil, fmt.Errorf("load history: %w", err)
	}
	var out []message
	for _, r := range runs {
		msgs, err := historyMessages(r.Record)
		if err != nil {
			// A record that cannot be read contributes nothing rather than
			// failing every later run of the session.
			continue
		}
		out = append(out, msgs...)
	}
	return out, nil
}

type storedMessage struct {
	Role        model.Role      `json:"role"`
	Content     json.RawMessage `json:"content"`
	FromHistory bool            `json:"from_history"`
}

func historyMessages(rec json.RawMessage) ([]message, error) {
	var r struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(rec, &r); err != nil {
		return nil, err
	}
	var out []message
	for _, raw := range r.Messages {
		var sm storedMessage
		if err := json.Unmarshal(raw, &sm); err != nil {
			continue
		}
		if sm.FromHistory || sm.Role == model.RoleSystem {
			continue
		}
		// NOTE: only user and assistant text reaches the model. Tool calls
		// and tool results of earlier runs are not replayed, because agents
		// here have no tools.
		if sm.Role != model.RoleUser && sm.Role != model.RoleAssistant {
			continue
		}
		members, err := objectMembers(raw)
		if err != nil {
			continue
		}
		members = setMember(members, "from_history", json.RawMessage("true"))
		text := agentos.ContentText(sm.Content)
		out = append(out, message{Role: sm.Role, Content: &text, FromHistory: true,
			raw: encodeMembers(members)})
	}
	return out, nil
}
