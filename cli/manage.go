package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/client"
)

// manage-sessions replays the command line of manage_sessions.py, the
// session script of agno's AgentOS cookbook: the same flags, defaults,
// mode precedence, output and exit statuses. Its arguments are parsed the
// way Python's argparse parses them, so the script's invocations work
// unchanged.

const manageProg = "agentos manage-sessions"

// manageFlags are the script's flags. Empty strings count as absent, as
// the script tests each value for truthiness.
type manageFlags struct {
	baseURL   string
	sessionID string
	agentID   string
	userID    string
	limit     int
	showRuns  bool
	create    bool
	rename    string
	name      string
	delete    bool
}

// manageOption is one flag as argparse declares it.
type manageOption struct {
	name    string // long name with dashes
	metavar string // "" for switches
	set     func(f *manageFlags, value string) error
}

var manageOptions = []manageOption{
	{"--base-url", "BASE_URL", func(f *manageFlags, v string) error { f.baseURL = v; return nil }},
	{"--session-id", "SESSION_ID",
		func(f *manageFlags, v string) error { f.sessionID = v; return nil }},
	{"--agent-id", "AGENT_ID", func(f *manageFlags, v string) error { f.agentID = v; return nil }},
	{"--user-id", "USER_ID", func(f *manageFlags, v string) error { f.userID = v; return nil }},
	{"--limit", "LIMIT", func(f *manageFlags, v string) error {
		n, err := parsePythonInt(v)
		if err != nil {
			return fmt.Errorf("invalid int value: '%s'", v)
		}
		f.limit = n
		return nil
	}},
	{"--show-runs", "", func(f *manageFlags, _ string) error { f.showRuns = true; return nil }},
	{"--create", "", func(f *manageFlags, _ string) error { f.create = true; return nil }},
	{"--rename", "NAME", func(f *manageFlags, v string) error { f.rename = v; return nil }},
	{"--name", "NAME", func(f *manageFlags, v string) error { f.name = v; return nil }},
	{"--delete", "", func(f *manageFlags, _ string) error { f.delete = true; return nil }},
}

// parsePythonInt parses an integer as Python's int() does for argparse:
// surrounding spaces, a sign and underscores between digits are allowed.
func parsePythonInt(s string) (int, error) {
	s = strings.TrimSpace(s)
	digits := strings.TrimLeft(s, "+-")
	if digits == "" || strings.HasPrefix(digits, "_") || strings.HasSuffix(digits, "_") ||
		strings.Contains(digits, "__") || len(s)-len(digits) > 1 {
		return 0, fmt.Errorf("invalid integer %q", s)
	}
	return strconv.Atoi(strings.ReplaceAll(s, "_", ""))
}

const manageHelpBody = `
Manage sessions via AgentOS API

options:
  -h, --help            show this help message and exit
  --base-url BASE_URL   AgentOS server URL (default: http://localhost:7777)
  --session-id SESSION_ID
                        Session ID to inspect, rename, or delete
  --agent-id AGENT_ID   Filter sessions by agent ID
  --user-id USER_ID     Filter sessions by user ID
  --limit LIMIT         Max sessions to list (default: 20)
  --show-runs           Show runs for the given --session-id
  --create              Create a new session (requires --agent-id)
  --rename NAME         Rename the session (requires --session-id)
  --name NAME           Session name (for --create)
  --delete              Delete the session (requires --session-id)
`

// manageUsage returns the usage lines as argparse wraps them for a
// 80-column terminal: parts are filled up to column 78 and continuation
// lines are indented past the program name.
func manageUsage() string {
	return usageFor(manageProg)
}

// usageFor returns the usage lines for the program name prog.
func usageFor(prog string) string {
	const textWidth = 78
	parts := []string{"[-h]"}
	for _, opt := range manageOptions {
		if opt.metavar == "" {
			parts = append(parts, "["+opt.name+"]")
		} else {
			parts = append(parts, "["+opt.name+" "+opt.metavar+"]")
		}
	}
	prefix := "usage: "
	indent := strings.Repeat(" ", len(prefix)+len(prog)+1)
	var lines []string
	line := []string{prog}
	lineLen := len(prefix) - 1 + 1 + len(prog)
	for _, part := range parts {
		if lineLen+1+len(part) > textWidth {
			lines = append(lines, strings.Join(line, " "))
			line, lineLen = nil, len(indent)-1
		}
		line = append(line, part)
		lineLen += len(part) + 1
	}
	lines = append(lines, strings.Join(line, " "))
	return prefix + strings.Join(lines, "\n"+indent) + "\n"
}

// manageUsageError reports an argument error as argparse does, with exit
// status 2.
func manageUsageError(w io.Writer, msg string) error {
	fmt.Fprintf(w, "%s%s: error: %s\n", manageUsage(), manageProg, msg)
	return &exitError{code: 2}
}

