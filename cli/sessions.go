package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentos-go/agentos/client"
)

func newSessionsCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "sessions",
		Aliases: []string{"session"},
		Short:   "List, inspect and change the sessions of an AgentOS server",
		Long: `Manage the sessions of an AgentOS server: agentos itself or agno's Python
AgentOS. A session is one conversation with an agent, team or workflow,
kept with all its runs.`,
		Example: `  agentos sessions list --agent assistant
  agentos sessions create --agent assistant --name "Trip planning"
  agentos sessions get 5b0e0f8e-1c43-4a7e-9e0c-2f6a9d1c4b10
  agentos sessions delete 5b0e0f8e-1c43-4a7e-9e0c-2f6a9d1c4b10 --yes`,
	}
	a.addClientFlags(cmd)
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = runGroup
	cmd.AddCommand(
		newSessionsListCommand(a),
		newSessionsGetCommand(a),
		newSessionsRunsCommand(a),
		newSessionsRunCommand(a),
		newSessionsCreateCommand(a),
		newSessionsRenameCommand(a),
		newSessionsUpdateCommand(a),
		newSessionsClearCommand(a),
		newSessionsDeleteCommand(a),
	)
	return cmd
}

// sessionScopeFlags are the query flags shared by the commands that work
// on one session.
type sessionScopeFlags struct {
	typ    string
	userID string
	dbID   string
	table  string
}

func (f *sessionScopeFlags) add(cmd *cobra.Command, withType bool) {
	if withType {
		cmd.Flags().StringVar(&f.typ, "type", "",
			"session type: agent, team or workflow (detected when not given)")
	}
	cmd.Flags().StringVar(&f.userID, "user", "", "act only on sessions of this user id")
	cmd.Flags().StringVar(&f.dbID, "db-id", "", "database id, needed when the server has several")
	cmd.Flags().StringVar(&f.table, "table", "", "sessions table name (needs --db-id)")
}

func (f *sessionScopeFlags) options() (*client.SessionOptions, error) {
	if err := checkSessionType(f.typ); err != nil {
		return nil, err
	}
	return &client.SessionOptions{Type: f.typ, UserID: f.userID, DBID: f.dbID, Table: f.table}, nil
}

func checkSessionType(typ string) error {
	switch typ {
	case "", client.SessionTypeAgent, client.SessionTypeTeam, client.SessionTypeWorkflow:
		return nil
	}
	return usageErrorf("invalid --type %q: use agent, team or workflow", typ)
}

// exactArgs returns an argument check that reports a usage error naming
// the expected arguments.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &usageError{
				msg: fmt.Sprintf("%s expects %s, got %d arguments",
					cmd.CommandPath(), names, len(args)),
				hint: cmd.CommandPath(),
			}
		}
		return nil
	}
}

