package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds a statement cache. Statements whose text varies
// with their input, such as IN lists, stop being cached beyond it.
const maxCachedStatements = 200

// stmtCache keeps the prepared statements of one pool by SQL text, so that
// SQLite parses and plans each statement once per connection rather than on
// every call. Parsing took about a fifth of the CPU time of appending a run.
//
// A transaction holds its connection, and the write pool has only one, so
// preparing on the pool from inside a transaction would wait forever. A
// transaction therefore runs an uncached statement unprepared and leaves its
// text in pending; the store prepares pending statements once the
// transaction has ended.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// lookup returns the prepared statement for query, or nil after noting
// query for preparePending.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts)+len(c.pending) < maxCachedStatements {
		c.pending[query] = true
	}
	return nil
}

// preparePending prepares the statements that transactions ran unprepared.
// The caller must hold no connection of the pool. The cache stays unlocked
// while preparing, because a transaction that holds the only write
// connection may need a lookup to finish. Failures are left for the next
// use of the statement to report.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	queries := make([]string, 0, len(c.pending))
	for query := range c.pending {
		queries = append(queries, query)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, query := range queries {
		st, err := c.db.PrepareContext(ctx, query)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.stmts[query]; ok {
			_ = st.Close()
		} else {
			c.stmts[query] = st
		}
		c.mu.Unlock()
	}
}

// get returns the prepared statement for query, preparing it on the pool
// when needed, or nil when the cache is full. The caller must hold no
// connection of the pool.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := c.lookup(query); st != nil {
		return st, nil
	}
	c.preparePending(ctx)
	return c.lookup(query), nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
	clear(c.pending)
}

// QueryRowContext runs query on the pool through its prepared statement.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.get(ctx, query)
	if err != nil || st == nil {
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs query on the pool through its prepared statement.
func (c *stmtCache) QueryContext(ctx context.Context, query string,
	args ...any) (*sql.Rows, error) {
	st, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// txn is a transaction whose statements come from the cache of its pool.
type txn struct {
	tx    *sql.Tx
	cache *stmtCache
}

// stmt returns the cached statement for query bound to the transaction, or
// nil when query is not cached yet and must run unprepared.
func (t *txn) stmt(ctx context.Context, query string) *sql.Stmt {
	st := t.cache.lookup(query)
	if st == nil {
		return nil
	}
	return t.tx.StmtContext(ctx, st)
}

// ExecContext runs query in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// QueryContext runs query in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// PrepareContext prepares a statement that lives until the transaction ends.
func (t *txn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, query)
}
