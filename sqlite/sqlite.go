// Package sqlite stores sessions and runs in an embedded SQLite database,
// using the pure-Go modernc.org/sqlite driver.
//
// Writes go through a single connection, and every write transaction starts
// with BEGIN IMMEDIATE, so writers queue in the process instead of failing
// with SQLITE_BUSY. Reads use a separate pool and run in parallel with
// writes thanks to WAL mode.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/agentos-go/agentos"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tunes a Store. The zero value is ready to use.
type Options struct {
	// ReadConns is the size of the read pool. Zero means the number of CPUs,
	// at least 4.
	ReadConns int
	// BusyTimeoutMillis is how long a statement waits for a lock held by
	// another process before it fails. Zero means 5000.
	BusyTimeoutMillis int
	// MmapBytes is how much of the database file SQLite reads through a
	// memory map shared by all connections, instead of copying pages into
	// each connection's 2 MiB page cache. Zero means 256 MiB, and a
	// negative value turns memory mapping off. It applies to the default
	// driver only.
	MmapBytes int64
	// Driver is the database/sql driver name. Empty means "sqlite", the
	// modernc.org/sqlite driver this package registers. Any other name must
	// be a github.com/mattn/go-sqlite3 driver that the caller registered,
	// because the settings above are passed in that driver's DSN form.
	Driver string
}

// defaultDriver is the name modernc.org/sqlite registers.
const defaultDriver = "sqlite"

// defaultMmapBytes maps the indexes of a few hundred thousand sessions.
// docs/benchmarks.md shows what mapping saves on a list of 100,000.
const defaultMmapBytes = 256 << 20

// Store is a SessionStore on one SQLite file.
type Store struct {
	path   string
	write  *sql.DB
	read   *sql.DB
	writes *stmtCache // statements of write
	reads  *stmtCache // statements of read
}

var (
	_ agentos.SessionStore = (*Store)(nil)
	_ agentos.RunLeaser    = (*Store)(nil)
)

// Open opens the SQLite database at path, creating the file and its folder
// when missing, and applies pending migrations.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty database path")
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %s: give the path of a database file, "+
			"because the store reads and writes through separate connections", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("sqlite: create folder for %s: %w", path, err)
		}
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(runtime.NumCPU(), 4)
	}
	if opts.BusyTimeoutMillis <= 0 {
		opts.BusyTimeoutMillis = 5000
	}
	if opts.MmapBytes == 0 {
		opts.MmapBytes = defaultMmapBytes
	}
	if opts.Driver == "" {
		opts.Driver = defaultDriver
	}
	if err := checkNotAgno(ctx, opts, path); err != nil {
		return nil, err
	}
	write, err := sql.Open(opts.Driver, dsn(path, opts, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	s := &Store{path: path, write: write, writes: newStmtCache(write)}
	if err := s.migrate(ctx); err != nil {
		_ = write.Close()
		return nil, err
	}
	read, err := sql.Open(opts.Driver, dsn(path, opts, true))
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	s.read = read
	s.reads = newStmtCache(read)
	// Refresh the planner's statistics where they are stale, so that lists
	// filtered by owner pick the owner index over the less selective ones.
	if _, err := write.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlite: optimize %s: %w", path, err)
	}
	return s, nil
}