func newSessionsListCommand(a *app) *cobra.Command {
	var (
		opts       client.ListSessionsOptions
		agent      string
		team       string
		workflow   string
		all        bool
		sortOrder  string
		ascending  bool
		descending bool
	)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List sessions, newest first",
		Long: `List sessions, newest first, one page at a time (20 by default).

On a terminal the output is an aligned table. When piped it is
tab-separated, one session per line, with the columns id, name, type,
component, user, total tokens and update time.`,
		Example: `  agentos sessions list
  agentos sessions list --agent assistant --user alice@example.com
  agentos sessions list --type team --sort-by updated_at --asc
  agentos sessions list --name trip --all --output json
  agentos sessions list --limit 50 --page 2`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSessionType(opts.Type); err != nil {
				return err
			}
			components := 0
			for typ, id := range map[string]string{
				client.SessionTypeAgent: agent, client.SessionTypeTeam: team,
				client.SessionTypeWorkflow: workflow,
			} {
				if id == "" {
					continue
				}
				components++
				if opts.Type != "" && opts.Type != typ {
					return usageErrorf("--%s contradicts --type %s", typ, opts.Type)
				}
				opts.Type, opts.ComponentID = typ, id
			}
			if components > 1 {
				return usageErrorf("give at most one of --agent, --team and --workflow")
			}
			switch {
			case ascending && descending:
				return usageErrorf("give at most one of --asc and --desc")
			case ascending:
				sortOrder = "asc"
			case descending:
				sortOrder = "desc"
			}
			if sortOrder != "asc" && sortOrder != "desc" {
				return usageErrorf("invalid --sort-order %q: use asc or desc", sortOrder)
			}
			opts.SortOrder = sortOrder
			if opts.Limit < 1 {
				return usageErrorf("invalid --limit %d: use 1 or more", opts.Limit)
			}
			if opts.Page < 1 {
				return usageErrorf("invalid --page %d: use 1 or more", opts.Page)
			}
			return a.listSessions(cmd, &opts, all)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&agent, "agent", "", "only sessions of this agent id")
	flags.StringVar(&team, "team", "", "only sessions of this team id")
	flags.StringVar(&workflow, "workflow", "", "only sessions of this workflow id")
	flags.StringVar(&opts.ComponentID, "component", "",
		"only sessions of this agent, team or workflow id")
	flags.StringVar(&opts.Type, "type", "", "only sessions of this type: agent, team or workflow")
	flags.StringVar(&opts.UserID, "user", "", "only sessions of this user id")
	flags.StringVar(&opts.SessionName, "name", "", "only sessions whose name contains this text")
	flags.StringVar(&opts.SortBy, "sort-by", "created_at",
		"sort field: created_at, updated_at, session_id, session_type, agent_id, team_id, "+
			"workflow_id or user_id")
	flags.StringVar(&sortOrder, "sort-order", "desc", "sort order: asc or desc")
	flags.BoolVar(&ascending, "asc", false, "sort in ascending order (same as --sort-order asc)")
	flags.BoolVar(&descending, "desc", false, "sort in descending order (the default)")
	flags.IntVar(&opts.Limit, "limit", 20, "sessions per page")
	flags.IntVar(&opts.Page, "page", 1, "page to show, from 1")
	flags.BoolVar(&all, "all", false, "follow every page from --page on")
	flags.StringVar(&opts.DBID, "db-id", "", "database id, needed when the server has several")
	flags.StringVar(&opts.Table, "table", "", "sessions table name (needs --db-id)")
	return cmd
}

func (a *app) listSessions(cmd *cobra.Command, opts *client.ListSessionsOptions, all bool) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	var (
		sessions []*client.Session
		meta     *client.PageMeta
	)
	if all {
		for s, err := range c.AllSessions(ctx, opts) {
			if err != nil {
				return err
			}
			sessions = append(sessions, s)
		}
	} else {
		page, err := c.ListSessions(ctx, opts)
		if err != nil {
			return err
		}
		sessions, meta = page.Data, &page.Meta
	}

	if a.json() {
		raws := make([]json.RawMessage, len(sessions))
		for i, s := range sessions {
			raws[i] = s.Raw
		}
		return a.printJSONList(raws)
	}
	if len(sessions) == 0 {
		if a.terminal {
			fmt.Fprintln(a.streams.ErrOut, "No sessions found.")
		}
		return nil
	}
	t := a.newTable("ID", "NAME", "TYPE", "COMPONENT", "USER", "TOKENS", "UPDATED")
	t.maxWidth[1] = 40
	t.styles[0] = func(string) string { return styleCyan }
	t.styles[6] = func(string) string { return styleDim }
	for _, s := range sessions {
		updated := s.UpdatedAt
		if updated.IsZero() {
			updated = s.CreatedAt
		}
		tokens := ""
		if s.TotalTokens > 0 {
			tokens = strconv.FormatInt(s.TotalTokens, 10)
		}
		t.add(s.SessionID, s.SessionName, s.SessionType, s.ComponentID(), s.UserID, tokens,
			formatTime(updated))
	}
	if err := t.render(a.streams.Out); err != nil {
		return err
	}
	if a.terminal && meta != nil && meta.TotalPages > meta.Page {
		fmt.Fprintf(a.streams.ErrOut, "Page %d of %d, %d sessions in all. "+
			"Use --page %d for the next page or --all for every page.\n",
			meta.Page, meta.TotalPages, meta.TotalCount, meta.Page+1)
	}
	return nil
}

