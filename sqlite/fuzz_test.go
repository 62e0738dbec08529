package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
)

// FuzzNameFilter checks the name filter against its definition: a session
// matches when its folded displayed name contains the folded needle.
func FuzzNameFilter(f *testing.F) {
	seeds := [][2]string{
		{"École trip", "ÉCOLE"},
		{"Straße", "STRASSE"},
		{"50% off_sale", "%"},
		{"50% off_sale", "f_s"},
		{"tides", "_"},
		{"a\x00b", "\x00"},
		{"\xff\xfe", "\xff"},
		{"ΣΊΣΥΦΟΣ", "σίσυφος"},
		{"ﬁle", "FILE"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	s := openTemp(f)
	f.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, name, needle string) {
		if needle == "" {
			return
		}
		sess := &agentos.Session{ID: "fuzz", Type: agentos.SessionTypeAgent, Name: &name}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := s.DeleteSessions(ctx, []string{"fuzz"}, agentos.Scope{}); err != nil {
				t.Fatal(err)
			}
		}()
		list, total, err := s.ListSessions(ctx, agentos.SessionFilter{Name: &needle, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Contains(agentos.FoldName(name), agentos.FoldName(needle))
		if got := total == 1 && len(list) == 1; got != want {
			t.Fatalf("name %q, filter %q: matched %v (total %d), want %v", name, needle, got,
				total, want)
		}
		if want && *list[0].Name != name {
			t.Fatalf("name %q read back as %q", name, *list[0].Name)
		}
	})
}