// createPrivate creates an empty file at path, readable by its owner only,
// unless a file exists there. SQLite gives its WAL and shared-memory files
// the permissions of the database file, so conversations stay private.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// dsn returns the data source name for path in the form opts.Driver reads.
func dsn(path string, opts Options, readOnly bool) string {
	if opts.Driver != "" && opts.Driver != defaultDriver {
		return mattnDSN(path, opts, readOnly)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(opts.BusyTimeoutMillis)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if opts.MmapBytes > 0 {
		q.Add("_pragma", "mmap_size("+strconv.FormatInt(opts.MmapBytes, 10)+")")
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// mattnDSN returns the data source name for path in the form of
// github.com/mattn/go-sqlite3.
func mattnDSN(path string, opts Options, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", strconv.Itoa(opts.BusyTimeoutMillis))
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "1")
	q.Set("_synchronous", "NORMAL")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes both connection pools.
func (s *Store) Close() error {
	var errs []error
	s.writes.close()
	if s.reads != nil {
		s.reads.close()
	}
	_, _ = s.write.Exec("PRAGMA optimize")
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	errs = append(errs, s.write.Close())
	return errors.Join(errs...)
}

// ErrAgnoDatabase is returned, wrapped, by Open for a file that Python agno
// created: it has agno's agno_sessions table and no agentos tables. The store
// does not add its own tables there, because it would then list none of
// agno's sessions. agentos import agno copies them into a store instead.
var ErrAgnoDatabase = errors.New("the file is an agno database, whose layout agentos " +
	"does not serve")

// checkNotAgno returns ErrAgnoDatabase when the file at path is agno's. It
// reads through a read-only connection with only a busy timeout, because
// the store's own connections switch the file to WAL mode as they open it.
// The timeout lets it wait while another process migrates the file.
func checkNotAgno(ctx context.Context, opts Options, path string) error {
	query := "?mode=ro&_pragma=busy_timeout(" + strconv.Itoa(opts.BusyTimeoutMillis) + ")"
	if opts.Driver != defaultDriver {
		query = "?mode=ro&_busy_timeout=" + strconv.Itoa(opts.BusyTimeoutMillis)
	}
	db, err := sql.Open(opts.Driver, "file:"+(&url.URL{Path: path}).EscapedPath()+query)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	defer db.Close()
	var agnoTables, ownTables int
	if err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'agno_sessions'),
		(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`,
	).Scan(&agnoTables, &ownTables); err != nil {
		return fmt.Errorf("sqlite: read the tables of %s: %w", path, err)
	}
	if agnoTables > 0 && ownTables == 0 {
		return fmt.Errorf("sqlite: open %s: %w", path, ErrAgnoDatabase)
	}
	return nil
}

// migrate applies the embedded migrations that the database lacks, each in
// its own transaction, and rejects a database written by a newer version.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", s.path, err)
	}
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("sqlite: list migrations: %w", err)
	}
	sort.Strings(files)
	var current int
	if err := s.write.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("sqlite: read schema version of %s: %w", s.path, err)
	}
	if current > len(files) {
		return fmt.Errorf("sqlite: %s has schema version %d but this agentos knows only %d: "+
			"upgrade agentos", s.path, current, len(files))
	}
	for i, name := range files {
		version := i + 1
		prefix, _, _ := strings.Cut(filepath.Base(name), "_")
		if prefix != fmt.Sprintf("%04d", version) {
			return fmt.Errorf("sqlite: migration %s is out of sequence: want prefix %04d",
				name, version)
		}
		if version <= current {
			continue
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return fmt.Errorf("sqlite: read %s: %w", name, err)
		}
		if err := s.inTx(ctx, func(tx *txn) error {
			// Another process opening the same new file may have applied
			// this migration since the version was read. The write
			// transaction holds the lock now, so the check is final.
			var applied int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations
				WHERE version = ?`, version).Scan(&applied); err != nil {
				return err
			}
			if applied > 0 {
				return nil
			}
			// A migration holds several statements, which a prepared
			// statement would cut to the first.
			if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				version, filepath.Base(name), agentos.Now())
			return err
		}); err != nil {
			return fmt.Errorf("sqlite: apply migration %s to %s: %w", name, s.path, err)
		}
	}
	return nil
}

// inTx runs fn in a write transaction, committing when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*txn) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer s.writes.preparePending(context.WithoutCancel(ctx))
	if err := fn(&txn{tx: tx, cache: s.writes}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// sqliteBusy is SQLite's primary result code SQLITE_BUSY: another process
// held a lock for longer than the busy timeout.
const sqliteBusy = 5

// storeError wraps a database error with the operation, so that failures
// read as internal errors (5xx) rather than as missing sessions. Errors that
// already carry an application code pass through.
func storeError(op string, err error) error {
	if err == nil {
		return nil
	}
	var appErr *agentos.Error
	if errors.As(err, &appErr) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "database is closed") {
		return agentos.WrapError(agentos.EUNAVAILABLE, err, "The session database is unavailable")
	}
	var coded interface{ Code() int }
	if errors.As(err, &coded) && coded.Code()&0xff == sqliteBusy {
		return agentos.WrapError(agentos.EUNAVAILABLE, err,
			"The session database is locked by another process; retry later")
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}
