// Package pgtest gives tests a PostgreSQL server: the one named by
// AGENTOS_TEST_POSTGRES, or a local default, and a fresh schema per test.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server tried when AGENTOS_TEST_POSTGRES is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var counter atomic.Int64

// URL returns the test server's URL. When the server does not answer, the
// test is skipped, or failed when the CI environment variable is set.
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("AGENTOS_TEST_POSTGRES")
	if url == "" {
		url = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err == nil {
		err = conn.Ping(ctx)
		_ = conn.Close(ctx)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s is required under CI: %v", url, err)
		}
		t.Skipf("PostgreSQL at %s does not answer; set AGENTOS_TEST_POSTGRES: %v", url, err)
	}
	return url
}

// Schema returns the name of a schema that does not exist yet and drops it,
// with everything in it, when the test ends.
func Schema(t testing.TB, url string) string {
	t.Helper()
	name := fmt.Sprintf("test_%d_%d", time.Now().UnixNano(), counter.Add(1))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Logf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
			t.Logf("drop schema %s: %v", name, err)
		}
	})
	return name
}
