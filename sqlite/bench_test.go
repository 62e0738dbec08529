package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/sqlite"
	"github.com/google/uuid"
)

// benchRecord is a completed run of typical size: a system prompt, a
// question and an answer with metrics, about 1.2 KB of JSON.
func benchRecord(runID string) []byte {
	return fmt.Appendf(nil, `{"run_id":%q,"agent_id":"assistant","agent_name":"Assistant",`+
		`"session_id":"s","user_id":"alice",`+
		`"content":"Mainly the Moon's gravity pulls the oceans.",`+
		`"content_type":"str","model":"gpt-4o","model_provider":"OpenAI","session_state":{},`+
		`"created_at":1796383576,"status":"COMPLETED","metrics":{"input_tokens":95,`+
		`"output_tokens":41,"total_tokens":136,"time_to_first_token":0.41,"duration":1.87},`+
		`"messages":[{"id":"m-1","content":"Answer briefly.","from_history":false,`+
		`"stop_after_tool_call":false,"role":"system","created_at":1796383576},`+
		`{"id":"m-2","content":"What causes tides?","from_history":false,`+
		`"stop_after_tool_call":false,"role":"user","created_at":1796383576},`+
		`{"id":"m-3","content":"Mainly the Moon's gravity pulls the oceans.",`+
		`"from_history":false,"stop_after_tool_call":false,"role":"assistant",`+
		`"metrics":{"input_tokens":95,"output_tokens":41,"total_tokens":136},`+
		`"created_at":1796383577}],"input":{"input_content":"What causes tides?"}}`, runID)
}

func openBench(b *testing.B) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"),
		sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// fill creates n sessions spread over 50 users, 20 components per type and
// all three types, with names that a filter can match, in one transaction.
func fill(b *testing.B, s *sqlite.Store, n int) {
	b.Helper()
	types := []agentos.SessionType{
		agentos.SessionTypeAgent, agentos.SessionTypeAgent, agentos.SessionTypeTeam,
		agentos.SessionTypeWorkflow,
	}
	sessions := make([]*agentos.Session, n)
	for i := range sessions {
		user := fmt.Sprintf("user-%02d", i%50)
		name := fmt.Sprintf("Conversation %d about topic %d", i, i%1000)
		sess := &agentos.Session{
			ID: fmt.Sprintf("session-%07d", i), Type: types[i%len(types)],
			UserID: &user, Name: &name, CreatedAt: 1796383576 + int64(i/10),
			State: json.RawMessage(`{"step":3,"cart":["tea","milk"]}`),
			Metrics: json.RawMessage(
				`{"input_tokens":812,"output_tokens":190,"total_tokens":1002}`),
			AgentData: json.RawMessage(`{"name":"Assistant","agent_id":"assistant"}`),
		}
		switch sess.Type {
		case agentos.SessionTypeTeam:
			sess.TeamID = fmt.Sprintf("team-%02d", i%20)
		case agentos.SessionTypeWorkflow:
			sess.WorkflowID = fmt.Sprintf("flow-%02d", i%20)
		default:
			sess.AgentID = fmt.Sprintf("agent-%02d", i%20)
		}
		sessions[i] = sess
	}
	if err := sqlite.BulkCreate(context.Background(), s, sessions); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkCreateSession(b *testing.B) {
	s := openBench(b)
	ctx := context.Background()
	user := "alice"
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		err := s.CreateSession(ctx, &agentos.Session{
			ID: fmt.Sprintf("s-%d", i), Type: agentos.SessionTypeAgent, AgentID: "assistant",
			UserID: &user,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAt100kSessions(b *testing.B) {
	s := openBench(b)
	fill(b, s, 100_000)
	ctx := context.Background()
	b.Run("GetSession", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := s.GetSession(ctx, fmt.Sprintf("session-%07d", (i*7919)%100_000),
				agentos.Scope{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CreateSession", func(b *testing.B) {
		user := "alice"
		b.ReportAllocs()
		for b.Loop() {
			err := s.CreateSession(ctx, &agentos.Session{
				ID: uuid.NewString(), Type: agentos.SessionTypeAgent, AgentID: "assistant",
				UserID: &user,
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	agent := agentos.SessionTypeAgent
	filters := []struct {
		name string
		f    agentos.SessionFilter
	}{
		{"ListNewest", agentos.SessionFilter{Descending: true}},
		{"ListByUser", agentos.SessionFilter{UserID: ptr("user-07"), Descending: true}},
		{"ListByAgent", agentos.SessionFilter{ComponentID: ptr("agent-04"), Type: &agent,
			Descending: true}},
		{"ListByUserAndType", agentos.SessionFilter{UserID: ptr("user-07"), Type: &agent,
			Descending: true}},
		{"ListByName", agentos.SessionFilter{Name: ptr("TOPIC 42"), Descending: true}},
		{"ListByUpdatedAt", agentos.SessionFilter{SortBy: agentos.SortUpdatedAt}},
		{"ListDeepPage", agentos.SessionFilter{Offset: 50_000, Descending: true}},
	}
	for _, tc := range filters {
		b.Run(tc.name, func(b *testing.B) {
			f := tc.f
			f.Limit = 20
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.ListSessions(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// BenchmarkAddRun appends runs to sessions that already hold 10, 1,000 and
// 10,000 runs. The cost per run should not grow with the session.
func BenchmarkAddRun(b *testing.B) {
	for _, existing := range []int{10, 1_000, 10_000} {
		b.Run(fmt.Sprintf("runs=%d", existing), func(b *testing.B) {
			s := openBench(b)
			ctx := context.Background()
			if err := s.CreateSession(ctx, &agentos.Session{
				ID: "s", Type: agentos.SessionTypeAgent, AgentID: "assistant",
			}); err != nil {
				b.Fatal(err)
			}
			runs := make([]*agentos.Run, existing)
			for i := range runs {
				r, err := agentos.NewRun("s", benchRecord(fmt.Sprintf("old-%d", i)))
				if err != nil {
					b.Fatal(err)
				}
				runs[i] = r
			}
			if err := sqlite.BulkAppend(ctx, s, "s", runs); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				r, err := agentos.NewRun("s", benchRecord(fmt.Sprintf("new-%d", i)))
				if err != nil {
					b.Fatal(err)
				}
				if err := s.AddRun(ctx, r, agentos.SessionChange{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
