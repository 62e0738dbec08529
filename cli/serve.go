package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

func newServeCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the AgentOS HTTP server",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("not implemented yet")
		},
	}
}
