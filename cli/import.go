package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
	"github.com/spf13/cobra"
)

type importOptions struct {
	db     string
	table  string
	schema string
	dryRun bool
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

Sessions that already exist in the target database are skipped, so running the
import twice changes nothing. The source is only read.`,
		Example: `  agentos import agno tmp/agno.db
  agentos import agno --db tmp/app.db --dry-run tmp/agno.db
  agentos import agno postgres://ai:ai@localhost:5532/ai`,
		Args: exactArgs(1, "one source, a SQLite file or a PostgreSQL URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.db = resolveDB(opts.db, cmd.Flags().Changed("db"))
			return runImportAgno(cmd.Context(), streams.Out, args[0], opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.db, "db", defaultDBPath,
		"session database to import into: a SQLite file or a postgres:// URL (env "+envDB+")")
	f.StringVar(&opts.table, "table", agnodb.DefaultTable, "agno sessions table to read")
	f.StringVar(&opts.schema, "schema", agnodb.DefaultSchema,
		"PostgreSQL schema of the agno tables")
	f.BoolVar(&opts.dryRun, "dry-run", false, "read and check the source, write nothing")
	return cmd
}

// importCounts tallies an import for its report.
type importCounts struct {
	imported map[agentos.SessionType]int
	runs     int
	present  int
	skipRuns int
	failed   []string
}

func runImportAgno(ctx context.Context, out io.Writer, source string, opts importOptions) error {
	if !opts.dryRun && sameSQLiteFile(source, opts.db) {
		return usageErrorf("the agno database %s is also the target database (--db), and the "+
			"import would add agentos tables to it: import into another file, such as %s",
			source, defaultDBPath)
	}
	reader, err := agnodb.Open(ctx, source, agnodb.Options{Table: opts.table, Schema: opts.schema})
	if err != nil {
		return err
	}
	defer reader.Close()
	var store agentos.SessionStore
	if !opts.dryRun {
		store, err = openStore(ctx, opts.db)
		if err != nil {
			return err
		}
		defer store.Close()
	}
	counts := importCounts{imported: map[agentos.SessionType]int{}}
	err = reader.Each(ctx, func(item agnodb.Item) error {
		if item.Err != nil {
			counts.failed = append(counts.failed, item.Err.Error())
			return nil
		}
		counts.skipRuns += item.Skipped
		done := true
		if store != nil {
			var err error
			done, err = store.ImportSession(ctx, item.Session, item.Runs)
			if err != nil {
				return fmt.Errorf("import session %s: %w", item.Session.ID, err)
			}
		}
		if !done {
			counts.present++
			return nil
		}
		counts.imported[item.Session.Type]++
		counts.runs += len(item.Runs)
		return nil
	})
	if err != nil {
		return err
	}
	printImport(out, reader.Source(), opts, counts)
	if len(counts.failed) > 0 {
		return fmt.Errorf("%d sessions of %s could not be read", len(counts.failed),
			reader.Source())
	}
	return nil
}

func printImport(out io.Writer, source string, opts importOptions, c importCounts) {
	total := 0
	for _, n := range c.imported {
		total += n
	}
	verb := "Imported"
	if opts.dryRun {
		verb = "Would import"
	}
	fmt.Fprintf(out, "%s %d sessions with %d runs from %s", verb, total, c.runs, source)
	if !opts.dryRun {
		fmt.Fprintf(out, " into %s", describeDB(opts.db))
	}
	fmt.Fprintln(out)
	for _, t := range []agentos.SessionType{
		agentos.SessionTypeAgent, agentos.SessionTypeTeam, agentos.SessionTypeWorkflow,
	} {
		fmt.Fprintf(out, "  %-9s %d\n", t+":", c.imported[t])
	}
	if c.present > 0 {
		fmt.Fprintf(out, "Skipped %d sessions that already exist\n", c.present)
	}
	if c.skipRuns > 0 {
		fmt.Fprintf(out, "Left out %d runs that have no run_id\n", c.skipRuns)
	}
	for _, msg := range c.failed {
		fmt.Fprintf(out, "Failed: %s\n", msg)
	}
}

// sameSQLiteFile reports whether source and target name one existing SQLite
// file. target may carry the file: prefix that openStore accepts.
func sameSQLiteFile(source, target string) bool {
	if agnodb.IsPostgresURL(source) || isPostgresURL(target) {
		return false
	}
	a, err := os.Stat(source)
	if err != nil {
		return false
	}
	b, err := os.Stat(strings.TrimPrefix(target, "file:"))
	return err == nil && os.SameFile(a, b)
}
