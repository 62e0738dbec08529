// Package cli implements the agentos command line: the server, the importer
// and the client commands.
package cli

import (
	"context"
	"io"
	"os"

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
	root := &cobra.Command{
		Use:           "agentos",
		Short:         "Serve agno's AgentOS API and manage its sessions",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.AddCommand(newServeCommand(streams))
	return root
}

// exitStatus prints err and returns the exit status for it.
func exitStatus(err error, streams Streams) int {
	_, _ = io.WriteString(streams.ErrOut, "error: "+err.Error()+"\n")
	return 1
}
