package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/postgres"
	"github.com/agentos-go/agentos/sqlite"
)

// defaultDBPath is the SQLite file used when neither --db nor AGENTOS_DB
// names a database.
const defaultDBPath = "tmp/app.db"

// separateDBPath is the session database that messages suggest when agno's
// database sits at defaultDBPath, where agno's examples put it too.
const separateDBPath = "tmp/agentos.db"

// envDB names the session database when --db is not given.
const envDB = "AGENTOS_DB"

// isPostgresURL reports whether dsn names a PostgreSQL database.
func isPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// resolveDB returns the database the --db flag names, falling back to
// AGENTOS_DB and then to the default SQLite file.
func resolveDB(flag string, changed bool) string {
	if changed && flag != "" {
		return flag
	}
	if v := os.Getenv(envDB); v != "" {
		return v
	}
	if flag != "" {
		return flag
	}
	return defaultDBPath
}

// storeOptions tunes the store openStore opens.
type storeOptions struct {
	// maxConns bounds a PostgreSQL pool; zero keeps the URL's or pgx's
	// default. SQLite ignores it.
	maxConns int32
}

// openStore opens the session store that dsn names: a PostgreSQL URL, or
// else a SQLite file path (a file: prefix is allowed).
func openStore(ctx context.Context, dsn string, opts storeOptions) (agentos.SessionStore,
	error) {
	if dsn == "" {
		dsn = defaultDBPath
	}
	if isPostgresURL(dsn) {
		s, err := postgres.Open(ctx, dsn, postgres.Options{MaxConns: opts.maxConns})
		if err != nil {
			return nil, fmt.Errorf("open session database: %w; check the URL and that "+
				"PostgreSQL is running", err)
		}
		return s, nil
	}
	path := strings.TrimPrefix(dsn, "file:")
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if errors.Is(err, sqlite.ErrAgnoDatabase) {
		return nil, fmt.Errorf("%s is a Python agno database, and agentos keeps sessions in "+
			"its own layout: copy them into another file with 'agentos import agno %s --db "+
			"%s', then use --db %[3]s", path, path, separateDBPath)
	}
	if err != nil {
		return nil, fmt.Errorf("open session database %s: %w", path, err)
	}
	return s, nil
}

// cancelBroker returns the broker that carries cancel requests between
// replicas sharing store, and a function that stops it. For a store that
// serves one process it returns nil, and runs are cancelled in process.
func cancelBroker(store agentos.SessionStore,
	logger *slog.Logger) (agentos.CancelBroker, func()) {
	if pg, ok := store.(*postgres.Store); ok {
		c := postgres.NewCancels(pg, 0, logger)
		return c, func() { _ = c.Close() }
	}
	return nil, func() {}
}

// describeDB returns dsn fit for logs: a URL without its password.
func describeDB(dsn string) string {
	if !isPostgresURL(dsn) {
		return dsn
	}
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		if scheme := strings.Index(dsn, "://"); scheme >= 0 && scheme+3 < at {
			userinfo := dsn[scheme+3 : at]
			if colon := strings.Index(userinfo, ":"); colon >= 0 {
				return dsn[:scheme+3] + userinfo[:colon] + ":xxxxx" + dsn[at:]
			}
		}
	}
	return dsn
}
