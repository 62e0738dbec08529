package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/agentos-go/agentos/client"
)

// Environment variables read by the client commands.
const (
	envBaseURL     = "AGENTOS_BASE_URL"
	envSecurityKey = "OS_SECURITY_KEY"
)

// app holds what the client commands share: the streams, the global flags
// and how output is rendered.
type app struct {
	streams Streams

	baseURL     string
	securityKey string
	output      string // "table" or "json"
	timeout     time.Duration

	// terminal reports whether standard output is a terminal, which turns
	// on aligned tables, colour and prompts.
	terminal bool
	// interactive reports whether standard input is a terminal, so the
	// user can answer a confirmation prompt.
	interactive bool
	color       bool

	// newClient builds the API client. Tests replace it to add options.
	newClient func(opts ...client.Option) (*client.Client, error)
}

func newApp(streams Streams) *app {
	a := &app{
		streams:   streams,
		terminal:  isTerminal(streams.Out),
		newClient: client.New,
	}
	a.interactive = a.terminal && isTerminal(streams.In)
	a.color = a.terminal && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	return a
}

// isTerminal reports whether v is a file open on a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// addClientFlags adds the flags every client command accepts. They are
// persistent on each client command group rather than on the root, so the
// server commands keep their own flag sets.
func (a *app) addClientFlags(cmd *cobra.Command) {
	baseURL := os.Getenv(envBaseURL)
	if baseURL == "" {
		baseURL = client.DefaultBaseURL
	}
	flags := cmd.PersistentFlags()
	flags.StringVar(&a.baseURL, "base-url", baseURL,
		"AgentOS server URL (env "+envBaseURL+")")
	flags.StringVar(&a.securityKey, "security-key", "",
		"bearer token: the server's security key or a JWT (env "+envSecurityKey+")")
	flags.StringVarP(&a.output, "output", "o", "table", "output format: table or json")
	flags.DurationVar(&a.timeout, "timeout", client.DefaultTimeout,
		"time limit of each request; streams stop after this long without data")
}

// client returns an API client configured by the global flags.
func (a *app) client() (*client.Client, error) {
	if a.output != "table" && a.output != "json" {
		return nil, usageErrorf("invalid --output %q: use table or json", a.output)
	}
	opts := []client.Option{
		client.WithBaseURL(a.baseURL),
		client.WithTimeout(a.timeout),
		client.WithUserAgent("agentos-cli"),
	}
	if a.securityKey != "" {
		opts = append(opts, client.WithToken(a.securityKey))
	}
	c, err := a.newClient(opts...)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return c, nil
}

func (a *app) json() bool { return a.output == "json" }

// confirm prints a yes/no question on an interactive terminal and reports
// whether the user typed yes. Without a terminal it returns true, so
// scripts are not blocked.
func (a *app) confirm(question string) (bool, error) {
	if !a.interactive {
		return true, nil
	}
	fmt.Fprintf(a.streams.ErrOut, "%s [y/N] ", question)
	line, err := bufio.NewReader(a.streams.In).ReadString('\n')
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("read confirmation: %w", err)
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

// runGroup runs a command that only groups subcommands: it shows the help,
// or reports an unknown subcommand as a usage error.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{
			msg:  fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath()),
			hint: cmd.CommandPath(),
		}
	}
	return cmd.Help()
}

// completeSessionIDs completes the first argument with the ids of the
// newest sessions, described by their names.
func (a *app) completeSessionIDs(cmd *cobra.Command, args []string, toComplete string) (
	[]cobra.Completion, cobra.ShellCompDirective,
) {
	if len(args) > 0 && cmd.Name() != "delete" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c, err := a.client()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	page, err := c.ListSessions(cmd.Context(), &client.ListSessionsOptions{Limit: 100})
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, s := range page.Data {
		if strings.HasPrefix(s.SessionID, toComplete) {
			out = append(out, cobra.CompletionWithDesc(s.SessionID, s.SessionName))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeAgentIDs completes the first argument with the ids of the
// server's agents, described by their names.
func (a *app) completeAgentIDs(cmd *cobra.Command, args []string, toComplete string) (
	[]cobra.Completion, cobra.ShellCompDirective,
) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c, err := a.client()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	agents, err := c.ListAgents(cmd.Context())
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, ag := range agents {
		if strings.HasPrefix(ag.ID, toComplete) {
			out = append(out, cobra.CompletionWithDesc(ag.ID, ag.Name))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
