package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/pgtest"
	"github.com/agentos-go/agentos/postgres"
)

// planFixture returns a store holding n sessions spread over owners, types
// and components, with fresh planner statistics.
func planFixture(t *testing.T, n int) *postgres.Store {
	t.Helper()
	url := pgtest.URL(t)
	s := openStore(t, url, pgtest.Schema(t, url))
	t.Cleanup(func() { _ = s.Close() })
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
		name := fmt.Sprintf("Conversation %d", i)
		created := int64(1796383576 + i/10)
		rows[i] = []any{fmt.Sprintf("s-%06d", i), typ, agentID, teamID, workflowID,
			fmt.Sprintf("user-%02d", i%50), name, agentos.FoldName(name), created, created}
	}
	ctx := context.Background()
	if _, err := s.Pool().CopyFrom(ctx, pgx.Identifier{"sessions"}, []string{"session_id",
		"session_type", "agent_id", "team_id", "workflow_id", "user_id", "session_name",
		"name_fold", "created_at", "updated_at"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, "ANALYZE sessions"); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestListQueryPlans checks that a sorted page of every sort field, in both
// directions, reads an index in order instead of sorting every session.
func TestListQueryPlans(t *testing.T) {
	s := planFixture(t, 20000)
	ctx := context.Background()
	user := "user-07"
	agentType := agentos.SessionTypeAgent
	component := "agent-04"
	filters := map[string]agentos.SessionFilter{
		"all":               {},
		"owner":             {UserID: &user},
		"type":              {Type: &agentType},
		"owner and type":    {UserID: &user, Type: &agentType},
		"component of type": {Type: &agentType, ComponentID: &component},
	}
	for _, field := range agentos.SortFields {
		for _, desc := range []bool{false, true} {
			f := agentos.SessionFilter{SortBy: field, Descending: desc, Limit: 20}
			checkNoSort(t, ctx, s, fmt.Sprintf("%s desc=%v", field, desc), f)
		}
	}
	for name, f := range filters {
		f.SortBy, f.Descending, f.Limit = agentos.SortCreatedAt, true, 20
		checkNoSort(t, ctx, s, name+" newest first", f)
	}
}

func checkNoSort(t *testing.T, ctx context.Context, s *postgres.Store, what string,
	f agentos.SessionFilter) {
	t.Helper()
	query, args := postgres.ListQuery(f)
	rows, err := s.Pool().Query(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatalf("%s: explain: %v", what, err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: explain: %v", what, err)
	}
	plan := strings.Join(lines, "\n")
	if strings.Contains(plan, "Sort") {
		t.Errorf("%s: the page sorts every matching session:\n%s", what, plan)
	}
}
