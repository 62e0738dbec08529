package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/auth"
	"github.com/agentos-go/agentos/model"
	"github.com/agentos-go/agentos/model/modeltest"
	"github.com/agentos-go/agentos/server"
	"github.com/agentos-go/agentos/sqlite"
)

// matrix is a real server stack over one SQLite file: one server in
// security-key mode and one in JWT mode, with the tokens the tests send.
type matrix struct {
	store  *sqlite.Store
	engine *agent.Engine
	keyURL string
	jwtURL string
	tokens map[string]string
}

// Credentials the matrix sends. Each names a header set for do.
const (
	credNone     = "no credentials"
	credWrongKey = "wrong key"
	credKey      = "right key"
	credAlice    = "alice's token"
	credAdmin    = "admin token"
	credExpired  = "expired token"
	credOtherKey = "token signed with another key"
	credAlgNone  = "token with alg none"
)

func newMatrix(t *testing.T) *matrix {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "app.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	fake := modeltest.NewOpenAI(t)
	engine, err := agent.NewEngine(agent.EngineConfig{Store: store, Agents: []*agent.Agent{{
		ID: "assistant", Name: "Assistant", AddHistoryToContext: true, NumHistoryRuns: 5,
		Model: model.NewOpenAI("gpt-4o", model.Options{BaseURL: fake.URL, APIKey: "test-key",
			MaxRetries: -1}),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	keys := rsaKeys()
	m := &matrix{store: store, engine: engine}
	m.keyURL = m.serve(t, auth.Config{SecurityKey: testKey})
	m.jwtURL = m.serve(t, auth.Config{JWT: auth.JWTConfig{
		VerificationKeys: []string{publicPEM(t, keys[0])},
	}})

	every := []string{"sessions:read", "sessions:write", "sessions:delete", "agents:read", "agents:run",
		"config:read"}
	expired := claims("alice", every...)
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	m.tokens = map[string]string{
		credAlice:    signRS256(t, keys[0], "", claims("alice", every...)),
		"bob":        signRS256(t, keys[0], "", claims("bob", every...)),
		credAdmin:    signRS256(t, keys[0], "", claims("root", "agent_os:admin")),
		credExpired:  signRS256(t, keys[0], "", expired),
		credOtherKey: signRS256(t, keys[1], "", claims("alice", "agent_os:admin")),
		credAlgNone:  unsignedToken(t, claims("alice", "agent_os:admin")),
	}
	return m
}

func (m *matrix) serve(t *testing.T, cfg auth.Config) string {
	t.Helper()
	g, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: m.store, Engine: m.engine,
		Middleware: g.Middleware(), AuthMode: string(g.Mode())})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL
}

// send makes a request as cred: the key server for the key credentials,
// the JWT server for the others.
func (m *matrix) send(t *testing.T, cred, method, path, body string) response {
	t.Helper()
	contentType := "application/json"
	if strings.HasPrefix(body, "message=") {
		contentType = "application/x-www-form-urlencoded"
	}
	headers := []string{"Content-Type: " + contentType}
	url := m.jwtURL
	switch cred {
	case credNone:
		url = m.keyURL
	case credWrongKey:
		url = m.keyURL
		headers = append(headers, bearer("not-"+testKey))
	case credKey:
		url = m.keyURL
		headers = append(headers, bearer(testKey))
	default:
		token, ok := m.tokens[cred]
		if !ok {
			t.Fatalf("unknown credential %q", cred)
		}
		headers = append(headers, bearer(token))
	}
	return do(t, method, url+path, body, headers...)
}

// seed replaces the database content with two sessions of bob's, each
// with a run, and one of alice's.
func (m *matrix) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	all, _, err := m.store.ListSessions(ctx, agentos.SessionFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range all {
		ids = append(ids, s.ID)
	}
	if len(ids) > 0 {
		if _, err := m.store.DeleteSessions(ctx, ids, agentos.Scope{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []struct{ id, owner string }{{"b-1", "bob"}, {"b-2", "bob"}, {"a-1", "alice"}} {
		owner := s.owner
		name := s.id + " name"
		sess := &agentos.Session{ID: s.id, Type: agentos.SessionTypeAgent, AgentID: "assistant",
			UserID: &owner, Name: &name, State: json.RawMessage(`{"secret":"` + s.owner + `"}`)}
		if err := m.store.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		record := fmt.Sprintf(`{"run_id":"%s-run","agent_id":"assistant","session_id":"%s",`+
			`"user_id":"%s","status":"COMPLETED","created_at":1700000000,"content":"hello",`+
			`"input":{"input_content":"private words of %s"}}`, s.id, s.id, s.owner, s.owner)
		run, err := agentos.NewRun(s.id, json.RawMessage(record))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.store.AddRun(ctx, run, agentos.SessionChange{}); err != nil {
			t.Fatal(err)
		}
	}
}

// snapshot returns every stored session and run as text, to compare the
// database before and after a request.
func (m *matrix) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	all, _, err := m.store.ListSessions(ctx, agentos.SessionFilter{Limit: 1000,
		SortBy: agentos.SortSessionID})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range all {
		full, err := m.store.GetSession(ctx, s.ID, agentos.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(full)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteByte('\n')
		runs, err := m.store.ListRuns(ctx, s.ID, agentos.RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			b.Write(r.Record)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// sessionIDs returns the session ids of a GET /sessions body.
func sessionIDs(t *testing.T, body string) []string {
	t.Helper()
	var page struct {
		Data []struct {
			SessionID string `json:"session_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatalf("decode session list %q: %v", body, err)
	}
	var ids []string
	for _, d := range page.Data {
		ids = append(ids, d.SessionID)
	}
	slices.Sort(ids)
	return ids
}

// route is one request of the matrix, aimed at bob's session b-1 and its
// run b-1-run. owner is the status that bob, the admin token and the key
// get, and other the status that alice gets. except overrides the status
// for single credentials.
type route struct {
	method, path, body string
	owner, other       int
	mutates            bool
	except             map[string]int
}

// statusFor returns the status cred should get.
func (rt route) statusFor(cred string) int {
	if status, ok := rt.except[cred]; ok {
		return status
	}
	if cred == credAlice {
		return rt.other
	}
	return rt.owner
}

// matrixRoutes lists every session and agent route, each aimed at bob's
// session b-1 where the route names a session.
func matrixRoutes() []route {
	return []route{
		{"GET", "/sessions", "", 200, 200, false, nil},
		{"GET", "/sessions?user_id=bob", "", 200, 200, false, nil},
		{"GET", "/sessions/b-1", "", 200, 404, false, nil},
		{"GET", "/sessions/b-1?user_id=bob", "", 200, 404, false, nil},
		{"GET", "/sessions/b-1?type=agent", "", 200, 404, false, nil},
		{"GET", "/sessions/b-1/runs", "", 200, 404, false, nil},
		{"GET", "/sessions/b-1/runs/b-1-run", "", 200, 404, false, nil},
		{"POST", "/sessions/b-1/rename", `{"session_name":"renamed"}`, 200, 404, true, nil},
		{"PATCH", "/sessions/b-1", `{"session_name":"patched","session_state":{"x":1}}`, 200, 404, true, nil},
		{"PATCH", "/sessions/b-1?user_id=bob", `{"metadata":{"x":1}}`, 200, 404, true, nil},
		{"POST", "/sessions/b-1/clear", "", 200, 404, true, nil},
		// Deletes of others' sessions return 204, as agno does, so the status
		// does not reveal that the id exists.
		{"DELETE", "/sessions/b-1", "", 204, 204, true, nil},
		{"DELETE", "/sessions/b-1?user_id=bob", "", 204, 204, true, nil},
		{"DELETE", "/sessions", `{"session_ids":["b-1","b-2"],"session_types":["agent","agent"]}`,
			204, 204, true, nil},
		// Ids are unique across owners, so a taken id is a conflict for all.
		{"POST", "/sessions?type=agent", `{"session_id":"b-1","agent_id":"assistant"}`, 409, 409, false, nil},

		{"GET", "/agents", "", 200, 200, false, nil},
		{"GET", "/agents/assistant", "", 200, 200, false, nil},
		{"GET", "/agents/assistant/runs/b-1-run?session_id=b-1", "", 200, 404, false, nil},
		// The admin token names its own user, "root", who does not own b-1.
		// agno silently drops such a run. Here it is a 404 for the admin too,
		// while the key, which names no user, may run in any session.
		{"POST", "/agents/assistant/runs", "message=hi&stream=false&session_id=b-1", 200, 404, true,
			map[string]int{credAdmin: 404}},
		{"POST", "/agents/assistant/runs", "message=hi&stream=true&session_id=b-1", 200, 404, true,
			map[string]int{credAdmin: 404}},
		{"POST", "/agents/assistant/runs/b-1-run/cancel?session_id=b-1", "", 200, 404, false, nil},
		// Users must name the run's session to cancel it. Admins and the key
		// need not.
		{"POST", "/agents/assistant/runs/b-1-run/cancel", "", 200, 400, false,
			map[string]int{"bob": 400}},
	}
}

func TestMatrixRejectsBadCredentials(t *testing.T) {
	m := newMatrix(t)
	m.seed(t)
	before := m.snapshot(t)
	creds := []string{credNone, credWrongKey, credExpired, credOtherKey, credAlgNone}
	for _, rt := range matrixRoutes() {
		for _, cred := range creds {
			resp := m.send(t, cred, rt.method, rt.path, rt.body)
			if resp.status != 401 {
				t.Errorf("%s %s with %s: status %d, want 401 (body %s)", rt.method, rt.path, cred,
					resp.status, resp.body)
			}
			if strings.Contains(resp.body, "private") || strings.Contains(resp.body, "b-1 name") {
				t.Errorf("%s %s with %s: body leaks session data: %s", rt.method, rt.path, cred, resp.body)
			}
		}
	}
	if after := m.snapshot(t); after != before {
		t.Errorf("rejected requests changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestMatrixCrossUserChangesNothing(t *testing.T) {
	m := newMatrix(t)
	for _, rt := range matrixRoutes() {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			m.seed(t)
			before := m.snapshot(t)
			resp := m.send(t, credAlice, rt.method, rt.path, rt.body)
			want := rt.statusFor(credAlice)
			if resp.status != want {
				t.Fatalf("status %d, want %d (body %s)", resp.status, want, resp.body)
			}
			if strings.Contains(resp.body, "private words of bob") || strings.Contains(resp.body, "b-1 name") ||
				strings.Contains(resp.body, `"secret":"bob"`) {
				t.Errorf("body leaks bob's session: %s", resp.body)
			}
			if want == 200 && strings.HasPrefix(rt.path, "/sessions") {
				if ids := sessionIDs(t, resp.body); !slices.Equal(ids, []string{"a-1"}) {
					t.Errorf("listed sessions %q, want only alice's a-1", ids)
				}
			}
			if after := m.snapshot(t); after != before {
				t.Errorf("alice changed bob's data:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if want == 404 || want == 204 {
				// Another user's session must look like one that does not
				// exist, so ids cannot be probed.
				path := strings.ReplaceAll(rt.path, "b-1", "zz9")
				missing := m.send(t, credAlice, rt.method, path, rt.body)
				if missing.status != resp.status ||
					strings.ReplaceAll(missing.body, "zz9", "b-1") != resp.body {
					t.Errorf("other user's session: %d %s; missing session: %d %s",
						resp.status, resp.body, missing.status, missing.body)
				}
			}
		})
	}
}

func TestMatrixOwnerAdminAndKeySucceed(t *testing.T) {
	m := newMatrix(t)
	for _, cred := range []string{"bob", credAdmin, credKey} {
		for _, rt := range matrixRoutes() {
			m.seed(t)
			before := m.snapshot(t)
			resp := m.send(t, cred, rt.method, rt.path, rt.body)
			want := rt.statusFor(cred)
			if resp.status != want {
				t.Errorf("%s %s with %s: status %d, want %d (body %s)", rt.method, rt.path, cred,
					resp.status, want, resp.body)
				continue
			}
			if changed := m.snapshot(t) != before; changed != (rt.mutates && want < 300) {
				t.Errorf("%s %s with %s: database changed = %v, want %v", rt.method, rt.path, cred,
					changed, rt.mutates)
			}
		}
	}
}

func TestMatrixListingIgnoresUserFilterForUsers(t *testing.T) {
	m := newMatrix(t)
	m.seed(t)
	tests := []struct {
		cred, path string
		want       []string
	}{
		{credAlice, "/sessions", []string{"a-1"}},
		{credAlice, "/sessions?user_id=bob", []string{"a-1"}},
		{credAlice, "/sessions?user_id=", []string{"a-1"}},
		{"bob", "/sessions", []string{"b-1", "b-2"}},
		{credAdmin, "/sessions", []string{"a-1", "b-1", "b-2"}},
		{credAdmin, "/sessions?user_id=bob", []string{"b-1", "b-2"}},
		{credKey, "/sessions", []string{"a-1", "b-1", "b-2"}},
		{credKey, "/sessions?user_id=alice", []string{"a-1"}},
	}
	for _, tt := range tests {
		resp := m.send(t, tt.cred, "GET", tt.path, "")
		if resp.status != 200 {
			t.Errorf("%s %s: status %d", tt.cred, tt.path, resp.status)
			continue
		}
		if ids := sessionIDs(t, resp.body); !slices.Equal(ids, tt.want) {
			t.Errorf("%s %s: listed %q, want %q", tt.cred, tt.path, ids, tt.want)
		}
	}
}

func TestMatrixCreateForcesOwner(t *testing.T) {
	m := newMatrix(t)
	m.seed(t)
	resp := m.send(t, credAlice, "POST", "/sessions?type=agent",
		`{"session_id":"new-1","agent_id":"assistant","user_id":"bob"}`)
	if resp.status != 201 {
		t.Fatalf("status %d, want 201 (body %s)", resp.status, resp.body)
	}
	s, err := m.store.GetSession(context.Background(), "new-1", agentos.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if s.UserID == nil || *s.UserID != "alice" {
		t.Errorf("owner = %v, want alice", s.UserID)
	}
	if resp := m.send(t, "bob", "GET", "/sessions/new-1", ""); resp.status != 404 {
		t.Errorf("bob reads alice's new session: status %d, want 404", resp.status)
	}
}

// TestMatrixTokenWithoutSubject shows that a token without sub cannot act
// as an unrestricted caller.
func TestMatrixTokenWithoutSubject(t *testing.T) {
	m := newMatrix(t)
	m.seed(t)
	token := signRS256(t, rsaKeys()[0], "", jwt.MapClaims{"scopes": []string{"sessions:read"},
		"exp": time.Now().Add(time.Hour).Unix()})
	resp := do(t, "GET", m.jwtURL+"/sessions", "", bearer(token))
	if resp.status != 401 {
		t.Errorf("status %d, want 401 (body %s)", resp.status, resp.body)
	}
}

func TestMatrixAuthenticationBeforeValidation(t *testing.T) {
	m := newMatrix(t)
	m.seed(t)
	tests := []struct{ method, path, body string }{
		{"GET", "/sessions?limit=0&sort_order=sideways", ""},
		{"GET", "/sessions/b-1?type=nope", ""},
		{"POST", "/sessions", `{"session_id": 5`},
		{"DELETE", "/sessions", `[]`},
		{"POST", "/sessions/b-1/rename", `{}`},
		{"GET", "/no-such-route", ""},
		{"PUT", "/sessions", ""},
	}
	for _, tt := range tests {
		for _, cred := range []string{credNone, credWrongKey, credExpired} {
			if resp := m.send(t, cred, tt.method, tt.path, tt.body); resp.status != 401 {
				t.Errorf("%s %s with %s: status %d, want 401", tt.method, tt.path, cred, resp.status)
			}
		}
	}
}

func TestMatrixPreflightThroughServer(t *testing.T) {
	m := newMatrix(t)
	resp := do(t, "OPTIONS", m.keyURL+"/sessions/", "", "Origin: https://os.agno.com",
		"Access-Control-Request-Method: DELETE", "Access-Control-Request-Headers: authorization")
	if resp.status != 200 || resp.body != "OK" {
		t.Fatalf("preflight: %d %q, want 200 OK", resp.status, resp.body)
	}
	if got := resp.header.Get("Access-Control-Allow-Origin"); got != "https://os.agno.com" {
		t.Errorf("Access-Control-Allow-Origin = %q", got)
	}
	if got := resp.header.Get("Access-Control-Allow-Headers"); got != "authorization" {
		t.Errorf("Access-Control-Allow-Headers = %q, want the requested header", got)
	}

	resp = m.send(t, credKey, "GET", "/sessions", "")
	if resp.status != 200 {
		t.Fatalf("GET /sessions: status %d", resp.status)
	}
	resp = do(t, "GET", m.keyURL+"/sessions", "", bearer(testKey), "Origin: https://os.agno.com")
	if got := resp.header.Get("Access-Control-Allow-Origin"); got != "https://os.agno.com" {
		t.Errorf("simple request: Access-Control-Allow-Origin = %q", got)
	}
}

func TestMatrixBodyLimitThroughServer(t *testing.T) {
	m := newMatrix(t)
	m.seed(t)
	before := m.snapshot(t)
	big := `{"session_name":"` + strings.Repeat("x", 11<<20) + `"}`
	resp := m.send(t, credKey, "POST", "/sessions/b-1/rename", big)
	if resp.status != 413 {
		t.Errorf("declared body over the limit: status %d, want 413", resp.status)
	}

	req, err := http.NewRequest("PATCH", m.keyURL+"/sessions/b-1", chunked{strings.NewReader(big)})
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Errorf("chunked body over the limit: status %d, want 413 (body %.200s)", res.StatusCode, data)
	}
	if after := m.snapshot(t); after != before {
		t.Errorf("an oversized request changed the database")
	}
}

func TestMatrixInternalErrorsStayInternal(t *testing.T) {
	m := newMatrix(t)
	m.seed(t)
	if err := m.store.Close(); err != nil {
		t.Fatal(err)
	}
	resp := m.send(t, credKey, "GET", "/sessions", "")
	if resp.status < 500 {
		t.Fatalf("status %d with a closed store, want a 5xx", resp.status)
	}
	for _, leak := range []string{"sql", "closed", ".go", "goroutine", "app.db"} {
		if strings.Contains(strings.ToLower(resp.body), leak) {
			t.Errorf("error body %q mentions %q", resp.body, leak)
		}
	}
}

func TestMatrixOpenRoutesReportMode(t *testing.T) {
	m := newMatrix(t)
	for _, tt := range []struct{ url, mode string }{{m.keyURL, "security_key"}, {m.jwtURL, "jwt"}} {
		resp := do(t, "GET", tt.url+"/info", "")
		if resp.status != 200 {
			t.Fatalf("/info without credentials: status %d, want 200", resp.status)
		}
		var info struct {
			AuthMode string `json:"auth_mode"`
		}
		if err := json.Unmarshal([]byte(resp.body), &info); err != nil {
			t.Fatal(err)
		}
		if info.AuthMode != tt.mode {
			t.Errorf("auth_mode = %q, want %q", info.AuthMode, tt.mode)
		}
		for _, path := range []string{"/", "/health"} {
			if resp := do(t, "GET", tt.url+path, ""); resp.status != 200 {
				t.Errorf("%s without credentials: status %d, want 200", path, resp.status)
			}
		}
		for _, path := range []string{"/config", "/models"} {
			if resp := do(t, "GET", tt.url+path, ""); resp.status != 401 {
				t.Errorf("%s without credentials: status %d, want 401", path, resp.status)
			}
		}
	}
}

func TestMatrixAgentListFollowsScopes(t *testing.T) {
	m := newMatrix(t)
	k := rsaKeys()[0]
	tests := []struct {
		scopes []string
		status int
		want   []string
	}{
		{[]string{"agents:read"}, 200, []string{"assistant"}},
		{[]string{"agents:assistant:read"}, 200, []string{"assistant"}},
		{[]string{"agents:other:read"}, 200, nil},
		{[]string{"agents:assistant:run"}, 403, nil},
		{[]string{"sessions:read"}, 403, nil},
	}
	for _, tt := range tests {
		token := signRS256(t, k, "", claims("alice", tt.scopes...))
		resp := do(t, "GET", m.jwtURL+"/agents", "", bearer(token))
		if resp.status != tt.status {
			t.Errorf("%q: status %d, want %d (body %s)", tt.scopes, resp.status, tt.status, resp.body)
			continue
		}
		if tt.status != 200 {
			continue
		}
		var agents []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(resp.body), &agents); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range agents {
			ids = append(ids, a.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%q: listed %q, want %q", tt.scopes, ids, tt.want)
		}
	}
}
