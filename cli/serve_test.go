package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the server's log writes and the
// test's reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logLines returns the JSON log records written so far.
func (b *lockedBuffer) logLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, rec)
	}
	return out
}

// startServe runs agentos serve with args until the test ends and returns
// the base URL from its startup log line and its log output.
func startServe(t *testing.T, args ...string) (string, *lockedBuffer, func() int) {
	t.Helper()
	t.Setenv("OS_SECURITY_KEY", "")
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	streams := Streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: logs}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, append([]string{"serve", "--port", "0", "--log-format", "json"}, args...),
			streams)
	}()
	stop := func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop after its context ended")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, rec := range logs.logLines(t) {
			if rec["msg"] == "serving AgentOS API" {
				return rec["address"].(string), logs, stop
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before listening: %s", code, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no startup log line: %s", logs.String())
	return "", nil, nil
}

func TestServeSessionsAndShutdown(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "nested", "dir", "app.db")
	base, logs, stop := startServe(t, "--db", dbPath, "--db-id", "my-db")

	resp, err := http.Post(base+"/sessions", "application/json",
		strings.NewReader(`{"session_id":"s1","session_name":"Served"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d", resp.StatusCode)
	}
	requestID := resp.Header.Get("X-Request-ID")
	if requestID == "" {
		t.Error("response has no X-Request-ID")
	}
	resp, err = http.Get(base + "/sessions?db_id=my-db")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"session_name":"Served"`) {
		t.Fatalf("list: status %d, body %s", resp.StatusCode, body)
	}

	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d after shutdown: %s", code, logs.String())
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Errorf("database file: %v", err)
	}
	var logged, stopped bool
	for _, rec := range logs.logLines(t) {
		if rec["msg"] == "request" && rec["request_id"] == requestID && rec["status"] == 201.0 {
			logged = true
		}
		if rec["msg"] == "server stopped" {
			stopped = true
		}
	}
	if !logged {
		t.Errorf("no request log line with request_id %s: %s", requestID, logs.String())
	}
	if !stopped {
		t.Errorf("no shutdown log line: %s", logs.String())
	}
}

func TestServePortFromEnvironment(t *testing.T) {
	t.Setenv(envPort, "not-a-port")
	got := execute(t, piped, "", "serve", "--db", filepath.Join(t.TempDir(), "app.db"))
	wantExit(t, got, ExitUsage)
	if !strings.Contains(got.stderr, "invalid AGENT_OS_PORT \"not-a-port\"") {
		t.Errorf("stderr %q does not name the variable", got.stderr)
	}
}

func TestServeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, `invalid --log-format "xml"`},
		{[]string{"--log-level", "loud"}, `invalid --log-level "loud"`},
		{[]string{"--port", "70000"}, "invalid --port 70000"},
	} {
		args := append([]string{"serve", "--db", filepath.Join(dir, "app.db")}, tc.args...)
		got := execute(t, piped, "", args...)
		wantExit(t, got, ExitUsage)
		if !strings.Contains(got.stderr, tc.want) {
			t.Errorf("serve %v: stderr %q, want %q", tc.args, got.stderr, tc.want)
		}
	}
}

func TestServeAgnoDatabaseNamesImport(t *testing.T) {
	data, err := os.ReadFile("../testdata/agno-2.9/agno-reference.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "app.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got := execute(t, piped, "", "serve", "--port", "0", "--db", path)
	wantExit(t, got, ExitError)
	if !strings.Contains(got.stderr, "agentos import agno "+path) {
		t.Errorf("stderr %q, want the import command for %s", got.stderr, path)
	}
}

// TestServeHostFromEnvironment checks that agno's AGENT_OS_HOST picks the
// listen address when --host is not given, so an agno deployment's
// environment binds the same address.
func TestServeHostFromEnvironment(t *testing.T) {
	probe, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback to listen on: %v", err)
	}
	probe.Close()
	t.Setenv(envHost, "::1")
	base, logs, stop := startServe(t, "--db", filepath.Join(t.TempDir(), "app.db"))
	if !strings.HasPrefix(base, "http://[::1]:") {
		t.Errorf("AGENT_OS_HOST=::1 served on %s", base)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, logs.String())
	}

	base, logs, stop = startServe(t, "--db", filepath.Join(t.TempDir(), "app.db"),
		"--host", "127.0.0.1")
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("--host 127.0.0.1 with AGENT_OS_HOST=::1 served on %s", base)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, logs.String())
	}
}
