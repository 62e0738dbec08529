package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
)

// maxReportLines caps each list of the import report, so that importing a
// large damaged database prints a readable summary.
const maxReportLines = 20

// importReport tallies what an import did, for the summary it prints.
type importReport struct {
	sessions  map[agentos.SessionType]int // imported, by type
	runs      map[agentos.SessionType]int // imported, by session type
	unchanged int                         // skipped: present and the same
	differ    []string                    // skipped: present but different
	leftOut   []string                    // runs of imported sessions left out
	warnings  []string
	failed    []string
}

func newImportReport() *importReport {
	return &importReport{
		sessions: map[agentos.SessionType]int{},
		runs:     map[agentos.SessionType]int{},
	}
}

var sessionTypes = []agentos.SessionType{
	agentos.SessionTypeAgent, agentos.SessionTypeTeam, agentos.SessionTypeWorkflow,
}

func (rep *importReport) print(out io.Writer, source string, opts importOptions) {
	sessions, runs := 0, 0
	for _, t := range sessionTypes {
		sessions += rep.sessions[t]
		runs += rep.runs[t]
	}
	verb := "Imported"
	if opts.dryRun {
		verb = "Would import"
	}
	fmt.Fprintf(out, "%s %s with %s from %s", verb, plural(sessions, "session"),
		plural(runs, "run"), source)
	if !opts.dryRun {
		fmt.Fprintf(out, " into %s", describeDB(opts.db))
	}
	fmt.Fprintln(out)
	for _, t := range sessionTypes {
		fmt.Fprintf(out, "  %-9s %s, %s\n", t+":", plural(rep.sessions[t], "session"),
			plural(rep.runs[t], "run"))
	}

	if present := rep.unchanged + len(rep.differ); present > 0 {
		fmt.Fprintf(out, "Skipped %s already in the target: %d unchanged, %d different\n",
			plural(present, "session"), rep.unchanged, len(rep.differ))
		printLines(out, rep.differ)
		if len(rep.differ) > 0 {
			fmt.Fprintln(out, "  To import a different session again, delete it first "+
				"(agentos sessions delete ID).")
		}
	}

	if n := len(rep.leftOut); n > 0 {
		fmt.Fprintf(out, "Left out %s that agno does not load either:\n", plural(n, "run"))
		printLines(out, rep.leftOut)
	}
	for _, w := range firstLines(rep.warnings) {
		fmt.Fprintf(out, "Warning: %s\n", w)
	}
	if n := len(rep.warnings) - maxReportLines; n > 0 {
		fmt.Fprintf(out, "Warning: %s more\n", plural(n, "warning"))
	}
	if n := len(rep.failed); n > 0 {
		fmt.Fprintf(out, "Failed %s:\n", plural(n, "session"))
		printLines(out, rep.failed)
	}
}

// printLines prints up to maxReportLines lines indented, and how many more
// there are.
func printLines(out io.Writer, lines []string) {
	for _, line := range firstLines(lines) {
		fmt.Fprintf(out, "  %s\n", line)
	}
	if n := len(lines) - maxReportLines; n > 0 {
		fmt.Fprintf(out, "  and %d more\n", n)
	}
}

// firstLines returns at most maxReportLines of lines.
func firstLines(lines []string) []string {
	return lines[:min(len(lines), maxReportLines)]
}

// plural returns n followed by noun, with an s when n is not 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// progressInterval is how often the progress line is rewritten.
const progressInterval = time.Second

// progressMeter rewrites one line on a terminal with how many sessions
// were read so far. A meter without a writer does nothing.
type progressMeter struct {
	w       io.Writer
	total   int
	done    int
	now     func() time.Time
	next    time.Time
	printed bool
}

// newProgressMeter counts the sessions of reader when w is set, so the
// line can show the total.
func newProgressMeter(ctx context.Context, w io.Writer, reader *agnodb.Reader,
	now func() time.Time) (*progressMeter, error) {
	m := &progressMeter{w: w, now: now}
	if w == nil {
		return m, nil
	}
	total, err := reader.Count(ctx)
	if err != nil {
		return nil, err
	}
	m.total = total
	m.next = now().Add(progressInterval)
	return m, nil
}

// step counts one session and rewrites the line when progressInterval has
// passed since the last time.
func (m *progressMeter) step() {
	m.done++
	if m.w == nil || m.now().Before(m.next) {
		return
	}
	fmt.Fprintf(m.w, "\rRead %d of %d sessions", m.done, m.total)
	m.printed = true
	m.next = m.now().Add(progressInterval)
}

// clear erases the progress line, so the report starts on a clean line.
func (m *progressMeter) clear() {
	if m.printed {
		fmt.Fprint(m.w, "\r\033[K")
	}
}