func newSessionsGetCommand(a *app) *cobra.Command {
	var scope sessionScopeFlags
	cmd := &cobra.Command{
		Use:     "get SESSION_ID",
		Aliases: []string{"show"},
		Short:   "Show one session with its chat history",
		Example: `  agentos sessions get 5b0e0f8e-1c43-4a7e-9e0c-2f6a9d1c4b10
  agentos sessions get rec-chat --output json`,
		Args:              exactArgs(1, "one session id"),
		ValidArgsFunction: a.completeSessionIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := scope.options()
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			s, err := c.GetSession(cmd.Context(), args[0], opts)
			if err != nil {
				return err
			}
			return a.printSession(s, true)
		},
	}
	scope.add(cmd, true)
	return cmd
}

// printSession writes a session as fields, then its chat history when
// history is true.
func (a *app) printSession(s *client.SessionDetail, history bool) error {
	if a.json() {
		return a.printJSON(s.Raw)
	}
	t := a.newTable()
	t.styles = []func(string) string{func(string) string { return styleBold }, nil}
	add := func(key, value string) {
		if value != "" {
			t.add(key, value)
		}
	}
	t.add("id", s.SessionID)
	t.add("name", s.SessionName)
	add("type", s.SessionType)
	add("component", s.ComponentID())
	add("user", s.UserID)
	add("created", formatTime(s.CreatedAt))
	add("updated", formatTime(s.UpdatedAt))
	if s.TotalTokens > 0 {
		add("tokens", strconv.FormatInt(s.TotalTokens, 10))
	}
	add("state", formatJSON(s.SessionState))
	add("metadata", formatJSON(s.Metadata))
	if s.SessionSummary != nil {
		add("summary", s.SessionSummary.Summary)
	}
	if !a.terminal {
		return t.render(a.streams.Out)
	}
	if err := t.render(a.streams.Out); err != nil {
		return err
	}
	if !history || len(s.ChatHistory) == 0 {
		return nil
	}
	fmt.Fprintf(a.streams.Out, "\n%s\n", a.paint(styleBold,
		fmt.Sprintf("Chat history (%d messages)", len(s.ChatHistory))))
	for _, m := range s.ChatHistory {
		role := a.paint(styleCyan, m.Role+":")
		fmt.Fprintf(a.streams.Out, "%s %s\n", role, escapeControls(m.Content.String(), "\n\t"))
	}
	return nil
}

func newSessionsRunsCommand(a *app) *cobra.Command {
	var (
		scope         sessionScopeFlags
		latestFirst   bool
		createdAfter  string
		createdBefore string
	)
	cmd := &cobra.Command{
		Use:   "runs SESSION_ID",
		Short: "List the runs of a session, oldest first",
		Long: `List the runs of a session, oldest first. --created-after and
--created-before take Unix seconds or an ISO 8601 time such as 2026-03-01
or 2026-03-01T09:15:00Z, and include runs created at that second.

When piped the output is tab-separated, one run per line, with the columns
run id, status, creation time, total tokens, input and content.`,
		Example: `  agentos sessions runs rec-chat
  agentos sessions runs rec-chat --latest-first --created-after 2026-03-01
  agentos sessions runs rec-chat --created-before 1772356542 --output json`,
		Args:              exactArgs(1, "one session id"),
		ValidArgsFunction: a.completeSessionIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			sessionOpts, err := scope.options()
			if err != nil {
				return err
			}
			opts := &client.ListRunsOptions{SessionOptions: *sessionOpts}
			if opts.CreatedAfter, err = parseTimeFlag("created-after", createdAfter); err != nil {
				return err
			}
			opts.CreatedBefore, err = parseTimeFlag("created-before", createdBefore)
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			runs, err := c.ListSessionRuns(cmd.Context(), args[0], opts)
			if err != nil {
				return err
			}
			if latestFirst {
				slices.Reverse(runs)
			}
			return a.printRuns(runs)
		},
	}
	scope.add(cmd, true)
	flags := cmd.Flags()
	flags.BoolVar(&latestFirst, "latest-first", false, "list the newest run first")
	flags.StringVar(&createdAfter, "created-after", "",
		"only runs created at or after this time (Unix seconds or ISO 8601)")
	flags.StringVar(&createdBefore, "created-before", "",
		"only runs created at or before this time (Unix seconds or ISO 8601)")
	return cmd
}

