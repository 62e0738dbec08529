package postgres_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http/httptest"
	neturl "net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/pgtest"
	"github.com/agentos-go/agentos/postgres"
	"github.com/agentos-go/agentos/server"
)

// proxy forwards loopback TCP connections to the test's PostgreSQL server.
// Stop closes the listener and every connection, as a database host that
// went away; Start listens again on the same address.
type proxy struct {
	t      *testing.T
	addr   string
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	p := &proxy{t: t, target: target, conns: map[net.Conn]struct{}{}}
	p.listen("127.0.0.1:0")
	t.Cleanup(func() {
		p.Stop()
		p.wg.Wait()
	})
	return p
}

// Start listens again on the proxy's address.
func (p *proxy) Start() { p.listen(p.addr) }

func (p *proxy) listen(addr string) {
	p.t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.forward(c)
		}
	}()
}

func (p *proxy) forward(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	p.conns[client], p.conns[server] = struct{}{}, struct{}{}
	p.mu.Unlock()
	pipe := func(dst, src net.Conn) {
		defer p.wg.Done()
		_, _ = io.Copy(dst, src)
		dst.Close()
		src.Close()
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
	}
	p.wg.Add(2)
	go pipe(server, client)
	go pipe(client, server)
}

// Stop closes the listener and cuts every forwarded connection.
func (p *proxy) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
}

// viaProxy returns dbURL with its host and port replaced by addr.
func viaProxy(t *testing.T, dbURL, addr string) string {
	t.Helper()
	u, err := neturl.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}

func target(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := neturl.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "5432")
	}
	return u.Host
}

// TestDatabaseLostWhileServing cuts the server off its database: requests
// answer 503 with a detail that says so, a write sent meanwhile changes
// nothing, and once the database is reachable again the same server
// answers normally, without a restart.
func TestDatabaseLostWhileServing(t *testing.T) {
	dbURL := pgtest.URL(t)
	schema := pgtest.Schema(t, dbURL)
	p := newProxy(t, target(t, dbURL))
	store := openStore(t, viaProxy(t, dbURL, p.addr), schema)
	t.Cleanup(func() { _ = store.Close() })
	srv, err := server.New(server.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	status, body := do(t, "POST", hs.URL+"/sessions", `{"session_id":"kept",
		"session_name":"Before the outage"}`)
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}

	p.Stop()
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/sessions", ""},
		{"GET", "/sessions/kept", ""},
		{"POST", "/sessions/kept/rename", `{"session_name":"During the outage"}`},
		{"POST", "/sessions", `{"session_id":"new"}`},
	} {
		status, body := do(t, req.method, hs.URL+req.path, req.body)
		if status != 503 {
			t.Fatalf("%s %s while the database is gone: %d %s, want 503", req.method,
				req.path, status, body)
		}
		var e struct {
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(body, &e); err != nil ||
			!strings.Contains(e.Detail, "session database is unavailable") {
			t.Fatalf("%s %s: body %s, want a detail saying the database is unavailable",
				req.method, req.path, body)
		}
	}

	p.Start()
	status, body = do(t, "GET", hs.URL+"/sessions/kept", "")
	if status != 200 || !strings.Contains(string(body), `"Before the outage"`) {
		t.Fatalf("read after the outage: %d %s, want the name from before", status, body)
	}
	status, body = do(t, "GET", hs.URL+"/sessions/new", "")
	if status != 404 {
		t.Fatalf("session created during the outage: %d %s, want 404", status, body)
	}
	status, body = do(t, "POST", hs.URL+"/sessions/kept/rename",
		`{"session_name":"After the outage"}`)
	if status != 200 || !strings.Contains(string(body), `"After the outage"`) {
		t.Fatalf("rename after the outage: %d %s", status, body)
	}
}

