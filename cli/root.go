// Package cli implements the agentos command line: the server, the importer
// and the client commands.
package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Streams are the standard streams a command reads and writes.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// StandardStreams returns the process's standard streams.
func StandardStreams() Streams {
	return Streams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// Main runs the command line with args and returns the exit status.
func Main(ctx context.Context, args []string, streams Streams) int {
	root := NewRootCommand(streams)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		return exitStatus(err, streams)
	}
	return 0
}

// NewRootCommand returns the agentos command with every subcommand.
func NewRootCommand(streams Streams) *cobra.Command {
	return newRootCommand(streams, newApp(streams))
}

// newRootCommand returns the agentos command whose client commands share a.
func newRootCommand(streams Streams, a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "agentos",
		Short:         "Serve agno's AgentOS API and manage its sessions",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{msg: err.Error(), hint: cmd.CommandPath()}
	})
	root.AddCommand(newServeCommand(streams))
	root.AddCommand(newImportCommand(streams))
	addClientCommands(root, a)
	return root
}

// addClientCommands adds the commands that call an AgentOS server.
func addClientCommands(root *cobra.Command, a *app) {
	root.AddCommand(
		newSessionsCommand(a),
		newAgentsCommand(a),
		newChatCommand(a),
		newConfigCommand(a),
		newHealthCommand(a),
		newManageSessionsCommand(a),
		newCompletionCommand(),
	)
}

// exitStatus prints err and returns the exit status for it.
func exitStatus(err error, streams Streams) int {
	var usage *usageError
	if !errors.As(err, &usage) && strings.HasPrefix(err.Error(), "unknown command ") {
		err = &usageError{msg: err.Error(), hint: "agentos"}
	}
	printError(streams.ErrOut, err)
	return exitCode(err)
}
