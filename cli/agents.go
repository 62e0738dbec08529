package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/agentos-go/agentos/client"
)

func newAgentsCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "agents",
		Aliases: []string{"agent"},
		Short:   "List the agents of an AgentOS server and run them",
		Example: `  agentos agents list
  agentos agents get assistant
  agentos agents run assistant "What causes tides?"`,
	}
	a.addClientFlags(cmd)
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = runGroup
	cmd.AddCommand(newAgentsListCommand(a), newAgentsGetCommand(a), newAgentsRunCommand(a))
	return cmd
}

func newAgentsListCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the agents the server hosts",
		Long: `List the agents the server hosts. When piped the output is tab-separated with
the columns id, name, model, provider and database id.`,
		Example: `  agentos agents list
  agentos agents list --output json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			agents, err := c.ListAgents(cmd.Context())
			if err != nil {
				return err
			}
			if a.json() {
				raws := make([]json.RawMessage, len(agents))
				for i, ag := range agents {
					raws[i] = ag.Raw
				}
				return a.printJSONList(raws)
			}
			if len(agents) == 0 {
				if a.terminal {
					fmt.Fprintln(a.streams.ErrOut, "No agents found.")
				}
				return nil
			}
			t := a.newTable("ID", "NAME", "MODEL", "PROVIDER", "DATABASE")
			t.styles[0] = func(string) string { return styleCyan }
			for _, ag := range agents {
				var model, provider string
				if ag.Model != nil {
					model, provider = ag.Model.Model, ag.Model.Provider
				}
				t.add(ag.ID, ag.Name, model, provider, ag.DBID)
			}
			return t.render(a.streams.Out)
		},
	}
}

func newAgentsGetCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "get AGENT_ID",
		Aliases: []string{"show"},
		Short:   "Show one agent's settings",
		Example: `  agentos agents get assistant
  agentos agents get assistant --output json`,
		Args:              exactArgs(1, "one agent id"),
		ValidArgsFunction: a.completeAgentIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			ag, err := c.GetAgent(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.json() {
				return a.printJSON(ag.Raw)
			}
			t := a.newTable()
			t.styles = []func(string) string{func(string) string { return styleBold }, nil}
			add := func(key, value string) {
				if value != "" {
					t.add(key, value)
				}
			}
			add("id", ag.ID)
			add("name", ag.Name)
			add("description", ag.Description)
			add("role", ag.Role)
			if ag.Model != nil {
				add("model", ag.Model.Model)
				add("provider", ag.Model.Provider)
			}
			add("database", ag.DBID)
			if s := ag.Sessions; s != nil {
				add("history", strconv.FormatBool(s.AddHistoryToContext))
				if s.NumHistoryRuns != nil {
					add("history runs", strconv.Itoa(*s.NumHistoryRuns))
				}
			}
			add("tools", formatJSON(ag.Tools))
			add("instructions", formatJSON(ag.SystemMessage))
			add("metadata", formatJSON(ag.Metadata))
			return t.render(a.streams.Out)
		},
	}
}

// runFlags are the run inputs shared by agents run and chat.
type runFlags struct {
	sessionID    string
	userID       string
	state        string
	dependencies string
	metadata     string
	noHistory    bool
}

func (f *runFlags) add(cmd *cobra.Command) {
	flags := cmd.Flags()
	flags.StringVar(&f.sessionID, "session-id", "", "continue this session")
	flags.StringVar(&f.userID, "user", "", "user id the run belongs to")
	flags.StringVar(&f.state, "state", "", "session state for the run, a JSON object")
	flags.StringVar(&f.dependencies, "dependencies", "", "run dependencies, a JSON object")
	flags.StringVar(&f.metadata, "metadata", "", "run metadata, a JSON object")
	flags.BoolVar(&f.noHistory, "no-history", false, "do not send earlier runs to the model")
}

func (f *runFlags) request(message string) (*client.RunRequest, error) {
	in := &client.RunRequest{Message: message, SessionID: f.sessionID, UserID: f.userID}
	for _, field := range []struct {
		name  string
		value string
		dest  *any
	}{
		{"state", f.state, &in.SessionState},
		{"dependencies", f.dependencies, &in.Dependencies},
		{"metadata", f.metadata, &in.Metadata},
	} {
		raw, err := jsonObjectFlag(field.name, field.value)
		if err != nil {
			return nil, err
		}
		if raw != nil {
			*field.dest = raw
		}
	}
	if f.noHistory {
		in.Fields = map[string]any{"add_history_to_context": false}
	}
	return in, nil
}

func newAgentsRunCommand(a *app) *cobra.Command {
	var (
		flags    runFlags
		noStream bool
	)
	cmd := &cobra.Command{
		Use:   "run AGENT_ID MESSAGE",
		Short: "Run an agent once and print its answer",
		Long: `Run an agent with one message and print the answer as it arrives. Without
