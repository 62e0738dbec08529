package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/agentos-go/agentos"
)

func ids(list []*agentos.Session) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.ID
	}
	return out
}

func testList(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	team, workflow := agentos.SessionTypeTeam, agentos.SessionTypeWorkflow
	agent := agentos.SessionTypeAgent
	fixtures := []*agentos.Session{
		{ID: "a1", AgentID: "assistant", UserID: ptr("alice"), Name: ptr("École trip"),
			CreatedAt: 100},
		{ID: "a2", AgentID: "assistant", UserID: ptr("bob"), Name: ptr("50% off_sale"),
			CreatedAt: 100},
		{ID: "a3", AgentID: "researcher", UserID: ptr("alice"), Name: ptr("tides"), CreatedAt: 100,
			State: []byte(`{"note":"école token"}`)},
		{ID: "t1", Type: team, TeamID: "assistant", UserID: ptr("alice"), Name: ptr("team"),
			CreatedAt: 200},
		{ID: "w1", Type: workflow, WorkflowID: "flow", Name: ptr("Straße"), CreatedAt: 300},
	}
	for _, f := range fixtures {
		mustCreate(t, s, f)
	}
	list := func(f agentos.SessionFilter) ([]string, int) {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 100
		}
		got, total, err := s.ListSessions(ctx, f)
		if err != nil {
			t.Fatalf("list %+v: %v", f, err)
		}
		return ids(got), total
	}
	cases := []struct {
		name   string
		filter agentos.SessionFilter
		want   []string
	}{
		{"all ascending", agentos.SessionFilter{}, []string{"a1", "a2", "a3", "t1", "w1"}},
		{"user", agentos.SessionFilter{UserID: ptr("alice")}, []string{"a1", "a3", "t1"}},
		{"type", agentos.SessionFilter{Type: &agent}, []string{"a1", "a2", "a3"}},
		{"component any type", agentos.SessionFilter{ComponentID: ptr("assistant")},
			[]string{"a1", "a2", "t1"}},
		{"component of team type",
			agentos.SessionFilter{ComponentID: ptr("assistant"), Type: &team},
			[]string{"t1"}},
		{"component of agent type",
			agentos.SessionFilter{ComponentID: ptr("assistant"), Type: &agent},
			[]string{"a1", "a2"}},
		{"name folds case", agentos.SessionFilter{Name: ptr("ÉCOLE")}, []string{"a1"}},
		{"name folds sharp s", agentos.SessionFilter{Name: ptr("STRASSE")}, []string{"w1"}},
		{"percent is literal", agentos.SessionFilter{Name: ptr("50%")}, []string{"a2"}},
		{"underscore is literal", agentos.SessionFilter{Name: ptr("f_s")}, []string{"a2"}},
		{"percent alone matches only names with it", agentos.SessionFilter{Name: ptr("%")},
			[]string{"a2"}},
		{"name never matches state", agentos.SessionFilter{Name: ptr("token")}, nil},
		{"filters combine", agentos.SessionFilter{UserID: ptr("alice"), Type: &agent,
			Name: ptr("t")}, []string{"a1", "a3"}},
		{"no match", agentos.SessionFilter{UserID: ptr("carol")}, nil},
	}
	for _, tc := range cases {
		got, total := list(tc.filter)
		if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		if total != len(tc.want) {
			t.Errorf("%s: total = %d, want %d", tc.name, total, len(tc.want))
		}
	}
	got, _ := list(agentos.SessionFilter{Descending: true})
	if want := []string{"w1", "t1", "a3", "a2", "a1"}; !slices.Equal(got, want) {
		t.Errorf("descending: got %v, want %v (ties broken by session_id)", got, want)
	}
	got, _ = list(agentos.SessionFilter{SortBy: agentos.SortSessionName})
	if want := []string{"a2", "w1", "t1", "a3", "a1"}; !slices.Equal(got, want) {
		t.Errorf("by name: got %v, want %v", got, want)
	}
	page, total, err := s.ListSessions(ctx, agentos.SessionFilter{Limit: 2, Offset: 10})
	if err != nil || len(page) != 0 || total != 5 {
		t.Errorf("page past the end: %d items, total %d, %v", len(page), total, err)
	}
}

