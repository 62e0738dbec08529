package agentos

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. The HTTP server maps each code to one
// status in a single place, so storage and domain code never pick statuses.
const (
	ECONFLICT     = "conflict"     // the resource exists already or is busy
	EINTERNAL     = "internal"     // a bug or an unexpected failure
	EINVALID      = "invalid"      // the request is malformed or not allowed
	ENOTFOUND     = "not_found"    // the resource does not exist for this caller
	EUNAVAILABLE  = "unavailable"  // a dependency such as the database is down
	EFORBIDDEN    = "forbidden"    // the caller lacks a required permission
	EUNAUTHORIZED = "unauthorized" // the caller is not authenticated
)

// Error is an application error whose message is safe to show to clients.
// Errors of other types are internal: their text is logged, not sent.
type Error struct {
	Code    string
	Message string
	// Err is the underlying cause, kept for logs and errors.Is; it is never
	// shown to clients.
	Err error
}

// Error returns the message, followed by the cause when there is one.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an application error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an application error with the code and message that keeps
// err as its cause.
func WrapError(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first application error in err's chain,
// EINTERNAL for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the first application error
// in err's chain, or a generic text for internal errors.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal server error"
}
