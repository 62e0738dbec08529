// Package postgres stores sessions and runs in PostgreSQL, so that several
// agentos processes can serve one database.
//
// The layout matches the SQLite store. Writes that touch a session's runs
// lock the session row first (SELECT ... FOR UPDATE), so writers on
// different replicas serialize per session and never overwrite each other.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"

	"github.com/agentos-go/agentos"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DefaultSchema is the schema the tables live in unless Options or the
// URL names another. It keeps them apart from agno's tables in schema "ai".
const DefaultSchema = "agentos"

// migrationLock is the advisory lock key held while migrating, so replicas
// that start together apply each migration once.
const migrationLock = 7_770_001

// defaultConnectTimeout bounds a connection attempt when the URL sets no
// connect_timeout, so that a database host that drops packets fails Open
// and requests instead of hanging them.
const defaultConnectTimeout = 10 * time.Second

// sessionDefaults are server settings for every connection, unless the URL
// sets them. A replica that hangs or loses its network inside a
// transaction would keep the session rows it locked until the server
// noticed. The server ends such a transaction after 30 seconds idle, and
// its TCP keepalives find a vanished client within about a minute
// (30 s idle, then 3 probes 10 s apart) rather than the system's default
// of two hours.
var sessionDefaults = map[string]string{
	"application_name":                    "agentos",
	"idle_in_transaction_session_timeout": "30s",
	"tcp_keepalives_idle":                 "30",
	"tcp_keepalives_interval":             "10",
	"tcp_keepalives_count":                "3",
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Options tunes a Store.
type Options struct {
	// Schema holds the tables; it is created when missing. Empty means the
	// URL's search_path parameter, else DefaultSchema.
	Schema string
	// MaxConns is the pool size. Zero keeps the URL's pool_max_conns or
	// pgx's default (the larger of 4 and the number of CPUs).
	MaxConns int32
}

// Store is a SessionStore on a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	url    string // without password, for messages
}

var (
	_ agentos.SessionStore = (*Store)(nil)
	_ agentos.RunLeaser    = (*Store)(nil)
)

// Open connects to the database at url, creates the schema when missing and
// applies pending migrations. It fails when the database cannot be reached.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: invalid database URL: %w", err)
	}
	if opts.Schema == "" {
		// A search_path parameter in the URL names the schema.
		opts.Schema = cfg.ConnConfig.RuntimeParams["search_path"]
	}
	if opts.Schema == "" {
		opts.Schema = DefaultSchema
	}
	if !schemaName.MatchString(opts.Schema) {
		return nil, fmt.Errorf("postgres: invalid schema %q: use lower-case letters, digits "+
			"and underscores", opts.Schema)
	}
	safeURL := redact(cfg.ConnConfig)
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	for name, value := range sessionDefaults {
		if _, set := cfg.ConnConfig.RuntimeParams[name]; !set {
			cfg.ConnConfig.RuntimeParams[name] = value
		}
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect to %s: %w", safeURL, err)
	}
	s := &Store{pool: pool, schema: opts.Schema, url: safeURL}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s does not answer: %w", safeURL, err)
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func redact(cfg *pgx.ConnConfig) string {
	return "postgres://" + cfg.User + "@" + net.JoinHostPort(cfg.Host,
		strconv.Itoa(int(cfg.Port))) + "/" + cfg.Database
}

// Pool returns the connection pool, for the cancel broker.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the schema that holds the tables.
func (s *Store) Schema() string { return s.schema }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("postgres: list migrations: %w", err)
	}
	sort.Strings(files)
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("postgres: lock for migration: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+s.schema); err != nil {
			return fmt.Errorf("postgres: create schema %s: %w", s.schema, err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s.schema+`.schema_migrations (
			version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL,
			applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("postgres: create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+s.schema+
			`.schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("postgres: read schema version: %w", err)
		}
		if current > len(files) {
			return fmt.Errorf("postgres: schema %s has version %d but this agentos knows only "+
				"%d: upgrade agentos", s.schema, current, len(files))
		}
		for i, name := range files {
			version := i + 1
			if version <= current {
				continue
			}
			body, err := migrationFiles.ReadFile(name)
			if err != nil {
				return fmt.Errorf("postgres: read %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `SET LOCAL search_path TO `+s.schema); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("postgres: apply %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+s.schema+`.schema_migrations
				(version, name, applied_at) VALUES ($1, $2, $3)`,
				version, name, agentos.Now()); err != nil {
				return fmt.Errorf("postgres: record %s: %w", name, err)
			}
		}
		return nil
	})
}

// storeError wraps err with the operation. Lost or refused connections
// become EUNAVAILABLE, so the API returns 503 rather than "not found".
func storeError(op string, err error) error {
	if err == nil {
		return nil
	}
	var appErr *agentos.Error
	if errors.As(err, &appErr) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "22021" || pgErr.Code == "22P05") {
		// Text that is not UTF-8, or has a NUL character, in a value that the
		// checks of text.go did not cover.
		return agentos.WrapError(agentos.EINVALID, err,
			"The request contains text that PostgreSQL cannot store: a NUL character "+
				"(\\u0000) or bytes that are not UTF-8")
	}
	if unavailable(err) {
		return agentos.WrapError(agentos.EUNAVAILABLE, err,
			"The session database is unavailable; try again shortly")
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// unavailable reports whether err means the server cannot be reached or
// dropped the connection, rather than that a statement failed.
func unavailable(err error) bool {
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is connection exceptions, 57P01-57P03 are shutdowns and
		// 53300 is too many connections.
		switch {
		case len(pgErr.Code) == 5 && pgErr.Code[:2] == "08",
			pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03",
			pgErr.Code == "53300":
			return true
		}
		return false
	}
	return connectionLost(err) || errors.Is(err, pgx.ErrTxClosed) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, puddle.ErrClosedPool)
}

// args collects statement arguments and returns their placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}
