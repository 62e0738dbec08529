package agentos_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/agentos-go/agentos"
)

func TestSessionData(t *testing.T) {
	name := "Trip"
	cases := []struct {
		name string
		s    agentos.Session
		want string // "" for nil
	}{
		{"empty", agentos.Session{}, ""},
		{"extra keys only", agentos.Session{Data: json.RawMessage(`{"images":[]}`)},
			`{"images":[]}`},
		{"empty extra object kept", agentos.Session{Data: json.RawMessage(`{}`)}, `{}`},
		{"name state and metrics merged over extra keys", agentos.Session{
			Name:    &name,
			State:   json.RawMessage(`{"step":1}`),
			Metrics: json.RawMessage(`{"total_tokens":3}`),
			Data:    json.RawMessage(`{"images":[],"session_name":"stale"}`),
		}, `{"images":[],"session_metrics":{"total_tokens":3},"session_name":"Trip",` +
			`"session_state":{"step":1}}`},
		{"invalid extra keys dropped", agentos.Session{Name: &name,
			Data: json.RawMessage(`[1]`)}, `{"session_name":"Trip"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.SessionData()
			if tc.want == "" {
				if got != nil {
					t.Fatalf("SessionData = %s, want nil", got)
				}
				return
			}
			if string(got) != tc.want {
				t.Errorf("SessionData = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSessionDisplayAndComponent(t *testing.T) {
	name := ""
	s := agentos.Session{Type: agentos.SessionTypeTeam, AgentID: "a", TeamID: "t",
		WorkflowID: "w", DerivedName: "derived"}
	if got := s.DisplayName(); got != "derived" {
		t.Errorf("DisplayName without a name = %q, want the derived one", got)
	}
	s.Name = &name
	if got := s.DisplayName(); got != "" {
		t.Errorf("DisplayName with an explicit empty name = %q, want it", got)
	}
	want := map[agentos.SessionType]string{agentos.SessionTypeAgent: "a",
		agentos.SessionTypeTeam: "t", agentos.SessionTypeWorkflow: "w"}
	for typ, id := range want {
		s.Type = typ
		if got := s.ComponentID(); got != id {
			t.Errorf("ComponentID of a %s session = %q, want %q", typ, got, id)
		}
	}
}

func TestScopeAllows(t *testing.T) {
	alice, empty := "alice", ""
	cases := []struct {
		scope agentos.Scope
		owner *string
		want  bool
	}{
		{agentos.Scope{}, nil, true},
		{agentos.Scope{}, &alice, true},
		{agentos.Owned("alice"), &alice, true},
		{agentos.Owned("alice"), nil, false},
		{agentos.Owned("alice"), &empty, false},
		{agentos.Owned(""), &empty, true},
		{agentos.Owned(""), nil, false},
	}
	for _, tc := range cases {
		if got := tc.scope.Allows(tc.owner); got != tc.want {
			t.Errorf("scope %v allows owner %v = %v, want %v", deref(tc.scope.UserID),
				deref(tc.owner), got, tc.want)
		}
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", *p)
}

func TestParseSortField(t *testing.T) {
	for _, f := range agentos.SortFields {
		got, err := agentos.ParseSortField(string(f))
		if err != nil || got != f {
			t.Errorf("ParseSortField(%q) = %q, %v", f, got, err)
		}
	}
	for _, bad := range []string{"", "keys", "CREATED_AT", "runs"} {
		_, err := agentos.ParseSortField(bad)
		if agentos.ErrorCode(err) != agentos.EINVALID {
			t.Errorf("ParseSortField(%q) error = %v, want EINVALID", bad, err)
		}
	}
}

func TestParseSessionType(t *testing.T) {
	for _, s := range []string{"agent", "team", "workflow"} {
		got, err := agentos.ParseSessionType(s)
		if err != nil || string(got) != s {
			t.Errorf("ParseSessionType(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := agentos.ParseSessionType("bot"); agentos.ErrorCode(err) != agentos.EINVALID {
		t.Errorf("ParseSessionType(bot) error = %v, want EINVALID", err)
	}
}

func TestRunStatusFinished(t *testing.T) {
	finished := map[agentos.RunStatus]bool{
		agentos.RunPending: false, agentos.RunRunning: false, agentos.RunPaused: false,
		agentos.RunCompleted: true, agentos.RunCancelled: true, agentos.RunError: true,
		agentos.RunRegenerated: true,
	}
	for status, want := range finished {
		if got := status.Finished(); got != want {
			t.Errorf("%s.Finished() = %v, want %v", status, got, want)
		}
	}
}

func TestJSONPredicates(t *testing.T) {
	objects := map[string]bool{`{}`: true, ` {"a":1}`: true, "\n\t{": true, `[]`: false,
		`null`: false, ``: false, `"{"`: false}
	for raw, want := range objects {
		if got := agentos.IsJSONObject(json.RawMessage(raw)); got != want {
			t.Errorf("IsJSONObject(%q) = %v, want %v", raw, got, want)
		}
	}
	nulls := map[string]bool{``: true, `null`: true, "  null": true, `{}`: false,
		`"null"`: false, `0`: false}
	for raw, want := range nulls {
		if got := agentos.IsNull(json.RawMessage(raw)); got != want {
			t.Errorf("IsNull(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	cause := errors.New("disk I/O error")
	appErr := agentos.WrapError(agentos.EUNAVAILABLE, cause, "The session database is unavailable")
	wrapped := fmt.Errorf("list sessions: %w", appErr)
	if got := agentos.ErrorCode(wrapped); got != agentos.EUNAVAILABLE {
		t.Errorf("ErrorCode = %q, want %q", got, agentos.EUNAVAILABLE)
	}
	if got := agentos.ErrorMessage(wrapped); got != "The session database is unavailable" {
		t.Errorf("ErrorMessage = %q, want the message without its cause", got)
	}
	if !errors.Is(wrapped, cause) {
		t.Error("the cause is not reachable with errors.Is")
	}
	if got := agentos.ErrorCode(cause); got != agentos.EINTERNAL {
		t.Errorf("ErrorCode of a plain error = %q, want %q", got, agentos.EINTERNAL)
	}
	if got := agentos.ErrorMessage(cause); got == cause.Error() {
		t.Errorf("ErrorMessage of an internal error shows its text %q", got)
	}
	if agentos.ErrorCode(nil) != "" || agentos.ErrorMessage(nil) != "" {
		t.Error("nil error has a code or message")
	}
}

func TestPrincipalContext(t *testing.T) {
	ctx := context.Background()
	if agentos.PrincipalFrom(ctx) != nil {
		t.Fatal("principal found in an empty context")
	}
	p := &agentos.Principal{UserID: "alice", ReadableAgents: []string{"a"}}
	got := agentos.PrincipalFrom(agentos.WithPrincipal(ctx, p))
	if got != p {
		t.Fatalf("PrincipalFrom = %v, want the stored principal", got)
	}
	if !got.Isolated() {
		t.Error("a user who is not an admin is not isolated")
	}
	if got.CanReadAgent("b") || !got.CanReadAgent("a") {
		t.Error("ReadableAgents not applied")
	}
	admin := &agentos.Principal{UserID: "root", Admin: true}
	if admin.Isolated() {
		t.Error("an admin is isolated")
	}
	var none *agentos.Principal
	if none.Isolated() || !none.CanReadAgent("x") {
		t.Error("a request without a principal is restricted")
	}
}
