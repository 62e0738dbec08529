package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/agentos-go/agentos/client"
)

// Exit statuses of the agentos command. manage-sessions keeps the statuses
// of agno's manage_sessions.py instead: 1 for every failure and 2 for
// invalid arguments.
const (
	ExitOK          = 0   // success
	ExitError       = 1   // any other failure, including a request the server rejected
	ExitUsage       = 2   // invalid command, flag or argument
	ExitNotFound    = 3   // the session, run or agent does not exist
	ExitServer      = 4   // the server failed (status 500 or more)
	ExitUnreachable = 5   // no response from the server
	ExitInterrupted = 130 // stopped by Ctrl-C
)

// usageError is an invalid command line.
type usageError struct {
	msg  string
	hint string // the command whose help to show
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError carries an exit status chosen by the command, after the
// command already printed what the user needs to know.
type exitError struct {
	code int
	err  error // printed when not nil
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitCode returns the exit status for err.
func exitCode(err error) int {
	var (
		exit        *exitError
		usage       *usageError
		apiErr      *client.Error
		unreachable *client.UnreachableError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exit):
		return exit.code
	case errors.As(err, &usage):
		return ExitUsage
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &unreachable):
		return ExitUnreachable
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		return ExitNotFound
	case errors.As(err, &apiErr) && apiErr.StatusCode >= 500:
		return ExitServer
	}
	return ExitError
}

// printError writes err as one line, plus a hint line where one helps.
func printError(w io.Writer, err error) {
	var (
		exit        *exitError
		usage       *usageError
		unreachable *client.UnreachableError
		apiErr      *client.Error
	)
	if errors.As(err, &exit) && exit.err == nil {
		return
	}
	msg := strings.TrimSpace(err.Error())
	fmt.Fprintf(w, "error: %s\n", msg)
	switch {
	case errors.As(err, &usage):
		if usage.hint != "" {
			fmt.Fprintf(w, "Run '%s --help' for usage.\n", usage.hint)
		}
	case errors.As(err, &unreachable) && !unreachable.Timeout():
		fmt.Fprintf(w, "Start a server with 'agentos serve', or point --base-url (or %s) "+
			"at a running one.\n", envBaseURL)
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized:
		fmt.Fprintf(w, "Pass the server's key with --security-key or %s.\n", envSecurityKey)
	}
}
