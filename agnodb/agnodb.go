// Package agnodb reads the sessions that Python agno (2.x) stored in its own
// database layout, in SQLite or PostgreSQL, and converts them to sessions and
// runs of this project.
//
// agno keeps one row per session with every run inside a JSON column. In
// SQLite it encodes each JSON value twice: the column holds a JSON string
// whose content is the JSON document. In PostgreSQL the columns are JSONB,
// encoded once. Reader accepts both forms in both databases.
package agnodb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// DefaultTable is agno's default name for its sessions table.
const DefaultTable = "agno_sessions"

// DefaultSchema is the PostgreSQL schema agno puts its tables in.
const DefaultSchema = "ai"

// requiredColumns are the columns agno 2.x creates in its sessions table.
// agno itself rejects a table that lacks one of them.
var requiredColumns = []string{
	"session_id", "session_type", "agent_id", "team_id", "workflow_id", "user_id",
	"session_data", "agent_data", "team_data", "workflow_data", "metadata", "runs",
	"summary", "created_at", "updated_at",
}

// identifier matches the table and schema names Reader accepts, so they can
// be put into SQL text safely.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Reader reads agno sessions from one database.
type Reader struct {
	db       *sql.DB
	source   string // file path or URL without password, for messages
	table    string // qualified table name, ready for SQL text
	postgres bool
}

// Options selects the table to read.
type Options struct {
	// Table is the sessions table name. Empty means DefaultTable.
	Table string
	// Schema is the PostgreSQL schema. Empty means DefaultSchema. SQLite
	// ignores it.
	Schema string
}

// IsPostgresURL reports whether source names a PostgreSQL database rather
// than a SQLite file. It accepts the SQLAlchemy forms that agno's db_url
// takes, such as postgresql+psycopg://.
func IsPostgresURL(source string) bool {
	scheme, _, ok := strings.Cut(source, "://")
	if !ok {
		return false
	}
	scheme, _, _ = strings.Cut(scheme, "+")
	return scheme == "postgres" || scheme == "postgresql"
}

// NormalizeSource turns the SQLAlchemy URLs that agno's db_url takes into
// what the drivers read: postgresql+psycopg://... loses its driver name,
// and sqlite:///path becomes the path (sqlite:////abs for /abs).
func NormalizeSource(source string) string {
	if rest, ok := strings.CutPrefix(source, "sqlite:///"); ok {
		return rest
	}
	if !IsPostgresURL(source) {
		return source
	}
	scheme, rest, _ := strings.Cut(source, "://")
	scheme, _, _ = strings.Cut(scheme, "+")
	return scheme + "://" + rest
}

// Open opens the agno database at source, a SQLite file path or a
// PostgreSQL URL, and checks that it holds an agno sessions table. A SQLite
// file is opened read-only. agno's SQLAlchemy URLs are accepted as well:
// sqlite:///tmp/agno.db and postgresql+psycopg://ai:ai@localhost:5532/ai.
func Open(ctx context.Context, source string, opts Options) (*Reader, error) {
	if opts.Table == "" {
		opts.Table = DefaultTable
	}
	if opts.Schema == "" {
		opts.Schema = DefaultSchema
	}
	if !identifier.MatchString(opts.Table) {
		return nil, fmt.Errorf("invalid table name %q: use letters, digits and underscores",
			opts.Table)
	}
	if !identifier.MatchString(opts.Schema) {
		return nil, fmt.Errorf("invalid schema name %q: use letters, digits and underscores",
			opts.Schema)
	}
	source = NormalizeSource(source)
	r := &Reader{source: source}
	var err error
	if IsPostgresURL(source) {
		r.postgres = true
		r.source = redactURL(source)
		r.table = `"` + opts.Schema + `"."` + opts.Table + `"`
		r.db, err = sql.Open("pgx", source)
	} else {
		r.table = `"` + opts.Table + `"`
		r.db, err = openSQLiteFile(source)
	}
	if err != nil {
		return nil, err
	}
	if err := r.check(ctx, opts); err != nil {
		_ = r.db.Close()
		return nil, err
	}
	return r, nil
}

// Close closes the database.
func (r *Reader) Close() error { return r.db.Close() }

// Source returns the file or URL read, without a password.
func (r *Reader) Source() string { return r.source }

