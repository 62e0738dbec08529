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
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/agentos-go/agentos"
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
// than a SQLite file.
func IsPostgresURL(source string) bool {
	return strings.HasPrefix(source, "postgres://") || strings.HasPrefix(source, "postgresql://")
}

// Open opens the agno database at source, a SQLite file path or a
// PostgreSQL URL, and checks that it holds an agno sessions table.
func Open(ctx context.Context, source string, opts Options) (*Reader, error) {
	if opts.Table == "" {
		opts.Table = DefaultTable
	}
	if opts.Schema == "" {
		opts.Schema = DefaultSchema
	}
	if !identifier.MatchString(opts.Table) {
		return nil, fmt.Errorf("invalid table name %q: use letters, digits and underscores", opts.Table)
	}
	if !identifier.MatchString(opts.Schema) {
		return nil, fmt.Errorf("invalid schema name %q: use letters, digits and underscores",
			opts.Schema)
	}
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

func openSQLiteFile(path string) (*sql.DB, error) {
	info, err := statFile(path)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%s is a folder, not an agno SQLite database file", path)
	}
	// The path is escaped because SQLite reads "?", "#" and "%" in a file:
	// URI as its own syntax, which would open, and create, another file.
	uri := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro&_pragma=query_only(1)"
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// check verifies that the table exists and has every agno column.
func (r *Reader) check(ctx context.Context, opts Options) error {
	var query string
	var args []any
	if r.postgres {
		query = `SELECT column_name FROM information_schema.columns
			WHERE table_schema = $1 AND table_name = $2`
		args = []any{opts.Schema, opts.Table}
	} else {
		query = `SELECT name FROM pragma_table_info(?)`
		args = []any{opts.Table}
	}
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		if !r.postgres && strings.Contains(err.Error(), "not a database") {
			return fmt.Errorf("%s is not a SQLite database, so not an agno database", r.source)
		}
		return fmt.Errorf("read the layout of %s: %w", r.source, err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("read the layout of %s: %w", r.source, err)
		}
		have[strings.ToLower(name)] = true
	}
	if err := rows.Err(); err != nil {
		if !r.postgres && strings.Contains(err.Error(), "not a database") {
			return fmt.Errorf("%s is not a SQLite database, so not an agno database", r.source)
		}
		return fmt.Errorf("read the layout of %s: %w", r.source, err)
	}
	if len(have) == 0 {
		where := "table " + opts.Table
		if r.postgres {
			where = "table " + opts.Schema + "." + opts.Table
		}
		return fmt.Errorf("%s has no %s, so it is not an agno database "+
			"(use --table if agno was configured with another sessions table name)",
			r.source, where)
	}
	var missing []string
	for _, c := range requiredColumns {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("table %s in %s lacks the agno columns %s, so it is not an agno "+
			"sessions table", opts.Table, r.source, strings.Join(missing, ", "))
	}
	return nil
}

// Count returns the number of session rows.
func (r *Reader) Count(ctx context.Context) (int, error) {
	var n int
	if err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+r.table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sessions in %s: %w", r.source, err)
	}
	return n, nil
}

// Item is one session read from agno, with its runs in stored order.
// Err is set instead when the row could not be converted; the row's session
// id is still set when it could be read.
type Item struct {
	Session *agentos.Session
	Runs    []*agentos.Run
	// Skipped counts runs that were left out because they were not objects
	// with a run_id, which agno itself cannot load either.
	Skipped int
	Err     error
}

// Each calls fn for each session row in creation order, reading one row at
// a time. It stops at the first error fn returns.
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

// rawRow is one row as the driver returns it.
type rawRow struct {
	id, typ, agentID, teamID, workflowID, userID sql.NullString
	sessionData, agentData, teamData             any
	workflowData, metadata, runs, summary        any
	createdAt, updatedAt                         sql.NullInt64
}