// parseTimeFlag reads a time given as Unix seconds or in ISO 8601 form.
// A time without an offset is UTC.
func parseTimeFlag(name, value string) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	if sec, err := strconv.ParseInt(value, 10, 64); err == nil {
		return time.Unix(sec, 0), nil
	}
	if t, err := time.Parse("2006-01-02", value); err == nil {
		return t, nil
	}
	if t, err := client.ParseTime(value); err == nil {
		return t, nil
	}
	return time.Time{}, usageErrorf("invalid --%s %q: use Unix seconds or an ISO 8601 time "+
		"such as 2026-03-01T09:15:00Z", name, value)
}

func (a *app) printRuns(runs []*client.RunView) error {
	if a.json() {
		raws := make([]json.RawMessage, len(runs))
		for i, r := range runs {
			raws[i] = r.Raw
		}
		return a.printJSONList(raws)
	}
	if len(runs) == 0 {
		if a.terminal {
			fmt.Fprintln(a.streams.ErrOut, "No runs found.")
		}
		return nil
	}
	t := a.newTable("RUN ID", "STATUS", "CREATED", "TOKENS", "INPUT", "CONTENT")
	t.maxWidth[4], t.maxWidth[5] = 30, 50
	t.styles[0] = func(string) string { return styleCyan }
	t.styles[1] = statusStyle
	t.styles[2] = func(string) string { return styleDim }
	for _, r := range runs {
		tokens := ""
		if r.Metrics != nil && r.Metrics.TotalTokens > 0 {
			tokens = strconv.FormatInt(r.Metrics.TotalTokens, 10)
		}
		t.add(r.RunID, r.Status, formatTime(r.CreatedAt), tokens, r.RunInput, r.Content.String())
	}
	return t.render(a.streams.Out)
}

func newSessionsRunCommand(a *app) *cobra.Command {
	var scope sessionScopeFlags
	cmd := &cobra.Command{
		Use:   "run SESSION_ID RUN_ID",
		Short: "Show one run of a session",
		Example: `  agentos sessions run rec-chat e9e6ffc7-79aa-45fd-9f5b-3838637355f0
  agentos sessions run rec-chat e9e6ffc7-79aa-45fd-9f5b-3838637355f0 --output json`,
		Args:              exactArgs(2, "a session id and a run id"),
		ValidArgsFunction: a.completeSessionIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := scope.options()
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			run, err := c.GetSessionRun(cmd.Context(), args[0], args[1], opts)
			if err != nil {
				return err
			}
			return a.printRun(run)
		},
	}
	scope.add(cmd, true)
	return cmd
}

