package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
)

// planFixture opens a store holding n sessions spread over owners, types
// and components, with fresh planner statistics, as a long-used database
// has them.
func planFixture(t *testing.T, n int) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	types := []agentos.SessionType{agentos.SessionTypeAgent, agentos.SessionTypeAgent,
		agentos.SessionTypeTeam, agentos.SessionTypeWorkflow}
	sessions := make([]*agentos.Session, n)
	for i := range sessions {
		user := fmt.Sprintf("user-%02d", i%50)
		name := fmt.Sprintf("Conversation %d", i)
		sess := &agentos.Session{ID: fmt.Sprintf("s-%06d", i), Type: types[i%len(types)],
			UserID: &user, Name: &name, CreatedAt: 1796383576 + int64(i/10)}
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
	if err := BulkCreate(ctx, s, sessions); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	return s
}

// queryPlan returns the EXPLAIN QUERY PLAN details of query, one per step.
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.read.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}

func TestListQueryPlans(t *testing.T) {
	s := planFixture(t, 5000)
	agent := agentos.SessionTypeAgent
	filters := []struct {
		name string
		f    agentos.SessionFilter
		// search is set when an equality filter must narrow the rows through
		// an index rather than a scan.
		search bool
		// covered is set when the count must read one index only.
		covered bool
		// sorted lists the sort fields whose pages must come in index order,
		// with no sorting step.
		sorted []agentos.SortField
	}{
		{name: "no filter", f: agentos.SessionFilter{}, covered: true,
			sorted: agentos.SortFields},
		{name: "owner", f: agentos.SessionFilter{UserID: ptr("user-07")}, search: true,
			covered: true, sorted: []agentos.SortField{agentos.SortCreatedAt,
				agentos.SortUpdatedAt, agentos.SortUserID}},
		{name: "type", f: agentos.SessionFilter{Type: &agent}, search: true, covered: true,
			sorted: []agentos.SortField{agentos.SortCreatedAt, agentos.SortSessionType}},
		{name: "owner and type", search: true, covered: true,
			f:      agentos.SessionFilter{UserID: ptr("user-07"), Type: &agent},
			sorted: []agentos.SortField{agentos.SortCreatedAt}},
		{name: "component of a type", search: true, covered: true,
			f:      agentos.SessionFilter{ComponentID: ptr("agent-04"), Type: &agent},
			sorted: []agentos.SortField{agentos.SortCreatedAt}},
		{name: "component of any type", search: true,
			f: agentos.SessionFilter{ComponentID: ptr("agent-04")}},
		{name: "name", covered: true, f: agentos.SessionFilter{Name: ptr("conv")},
			sorted: agentos.SortFields},
		{name: "owner and name", search: true,
			f:      agentos.SessionFilter{UserID: ptr("user-07"), Name: ptr("conv")},
			sorted: []agentos.SortField{agentos.SortCreatedAt, agentos.SortUpdatedAt}},
	}
	for _, tc := range filters {
		for _, field := range agentos.SortFields {
			for _, desc := range []bool{false, true} {
				f := tc.f
				f.SortBy, f.Descending = field, desc
				q := buildListQuery(f)
				page := queryPlan(t, s, q.page, append(q.args, 20, 0)...)
				what := fmt.Sprintf("%s sorted by %s (descending %v)", tc.name, field, desc)
				checkPlan(t, what, page, tc.search)
				if slices.Contains(tc.sorted, field) && planHas(page, "TEMP B-TREE") {
					t.Errorf("%s sorts the matches instead of reading an index in order: %v",
						what, page)
				}
			}
		}
		q := buildListQuery(tc.f)
		count := queryPlan(t, s, q.count, q.args...)
		checkPlan(t, "count of "+tc.name, count, tc.search)
		if tc.covered && !planHas(count, "COVERING INDEX") {
			t.Errorf("count of %s reads table rows: %v", tc.name, count)
		}
	}
}

// checkPlan fails when a listing plan reads runs, scans the table without an
// index, or, when search is set, does not search an index.
func checkPlan(t *testing.T, what string, plan []string, search bool) {
	t.Helper()
	if planHas(plan, "runs") {
		t.Errorf("%s reads runs: %v", what, plan)
	}
	if slices.Contains(plan, "SCAN sessions") {
		t.Errorf("%s scans the table without an index: %v", what, plan)
	}
	if search && !planHas(plan, "SEARCH sessions USING") {
		t.Errorf("%s does not narrow the rows with an index: %v", what, plan)
	}
}

func planHas(plan []string, text string) bool {
	for _, step := range plan {
		if strings.Contains(step, text) {
			return true
		}
	}
	return false
}

func TestRunQueryPlans(t *testing.T) {
	s := planFixture(t, 10)
	plans := map[string][]string{
		"lease sweep": queryPlan(t, s, expiredRunsQuery, 100, 10),
		"run listing": queryPlan(t, s, `SELECT `+runColumns+
			` FROM runs WHERE session_id = ? ORDER BY seq`, "s-000001"),
		"run lookup": queryPlan(t, s, `SELECT `+runColumns+
			` FROM runs WHERE session_id = ? AND run_id = ?`, "s-000001", "r"),
	}
	want := map[string]string{
		"lease sweep": "USING INDEX runs_active_lease",
		"run listing": "USING PRIMARY KEY (session_id=?)",
		"run lookup":  "(session_id=? AND run_id=?)",
	}
	for name, plan := range plans {
		if !planHas(plan, want[name]) || planHas(plan, "TEMP B-TREE") {
			t.Errorf("%s plan = %v, want a step with %q and no sorting", name, plan, want[name])
		}
	}
}

func ptr[T any](v T) *T { return &v }