// check verifies that the table exists and has every agno column. When it
// does not, the error names what is missing and, where it can tell, which
// table to read instead.
func (r *Reader) check(ctx context.Context, opts Options) error {
	tables, err := r.tables(ctx, opts.Schema)
	if err != nil {
		if !r.postgres && strings.Contains(err.Error(), "not a database") {
			return fmt.Errorf("%s is not a SQLite database, so not an agno database", r.source)
		}
		return fmt.Errorf("read the layout of %s: %w", r.source, err)
	}
	have, ok := tables[strings.ToLower(opts.Table)]
	if !ok {
		return r.missingTable(opts, tables)
	}
	if missing := missingColumns(have); len(missing) > 0 {
		return fmt.Errorf("table %s in %s lacks the agno columns %s, so it is not an agno "+
			"sessions table", opts.Table, r.source, strings.Join(missing, ", "))
	}
	return nil
}

// tables returns the column names of every table in the database (SQLite)
// or schema (PostgreSQL), by lower-case table name.
func (r *Reader) tables(ctx context.Context, schema string) (map[string]map[string]bool, error) {
	var query string
	var args []any
	if r.postgres {
		query = `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = $1`
		args = []any{schema}
	} else {
		query = `SELECT m.name, p.name FROM sqlite_schema AS m
			JOIN pragma_table_info(m.name) AS p WHERE m.type IN ('table', 'view')`
	}
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tables := map[string]map[string]bool{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return nil, err
		}
		table = strings.ToLower(table)
		if tables[table] == nil {
			tables[table] = map[string]bool{}
		}
		tables[table][strings.ToLower(column)] = true
	}
	return tables, rows.Err()
}

// missingTable explains why a database without the requested table is not
// read: it may be empty, be an AgentOS-Go database, or hold agno's sessions
// under another name.
func (r *Reader) missingTable(opts Options, tables map[string]map[string]bool) error {
	where := "table " + opts.Table
	if r.postgres {
		where = "table " + opts.Schema + "." + opts.Table
	}
	var candidates []string
	for name, columns := range tables {
		if len(missingColumns(columns)) == 0 {
			candidates = append(candidates, name)
		}
	}
	slices.Sort(candidates)
	switch {
	case len(candidates) > 0:
		return fmt.Errorf("%s has no %s, but table %s has agno's session columns: "+
			"give --table %s", r.source, where, candidates[0], candidates[0])
	case !r.postgres && tables["schema_migrations"] != nil && tables["sessions"] != nil &&
		tables["runs"] != nil:
		return fmt.Errorf("%s is an AgentOS-Go session database, not an agno one: "+
			"serve it with agentos serve --db %s", r.source, r.source)
	case len(tables) == 0 && r.postgres:
		return fmt.Errorf("%s has no tables in schema %s, so it is not an agno database "+
			"(give --schema if agno was configured with another schema)", r.source, opts.Schema)
	case len(tables) == 0:
		return fmt.Errorf("%s is empty, so it is not an agno database", r.source)
	}
	return fmt.Errorf("%s has no %s, so it is not an agno database "+
		"(give --table if agno was configured with another sessions table name)",
		r.source, where)
}

// missingColumns returns the agno columns that columns lacks.
func missingColumns(columns map[string]bool) []string {
	var missing []string
	for _, c := range requiredColumns {
		if !columns[c] {
			missing = append(missing, c)
		}
	}
	return missing
}

// Count returns the number of session rows.
func (r *Reader) Count(ctx context.Context) (int, error) {
	var n int
	if err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+r.table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sessions in %s: %w", r.source, err)
	}
	return n, nil
}

// Each calls fn for each session row in creation order. It reads one row at
// a time in a single query, so every row comes from one snapshot. A row that
// cannot be converted reaches fn with Item.Err set. Each stops at the first
// error fn returns and returns that error.
func (r *Reader) Each(ctx context.Context, fn func(Item) error) error {
	rows, err := r.db.QueryContext(ctx, `SELECT session_id, session_type, agent_id, team_id,
		workflow_id, user_id, session_data, agent_data, team_data, workflow_data, metadata,
		runs, summary, created_at, updated_at FROM `+r.table+` ORDER BY created_at, session_id`)
	if err != nil {
		return fmt.Errorf("read sessions from %s: %w", r.source, err)
	}
	defer rows.Close()
	for rows.Next() {
		var row rawRow
		if err := rows.Scan(&row.id, &row.typ, &row.agentID, &row.teamID, &row.workflowID,
			&row.userID, &row.sessionData, &row.agentData, &row.teamData, &row.workflowData,
			&row.metadata, &row.runs, &row.summary, &row.createdAt, &row.updatedAt); err != nil {
			return fmt.Errorf("read sessions from %s: %w", r.source, err)
		}
		if err := fn(row.convert()); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read sessions from %s: %w", r.source, err)
	}
	return nil
}