func (a *app) printRun(r *client.RunView) error {
	if a.json() {
		return a.printJSON(r.Raw)
	}
	t := a.newTable()
	t.styles = []func(string) string{func(string) string { return styleBold }, nil}
	add := func(key, value string) {
		if value != "" {
			t.add(key, value)
		}
	}
	add("run id", r.RunID)
	add("status", r.Status)
	add("kind", r.Kind)
	add("component", componentOfRun(r))
	add("user", r.UserID)
	add("parent run", r.ParentRunID)
	add("created", formatTime(r.CreatedAt))
	if r.Metrics != nil && r.Metrics.TotalTokens > 0 {
		add("tokens", strconv.FormatInt(r.Metrics.TotalTokens, 10))
	}
	add("messages", countOrEmpty(len(r.Messages)))
	add("input", r.RunInput)
	if !a.terminal {
		add("content", r.Content.String())
		return t.render(a.streams.Out)
	}
	if err := t.render(a.streams.Out); err != nil {
		return err
	}
	if content := r.Content.String(); content != "" {
		fmt.Fprintf(a.streams.Out, "\n%s\n", escapeControls(content, "\n\t"))
	}
	return nil
}

func componentOfRun(r *client.RunView) string {
	for _, id := range []string{r.WorkflowID, r.TeamID, r.AgentID} {
		if id != "" {
			return id
		}
	}
	return ""
}

func countOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// jsonObjectFlag reads a flag value that must be a JSON object.
func jsonObjectFlag(name, value string) (json.RawMessage, error) {
	if value == "" {
		return nil, nil
	}
	raw := json.RawMessage(strings.TrimSpace(value))
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, usageErrorf(`invalid --%s: expected a JSON object such as '{"key": "value"}'`,
			name)
	}
	return raw, nil
}

func newSessionsCreateCommand(a *app) *cobra.Command {
	var (
		in       client.CreateSessionRequest
		state    string
		metadata string
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an empty session",
		Long: `Create an empty session for an agent, team or workflow. The first run in it
starts the conversation. On a terminal the new session is shown; when
piped only its id is printed, so scripts can capture it.`,
		Example: `  agentos sessions create --agent assistant --name "Trip planning"
  agentos sessions create --agent assistant --user alice --state '{"city": "Lisbon"}'
  id=$(agentos sessions create --team research-team)`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids := 0
			for typ, id := range map[string]string{
				client.SessionTypeAgent: in.AgentID, client.SessionTypeTeam: in.TeamID,
				client.SessionTypeWorkflow: in.WorkflowID,
			} {
				if id == "" {
					continue
				}
				ids++
				if in.Type == "" {
					in.Type = typ
				} else if in.Type != typ {
					return usageErrorf("--%s contradicts --type %s", typ, in.Type)
				}
			}
			if ids > 1 {
				return usageErrorf("give at most one of --agent, --team and --workflow")
			}
			if err := checkSessionType(in.Type); err != nil {
				return err
			}
			var err error
			if in.SessionState, err = jsonObjectFlag("state", state); err != nil {
				return err
			}
			if in.Metadata, err = jsonObjectFlag("metadata", metadata); err != nil {
				return err
			}
			if isNilRaw(in.SessionState) {
				in.SessionState = nil
			}
			if isNilRaw(in.Metadata) {
				in.Metadata = nil
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			s, err := c.CreateSession(cmd.Context(), &in)
			if err != nil {
				return err
			}
			return a.printChanged(s, "Created session")
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&in.AgentID, "agent", "", "agent id the session belongs to")
	flags.StringVar(&in.TeamID, "team", "", "team id the session belongs to")
	flags.StringVar(&in.WorkflowID, "workflow", "", "workflow id the session belongs to")
	flags.StringVar(&in.Type, "type", "", "session type: agent (default), team or workflow")
	flags.StringVar(&in.SessionID, "id", "", "session id (a new UUID when not given)")
	flags.StringVar(&in.UserID, "user", "", "user id that owns the session")
	flags.StringVar(&in.SessionName, "name", "", "session name")
	flags.StringVar(&state, "state", "", "session state as a JSON object")
	flags.StringVar(&metadata, "metadata", "", "metadata as a JSON object")
	flags.StringVar(&in.DBID, "db-id", "", "database id, needed when the server has several")
	return cmd
}

// isNilRaw reports whether v holds a nil json.RawMessage, which must not
// reach the client as a non-nil interface.
func isNilRaw(v any) bool {
	raw, ok := v.(json.RawMessage)
	return ok && raw == nil
}

// printChanged reports a created or changed session: the session on a
// terminal, its id when piped, its JSON with --output json.
func (a *app) printChanged(s *client.SessionDetail, verb string) error {
	if a.json() {
		return a.printJSON(s.Raw)
	}
	if !a.terminal {
		_, err := fmt.Fprintln(a.streams.Out, s.SessionID)
		return err
	}
	fmt.Fprintf(a.streams.Out, "%s %s\n\n", verb, a.paint(styleCyan, s.SessionID))
	return a.printSession(s, false)
}

func newSessionsRenameCommand(a *app) *cobra.Command {
	var scope sessionScopeFlags
	cmd := &cobra.Command{
		Use:   "rename SESSION_ID NAME",
		Short: "Rename a session",
		Long: `Set the name of a session. An empty name is stored as an explicit empty
name, which hides the name derived from the first message.`,
		Example:           `  agentos sessions rename rec-chat "Lisbon trip"`,
		Args:              exactArgs(2, "a session id and a name"),
		ValidArgsFunction: a.completeSessionIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := scope.options()
			if err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			s, err := c.RenameSession(cmd.Context(), args[0], args[1], opts)
			if err != nil {
				return err
			}
			return a.printChanged(s, "Renamed session")
		},
	}
	scope.add(cmd, true)
	return cmd
}

