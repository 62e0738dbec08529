package postgres_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/storetesting"
)

// FuzzNameFilter checks the name filter against its definition: a session
// matches when its folded displayed name contains the folded needle. A name
// that PostgreSQL cannot store must be rejected with EINVALID, and a needle
// it cannot store must match nothing.
func FuzzNameFilter(f *testing.F) {
	seeds := [][2]string{
		{"École trip", "ÉCOLE"},
		{"Straße", "STRASSE"},
		{"50% off_sale", "%"},
		{"50% off_sale", "f_s"},
		{"tides", "_"},
		{"back\\slash", "\\"},
		{"a\x00b", "\x00"},
		{"plain", "\x00"},
		{"\xff\xfe", "\xff"},
		{"ΣΊΣΥΦΟΣ", "σίσυφος"},
		{"ﬁle", "FILE"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	s := storetesting.OpenPostgres(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, name, needle string) {
		if needle == "" {
			return
		}
		sess := &agentos.Session{ID: "fuzz", Type: agentos.SessionTypeAgent, Name: &name}
		err := s.CreateSession(ctx, sess)
		storable := utf8.ValidString(name) && !strings.ContainsRune(name, 0)
		if !storable {
			if agentos.ErrorCode(err) != agentos.EINVALID {
				t.Fatalf("create with name %q: %v, want EINVALID", name, err)
			}
			return
		}
		if err != nil {
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
