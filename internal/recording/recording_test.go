package recording_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/agentos-go/agentos/internal/recording"
)

const dir = "../../testdata/agno-2.9/recordings"

func loadAll(t *testing.T) []*recording.Exchange {
	t.Helper()
	exchanges, err := recording.LoadAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	return exchanges
}

// readIndex returns the status line of each exchange listed in INDEX.txt.
func readIndex(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "INDEX.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	index := make(map[string]string)
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		name, status, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("INDEX.txt line %q has no status", line)
		}
		index[name] = strings.TrimSpace(status)
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	return index
}

func TestLoadAllMatchesIndex(t *testing.T) {
	exchanges := loadAll(t)
	index := readIndex(t)
	if len(exchanges) != len(index) {
		t.Errorf("loaded %d exchanges, INDEX.txt lists %d", len(exchanges), len(index))
	}
	for i, ex := range exchanges {
		if i > 0 && exchanges[i-1].Name >= ex.Name {
			t.Errorf("exchanges out of order: %s before %s", exchanges[i-1].Name, ex.Name)
		}
		want, ok := index[ex.Name]
		if !ok {
			t.Errorf("%s: not in INDEX.txt", ex.Name)
			continue
		}
		if got := ex.Response.Proto + " " + ex.Response.Status; got != want {
			t.Errorf("%s: status line %q, INDEX.txt has %q", ex.Name, got, want)
		}
	}
}

func TestEveryExchangeIsConsistent(t *testing.T) {
	for _, ex := range loadAll(t) {
		t.Run(ex.Name, func(t *testing.T) {
			prefix := strconv.Itoa(ex.Number)
			if len(prefix) < 2 {
				prefix = "0" + prefix
			}
			if !strings.HasPrefix(ex.Name, prefix+"-") {
				t.Errorf("Number = %d, name %s", ex.Number, ex.Name)
			}
			if ex.Title == "" {
				t.Error("empty title")
			}
			if !strings.HasPrefix(ex.Command, "curl ") {
				t.Errorf("command %q does not start with curl", ex.Command)
			}
			if !strings.Contains(ex.Command, "-X "+ex.Request.Method+" ") {
				t.Errorf("command %q does not use method %s", ex.Command, ex.Request.Method)
			}
			if !strings.HasPrefix(ex.Request.Target, "/") {
				t.Errorf("target %q is not a path", ex.Request.Target)
			}
			if got := ex.Request.Header.Get("Host"); got != "127.0.0.1:7777" {
				t.Errorf("Host = %q", got)
			}
			checkBodyLength(t, "request", ex.Request.Header, ex.Request.Body, ex.Request.BodyOmitted)
			checkBodyLength(t, "response", ex.Response.Header, ex.Response.Body, false)
			if ex.Response.ContentType() == "application/json" && len(ex.Response.Body) > 0 &&
				!json.Valid(ex.Response.Body) {
				t.Errorf("response body is not valid JSON: %q", ex.Response.Body)
			}
			if ex.Response.StatusCode >= 400 && ex.Response.ContentType() == "application/json" {
				var body struct{ Detail json.RawMessage }
				if err := json.Unmarshal(ex.Response.Body, &body); err != nil || body.Detail == nil {
					t.Errorf("error response without detail: %q", ex.Response.Body)
				}
			}
		})
	}
}

func checkBodyLength(t *testing.T, what string, h http.Header, body []byte, omitted bool) {
	t.Helper()
	declared := h.Get("Content-Length")
	if declared == "" {
		return
	}
	n, err := strconv.Atoi(declared)
	if err != nil {
		t.Fatalf("%s Content-Length %q: %v", what, declared, err)
	}
	if omitted {
		if len(body) != 0 {
			t.Errorf("%s body omitted but %d bytes kept", what, len(body))
		}
		return
	}
	if len(body) != n {
		t.Errorf("%s body has %d bytes, Content-Length %d", what, len(body), n)
	}
}