func newSessionsUpdateCommand(a *app) *cobra.Command {
	var (
		scope    sessionScopeFlags
		name     string
		state    string
		metadata string
		summary  string
		topics   []string
	)
	cmd := &cobra.Command{
		Use:   "update SESSION_ID",
		Short: "Change the name, state, metadata or summary of a session",
		Long: `Change fields of a session. Each given field replaces the stored one whole:
state and metadata are not merged. Fields not given stay unchanged.`,
		Example: `  agentos sessions update rec-chat --state '{"step": 2}'
  agentos sessions update rec-chat --name "Lisbon trip" --metadata '{"team": "travel"}'
  agentos sessions update rec-chat --summary "Planned a trip" --topic travel --topic lisbon`,
		Args:              exactArgs(1, "one session id"),
		ValidArgsFunction: a.completeSessionIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := scope.options()
			if err != nil {
				return err
			}
			var upd client.SessionUpdate
			if cmd.Flags().Changed("name") {
				upd.SessionName = &name
			}
			stateRaw, err := jsonObjectFlag("state", state)
			if err != nil {
				return err
			}
			metadataRaw, err := jsonObjectFlag("metadata", metadata)
			if err != nil {
				return err
			}
			if stateRaw != nil {
				upd.SessionState = stateRaw
			}
			if metadataRaw != nil {
				upd.Metadata = metadataRaw
			}
			if len(topics) > 0 && summary == "" {
				return usageErrorf("--topic needs --summary")
			}
			if summary != "" {
				upd.Summary = map[string]any{"summary": summary, "topics": topics}
			}
			if upd.SessionName == nil && upd.SessionState == nil && upd.Metadata == nil &&
				upd.Summary == nil {
				return &usageError{
					msg:  "nothing to update: give --name, --state, --metadata or --summary",
					hint: cmd.CommandPath(),
				}
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			s, err := c.UpdateSession(cmd.Context(), args[0], upd, opts)
			if err != nil {
				return err
			}
			return a.printChanged(s, "Updated session")
		},
	}
	scope.add(cmd, true)
	flags := cmd.Flags()
	flags.StringVar(&name, "name", "", "new session name")
	flags.StringVar(&state, "state", "", "new session state, a JSON object")
	flags.StringVar(&metadata, "metadata", "", "new metadata, a JSON object")
	flags.StringVar(&summary, "summary", "", "new summary text")
	flags.StringArrayVar(&topics, "topic", nil, "a topic of the summary (repeatable)")
	return cmd
}