// TestTerminatedConnectionsRecover terminates every server process that
// serves the store's pool, as a database failover or an administrator
// would. The next requests succeed: reads and single-statement writes run
// again on a new connection, and transactions start over.
func TestTerminatedConnectionsRecover(t *testing.T) {
	dbURL := pgtest.URL(t)
	schema := pgtest.Schema(t, dbURL)
	app := "agentos_" + schema
	u, err := neturl.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	store, err := postgres.Open(context.Background(), u.String(),
		postgres.Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	admin := openStore(t, dbURL, schema)
	defer admin.Close()
	ctx := context.Background()
	if err := store.CreateSession(ctx, &agentos.Session{ID: "s",
		Type: agentos.SessionTypeAgent}); err != nil {
		t.Fatal(err)
	}
	terminate := func() {
		t.Helper()
		var n int
		if err := admin.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid))
			FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("no connection of the store to terminate")
		}
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"get", func() error {
			_, err := store.GetSession(ctx, "s", agentos.Scope{})
			return err
		}},
		{"list", func() error {
			_, _, err := store.ListSessions(ctx, agentos.SessionFilter{Limit: 10})
			return err
		}},
		{"create", func() error {
			return store.CreateSession(ctx, &agentos.Session{ID: "t",
				Type: agentos.SessionTypeAgent})
		}},
		{"add run", func() error {
			r, err := agentos.NewRun("s", json.RawMessage(`{"run_id":"r1","status":"COMPLETED"}`))
			if err != nil {
				return err
			}
			return store.AddRun(ctx, r, agentos.SessionChange{})
		}},
		{"rename", func() error {
			name := "renamed"
			_, err := store.UpdateSession(ctx, "s", agentos.Scope{},
				agentos.SessionUpdate{Name: &name})
			return err
		}},
	}
	for _, step := range steps {
		terminate()
		if err := step.do(); err != nil {
			t.Fatalf("%s after the connections were terminated: %v", step.name, err)
		}
	}
	got, err := store.GetSession(ctx, "s", agentos.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if got.RunCount != 1 || got.DisplayName() != "renamed" {
		t.Fatalf("session = %d runs, name %q; want 1 run and the new name", got.RunCount,
			got.DisplayName())
	}
}

// TestAbandonedTransactionFreesSession holds a session row locked in a
// transaction that its client never ends, as a replica that hangs or loses
// its network mid-write does. The server ends that transaction once it has
// been idle for idle_in_transaction_session_timeout (1 second in this
// test's URL, 30 seconds by default), and another replica's run write then
// goes through.
func TestAbandonedTransactionFreesSession(t *testing.T) {
	dbURL := pgtest.URL(t)
	schema := pgtest.Schema(t, dbURL)
	u, err := neturl.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("idle_in_transaction_session_timeout", "1s")
	u.RawQuery = q.Encode()
	hung := openStore(t, u.String(), schema)
	defer hung.Close()
	other := openStore(t, dbURL, schema)
	defer other.Close()
	ctx := context.Background()

	var timeout string
	if err := other.Pool().QueryRow(ctx,
		`SHOW idle_in_transaction_session_timeout`).Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if timeout != "30s" {
		t.Errorf("idle_in_transaction_session_timeout = %s, want the default 30s", timeout)
	}

	if err := other.CreateSession(ctx, &agentos.Session{ID: "s",
		Type: agentos.SessionTypeAgent}); err != nil {
		t.Fatal(err)
	}
	tx, err := hung.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `SELECT 1 FROM sessions WHERE session_id = 's' FOR UPDATE`)
	if err != nil {
		t.Fatal(err)
	}

	r, err := agentos.NewRun("s", json.RawMessage(`{"run_id":"r1","status":"COMPLETED"}`))
	if err != nil {
		t.Fatal(err)
	}
	writeCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := other.AddRun(writeCtx, r, agentos.SessionChange{}); err != nil {
		t.Fatalf("add run while another client's transaction holds the session: %v", err)
	}
	got, err := other.GetSession(ctx, "s", agentos.Scope{})
	if err != nil || got.RunCount != 1 {
		t.Fatalf("session after the write: %+v, %v; want 1 run", got, err)
	}
}