func (row *rawRow) convert() Item {
	item := Item{}
	if !row.id.Valid || row.id.String == "" {
		item.Err = errors.New("a row has no session_id")
		return item
	}
	s := &agentos.Session{
		ID:         row.id.String,
		AgentID:    row.agentID.String,
		TeamID:     row.teamID.String,
		WorkflowID: row.workflowID.String,
		CreatedAt:  row.createdAt.Int64,
		UpdatedAt:  row.updatedAt.Int64,
	}
	item.Session = s
	if row.userID.Valid {
		owner := row.userID.String
		s.UserID = &owner
	}
	s.Type = detectType(row.typ.String, s)
	var err error
	fields := []struct {
		name string
		src  any
		dst  *json.RawMessage
	}{
		{"agent_data", row.agentData, &s.AgentData},
		{"team_data", row.teamData, &s.TeamData},
		{"workflow_data", row.workflowData, &s.WorkflowData},
		{"metadata", row.metadata, &s.Metadata},
		{"summary", row.summary, &s.Summary},
	}
	for _, f := range fields {
		if *f.dst, err = DecodeColumn(f.src); err != nil {
			item.Err = fmt.Errorf("session %s: column %s: %w", s.ID, f.name, err)
			return item
		}
	}
	data, err := DecodeColumn(row.sessionData)
	if err != nil {
		item.Err = fmt.Errorf("session %s: column session_data: %w", s.ID, err)
		return item
	}
	if err := splitSessionData(s, data); err != nil {
		item.Err = fmt.Errorf("session %s: column session_data: %w", s.ID, err)
		return item
	}
	runs, err := DecodeColumn(row.runs)
	if err != nil {
		item.Err = fmt.Errorf("session %s: column runs: %w", s.ID, err)
		return item
	}
	item.Runs, item.Skipped, err = splitRuns(s.ID, runs)
	if err != nil {
		item.Err = fmt.Errorf("session %s: column runs: %w", s.ID, err)
		return item
	}
	if s.CreatedAt == 0 {
		s.CreatedAt = firstRunTime(item.Runs)
	}
	if s.UpdatedAt < s.CreatedAt {
		s.UpdatedAt = s.CreatedAt
	}
	return item
}

// detectType applies agno's order: the stored type, else the first
// component id present, else agent.
func detectType(stored string, s *agentos.Session) agentos.SessionType {
	if t, err := agentos.ParseSessionType(stored); err == nil {
		return t
	}
	switch {
	case s.AgentID != "":
		return agentos.SessionTypeAgent
	case s.TeamID != "":
		return agentos.SessionTypeTeam
	case s.WorkflowID != "":
		return agentos.SessionTypeWorkflow
	}
	return agentos.SessionTypeAgent
}

// splitSessionData moves session_name, session_state and session_metrics
// out of session_data and keeps the other keys in s.Data.
func splitSessionData(s *agentos.Session, data json.RawMessage) error {
	if data == nil {
		return nil
	}
	if !agentos.IsJSONObject(data) {
		return errors.New("expected a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	if raw, ok := fields["session_name"]; ok && !agentos.IsNull(raw) {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return fmt.Errorf("session_name is not a string: %w", err)
		}
		s.Name = &name
	}
	if raw := fields["session_state"]; !agentos.IsNull(raw) {
		s.State = raw
	}
	if raw := fields["session_metrics"]; !agentos.IsNull(raw) {
		s.Metrics = raw
	}
	delete(fields, "session_name")
	delete(fields, "session_state")
	delete(fields, "session_metrics")
	if len(fields) > 0 {
		extra, err := json.Marshal(fields)
		if err != nil {
			return err
		}
		s.Data = extra
	}
	return nil
}

// splitRuns converts the runs array. Entries that are not objects with a
// run_id are skipped and counted, as agno's loader cannot use them either.
func splitRuns(sessionID string, raw json.RawMessage) ([]*agentos.Run, int, error) {
	if raw == nil {
		return nil, 0, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, 0, errors.New("expected a JSON array of runs")
	}
	runs := make([]*agentos.Run, 0, len(list))
	skipped := 0
	seen := map[string]bool{}
	for _, entry := range list {
		r, err := agentos.NewRun(sessionID, entry)
		if err != nil || seen[r.RunID] {
			skipped++
			continue
		}
		seen[r.RunID] = true
		runs = append(runs, r)
	}
	return runs, skipped, nil
}

func firstRunTime(runs []*agentos.Run) int64 {
	for _, r := range runs {
		if r.CreatedAt > 0 {
			return r.CreatedAt
		}
	}
	return agentos.Now()
}

// DecodeColumn decodes one agno JSON column value: SQL NULL and JSON null
// are absent (nil); a JSON string is decoded a second time, because agno's
// SQLite backend encodes every value twice; an object or array is returned
// as it is.
func DecodeColumn(v any) (json.RawMessage, error) {
	var text []byte
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		text = []byte(x)
	case []byte:
		text = slices.Clone(x)
	default:
		return nil, fmt.Errorf("unexpected column value of type %T", v)
	}
	if !json.Valid(text) {
		return nil, errors.New("invalid JSON")
	}
	if agentos.IsNull(text) {
		return nil, nil
	}
	var inner string
	if err := json.Unmarshal(text, &inner); err == nil {
		if !json.Valid([]byte(inner)) {
			return nil, errors.New("a JSON string that does not contain a JSON document")
		}
		if agentos.IsNull(json.RawMessage(inner)) {
			return nil, nil
		}
		return json.RawMessage(inner), nil
	}
	return text, nil
}
