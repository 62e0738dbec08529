package client_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/agentos-go/agentos/client"
)

func readEvents(t testing.TB, r io.Reader) ([]client.SSE, error) {
	t.Helper()
	reader := client.NewEventReader(r)
	var events []client.SSE
	for {
		ev, err := reader.Next()
		if err == io.EOF {
			return events, nil
		}
		if err != nil {
			return events, err
		}
		events = append(events, ev)
	}
}

func TestEventReader(t *testing.T) {
	cases := []struct {
		name  string
		input string
		want  []client.SSE
	}{
		{"agno framing", "event: RunContent\ndata: {\"a\":1}\n\n",
			[]client.SSE{{Event: "RunContent", Data: `{"a":1}`}}},
		{"CRLF", "event: A\r\ndata: x\r\n\r\nevent: B\r\ndata: y\r\n\r\n",
			[]client.SSE{{Event: "A", Data: "x"}, {Event: "B", Data: "y"}}},
		{"lone CR", "data: x\rdata: y\r\r", []client.SSE{{Data: "x\ny"}}},
		{"multi-line data", "data: one\ndata: two\ndata:three\n\n",
			[]client.SSE{{Data: "one\ntwo\nthree"}}},
		{"comments and unknown fields", ": ping\nretry: 10\nfoo: bar\ndata: x\nid: 7\n\n",
			[]client.SSE{{Data: "x", ID: "7"}}},
		{"event without data is dropped", "event: A\n\ndata: x\n\n", []client.SSE{{Data: "x"}}},
		{"unterminated event is dropped", "data: x\n\ndata: y\n", []client.SSE{{Data: "x"}}},
		{"empty data line", "data\n\n", []client.SSE{{Data: ""}}},
		{"only one space removed", "data:  two spaces\n\n", []client.SSE{{Data: " two spaces"}}},
		{"empty stream", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readEvents(t, strings.NewReader(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			// Reading one byte at a time splits every line and CRLF pair.
			slow, err := readEvents(t, iotest.OneByteReader(strings.NewReader(tc.input)))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(slow) != fmt.Sprint(tc.want) {
				t.Errorf("byte by byte: got %q, want %q", slow, tc.want)
			}
		})
	}
}

func TestEventReaderRecordedStream(t *testing.T) {
	ex := exchange(t, "05-run-stream-true")
	got, err := readEvents(t, strings.NewReader(string(ex.Response.Body)))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ex.Response.Events()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Event != want[i].Name || got[i].Data != want[i].Data {
			t.Errorf("event %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestEventReaderLongLine(t *testing.T) {
	content := strings.Repeat("x", 300<<10)
	input := "data: " + content + "\n\n"
	got, err := readEvents(t, strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Data != content {
		t.Errorf("long event lost: %d events", len(got))
	}
}

func TestEventReaderReadError(t *testing.T) {
	broken := io.MultiReader(strings.NewReader("data: x\n\n"), iotest.ErrReader(errors.New("reset")))
	got, err := readEvents(t, broken)
	if len(got) != 1 || err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("events %q, error %v", got, err)
	}
}

// FuzzEventReader checks that any input parses without panicking, that the
// same stream with CRLF line ends parses to the same events, and that
// events written in agno's framing come back unchanged.
func FuzzEventReader(f *testing.F) {
	f.Add("event: RunContent\ndata: {\"content\":\"hi\"}\n\n", "Ev", "payload")
	f.Add("data: a\rdata: b\r\n\r\n: comment\n", "", "")
	f.Add("data\n\nid: 1\x00\n\n", "x:y", "multi")
	f.Fuzz(func(t *testing.T, input, name, data string) {
		events, err := readEvents(t, strings.NewReader(input))
		if err != nil {
			t.Fatalf("plain input: %v", err)
		}
		if !strings.Contains(input, "\r") {
			crlf := strings.ReplaceAll(input, "\n", "\r\n")
			again, err := readEvents(t, strings.NewReader(crlf))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(events) != fmt.Sprint(again) {
				t.Fatalf("LF %q and CRLF %q differ", events, again)
			}
		}
		if strings.ContainsAny(name+data, "\r\n") {
			return
		}
		framed := "event: " + name + "\ndata: " + data + "\n\n"
		got, err := readEvents(t, strings.NewReader(framed))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Event != name || got[0].Data != data {
			t.Fatalf("framed %q parsed as %q", framed, got)
		}
	})
}

func TestStreamSkipsNonJSONEvents(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		fmt.Fprint(w, ": keep-alive\n\n")
		fmt.Fprint(w, "event: Broken\ndata: {not json\n\n")
		fmt.Fprint(w, "event: Custom\ndata: {\"value\":1}\n\n")
		fmt.Fprint(w, "event: RunContent\ndata: {\"event\":\"RunContent\",\"content\":{\"k\":[1]}}\n\n")
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	var got []*client.Event
	for ev, err := range c.RunAgentStream(ctx, "a", &client.RunRequest{Message: "m"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	if len(got) != 2 {
		t.Fatalf("got %d events, want 2", len(got))
	}
	if got[0].Type != "Custom" || string(got[0].Raw) != `{"value":1}` {
		t.Errorf("unknown kind: %q %s", got[0].Type, got[0].Raw)
	}
	if got[1].Content.IsString() || got[1].Content.String() != `{"k":[1]}` {
		t.Errorf("object content %q", got[1].Content.String())
	}
}

func TestStreamRejectsJSONAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"run_id":"r"}`)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	for _, err := range c.RunAgentStream(ctx, "a", &client.RunRequest{Message: "m"}) {
		if err == nil || !strings.Contains(err.Error(), "text/event-stream") {
			t.Errorf("error %v, want one naming text/event-stream", err)
		}
	}
}

func TestAllSessionsFollowsPages(t *testing.T) {
	const total = 45
	var pages []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		pages = append(pages, q.Get("page"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		page, _ := strconv.Atoi(q.Get("page"))
		var data []map[string]string
		for i := (page - 1) * limit; i < page*limit && i < total; i++ {
			data = append(data, map[string]string{"session_id": fmt.Sprintf("s%02d", i)})
		}
		body, _ := json.Marshal(map[string]any{"data": data, "meta": map[string]any{
			"page": page, "limit": limit, "total_count": total, "total_pages": (total + limit - 1) / limit,
			"search_time_ms": 0,
		}})
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	var ids []string
	for s, err := range c.AllSessions(ctx, &client.ListSessionsOptions{Limit: 20}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.SessionID)
	}
	if len(ids) != total || ids[0] != "s00" || ids[total-1] != "s44" {
		t.Errorf("got %d ids: %v", len(ids), ids)
	}
	if strings.Join(pages, ",") != "1,2,3" {
		t.Errorf("pages requested: %v", pages)
	}
}

func TestTimeDecoding(t *testing.T) {
	cases := map[string]time.Time{
		`"2026-12-04T11:26:16Z"`:           time.Date(2026, 12, 4, 11, 26, 16, 0, time.UTC),
		`"2026-12-04T11:26:16.123456789Z"`: time.Date(2026, 12, 4, 11, 26, 16, 123456789, time.UTC),
		`"2026-12-04T11:26:16.5"`:          time.Date(2026, 12, 4, 11, 26, 16, 5e8, time.UTC),
		`"2026-12-04T12:26:16+01:00"`:      time.Date(2026, 12, 4, 11, 26, 16, 0, time.UTC),
		`"2026-12-04 11:26:16+00:00"`:      time.Date(2026, 12, 4, 11, 26, 16, 0, time.UTC),
		`1796383576`:                       time.Unix(1796383576, 0),
		`1796383576.5`:                     time.Unix(1796383576, 5e8),
		`null`:                             {},
		`""`:                               {},
	}
	for input, want := range cases {
		var got client.Time
		if err := json.Unmarshal([]byte(input), &got); err != nil {
			t.Errorf("%s: %v", input, err)
			continue
		}
		if !got.Equal(want) {
			t.Errorf("%s: got %v, want %v", input, got.Time, want)
		}
	}
	var bad client.Time
	if err := json.Unmarshal([]byte(`"yesterday"`), &bad); err == nil {
		t.Error("accepted \"yesterday\"")
	}
}

func TestMetricsAcceptFloatCounters(t *testing.T) {
	var m client.Metrics
	err := json.Unmarshal([]byte(`{"input_tokens":12.0,"total_tokens":20,"duration":0.5,
		"details":{"model":[{"id":"m","input_tokens":3.0}]}}`), &m)
	if err != nil {
		t.Fatal(err)
	}
	if m.InputTokens != 12 || m.TotalTokens != 20 || m.Duration != 0.5 {
		t.Errorf("metrics %+v", m)
	}
	if m.Details["model"][0].InputTokens != 3 {
		t.Errorf("details %+v", m.Details)
	}
}
