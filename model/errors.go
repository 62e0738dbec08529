package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Error types, as agno names them in the error_type of a RunError event.
const (
	TypeAuthentication = "model_authentication_error"
	TypeRateLimit      = "model_rate_limit_error"
	TypeProvider       = "model_provider_error"
)

// Error is a failed model call. Its message is meant for the people running
// the agent: it names the provider and, where one exists, the fix.
type Error struct {
	// Type is agno's error slug, one of the Type constants.
	Type string
	// Provider is the provider that failed, such as Anthropic.
	Provider string
	// StatusCode is the provider's HTTP status, 0 when none was received.
	StatusCode int
	// Message describes the failure.
	Message string
	// Err is the underlying error, kept for logs and errors.Is.
	Err error
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ErrorType returns agno's error slug for err: the Type of a model Error in
// its chain, or TypeProvider for any other error.
func ErrorType(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Type != "" {
		return e.Type
	}
	return TypeProvider
}

// statusError returns the Error for a provider's HTTP error response.
func statusError(provider string, status int, detail string, err error) *Error {
	e := &Error{Type: TypeProvider, Provider: provider, StatusCode: status, Err: err}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Type = TypeAuthentication
		e.Message = fmt.Sprintf("%s rejected the API key (HTTP %d): %s; check the key "+
			"in the environment", provider, status, detail)
	case status == http.StatusTooManyRequests:
		e.Type = TypeRateLimit
		e.Message = fmt.Sprintf("%s rate limit reached (HTTP 429) after retries: %s",
			provider, detail)
	default:
		e.Message = fmt.Sprintf("%s request failed (HTTP %d): %s", provider, status, detail)
	}
	return e
}

// MissingKeyError returns the error of a model whose API key variable is not
// set.
func MissingKeyError(provider, envVar string) *Error {
	return &Error{
		Type:     TypeAuthentication,
		Provider: provider,
		Message: fmt.Sprintf("no API key for %s: set the environment variable %s "+
			"and restart the server", provider, envVar),
	}
}

// watchdog cancels a call that receives no data for an idle period. Each
// call to feed restarts the period.
type watchdog struct {
	idle   time.Duration
	timer  *time.Timer
	mu     sync.Mutex
	fired  bool
	cancel context.CancelFunc
}

// newWatchdog returns a context derived from ctx that ends when the watchdog
// fires or stop is called. A zero idle disables the watchdog.
func newWatchdog(ctx context.Context, idle time.Duration) (context.Context, *watchdog) {
	ctx, cancel := context.WithCancel(ctx)
	w := &watchdog{idle: idle, cancel: cancel}
	if idle > 0 {
		w.timer = time.AfterFunc(idle, func() {
			w.mu.Lock()
			w.fired = true
			w.mu.Unlock()
			cancel()
		})
	}
	return ctx, w
}

func (w *watchdog) feed() {
	if w.timer != nil {
		w.timer.Reset(w.idle)
	}
}

func (w *watchdog) stop() {
	if w.timer != nil {
		w.timer.Stop()
	}
	w.cancel()
}

func (w *watchdog) hasFired() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fired
}

// callError turns the error of a call into the error Generate returns: the
// caller's context error when the caller gave up, a timeout Error when the
// watchdog or the call deadline ended the call, and a provider Error
// otherwise. classify maps SDK errors to Errors and returns nil for others.
func callError(parent context.Context, w *watchdog, provider string, timeout time.Duration,
	err error, classify func(error) *Error) error {
	if parent.Err() != nil {
		return parent.Err()
	}
	if w.hasFired() {
		return &Error{Type: TypeProvider, Provider: provider, Err: err,
			Message: fmt.Sprintf("%s sent no data for %s; the request was abandoned",
				provider, w.idle)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Type: TypeProvider, Provider: provider, Err: err,
			Message: provider + " closed the connection before the answer was complete"}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Type: TypeProvider, Provider: provider, Err: err,
			Message: fmt.Sprintf("%s request timed out after %s", provider, timeout)}
	}
	if e := classify(err); e != nil {
		return e
	}
	var me *Error
	if errors.As(err, &me) {
		return err
	}
	return &Error{Type: TypeProvider, Provider: provider, Err: err,
		Message: fmt.Sprintf("%s request failed: %v", provider, err)}
}
