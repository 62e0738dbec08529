package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
)

type importOptions struct {
	db     string
	table  string
	schema string
	dryRun bool
	// progress, when set, receives a progress line that is rewritten in
	// place while sessions are read. It is set for a terminal only.
	progress io.Writer
}

func newImportCommand(streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import sessions from another database",
	}
	cmd.AddCommand(newImportAgnoCommand(streams))
	return cmd
}

func newImportAgnoCommand(streams Streams) *cobra.Command {
	opts := importOptions{}
	cmd := &cobra.Command{
		Use:   "agno SOURCE",
		Short: "Import the sessions and runs of a Python agno database",
		Long: `Import every session, with its runs, from a database written by Python agno 2.x:
a SQLite file, or a PostgreSQL URL (agno's tables in schema "ai" by default).
The source is only read. Each session is written in its own transaction.

A session whose id exists in the target already is skipped and compared with
the source; the report lists those that differ. Running the import twice
therefore changes nothing. The command exits with status 1 when the source
is not an agno database or when a session could not be imported.`,
		Example: `  agentos import agno tmp/agno.db
  agentos import agno --db tmp/app.db --dry-run tmp/agno.db
  agentos import agno postgres://ai:ai@localhost:5532/ai`,
		Args: exactArgs(1, "one source: an agno SQLite file or PostgreSQL URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.db = resolveDB(opts.db, cmd.Flags().Changed("db"))
			if isTerminal(streams.ErrOut) {
				opts.progress = streams.ErrOut
			}
			return runImportAgno(cmd.Context(), streams.Out, args[0], opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.db, "db", defaultDBPath,
		"session database to import into, as for agentos serve: a SQLite file or a "+
			"postgres:// URL (env "+envDB+")")
	f.StringVar(&opts.table, "table", agnodb.DefaultTable, "agno sessions table to read")
	f.StringVar(&opts.schema, "schema", agnodb.DefaultSchema,
		"PostgreSQL schema of the agno tables")
	f.BoolVar(&opts.dryRun, "dry-run", false,
		"read and convert every session and compare with the target, but write nothing")
	return cmd
}

func runImportAgno(ctx context.Context, out io.Writer, source string, opts importOptions) error {
	source = agnodb.NormalizeSource(source)
	if err := checkDistinctFiles(source, opts.db); err != nil {
		return err
	}
	reader, err := agnodb.Open(ctx, source, agnodb.Options{Table: opts.table, Schema: opts.schema})
	if err != nil {
		return err
	}
	defer reader.Close()
	store, err := openImportTarget(ctx, opts)
	if err != nil {
		return err
	}
	if store != nil {
		defer store.Close()
	}
	imp := &importer{store: store, dryRun: opts.dryRun, report: newImportReport()}
	meter, err := newProgressMeter(ctx, opts.progress, reader, time.Now)
	if err != nil {
		return err
	}
	err = reader.Each(ctx, func(item agnodb.Item) error {
		meter.step()
		return imp.add(ctx, item)
	})
	meter.clear()
	imp.report.print(out, reader.Source(), opts)
	if err != nil {
		return fmt.Errorf("%w; sessions imported so far are kept, and running the "+
			"command again skips them", err)
	}
	if n := len(imp.report.failed); n > 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("%s of %s could not be imported",
			plural(n, "session"), reader.Source())}
	}
	return nil
}

// checkDistinctFiles rejects importing a SQLite file into itself, which
// would add this server's tables to agno's file.
func checkDistinctFiles(source, target string) error {
	if agnodb.IsPostgresURL(source) || isPostgresURL(target) {
		return nil
	}
	src, err := os.Stat(source)
	if err != nil {
		return nil // agnodb.Open reports a missing source
	}
	dst, err := os.Stat(strings.TrimPrefix(target, "file:"))
	if err != nil {
		return nil
	}
	if os.SameFile(src, dst) {
		return usageErrorf("the agno database %s is also the target database (--db), and "+
			"the import would add agentos tables to it: import into another file with "+
			"--db %s", source, separateDBPath)
	}
	return nil
}