func TestParsedFields(t *testing.T) {
	exchanges := loadAll(t)

	health := recording.Find(exchanges, "00-health")
	if health == nil {
		t.Fatal("00-health not found")
	}
	if health.Title != "GET /health" {
		t.Errorf("Title = %q", health.Title)
	}
	if health.Request.Method != "GET" || health.Request.Target != "/health" {
		t.Errorf("request line = %s %s", health.Request.Method, health.Request.Target)
	}
	if health.Response.StatusCode != 200 {
		t.Errorf("StatusCode = %d", health.Response.StatusCode)
	}
	if got := health.Response.Header.Get("Server"); got != "uvicorn" {
		t.Errorf("Server header = %q", got)
	}
	want := `{"status":"ok","instantiated_at":"2026-12-04T11:25:53.807713Z"}`
	if string(health.Response.Body) != want {
		t.Errorf("Body = %q, want %q", health.Response.Body, want)
	}

	malformed := recording.Find(exchanges, "19-sessions-create-malformed-json")
	if got := string(malformed.Request.Body); got != `{"session_id": "broken",` {
		t.Errorf("malformed request body = %q", got)
	}
	if got := malformed.Request.ContentType(); got != "application/json" {
		t.Errorf("ContentType = %q", got)
	}

	multipart := recording.Find(exchanges, "07-run-multipart-nonstream")
	if !multipart.Request.BodyOmitted {
		t.Error("07: BodyOmitted = false for a curl -F upload")
	}
	if got := multipart.Request.ContentType(); got != "multipart/form-data" {
		t.Errorf("07: ContentType = %q", got)
	}

	deleted := recording.Find(exchanges, "83-session-delete")
	if deleted.Response.StatusCode != 204 || len(deleted.Response.Body) != 0 {
		t.Errorf("83: status %d, body %q", deleted.Response.StatusCode, deleted.Response.Body)
	}

	multi := recording.Find(exchanges, "47-sessions-list-multi-422")
	if got := multi.Request.Path(); got != "/sessions" {
		t.Errorf("47: Path = %q", got)
	}
	if got := multi.Request.Query().Get("sort_order"); got != "sideways" {
		t.Errorf("47: sort_order = %q", got)
	}
}

func TestEventStreams(t *testing.T) {
	streams := 0
	for _, ex := range loadAll(t) {
		if !ex.Response.IsEventStream() {
			if _, err := ex.Response.Events(); err == nil {
				t.Errorf("%s: Events on a %q response returned no error",
					ex.Name, ex.Response.ContentType())
			}
			continue
		}
		streams++
		events, err := ex.Response.Events()
		if err != nil {
			t.Fatalf("%s: %v", ex.Name, err)
		}
		if len(events) < 3 {
			t.Fatalf("%s: %d events", ex.Name, len(events))
		}
		for i, ev := range events {
			var data struct {
				Event     string `json:"event"`
				SessionID string `json:"session_id"`
			}
			if err := json.Unmarshal([]byte(ev.Data), &data); err != nil {
				t.Fatalf("%s event %d: %v", ex.Name, i, err)
			}
			if data.Event != ev.Name {
				t.Errorf("%s event %d: name %q, data.event %q", ex.Name, i, ev.Name, data.Event)
			}
		}
		if first := events[0].Name; first != "RunStarted" {
			t.Errorf("%s: first event %q", ex.Name, first)
		}
		if last := events[len(events)-1].Name; last != "RunCompleted" {
			t.Errorf("%s: last event %q", ex.Name, last)
		}
	}
	if streams != 2 {
		t.Errorf("found %d event streams, want 2", streams)
	}
}

func TestNewHTTPRequestReplays(t *testing.T) {
	type seen struct {
		method, uri, contentType, body string
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.RequestURI, r.Header.Get("Content-Type"), string(body)}
	}))
	defer srv.Close()

	exchanges := loadAll(t)
	ex := recording.Find(exchanges, "76-session-patch")
	req, err := ex.Request.NewHTTPRequest(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := <-got
	if s.method != ex.Request.Method || s.uri != ex.Request.Target {
		t.Errorf("server saw %s %s, want %s %s", s.method, s.uri, ex.Request.Method, ex.Request.Target)
	}
	if s.contentType != ex.Request.Header.Get("Content-Type") {
		t.Errorf("Content-Type = %q", s.contentType)
	}
	if s.body != string(ex.Request.Body) {
		t.Errorf("body = %q, want %q", s.body, ex.Request.Body)
	}

	multipart := recording.Find(exchanges, "07-run-multipart-nonstream")
	if _, err := multipart.Request.NewHTTPRequest(context.Background(), srv.URL); err == nil {
		t.Error("replaying a request with an omitted body returned no error")
	}
}

