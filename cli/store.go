package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/sqlite"
)

// defaultDBPath is the SQLite file used when --db is not given.
const defaultDBPath = "tmp/app.db"

// openStore opens the session store that dsn names: a SQLite file path, or
// a file: URI.
func openStore(ctx context.Context, dsn string) (agentos.SessionStore, error) {
	if dsn == "" {
		dsn = defaultDBPath
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return nil, fmt.Errorf("PostgreSQL URLs are not supported by this build")
	}
	path := strings.TrimPrefix(dsn, "file:")
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, fmt.Errorf("open session database %s: %w", path, err)
	}
	return s, nil
}