// testPaging checks that every sort field pages through sessions that share
// their sort key without repeating or skipping one.
func testPaging(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	const n = 23
	for i := range n {
		mustCreate(t, s, &agentos.Session{
			ID: fmt.Sprintf("p%02d", (i*7)%n), AgentID: "same", UserID: ptr("same"),
			CreatedAt: 1000, UpdatedAt: 1000,
		})
	}
	for _, field := range agentos.SortFields {
		for _, desc := range []bool{false, true} {
			seen := map[string]bool{}
			var order []string
			for offset := 0; offset < n+5; offset += 5 {
				page, total, err := s.ListSessions(ctx, agentos.SessionFilter{
					SortBy: field, Descending: desc, Limit: 5, Offset: offset,
				})
				if err != nil {
					t.Fatal(err)
				}
				if total != n {
					t.Fatalf("%s: total = %d, want %d", field, total, n)
				}
				for _, sess := range page {
					if seen[sess.ID] {
						t.Fatalf("%s desc=%v: %s repeated across pages", field, desc, sess.ID)
					}
					seen[sess.ID] = true
					order = append(order, sess.ID)
				}
			}
			if len(seen) != n {
				t.Fatalf("%s desc=%v: saw %d sessions, want %d", field, desc, len(seen), n)
			}
			sorted := slices.IsSorted(order)
			if desc {
				slices.Reverse(order)
				sorted = slices.IsSorted(order)
			}
			if !sorted {
				t.Fatalf("%s desc=%v: ties not broken by session_id: %v", field, desc, order)
			}
		}
	}
}

// testSorting checks the order of every sort field in both directions on
// sessions whose sort keys differ. Absent values sort first in ascending
// order, an owner of "" sorts after no owner, and text compares byte by byte.
func testSorting(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	fixtures := []*agentos.Session{
		{ID: "s1", AgentID: "beta", UserID: ptr("bob"), Name: ptr("apple"),
			CreatedAt: 300, UpdatedAt: 300},
		{ID: "s2", Type: agentos.SessionTypeTeam, TeamID: "alpha", Name: ptr("Zebra"),
			CreatedAt: 100, UpdatedAt: 500},
		{ID: "s3", Type: agentos.SessionTypeWorkflow, WorkflowID: "gamma", UserID: ptr(""),
			CreatedAt: 200, UpdatedAt: 200},
		{ID: "s4", AgentID: "alpha", UserID: ptr("alice"), Name: ptr("Mango"),
			CreatedAt: 400, UpdatedAt: 400},
	}
	for _, f := range fixtures {
		mustCreate(t, s, f)
	}
	ascending := map[agentos.SortField][]string{
		agentos.SortCreatedAt:   {"s2", "s3", "s1", "s4"},
		agentos.SortUpdatedAt:   {"s3", "s1", "s4", "s2"},
		agentos.SortSessionID:   {"s1", "s2", "s3", "s4"},
		agentos.SortSessionType: {"s1", "s4", "s2", "s3"},
		agentos.SortAgentID:     {"s2", "s3", "s4", "s1"},
		agentos.SortTeamID:      {"s1", "s3", "s4", "s2"},
		agentos.SortWorkflowID:  {"s1", "s2", "s4", "s3"},
		agentos.SortUserID:      {"s2", "s3", "s4", "s1"},
		agentos.SortSessionName: {"s3", "s1", "s4", "s2"},
	}
	for _, field := range agentos.SortFields {
		want := ascending[field]
		if want == nil {
			t.Fatalf("no expected order for sort field %s", field)
		}
		for _, desc := range []bool{false, true} {
			got, _, err := s.ListSessions(ctx, agentos.SessionFilter{
				SortBy: field, Descending: desc, Limit: 10,
			})
			if err != nil {
				t.Fatal(err)
			}
			expected := slices.Clone(want)
			if desc {
				slices.Reverse(expected)
			}
			if !slices.Equal(ids(got), expected) {
				t.Errorf("sorted by %s (descending %v) = %v, want %v", field, desc, ids(got),
					expected)
			}
		}
	}
	got, _, err := s.ListSessions(ctx, agentos.SessionFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if want := ascending[agentos.SortCreatedAt]; !slices.Equal(ids(got), want) {
		t.Errorf("default sort = %v, want created_at order %v", ids(got), want)
	}
}

// testListSnapshot lists sessions while others are created and checks that
// the page and the total come from the same moment.
func testListSnapshot(t *testing.T, open Opener) {
	ctx := context.Background()
	s := newStore(t, open)
	const creates = 60
	done := make(chan error, 1)
	go func() {
		for i := range creates {
			err := s.CreateSession(ctx, &agentos.Session{ID: fmt.Sprintf("snap-%03d", i),
				Type: agentos.SessionTypeAgent})
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for {
		list, total, err := s.ListSessions(ctx, agentos.SessionFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != total {
			t.Fatalf("page holds %d sessions but total is %d", len(list), total)
		}
		if total == creates {
			break
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			done <- nil
		default:
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
