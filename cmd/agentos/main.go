// Command agentos serves agno's AgentOS API and manages its sessions.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/agentos-go/agentos/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.StandardStreams())
	stop()
	os.Exit(code)
}