// parseManageArgs parses args as argparse parses the script's arguments:
// "--flag value" and "--flag=value", unambiguous prefixes of long flags,
// and -h or --help at any point before an error. It returns done=true when
// help was printed.
func parseManageArgs(args []string, out, errOut io.Writer) (f manageFlags, done bool, err error) {
	f = manageFlags{baseURL: client.DefaultBaseURL, limit: 20}
	var extras []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			extras = append(extras, args[i+1:]...)
			break
		}
		if arg == "-h" {
			fmt.Fprint(out, manageUsage()+manageHelpBody)
			return f, true, nil
		}
		if !strings.HasPrefix(arg, "--") || arg == "--" {
			extras = append(extras, arg)
			continue
		}
		name, value, hasValue := strings.Cut(arg, "=")
		resolved, err := resolveManageFlag(name)
		if err != nil {
			return f, false, manageUsageError(errOut, err.Error())
		}
		if resolved == "" {
			extras = append(extras, arg)
			continue
		}
		if resolved == "--help" {
			if hasValue {
				return f, false, manageUsageError(errOut,
					fmt.Sprintf("argument -h/--help: ignored explicit argument '%s'", value))
			}
			fmt.Fprint(out, manageUsage()+manageHelpBody)
			return f, true, nil
		}
		opt := manageOptionNamed(resolved)
		if opt.metavar == "" {
			if hasValue {
				return f, false, manageUsageError(errOut,
					fmt.Sprintf("argument %s: ignored explicit argument '%s'", opt.name, value))
			}
			_ = opt.set(&f, "")
			continue
		}
		if !hasValue {
			next := ""
			if i+1 < len(args) {
				next = args[i+1]
			}
			if i+1 >= len(args) || (strings.HasPrefix(next, "-") && next != "-" &&
				!looksNegativeNumber(next)) {
				return f, false, manageUsageError(errOut,
					fmt.Sprintf("argument %s: expected one argument", opt.name))
			}
			i++
			value = next
		}
		if err := opt.set(&f, value); err != nil {
			return f, false, manageUsageError(errOut, fmt.Sprintf("argument %s: %v", opt.name, err))
		}
	}
	if len(extras) > 0 {
		return f, false, manageUsageError(errOut,
			"unrecognized arguments: "+strings.Join(extras, " "))
	}
	return f, false, nil
}

// resolveManageFlag returns the flag that name selects, exactly or as a
// unique prefix, "" for an unknown name, and an error for an ambiguous
// prefix.
func resolveManageFlag(name string) (string, error) {
	names := []string{"--help"}
	for _, opt := range manageOptions {
		names = append(names, opt.name)
	}
	var matches []string
	for _, candidate := range names {
		if candidate == name {
			return candidate, nil
		}
		if strings.HasPrefix(candidate, name) {
			matches = append(matches, candidate)
		}
	}
	switch len(matches) {
	case 0:
		return "", nil
	case 1:
		return matches[0], nil
	}
	return "", fmt.Errorf("ambiguous option: %s could match %s", name, strings.Join(matches, ", "))
}

func manageOptionNamed(name string) *manageOption {
	for i := range manageOptions {
		if manageOptions[i].name == name {
			return &manageOptions[i]
		}
	}
	return nil
}

// looksNegativeNumber reports whether argparse would read s as a negative
// number rather than a flag.
func looksNegativeNumber(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	_, err := strconv.ParseFloat(s[1:], 64)
	return err == nil && (s[1] >= '0' && s[1] <= '9' || s[1] == '.')
}

func newManageSessionsCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "manage-sessions [flags]",
		Short: "Run manage_sessions.py from agno's cookbook, with the same flags and output",
		Long: `A drop-in replacement for manage_sessions.py from agno's AgentOS cookbook: the
same flags, defaults, mode precedence, output text and exit statuses. Where
the script prints a Python traceback, this prints one line with the HTTP
status and detail, and exits with status 1. Run 'agentos manage-sessions -h'
for the script's own help text.`,
		Example: `  agentos manage-sessions --base-url http://127.0.0.1:7777
  agentos manage-sessions --agent-id assistant --limit 5
  agentos manage-sessions --session-id rec-chat --show-runs
  agentos manage-sessions --create --agent-id assistant --user-id alice --name "Research Chat"
  agentos manage-sessions --session-id rec-chat --rename "New Name"
  agentos manage-sessions --session-id rec-chat --delete`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, done, err := parseManageArgs(args, a.streams.Out, a.streams.ErrOut)
			if err != nil || done {
				return err
			}
			return a.manageSessions(cmd.Context(), &f)
		},
	}
}

