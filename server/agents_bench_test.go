package server

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkRunNonStreaming measures one run over HTTP: form parsing, the
// session read, history, the RUNNING and final writes to SQLite, and a
// plain answer from a fake OpenAI host on loopback.
func BenchmarkRunNonStreaming(b *testing.B) {
	h := newAgentHarness(b, referenceAgents)
	benchRuns(b, h, "false", "bench-plain")
}

// BenchmarkRunStreaming is the same run streamed as server-sent events.
func BenchmarkRunStreaming(b *testing.B) {
	h := newAgentHarness(b, referenceAgents)
	benchRuns(b, h, "true", "bench-stream")
}

// BenchmarkRunLongSession runs in a session that already holds 2,000 runs,
// to show that reading the history costs the same as in a short one.
func BenchmarkRunLongSession(b *testing.B) {
	h := newAgentHarness(b, referenceAgents)
	for i := range 2000 {
		resp := h.post("/agents/assistant/runs", url.Values{"message": {fmt.Sprint("m", i)},
			"session_id": {"bench-long"}, "stream": {"false"},
			"add_history_to_context": {"false"}})
		readAll(b, resp)
	}
	benchRuns(b, h, "false", "bench-long")
}

func benchRuns(b *testing.B, h *agentHarness, stream, sessionID string) {
	client := &http.Client{}
	body := url.Values{"message": {"What's my name?"}, "stream": {stream},
		"session_id": {sessionID}}.Encode()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Post(h.URL+"/agents/assistant/runs",
			"application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
