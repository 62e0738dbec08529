package cli

import (
	"bytes"
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/agentos-go/agentos/internal/recording"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const recordingsDir = "../testdata/agno-2.9/recordings"

var (
	loadOnce  sync.Once
	exchanges []*recording.Exchange
	loadErr   error
)

// replayServer starts a server that expects the requests of the named
// recordings in order and sends their recorded responses. It returns the
// server's URL. The test fails when a request differs from its recording
// or is never sent.
func replayServer(t *testing.T, names ...string) string {
	t.Helper()
	loadOnce.Do(func() { exchanges, loadErr = recording.LoadAll(recordingsDir) })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	played := make([]*recording.Exchange, len(names))
	for i, name := range names {
		played[i] = recording.Find(exchanges, name)
		if played[i] == nil {
			t.Fatalf("no recording %s", name)
		}
	}
	replayer := recording.NewReplayer(played...)
	srv := httptest.NewServer(replayer)
	t.Cleanup(func() {
		srv.Close()
		if err := replayer.Err(); err != nil {
			t.Errorf("replay: %v", err)
		}
	})
	return srv.URL
}

// result is what one run of the command line produced.
type result struct {
	stdout string
	stderr string
	code   int
}

// terminalMode selects how the command sees its standard streams.
type terminalMode int

const (
	piped    terminalMode = iota // output piped: tab-separated, no prompts
	terminal                     // output on a terminal without colour
)

// execute runs the agentos command line with args and stdin.
func execute(t *testing.T, mode terminalMode, stdin string, args ...string) result {
	t.Helper()
	t.Setenv("OS_SECURITY_KEY", "")
	var stdout, stderr bytes.Buffer
	streams := Streams{In: strings.NewReader(stdin), Out: &stdout, ErrOut: &stderr}
	a := newApp(streams)
	if mode == terminal {
		a.terminal = true
	}
	root := newRootCommand(streams, a)
	root.SetArgs(args)
	code := 0
	if err := root.ExecuteContext(context.Background()); err != nil {
		code = exitStatus(err, streams)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// checkGolden compares got with testdata/golden/name.txt, or rewrites the
// file with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cli -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func wantExit(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
}