// manageSessions runs the selected mode. Failures print one line on
// standard error and exit with status 1, as the script's tracebacks do.
func (a *app) manageSessions(ctx context.Context, f *manageFlags) error {
	out, errOut := a.streams.Out, a.streams.ErrOut
	switch {
	case f.create && f.agentID == "":
		fmt.Fprintln(errOut, "--create requires --agent-id")
		return &exitError{code: 1}
	case !f.create && f.delete && f.sessionID == "":
		fmt.Fprintln(errOut, "--delete requires --session-id")
		return &exitError{code: 1}
	case !f.create && !f.delete && f.rename != "" && f.sessionID == "":
		fmt.Fprintln(errOut, "--rename requires --session-id")
		return &exitError{code: 1}
	}

	c, err := a.newClient(client.WithBaseURL(f.baseURL), client.WithUserAgent("agentos-cli"))
	if err != nil {
		fmt.Fprintf(errOut, "error: %v\n", err)
		return &exitError{code: 1}
	}
	switch {
	case f.create:
		err = manageCreate(ctx, c, f, out)
	case f.delete:
		err = c.DeleteSession(ctx, f.sessionID, nil)
		if err == nil {
			fmt.Fprintf(out, "Deleted session: %s\n", f.sessionID)
		}
	case f.rename != "":
		var s *client.SessionDetail
		s, err = c.RenameSession(ctx, f.sessionID, f.rename, nil)
		if err == nil {
			fmt.Fprintf(out, "Renamed session %s to: %s\n", f.sessionID, s.SessionName)
		}
	case f.sessionID != "" && f.showRuns:
		err = manageRuns(ctx, c, f.sessionID, out)
	case f.sessionID != "":
		err = manageDetails(ctx, c, f.sessionID, out)
	default:
		err = manageList(ctx, c, f, out)
	}
	if err != nil {
		fmt.Fprintf(errOut, "error: %v\n", err)
		return &exitError{code: 1}
	}
	return nil
}

func manageList(ctx context.Context, c *client.Client, f *manageFlags, out io.Writer) error {
	opts := &client.ListSessionsOptions{ComponentID: f.agentID, UserID: f.userID, Limit: f.limit}
	var ropts []client.RequestOption
	if f.limit == 0 {
		// The client reads a zero limit as its default of 20. The script
		// sends 0, which agno rejects, so send it as given.
		ropts = append(ropts, func(r *http.Request) {
			q := r.URL.Query()
			q.Set("limit", "0")
			r.URL.RawQuery = q.Encode()
		})
	}
	page, err := c.ListSessions(ctx, opts, ropts...)
	if err != nil {
		return err
	}
	if len(page.Data) == 0 {
		fmt.Fprintln(out, "No sessions found")
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Found %d session(s):\n\n", len(page.Data))
	for _, s := range page.Data {
		name := s.SessionName
		if name == "" {
			name = "Unnamed"
		}
		fmt.Fprintf(&b, "  %s\n    name: %s\n    created: %s\n\n",
			s.SessionID, name, pythonTime(s.CreatedAt))
	}
	_, err = io.WriteString(out, b.String())
	return err
}

// pythonTime renders t as Python's str() renders an aware datetime:
// "2026-03-01 09:15:42+00:00", with microseconds only when not zero.
func pythonTime(t client.Time) string {
	if t.IsZero() {
		return "None"
	}
	layout := "2006-01-02 15:04:05-07:00"
	if t.Nanosecond()/1000 != 0 {
		layout = "2006-01-02 15:04:05.000000-07:00"
	}
	return t.Format(layout)
}

func manageRuns(ctx context.Context, c *client.Client, id string, out io.Writer) error {
	runs, err := c.ListSessionRuns(ctx, id, nil)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintf(out, "No runs found for session %s\n", id)
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Session %s \u2014 %d run(s):\n\n", id, len(runs))
	for _, r := range runs {
		fmt.Fprintf(&b, "  [%s]\n    %s\n\n", r.RunID, runPreview(r.Content))
	}
	_, err = io.WriteString(out, b.String())
	return err
}

// runPreview renders content as the script does: Python's text form of
// the value, empty for null, cut to 120 characters with "..." appended.
func runPreview(content client.Content) string {
	text := ""
	switch {
	case content.IsZero():
	case content.IsString():
		text = content.String()
	default:
		text = agentos.PythonRepr(content.Raw)
	}
	if utf8.RuneCountInString(text) > 120 {
		runes := []rune(text)
		text = string(runes[:120]) + "..."
	}
	return text
}

func manageDetails(ctx context.Context, c *client.Client, id string, out io.Writer) error {
	s, err := c.GetSession(ctx, id, nil)
	if err != nil {
		return err
	}
	agent := pythonString(s.AgentID)
	if s.SessionType == client.SessionTypeTeam || s.SessionType == client.SessionTypeWorkflow {
		agent = "N/A"
	}
	state := "None"
	if s.SessionState != nil {
		state = agentos.PythonRepr(s.SessionState)
	}
	_, err = fmt.Fprintf(out, "Session: %s\n  name: %s\n  agent: %s\n  user: %s\n  state: %s\n",
		s.SessionID, s.SessionName, agent, pythonString(s.UserID), state)
	return err
}

// pythonString renders an optional string as Python prints it: None when
// absent.
func pythonString(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

func manageCreate(ctx context.Context, c *client.Client, f *manageFlags, out io.Writer) error {
	s, err := c.CreateSession(ctx, &client.CreateSessionRequest{
		Type: client.SessionTypeAgent, AgentID: f.agentID, UserID: f.userID, SessionName: f.name,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Created session: %s\n", s.SessionID)
	if s.SessionName != "" {
		fmt.Fprintf(out, "  name: %s\n", s.SessionName)
	}
	return nil
}
