package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/agentos-go/agentos/client"
)

func newChatCommand(a *app) *cobra.Command {
	var (
		flags   runFlags
		agentID string
	)
	cmd := &cobra.Command{
		Use:   "chat",
		Short: "Talk with an agent in a session, answers streamed as they arrive",
		Long: `Start a conversation with an agent. Each line you type is one run in the
same session, so the agent sees the earlier turns. The session id is printed
at the start. Resume the conversation later with --session-id.

Type /exit or press Ctrl-D to leave, /session to show the session id and
/help for the commands. Ctrl-C stops the program and, with it, the answer
in progress.`,
		Example: `  agentos chat
  agentos chat --agent researcher --user alice@example.com
  agentos chat --session-id 5b0e0f8e-1c43-4a7e-9e0c-2f6a9d1c4b10`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.json() {
				return usageErrorf(
					"chat has no JSON output: use 'agentos agents run --output json'")
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			return a.chat(cmd, c, agentID, &flags)
		},
	}
	flags.add(cmd)
	cmd.Flags().StringVar(&agentID, "agent", "",
		"agent to talk to (default: the session's agent, else the server's first agent)")
	a.addClientFlags(cmd)
	_ = cmd.RegisterFlagCompletionFunc("agent", a.completeAgentIDs)
	return cmd
}

func (a *app) chat(cmd *cobra.Command, c *client.Client, agentID string, flags *runFlags) error {
	ctx := cmd.Context()
	out := a.streams.Out
	resumed := flags.sessionID != ""
	if resumed {
		s, err := c.GetSession(ctx, flags.sessionID, &client.SessionOptions{UserID: flags.userID})
		if err != nil {
			return fmt.Errorf("resume session %s: %w", flags.sessionID, err)
		}
		if agentID == "" {
			agentID = s.AgentID
		}
		if flags.userID == "" {
			flags.userID = s.UserID
		}
		fmt.Fprintf(out, "Resuming session %s (%d earlier messages)\n",
			a.paint(styleCyan, s.SessionID), len(s.ChatHistory))
	} else {
		flags.sessionID = uuid.NewString()
	}
	if agentID == "" {
		agents, err := c.ListAgents(ctx)
		if err != nil {
			return err
		}
		if len(agents) == 0 {
			return fmt.Errorf("the server at %s hosts no agents", c.BaseURL())
		}
		agentID = agents[0].ID
	}
	if !resumed {
		fmt.Fprintf(out, "Session %s\n", a.paint(styleCyan, flags.sessionID))
	}
	if a.interactive {
		fmt.Fprintf(out, "Talking to %s. Type /exit or press Ctrl-D to leave, /help for help.\n",
			a.paint(styleBold, agentID))
	}

	scanner := bufio.NewScanner(a.streams.In)
	scanner.Buffer(make([]byte, 64<<10), 16<<20)
	for {
		if a.interactive {
			fmt.Fprint(out, a.paint(styleGreen, "you> "))
		}
		if !scanner.Scan() {
			break
		}
		line := strings.TrimSpace(scanner.Text())
		switch line {
		case "":
			continue
		case "/exit", "/quit":
			return a.chatEnd(flags.sessionID)
		case "/session":
			fmt.Fprintln(out, flags.sessionID)
			continue
		case "/help":
			fmt.Fprintln(out, "/session  show the session id\n/exit     leave (or Ctrl-D)")
			continue
		}
		if err := a.chatTurn(cmd, c, agentID, flags, line); err != nil {
			var apiErr *client.Error
			if errors.As(err, &apiErr) && apiErr.StatusCode < 500 {
				// The server rejected this message; the conversation goes on.
				printError(a.streams.ErrOut, err)
				continue
			}
			if errors.Is(err, context.Canceled) {
				a.cancelRun(c, agentID, flags.sessionID)
				fmt.Fprintln(a.streams.ErrOut)
				_ = a.chatEnd(flags.sessionID)
			}
			return err
		}
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	if a.interactive {
		fmt.Fprintln(out)
	}
	return a.chatEnd(flags.sessionID)
}

// chatTurn sends one message and streams the reply.
func (a *app) chatTurn(
	cmd *cobra.Command, c *client.Client, agentID string, flags *runFlags, message string,
) error {
	in, err := flags.request(message)
	if err != nil {
		return err
	}
	if a.interactive {
		fmt.Fprint(a.streams.Out, a.paint(styleCyan, agentID+"> "))
	}
	run, err := a.streamRun(cmd, c, agentID, in, a.streams.Out)
	if err != nil {
		return err
	}
	if run.err != nil {
		fmt.Fprintf(a.streams.ErrOut, "error: %v\n", run.err)
	}
	return nil
}

// cancelRun requests that the server stop the latest run of the session
// after the user interrupted it. Closing the stream already makes agno
// cancel the run, and the explicit cancel also reaches servers that keep
// running it.
func (a *app) cancelRun(c *client.Client, agentID, sessionID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	runs, err := c.ListSessionRuns(ctx, sessionID, nil)
	if err != nil || len(runs) == 0 {
		return
	}
	last := runs[len(runs)-1]
	if last.Status == "RUNNING" || last.Status == "PENDING" {
		_ = c.CancelAgentRun(ctx, agentID, last.RunID, sessionID)
	}
}

func (a *app) chatEnd(sessionID string) error {
	fmt.Fprintf(a.streams.ErrOut, "Resume with: agentos chat --session-id %s\n", sessionID)
	return nil
}