func TestParseRejectsDamagedFiles(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(dir, "00-health.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"no request marker":  strings.Replace(string(good), "### ----- raw request -----\n", "", 1),
		"no response marker": strings.Replace(string(good), "### ----- raw response -----\n", "", 1),
		"no command":         strings.Replace(string(good), "### command: ", "### cmd: ", 1),
		"bad status":         strings.Replace(string(good), "HTTP/1.1 200 OK", "HTTP/1.1 abc OK", 1),
		"long body":          strings.Replace(string(good), "content-length: 63", "content-length: 3", 1),
		"bad length":         strings.Replace(string(good), "content-length: 63", "content-length: x", 1),
		"bad header":         strings.Replace(string(good), "server: uvicorn", "server uvicorn", 1),
		"no blank line":      strings.Replace(string(good), "*/*\r\n\r\n", "*/*\r\n", 1),
	}
	for name, text := range cases {
		if _, err := recording.Parse("00-health", []byte(text)); err == nil {
			t.Errorf("%s: Parse returned no error", name)
		}
	}
	if _, err := recording.Parse("health", good); err == nil {
		t.Error("Parse accepted a name without a number")
	}
	if _, err := recording.LoadAll(t.TempDir()); err == nil {
		t.Error("LoadAll of an empty directory returned no error")
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"00-health", "05-run-stream-true", "07-run-multipart-nonstream"} {
		data, err := os.ReadFile(filepath.Join(dir, name+".txt"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ex, err := recording.Parse("01-fuzz", data)
		if err != nil {
			return
		}
		if ex.Response.StatusCode < 100 || ex.Response.StatusCode > 599 {
			t.Fatalf("status %d accepted", ex.Response.StatusCode)
		}
		if ex.Response.IsEventStream() {
			_, _ = ex.Response.Events()
		}
	})
}

func TestReplayerPlaysEveryExchange(t *testing.T) {
	var played []*recording.Exchange
	for _, ex := range loadAll(t) {
		if !ex.Request.BodyOmitted {
			played = append(played, ex)
		}
	}
	replayer := recording.NewReplayer(played...)
	srv := httptest.NewServer(replayer)
	defer srv.Close()

	for _, ex := range played {
		req, err := ex.Request.NewHTTPRequest(context.Background(), srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != ex.Response.StatusCode {
			t.Errorf("%s: status %d, recorded %d", ex.Name, resp.StatusCode, ex.Response.StatusCode)
		}
		if string(body) != string(ex.Response.Body) {
			t.Errorf("%s: body %q, recorded %q", ex.Name, body, ex.Response.Body)
		}
		got, want := resp.Header.Get("Content-Type"), ex.Response.Header.Get("Content-Type")
		if got != want {
			t.Errorf("%s: Content-Type %q, recorded %q", ex.Name, got, want)
		}
	}
	if err := replayer.Err(); err != nil {
		t.Error(err)
	}
}

func TestRequestMatch(t *testing.T) {
	exchanges := loadAll(t)
	newRequest := func(method, target, contentType, body string) *http.Request {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		return r
	}
	cases := []struct {
		exchange    string
		method      string
		target      string
		contentType string
		body        string
		match       bool
	}{
		{"24-sessions-list-default", "GET",
			"/sessions?limit=20&page=1&sort_by=created_at&sort_order=desc",
			"", "", true},
		{"24-sessions-list-default", "GET", "/sessions?limit=21", "", "", false},
		{"36-sessions-list-page1", "GET", "/sessions?page=1&limit=2&sort_order=desc", "", "", true},
		{"36-sessions-list-page1", "POST", "/sessions?limit=2&page=1", "", "", false},
		{"13-sessions-create-minimal", "POST", "/sessions?type=agent", "application/json",
			`{"session_id":null,"agent_id":null}`, true},
		{"13-sessions-create-minimal", "POST", "/sessions?type=team", "application/json", `{}`, false},
		{"13-sessions-create-minimal", "POST", "/sessions", "application/json", `{"user_id":"x"}`, false},
		{"13-sessions-create-minimal", "POST", "/sessions", "text/plain", `{}`, false},
		{"06-run-stream-default", "POST", "/agents/researcher/runs",
			"application/x-www-form-urlencoded",
			"user_id=bob%40example.com&stream=true&message=Hello+researcher",
			true},
		{"06-run-stream-default", "POST", "/agents/researcher/runs",
			"application/x-www-form-urlencoded",
			"message=Hello+researcher&stream=false&user_id=bob%40example.com",
			false},
		{"19-sessions-create-malformed-json", "POST", "/sessions", "application/json",
			`{"session_id": "broken",`, true},
		{"83-session-delete", "DELETE", "/sessions/4bf738d0-336a-4173-81e9-231c9221b182", "", "", true},
		{"83-session-delete", "DELETE", "/sessions/other", "", "", false},
	}
	for _, c := range cases {
		ex := recording.Find(exchanges, c.exchange)
		r := newRequest(c.method, c.target, c.contentType, c.body)
		err := ex.Request.Match(r, []byte(c.body))
		if c.match && err != nil {
			t.Errorf("%s %s %s against %s: %v", c.method, c.target, c.body, c.exchange, err)
		}
		if !c.match && err == nil {
			t.Errorf("%s %s %s against %s: matched, want a mismatch", c.method, c.target, c.body, c.exchange)
		}
	}
}

func TestReplayerReportsUnplayed(t *testing.T) {
	exchanges := loadAll(t)
	replayer := recording.NewReplayer(recording.Find(exchanges, "00-health"))
	if err := replayer.Err(); err == nil || !strings.Contains(err.Error(), "00-health") {
		t.Errorf("Err = %v, want it to name 00-health", err)
	}
}
