package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentos-go/agentos/model/modeltest"
)

// TestServeAgentsFromConfig serves an agent declared in a YAML file on a
// fake OpenAI-compatible host and holds a two-turn conversation.
func TestServeAgentsFromConfig(t *testing.T) {
	fake := modeltest.NewOpenAI(t)
	t.Setenv("LOCAL_LLM_KEY", "test-key")
	dir := t.TempDir()
	config := filepath.Join(dir, "agents.yaml")
	yaml := `os_id: test-os
agents:
  - name: Local Helper
    instructions: Answer briefly.
    model:
      provider: openai-like
      id: llama3.1
      base_url: ` + fake.URL + `
      api_key_env: LOCAL_LLM_KEY
    add_history_to_context: true
    num_history_runs: 5
`
	if err := os.WriteFile(config, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	addr, _, stop := startServe(t, "--db", filepath.Join(dir, "app.db"), "--config", config)
	for _, msg := range []string{"My name is Alice.", "What's my name?"} {
		form := url.Values{"message": {msg}, "stream": {"false"}, "session_id": {"alice"}}
		resp, err := http.PostForm(addr+"/agents/local-helper/runs", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var run map[string]any
		if err := json.Unmarshal(body, &run); err != nil || resp.StatusCode != 200 {
			t.Fatalf("run %q: %d %s", msg, resp.StatusCode, body)
		}
		if run["status"] != "COMPLETED" {
			t.Fatalf("run %q: status %v: %s", msg, run["status"], body)
		}
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("model received %d requests, want 2", len(reqs))
	}
	var sawHistory bool
	for _, m := range reqs[1].Messages {
		if m.Role == "user" && m.Content == "My name is Alice." {
			sawHistory = true
		}
	}
	if !sawHistory {
		t.Fatalf("second request lacks the first message: %+v", reqs[1].Messages)
	}
	if reqs[1].Model != "llama3.1" {
		t.Fatalf("model id = %q", reqs[1].Model)
	}
	resp, err := http.Get(addr + "/config")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"os_id":"test-os"`) ||
		!strings.Contains(string(body), `"id":"local-helper"`) {
		t.Fatalf("/config = %s", body)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}
}

func TestServeRejectsInvalidConfig(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(config, []byte("agents:\n  - name: X\n    model: nope:thing\n"),
		0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"serve", "--port", "0", "--db",
		filepath.Join(dir, "app.db"), "--config", config},
		Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	if code == 0 {
		t.Fatal("serve started with an invalid configuration")
	}
	msg := errOut.String()
	if !strings.Contains(msg, config) || !strings.Contains(msg, "model") {
		t.Fatalf("error output %q should name the file and the field", msg)
	}
}
