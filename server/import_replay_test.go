package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/agentos-go/agentos/agnodb"
	"github.com/agentos-go/agentos/internal/recording"
	"github.com/agentos-go/agentos/server"
	"github.com/agentos-go/agentos/sqlite"
)

// importedServer imports agno's reference database into a fresh SQLite file
// and serves it on loopback.
func importedServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "app.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	reader, err := agnodb.Open(ctx, "../testdata/agno-2.9/agno-reference.db", agnodb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	err = reader.Each(ctx, func(it agnodb.Item) error {
		if it.Err != nil {
			return it.Err
		}
		_, err := store.ImportSession(ctx, it.Session, it.Runs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

func decodeJSON(t *testing.T, what string, body []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: invalid JSON %q: %v", what, body, err)
	}
	return v
}

// TestImportedReferenceMatchesRecordings replays the recorded reads whose
// answer depends only on the final state of agno's database, against that
// database imported into our store, and compares the JSON bodies.
func TestImportedReferenceMatchesRecordings(t *testing.T) {
	ts := importedServer(t)
	exchanges, err := recording.LoadAll("../testdata/agno-2.9/recordings")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{
		// The last listing, made after every other change.
		"96-sessions-list-final",
		// Runs of rec-chat and one of them: nothing changed rec-chat later.
		"60-session-runs",
		"61-session-runs-created-after",
		"62-session-runs-created-before",
		"66-session-run-get",
		"67-session-run-get-unknown-run-404",
		"64-session-runs-unknown-404",
		"69-session-run-get-unknown-session-404",
		// The team session and rec-s-full's empty run list never changed.
		"54-session-get-team",
		"63-session-runs-empty",
		"68-session-run-get-no-runs-404",
		// Errors that do not depend on the data.
		"55-session-get-unknown-404",
		"56-session-get-unknown-typed-404",
		"58-session-get-wrong-user-404",
		"59-session-get-bad-type-422",
		"65-session-runs-bad-ts-422",
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			ex := recording.Find(exchanges, name)
			if ex == nil {
				t.Fatalf("no recording %s", name)
			}
			req, err := ex.Request.NewHTTPRequest(context.Background(), ts.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != ex.Response.StatusCode {
				t.Fatalf("status %d, recorded %d; body %s", resp.StatusCode,
					ex.Response.StatusCode, body)
			}
			got := decodeJSON(t, "our body", body)
			want := decodeJSON(t, "recorded body", ex.Response.Body)
			// agno never measures search_time_ms and always sends 0.0.
			for _, v := range []any{got, want} {
				if m, ok := v.(map[string]any); ok {
					if meta, ok := m["meta"].(map[string]any); ok {
						delete(meta, "search_time_ms")
					}
				}
			}
			if name == "96-sessions-list-final" {
				// agno orders sessions created in the same second as the
				// database happens to return them. This server breaks
				// such ties by session_id, so pages are stable: put the
				// recorded page in that order before comparing.
				sortNewestFirst(want)
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Fatalf("body differs from the recording\n got: %s\nwant: %s", g, w)
			}
		})
	}
}

// sortNewestFirst orders the data items of a list body by created_at, then
// session_id, both descending.
func sortNewestFirst(body any) {
	data := body.(map[string]any)["data"].([]any)
	key := func(i int) (string, string) {
		item := data[i].(map[string]any)
		return item["created_at"].(string), item["session_id"].(string)
	}
	sort.SliceStable(data, func(i, j int) bool {
		ci, si := key(i)
		cj, sj := key(j)
		if ci != cj {
			return ci > cj
		}
		return si > sj
	})
}
