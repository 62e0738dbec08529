package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/sqlite"
)

func TestImportAgnoTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "app.db")
	args := []string{"import", "agno", "--db", db, "../testdata/agno-2.9/agno-reference.db"}
	var out, errOut bytes.Buffer
	streams := Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	if code := Main(context.Background(), args, streams); code != 0 {
		t.Fatalf("first import exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Imported 10 sessions with 8 runs") {
		t.Fatalf("first import output:\n%s", out.String())
	}
	out.Reset()
	if code := Main(context.Background(), args, streams); code != 0 {
		t.Fatalf("second import exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Imported 0 sessions") ||
		!strings.Contains(out.String(), "Skipped 10 sessions that already exist") {
		t.Fatalf("second import output:\n%s", out.String())
	}
	store, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	_, total, err := store.ListSessions(context.Background(), agentos.SessionFilter{Limit: 50})
	if err != nil || total != 10 {
		t.Fatalf("sessions after two imports = %d, %v", total, err)
	}
	chat, err := store.GetSession(context.Background(), "rec-chat", agentos.Scope{})
	if err != nil || chat.DisplayName() != "My name is Alice." || chat.RunCount != 3 {
		t.Fatalf("rec-chat = %+v, %v", chat, err)
	}
}

func TestImportRejectsNonAgnoFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "app.db")
	var out, errOut bytes.Buffer
	streams := Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := Main(context.Background(), []string{"import", "agno", "--db", db, "import.go"}, streams)
	if code == 0 {
		t.Fatalf("importing a Go file succeeded: %s", out.String())
	}
	if !strings.Contains(errOut.String(), "is not a SQLite database") {
		t.Fatalf("error output = %q", errOut.String())
	}
}

func TestImportArgumentCount(t *testing.T) {
	for _, args := range [][]string{{"import", "agno"}, {"import", "agno", "a.db", "b.db"}} {
		var out, errOut bytes.Buffer
		streams := Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		if code := Main(context.Background(), args, streams); code != ExitUsage {
			t.Errorf("%q: exit status %d, want %d; stderr %q", args, code, ExitUsage, errOut.String())
		}
		if !strings.Contains(errOut.String(), "expects one source") {
			t.Errorf("%q: stderr %q, want it to name the expected source", args, errOut.String())
		}
	}
}

func TestImportIntoSourceRejected(t *testing.T) {
	data, err := os.ReadFile("../testdata/agno-2.9/agno-reference.db")
	if err != nil {
		t.Fatal(err)
	}
	source := filepath.Join(t.TempDir(), "agno.db")
	if err := os.WriteFile(source, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{source, "file:" + source} {
		var out, errOut bytes.Buffer
		streams := Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		args := []string{"import", "agno", "--db", target, source}
		if code := Main(context.Background(), args, streams); code != ExitUsage {
			t.Errorf("--db %s: exit status %d, want %d; stdout %q, stderr %q",
				target, code, ExitUsage, out.String(), errOut.String())
		}
		if !strings.Contains(errOut.String(), "is also the target") {
			t.Errorf("--db %s: stderr %q, want it to name the clash", target, errOut.String())
		}
	}
	after, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, data) {
		t.Errorf("the agno database changed")
	}
}
