package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/storetesting"
	"github.com/agentos-go/agentos/sqlite"
)

// testServer is a Server over a real store, served on loopback.
type testServer struct {
	t     testing.TB
	URL   string
	store agentos.SessionStore
	srv   *Server
}

// newTestServer starts a server over a fresh SQLite store. Middleware,
// when given, runs inside the server's own, as authentication does.
func newTestServer(t testing.TB, middleware ...func(http.Handler) http.Handler) *testServer {
	t.Helper()
	return newTestServerOn(t, storetesting.SQLite, middleware...)
}

// newTestServerOn starts a server over a fresh store of the kind.
func newTestServerOn(t testing.TB, kind storetesting.Kind,
	middleware ...func(http.Handler) http.Handler) *testServer {
	t.Helper()
	store := storetesting.Open(t, kind)
	srv, err := New(Config{Store: store, Middleware: middleware})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &testServer{t: t, URL: hs.URL, store: store, srv: srv}
}

// response is a response of the test server.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request and returns the response. A body of "" sends none.
func (ts *testServer) do(method, target, body string) response {
	ts.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+target, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// expect checks the status of a response and returns its body decoded.
func (r response) expect(t testing.TB, status int) any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, r.body)
	}
	return v
}

// object checks the status and returns the body as a JSON object.
func (r response) object(t testing.TB, status int) map[string]any {
	t.Helper()
	m, ok := r.expect(t, status).(map[string]any)
	if !ok {
		t.Fatalf("body is not an object: %s", r.body)
	}
	return m
}

// detail checks the status and the string detail of an error response.
func (r response) detail(t testing.TB, status int, want string) {
	t.Helper()
	got := r.object(t, status)["detail"]
	if got != want {
		t.Fatalf("detail %q, want %q", got, want)
	}
}

// sameJSON fails when two JSON texts differ as values.
func sameJSON(t testing.TB, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want invalid JSON %s: %v", want, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Fatalf("JSON differs (-want +got):\n%s\ngot: %s", diff, got)
	}
}

// addRun stores a run record in a session.
func (ts *testServer) addRun(sessionID, record string) {
	ts.t.Helper()
	r, err := agentos.NewRun(sessionID, json.RawMessage(record))
	if err != nil {
		ts.t.Fatal(err)
	}
	if err := ts.store.AddRun(context.Background(), r, agentos.SessionChange{}); err != nil {
		ts.t.Fatal(err)
	}
}

// create makes a session through the API and returns its id.
func (ts *testServer) create(query, body string) string {
	ts.t.Helper()
	m := ts.do("POST", "/sessions"+query, body).object(ts.t, http.StatusCreated)
	id, _ := m["session_id"].(string)
	return id
}

// openTestStore opens a SQLite store in a fresh file that the test
// removes when it ends.
func openTestStore(t testing.TB) *sqlite.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	store, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// asPrincipal returns middleware that makes every request come from p.
func asPrincipal(p *agentos.Principal) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(agentos.WithPrincipal(r.Context(), p)))
		})
	}
}
