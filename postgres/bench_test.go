package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/pgtest"
	"github.com/agentos-go/agentos/postgres"
)

// benchRecord is a completed run of typical size: a system prompt, a
// question and an answer with metrics, about 1.2 KB of JSON, as in the
// SQLite store's benchmarks.
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

func openBench(b *testing.B) *postgres.Store {
	b.Helper()
	url := pgtest.URL(b)
	s := openStore(b, url, pgtest.Schema(b, url))
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// fill copies n sessions spread over 50 users, 20 components per type and
// all three types, with names that a filter can match, and refreshes the
// planner's statistics.
func fill(b *testing.B, s *postgres.Store, n int) {
	b.Helper()
	types := []string{"agent", "agent", "team", "workflow"}
	rows := make([][]any, n)
	for i := range rows {
		typ := types[i%len(types)]
		var agentID, teamID, workflowID any
		switch typ {
		case "team":
			teamID = fmt.Sprintf("team-%02d", i%20)
		case "workflow":
			workflowID = fmt.Sprintf("flow-%02d", i%20)
		default:
			agentID = fmt.Sprintf("agent-%02d", i%20)
		}
		name := fmt.Sprintf("Conversation %d about topic %d", i, i%1000)
		created := int64(1796383576 + i/10)
		rows[i] = []any{fmt.Sprintf("session-%07d", i), typ, agentID, teamID, workflowID,
			fmt.Sprintf("user-%02d", i%50), name, agentos.FoldName(name),
			`{"step":3,"cart":["tea","milk"]}`,
			`{"input_tokens":812,"output_tokens":190,"total_tokens":1002}`,
			`{"name":"Assistant","agent_id":"assistant"}`, created, created}
	}
	ctx := context.Background()
	if _, err := s.Pool().CopyFrom(ctx, pgx.Identifier{"sessions"}, []string{"session_id",
		"session_type", "agent_id", "team_id", "workflow_id", "user_id", "session_name",
		"name_fold", "session_state", "session_metrics", "agent_data", "created_at",
		"updated_at"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, "VACUUM ANALYZE sessions"); err != nil {
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
			runs := make([]*agentos.Run, existing)
			for i := range runs {
				r, err := agentos.NewRun("s", benchRecord(fmt.Sprintf("old-%d", i)))
				if err != nil {
					b.Fatal(err)
				}
				runs[i] = r
			}
			if _, err := s.ImportSession(ctx, &agentos.Session{
				ID: "s", Type: agentos.SessionTypeAgent, AgentID: "assistant",
			}, runs); err != nil {
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

// BenchmarkAddRunParallel appends runs to one session from several
// goroutines, as concurrent requests of several replicas do: each write
// waits for the session row's lock.
func BenchmarkAddRunParallel(b *testing.B) {
	s := openBench(b)
	ctx := context.Background()
	if err := s.CreateSession(ctx, &agentos.Session{ID: "s",
		Type: agentos.SessionTypeAgent}); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(4)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := agentos.NewRun("s", benchRecord(uuid.NewString()))
			if err != nil {
				b.Error(err)
				return
			}
			if err := s.AddRun(ctx, r, agentos.SessionChange{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
