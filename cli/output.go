package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/agentos-go/agentos/client"
)

// ANSI styles used on a colour terminal.
const (
	styleBold   = "\x1b[1m"
	styleDim    = "\x1b[2m"
	styleRed    = "\x1b[31m"
	styleGreen  = "\x1b[32m"
	styleYellow = "\x1b[33m"
	styleCyan   = "\x1b[36m"
	styleReset  = "\x1b[0m"
)

// paint wraps text in an ANSI style when colour is on.
func (a *app) paint(style, text string) string {
	if !a.color || style == "" || text == "" {
		return text
	}
	return style + text + styleReset
}

// table renders rows as aligned columns with a header on a terminal, and
// as tab-separated values without a header otherwise, so that scripts can
// cut fields.
type table struct {
	app    *app
	header []string
	rows   [][]string
	// maxWidth caps the width of a column on a terminal; longer cells are
	// cut with an ellipsis. Zero means no cap.
	maxWidth []int
	// styles picks the ANSI style of a cell by column and text.
	styles []func(text string) string
}

func (a *app) newTable(header ...string) *table {
	return &table{
		app:      a,
		header:   header,
		maxWidth: make([]int, len(header)),
		styles:   make([]func(string) string, len(header)),
	}
}

func (t *table) add(cells ...string) {
	t.rows = append(t.rows, cells)
}

func (t *table) render(w io.Writer) error {
	var b strings.Builder
	if !t.app.terminal {
		for _, row := range t.rows {
			for i, cell := range row {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(escapeTSV(cell))
			}
			b.WriteByte('\n')
		}
		_, err := io.WriteString(w, b.String())
		return err
	}

	cells := make([][]string, 0, len(t.rows)+1)
	if len(t.header) > 0 && len(t.rows) > 0 {
		cells = append(cells, t.header)
	}
	for _, row := range t.rows {
		line := make([]string, len(row))
		for i, cell := range row {
			line[i] = oneLine(cell)
			if i < len(t.maxWidth) && t.maxWidth[i] > 0 {
				line[i] = truncate(line[i], t.maxWidth[i])
			}
		}
		cells = append(cells, line)
	}
	widths := make([]int, len(t.header))
	for _, row := range cells {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	for r, row := range cells {
		isHeader := r == 0 && len(t.header) > 0 && len(t.rows) > 0
		// Empty cells at the end of a row get no padding.
		for len(row) > 1 && row[len(row)-1] == "" {
			row = row[:len(row)-1]
		}
		for i, cell := range row {
			text := cell
			switch {
			case isHeader:
				text = t.app.paint(styleBold, text)
			case i < len(t.styles) && t.styles[i] != nil:
				text = t.app.paint(t.styles[i](cell), text)
			}
			b.WriteString(text)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeTSV keeps a value on one line and in one field. Backslashes are
// doubled, and other control characters are written as escapes such as
// \x1b, as escapeControls does.
func escapeTSV(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			writeEscaped(&b, r)
		}
	}
	return b.String()
}

// oneLine replaces line breaks and tabs with spaces and escapes the other
// control characters.
func oneLine(s string) string {
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return escapeControls(s, "")
}

// escapeControls writes the control characters of s, except those in keep,
// as Go escapes such as \x1b. Sessions, names and run contents come from any
// client of the server, and printed raw, an escape sequence in them could
// clear the screen, hide text or set the terminal title.
func escapeControls(s, keep string) string {
	isEscaped := func(r rune) bool { return unicode.IsControl(r) && !strings.ContainsRune(keep, r) }
	if !strings.ContainsFunc(s, isEscaped) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isEscaped(r) {
			writeEscaped(&b, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeEscaped writes r, or its \xNN escape when it is a control character.
// Control characters are U+0000 to U+001F and U+007F to U+009F, so two hex
// digits always suffice.
func writeEscaped(b *strings.Builder, r rune) {
	if unicode.IsControl(r) {
		fmt.Fprintf(b, `\x%02x`, r)
		return
	}
	b.WriteRune(r)
}

// displayWidth returns the number of terminal columns s takes, counting
// East Asian wide characters as two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// truncate cuts s to at most max columns, ending it with an ellipsis when
// it was cut.
func truncate(s string, max int) string {
	if displayWidth(s) <= max {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := displayWidth(string(r))
		if n+w > max-1 {
			break
		}
		b.WriteRune(r)
		n += w
	}
	return b.String() + "…"
}

// printJSON writes raw JSON indented by two spaces.
func (a *app) printJSON(raw []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	buf.WriteByte('\n')
	_, err := a.streams.Out.Write(buf.Bytes())
	return err
}

// printJSONList writes raw JSON values as one indented JSON array.
func (a *app) printJSONList(items []json.RawMessage) error {
	if items == nil {
		items = []json.RawMessage{}
	}
	raw, err := json.Marshal(items)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	return a.printJSON(raw)
}

// formatTime renders a time for tables: UTC in RFC 3339 form, or "" when
// absent.
func formatTime(t client.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// formatJSON renders a free-form JSON value on one line, or "" when absent.
func formatJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// statusStyle colours a run status.
func statusStyle(status string) string {
	switch status {
	case "COMPLETED":
		return styleGreen
	case "ERROR", "CANCELLED":
		return styleRed
	case "RUNNING", "PENDING", "PAUSED":
		return styleYellow
	}
	return ""
}

// preview returns the first line of s, cut to max characters.
func preview(s string, max int) string {
	s = oneLine(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return truncate(s, max)
}