// openImportTarget opens the session database to import into. A dry run
// opens it only when it exists, to tell which sessions it holds already,
// and returns nil otherwise.
func openImportTarget(ctx context.Context, opts importOptions) (agentos.SessionStore, error) {
	if opts.dryRun && !isPostgresURL(opts.db) {
		_, err := os.Stat(strings.TrimPrefix(opts.db, "file:"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	return openStore(ctx, opts.db, storeOptions{})
}

// importer stores the sessions one reader yields and tallies the outcome.
type importer struct {
	store  agentos.SessionStore // nil in a dry run without a target file
	dryRun bool
	report *importReport
}

// add imports one session. A session that cannot be read or stored is
// recorded as failed. add returns an error only when the import must stop,
// such as when the target database fails.
func (imp *importer) add(ctx context.Context, item agnodb.Item) error {
	rep := imp.report
	if item.Err != nil {
		rep.failed = append(rep.failed, item.Err.Error())
		return nil
	}
	s := item.Session
	for _, w := range item.Warnings {
		rep.warnings = append(rep.warnings, fmt.Sprintf("session %s: %s", s.ID, w))
	}
	if imp.dryRun {
		exists, err := imp.exists(ctx, s.ID)
		if err != nil {
			return err
		}
		if exists {
			return imp.compare(ctx, item)
		}
	} else {
		stored, err := imp.store.ImportSession(ctx, s, item.Runs)
		switch {
		case err != nil && isSessionError(err):
			rep.failed = append(rep.failed, fmt.Sprintf("session %s: %v", s.ID, err))
			return nil
		case err != nil:
			return fmt.Errorf("import session %s: %w", s.ID, err)
		case !stored:
			return imp.compare(ctx, item)
		}
	}
	rep.sessions[s.Type]++
	rep.runs[s.Type] += len(item.Runs)
	for _, left := range item.LeftOut {
		rep.leftOut = append(rep.leftOut, leftOutLine(s.ID, left))
	}
	return nil
}

// isSessionError reports whether err concerns one session's data rather
// than the target database, so the import can go on with the next one.
func isSessionError(err error) bool {
	switch agentos.ErrorCode(err) {
	case agentos.EINVALID, agentos.ECONFLICT:
		return true
	}
	return false
}

func (imp *importer) exists(ctx context.Context, id string) (bool, error) {
	if imp.store == nil {
		return false, nil
	}
	_, err := imp.store.GetSession(ctx, id, agentos.Scope{})
	switch {
	case err == nil:
		return true, nil
	case agentos.ErrorCode(err) == agentos.ENOTFOUND:
		return false, nil
	}
	return false, fmt.Errorf("look up session %s in the target: %w", id, err)
}

// compare records a session that exists in the target already, noting how
// it differs from the source.
func (imp *importer) compare(ctx context.Context, item agnodb.Item) error {
	diff, err := differences(ctx, imp.store, item)
	if err != nil {
		return err
	}
	if diff == "" {
		imp.report.unchanged++
		return nil
	}
	imp.report.differ = append(imp.report.differ,
		fmt.Sprintf("session %s: %s", item.Session.ID, diff))
	return nil
}

// differences describes how the stored session differs from the one read
// from agno, or returns "" when the target holds every run of the source
// and was not changed in agno after it was imported.
func differences(ctx context.Context, store agentos.SessionStore,
	item agnodb.Item) (string, error) {
	src := item.Session
	dst, err := store.GetSession(ctx, src.ID, agentos.Scope{})
	if err != nil {
		return "", fmt.Errorf("read session %s from the target: %w", src.ID, err)
	}
	var notes []string
	if dst.Type != src.Type || dst.ComponentID() != src.ComponentID() {
		notes = append(notes, fmt.Sprintf("here it is the %s session of %q, in agno the %s "+
			"session of %q", dst.Type, dst.ComponentID(), src.Type, src.ComponentID()))
	}
	if !sameOwner(dst.UserID, src.UserID) {
		notes = append(notes, fmt.Sprintf("here its user_id is %s, in agno %s",
			ownerText(dst.UserID), ownerText(src.UserID)))
	}
	runs, err := store.ListRuns(ctx, src.ID, agentos.RunFilter{})
	if err != nil {
		return "", fmt.Errorf("read the runs of session %s from the target: %w", src.ID, err)
	}
	have := make(map[string]bool, len(runs))
	for _, r := range runs {
		have[r.RunID] = true
	}
	missing := 0
	for _, r := range item.Runs {
		if !have[r.RunID] {
			missing++
		}
	}
	if missing > 0 {
		notes = append(notes, fmt.Sprintf("agno has %s that it lacks", plural(missing, "run")))
	} else if src.UpdatedAt > dst.UpdatedAt {
		notes = append(notes, fmt.Sprintf("agno changed it at %s, after its last change here",
			agentos.FormatTime(src.UpdatedAt)))
	}
	return strings.Join(notes, "; "), nil
}

func sameOwner(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func ownerText(owner *string) string {
	if owner == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *owner)
}

func leftOutLine(sessionID string, left agnodb.LeftOutRun) string {
	run := fmt.Sprintf("runs[%d]", left.Index)
	if left.RunID != "" {
		run += " (" + left.RunID + ")"
	}
	return fmt.Sprintf("session %s, %s: %s", sessionID, run, left.Reason)
}
