package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newConfigCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show what an AgentOS server hosts: its id, databases and agents",
		Example: `  agentos config
  agentos config --base-url http://127.0.0.1:7777 --output json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			cfg, err := c.Config(cmd.Context())
			if err != nil {
				return err
			}
			if a.json() {
				return a.printJSON(cfg.Raw)
			}
			t := a.newTable()
			t.styles = []func(string) string{func(string) string { return styleBold }, nil}
			add := func(key, value string) {
				if value != "" {
					t.add(key, value)
				}
			}
			add("os id", cfg.OSID)
			add("name", cfg.Name)
			add("description", cfg.Description)
			add("databases", strings.Join(cfg.Databases, ", "))
			if cfg.Session != nil {
				for _, db := range cfg.Session.DBs {
					add("sessions", db.DBID+" "+strings.Join(db.Tables, ", "))
				}
			}
			for _, ag := range cfg.Agents {
				model := ""
				if ag.Model != nil {
					model = " (" + strings.Trim(ag.Model.Provider+" "+ag.Model.ID, " ") + ")"
				}
				add("agent", ag.ID+" "+ag.Name+model)
			}
			for _, team := range cfg.Teams {
				add("team", team.ID+" "+team.Name)
			}
			for _, wf := range cfg.Workflows {
				add("workflow", wf.ID+" "+wf.Name)
			}
			return t.render(a.streams.Out)
		},
	}
	a.addClientFlags(cmd)
	return cmd
}

func newHealthCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Check that an AgentOS server is up",
		Long: `Check that an AgentOS server answers. The exit status is 0 when it is
healthy and 5 when it cannot be reached, so scripts can wait for a server.`,
		Example: `  agentos health
  until agentos health >/dev/null 2>&1; do sleep 1; done`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			h, err := c.Health(cmd.Context())
			if err != nil {
				return err
			}
			if a.json() {
				raw, err := json.Marshal(h)
				if err != nil {
					return err
				}
				return a.printJSON(raw)
			}
			status := h.Status
			if status == "ok" {
				status = a.paint(styleGreen, status)
			}
			_, err = fmt.Fprintf(a.streams.Out, "%s %s, up since %s\n",
				c.BaseURL(), status, formatTime(h.InstantiatedAt))
			return err
		},
	}
	a.addClientFlags(cmd)
	return cmd
}

func newCompletionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script",
		Long: `Print a script that completes agentos commands and flags in bash, zsh or
fish. Load it in the current shell or install it for every new one.`,
		Example: `  source <(agentos completion bash)
  agentos completion zsh > "${fpath[1]}/_agentos"
  agentos completion fish > ~/.config/fish/completions/agentos.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &usageError{
					msg: "name one shell: bash, zsh or fish", hint: cmd.CommandPath(),
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			out := cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			}
			return &usageError{
				msg:  fmt.Sprintf("unsupported shell %q: use bash, zsh or fish", args[0]),
				hint: cmd.CommandPath(),
			}
		},
	}
}