--session-id the run starts a new session; its id is printed on standard
error after the answer. With --output json the run record is printed, or,
when streaming, one event per line.`,
		Example: `  agentos agents run assistant "What causes tides?"
  agentos agents run assistant "And in the Baltic?" --session-id rec-chat
  agentos agents run assistant "Hello" --no-stream --output json`,
		Args:              exactArgs(2, "an agent id and a message"),
		ValidArgsFunction: a.completeAgentIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := flags.request(args[1])
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			if noStream {
				run, err := c.RunAgent(cmd.Context(), args[0], in)
				if err != nil {
					return err
				}
				return a.printRunOutput(run)
			}
			run, err := a.streamRun(cmd, c, args[0], in, a.streams.Out)
			if err != nil {
				return err
			}
			if !a.json() {
				fmt.Fprintf(a.streams.ErrOut, "[session_id: %s] [run_id: %s]\n",
					run.sessionID, run.runID)
			}
			return run.err
		},
	}
	flags.add(cmd)
	cmd.Flags().BoolVar(&noStream, "no-stream", false, "wait for the whole answer")
	return cmd
}

func (a *app) printRunOutput(run *client.RunOutput) error {
	if a.json() {
		return a.printJSON(run.Raw)
	}
	fmt.Fprintln(a.streams.Out, run.Content.String())
	tokens := ""
	if run.Metrics != nil && run.Metrics.TotalTokens > 0 {
		tokens = fmt.Sprintf(" [tokens: %d]", run.Metrics.TotalTokens)
	}
	fmt.Fprintf(a.streams.ErrOut, "[session_id: %s] [run_id: %s]%s\n",
		run.SessionID, run.RunID, tokens)
	if run.Status == "ERROR" {
		return &exitError{code: ExitError, err: errors.New("the run failed")}
	}
	return nil
}

// streamedRun is the outcome of a streamed run.
type streamedRun struct {
	runID     string
	sessionID string
	content   string
	err       error // a RunError event or a cancellation, reported after the output
}

// streamRun runs an agent with streaming and writes content deltas to w as
// they arrive, followed by a newline. With --output json it writes each
// event's JSON on its own line instead.
func (a *app) streamRun(
	cmd *cobra.Command, c *client.Client, agentID string, in *client.RunRequest, w io.Writer,
) (*streamedRun, error) {
	run := &streamedRun{sessionID: in.SessionID}
	wrote := false
	for ev, err := range c.RunAgentStream(cmd.Context(), agentID, in) {
		if err != nil {
			if wrote && !a.json() {
				fmt.Fprintln(w)
			}
			return nil, err
		}
		if ev.RunID != "" {
			run.runID = ev.RunID
		}
		if ev.SessionID != "" {
			run.sessionID = ev.SessionID
		}
		if a.json() {
			fmt.Fprintf(w, "%s\n", formatJSON(ev.Raw))
			continue
		}
		switch ev.Type {
		case client.EventRunContent:
			text := ev.Content.String()
			run.content += text
			if text != "" {
				fmt.Fprint(w, text)
				wrote = true
			}
		case client.EventRunCompleted:
			// Runs without RunContent deltas deliver their whole content here.
			if !wrote && !ev.Content.IsZero() {
				run.content = ev.Content.String()
				fmt.Fprint(w, run.content)
				wrote = true
			}
		case client.EventRunError:
			run.err = fmt.Errorf("the run failed: %s", ev.Content.String())
		case client.EventRunCancelled:
			run.err = fmt.Errorf("the run was cancelled: %s", ev.Reason)
		}
	}
	if !a.json() {
		fmt.Fprintln(w)
	}
	return run, nil
}
