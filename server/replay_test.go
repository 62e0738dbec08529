package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/agentos-go/agentos/internal/recording"
)

// replaySkips are recorded session exchanges whose agno response this server
// does not reproduce on purpose. They are not sent, so that the state the
// later exchanges see stays the recorded one.
var replaySkips = map[string]string{
	"30-sessions-list-name-matches-state": "agno's SQLite name filter also matches session_state " +
		"text; this server matches only session names",
	"48-sessions-list-unknown-db-id": "agno prefixes the detail with \"404: \"; this server " +
		"returns database selection errors with their plain detail",
	"93-session-clear-not-implemented": "agno 2.9.0 has no clear route; this server adds one",
	"95-sessions-cors-preflight":       "CORS preflights are answered by the auth middleware",
}

// replayPageOnly are list exchanges whose page holds part of several
// sessions created in the same second. agno leaves their order to the
// database, while this server breaks ties by session_id, so only the
// page's meta and size are compared.
var replayPageOnly = map[string]bool{
	"36-sessions-list-page1": true,
	"37-sessions-list-page2": true,
	"39-sessions-list-page0": true,
}

// createdByReplay are the sessions of agno-reference.db that replayed
// exchanges create. The other sessions in it existed before exchange 12.
var createdByReplay = []string{
	"rec-s-full", "8038bd49-7766-48bc-93c6-564de609e317", "1176389c-5143-4f29-b045-8009044ee356",
}

// TestReplaySessionExchanges sends agno's recorded session exchanges, from
// 12 to 96 in order, to a server whose store holds the sessions that
// existed before exchange 12, and compares each status and JSON body with
// the recorded one. Generated session ids are mapped between the two runs,
// and ISO timestamps are ignored because the replay runs at another time.
func TestReplaySessionExchanges(t *testing.T) {
	ts := newTestServer(t)
	seedBeforeReplay(t, ts)
	recordingsOnce.Do(func() { recordings, recordingsErr = recording.LoadAll(recordingsDir) })
	if recordingsErr != nil {
		t.Fatal(recordingsErr)
	}
	ids := map[string]string{} // recorded id -> id on this server
	compared := 0
	for _, ex := range recordings {
		if ex.Number < 12 || !strings.HasPrefix(ex.Request.Path(), "/sessions") {
			continue
		}
		if reason, skip := replaySkips[ex.Name]; skip {
			t.Logf("%s: not replayed: %s", ex.Name, reason)
			continue
		}
		status, body := replayExchange(t, ts, ex, ids)
		learnCreatedID(ex, body, ids)
		if status != ex.Response.StatusCode {
			t.Errorf("%s: status %d, recorded %d; body %s",
				ex.Name, status, ex.Response.StatusCode, body)
			continue
		}
		got := normalizeReplayBody(t, unmapIDs(body, ids), replayPageOnly[ex.Name])
		want := normalizeReplayBody(t, ex.Response.Body, replayPageOnly[ex.Name])
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: body differs from the recording (-recorded +got):\n%s", ex.Name, diff)
		}
		compared++
	}
	if compared < 70 {
		t.Errorf("compared %d exchanges, want every session exchange from 12 on", compared)
	}
}

// seedBeforeReplay stores the sessions that existed before exchange 12,
// as agno-reference.db holds them, with their runs. rec-chat gets back the
// state it had before 79-session-patch-run-session gave it metadata.
func seedBeforeReplay(t *testing.T, ts *testServer) {
	t.Helper()
	ctx := context.Background()
	for id, ref := range loadReference(t) {
		if slices.Contains(createdByReplay, id) {
			continue
		}
		s := *ref.Session
		if id == "rec-chat" {
			s.Metadata = nil
			s.UpdatedAt = s.CreatedAt
		}
		s.DerivedName, s.RunCount = "", 0
		if _, err := ts.store.ImportSession(ctx, &s, referenceRuns(t, ref)); err != nil {
			t.Fatalf("seed %s: %v", id, err)
		}
	}
}

// replayExchange sends the recorded request with recorded ids mapped to
// this server's and returns the status and body of the response.
func replayExchange(t *testing.T, ts *testServer, ex *recording.Exchange,
	ids map[string]string) (int, []byte) {
	t.Helper()
	target, body := ex.Request.Target, string(ex.Request.Body)
	for recorded, ours := range ids {
		target = strings.ReplaceAll(target, recorded, ours)
		body = strings.ReplaceAll(body, recorded, ours)
	}
	var rd io.Reader
	if len(ex.Request.Body) > 0 {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(ex.Request.Method, ts.URL+target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct := ex.Request.Header.Get("Content-Type"); ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", ex.Name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// learnCreatedID maps the id agno generated for a created session to the
// one this server generated.
func learnCreatedID(ex *recording.Exchange, body []byte, ids map[string]string) {
	if ex.Response.StatusCode != http.StatusCreated {
		return
	}
	var recorded, ours struct {
		SessionID string `json:"session_id"`
	}
	if json.Unmarshal(ex.Response.Body, &recorded) != nil || json.Unmarshal(body, &ours) != nil {
		return
	}
	if recorded.SessionID != "" && ours.SessionID != "" && recorded.SessionID != ours.SessionID {
		ids[recorded.SessionID] = ours.SessionID
	}
}

func unmapIDs(body []byte, ids map[string]string) []byte {
	for recorded, ours := range ids {
		body = bytes.ReplaceAll(body, []byte(ours), []byte(recorded))
	}
	return body
}

// normalizeReplayBody decodes a body and blanks what differs between runs
// by design: ISO timestamps, the measured search time and the order of
// list items. pageOnly reduces a list page to its meta and size.
func normalizeReplayBody(t *testing.T, body []byte, pageOnly bool) any {
	t.Helper()
	if len(body) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, body)
	}
	page, isPage := v.(map[string]any)
	if isPage && page["meta"] != nil {
		page["meta"].(map[string]any)["search_time_ms"] = 0.0
		data := page["data"].([]any)
		if pageOnly {
			page["data"] = len(data)
		} else {
			slices.SortFunc(data, func(a, b any) int {
				return strings.Compare(sessionIDOf(a), sessionIDOf(b))
			})
		}
	}
	blankTimes(v)
	return v
}

func sessionIDOf(item any) string {
	m, _ := item.(map[string]any)
	id, _ := m["session_id"].(string)
	return id
}

// blankTimes replaces string created_at and updated_at values, the ISO
// times of sessions and runs, with a placeholder. Message timestamps are
// integers and stay.
func blankTimes(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if _, isString := e.(string); isString && (k == "created_at" || k == "updated_at") {
				x[k] = "<time>"
				continue
			}
			blankTimes(e)
		}
	case []any:
		for _, e := range x {
			blankTimes(e)
		}
	}
}
