package cli

import (
	"context"
	"net/http"
	neturl "net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/agentos-go/agentos/internal/pgtest"
)

// TestServeOnPostgres serves a scratch schema named by AGENTOS_DB with a
// pool of two connections, and checks that the sessions land there and
// that concurrent requests never open more than the pool allows.
func TestServeOnPostgres(t *testing.T) {
	dbURL := pgtest.URL(t)
	schema := pgtest.Schema(t, dbURL)
	u, err := neturl.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", "serve_"+schema)
	u.RawQuery = q.Encode()
	t.Setenv(envDB, u.String())
	base, logs, stop := startServe(t, "--db-max-conns", "2")

	resp, err := http.Post(base+"/sessions", "application/json",
		strings.NewReader(`{"session_id":"in-postgres","session_name":"Stored remotely"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d", resp.StatusCode)
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			resp, err := http.Get(base + "/sessions?limit=5")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("list: status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var name string
	if err := conn.QueryRow(ctx, `SELECT session_name FROM `+
		pgx.Identifier{schema, "sessions"}.Sanitize()+` WHERE session_id = 'in-postgres'`).
		Scan(&name); err != nil || name != "Stored remotely" {
		t.Fatalf("session in schema %s: %q, %v", schema, name, err)
	}
	var conns int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE application_name = $1`, "serve_"+schema).Scan(&conns); err != nil {
		t.Fatal(err)
	}
	// Two for the pool, one for the cancel listener when agents are served.
	if conns > 3 {
		t.Errorf("serve holds %d connections with --db-max-conns 2", conns)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, logs.String())
	}
}

// TestServeUnreachablePostgres starts serve on a port where no database
// listens: it must exit at once with a message naming the problem.
func TestServeUnreachablePostgres(t *testing.T) {
	t.Setenv("OS_SECURITY_KEY", "")
	got := execute(t, piped, "", "serve", "--port", "0", "--db",
		"postgres://agentos@127.0.0.1:1/agentos?sslmode=disable&connect_timeout=2")
	if got.code == 0 {
		t.Fatal("serve succeeded without a database")
	}
	for _, want := range []string{"127.0.0.1:1", "check the URL and that PostgreSQL is running"} {
		if !strings.Contains(got.stderr, want) {
			t.Errorf("stderr %q does not contain %q", got.stderr, want)
		}
	}
}

func TestServeRejectsNegativeConnections(t *testing.T) {
	got := execute(t, piped, "", "serve", "--db", t.TempDir()+"/app.db",
		"--db-max-conns", "-1")
	wantExit(t, got, ExitUsage)
	if !strings.Contains(got.stderr, "invalid --db-max-conns -1") {
		t.Errorf("stderr %q does not name the flag", got.stderr)
	}
}