func newSessionsClearCommand(a *app) *cobra.Command {
	var (
		scope sessionScopeFlags
		yes   bool
	)
	cmd := &cobra.Command{
		Use:   "clear SESSION_ID",
		Short: "Erase the runs of a session and keep the session",
		Long: `Erase the runs, summary and token totals of a session. Its id, owner, name,
state and metadata stay. agno's Python AgentOS has no such operation, so
this works only against agentos servers.`,
		Example: `  agentos sessions clear rec-chat
  agentos sessions clear rec-chat --yes`,
		Args:              exactArgs(1, "one session id"),
		ValidArgsFunction: a.completeSessionIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := scope.options()
			if err != nil {
				return err
			}
			if !yes {
				ok, err := a.confirm(fmt.Sprintf("Erase every run of session %s?", args[0]))
				if err != nil {
					return err
				}
				if !ok {
					return &exitError{code: ExitError,
						err: errors.New("cancelled: nothing was cleared")}
				}
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			s, err := c.ClearSession(cmd.Context(), args[0], opts)
			if errors.Is(err, client.ErrNotSupported) {
				return fmt.Errorf("the server at %s cannot clear sessions (agno's AgentOS has "+
					"no clear route): delete the session and create a new one instead", c.BaseURL())
			}
			if err != nil {
				return err
			}
			return a.printChanged(s, "Cleared session")
		},
	}
	scope.add(cmd, true)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func newSessionsDeleteCommand(a *app) *cobra.Command {
	var (
		scope sessionScopeFlags
		yes   bool
		types []string
	)
	cmd := &cobra.Command{
		Use:   "delete SESSION_ID...",
		Short: "Delete sessions with their runs",
		Long: `Delete one or more sessions with all their runs. Several ids are deleted in
one request. The server reports success whether or not a session existed.
On a terminal the command asks for confirmation unless --yes is given.`,
		Example: `  agentos sessions delete rec-chat
  agentos sessions delete 4bf738d0-336a-4173-81e9-231c9221b182 rec-chat --yes
  agentos sessions list --user bob --all | cut -f1 | xargs agentos sessions delete --yes`,
		ValidArgsFunction: a.completeSessionIDs,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{msg: "give at least one session id", hint: cmd.CommandPath()}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := scope.options()
			if err != nil {
				return err
			}
			if len(types) > 0 && len(types) != len(args) {
				return usageErrorf("give one --session-type per id: %d types for %d ids",
					len(types), len(args))
			}
			for _, typ := range types {
				if err := checkSessionType(typ); err != nil {
					return err
				}
			}
			if !yes {
				question := fmt.Sprintf("Delete session %s and its runs?", args[0])
				if len(args) > 1 {
					question = fmt.Sprintf("Delete %d sessions and their runs?", len(args))
				}
				ok, err := a.confirm(question)
				if err != nil {
					return err
				}
				if !ok {
					return &exitError{code: ExitError,
						err: errors.New("cancelled: nothing was deleted")}
				}
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			if len(args) == 1 {
				err = c.DeleteSession(cmd.Context(), args[0], opts)
			} else {
				err = c.DeleteSessions(cmd.Context(), args, types, opts)
			}
			if err != nil {
				return err
			}
			return a.printDeleted(args)
		},
	}
	scope.add(cmd, false)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&types, "session-type", nil,
		"type of each session, in order, when deleting several (agno requires one per id)")
	return cmd
}

func (a *app) printDeleted(ids []string) error {
	if a.json() {
		raw, err := json.Marshal(map[string][]string{"deleted": ids})
		if err != nil {
			return err
		}
		return a.printJSON(raw)
	}
	for _, id := range ids {
		if a.terminal {
			fmt.Fprintf(a.streams.Out, "Deleted session %s\n", a.paint(styleCyan, id))
		} else {
			fmt.Fprintln(a.streams.Out, id)
		}
	}
	return nil
}
