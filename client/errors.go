package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error is a response with a status of 400 or more.
type Error struct {
	Method     string
	URL        string
	StatusCode int
	Status     string // status line text, such as "404 Not Found"
	// Detail is the "detail" of the body when it is a string, as in
	// {"detail": "Session with id 'x' not found"}.
	Detail string
	// Validation holds the items of a validation failure (422), whose
	// "detail" is a list.
	Validation []ValidationError
	Body       []byte // the raw response body, at most 1 MiB
}

// ValidationError is one item of a 422 response.
type ValidationError struct {
	Type string `json:"type"`
	// Loc is the location of the error: "query", "path" or "body", then field
	// names (strings) or list indexes and character offsets (numbers).
	Loc   []any           `json:"loc"`
	Msg   string          `json:"msg"`
	Input json.RawMessage `json:"input,omitempty"`
	Ctx   json.RawMessage `json:"ctx,omitempty"`
}

// Field returns the location without its first element, joined with dots,
// such as "limit" for ["query", "limit"].
func (v ValidationError) Field() string {
	parts := make([]string, 0, len(v.Loc))
	for i, p := range v.Loc {
		if i == 0 && len(v.Loc) > 1 {
			continue
		}
		switch p := p.(type) {
		case string:
			parts = append(parts, p)
		case float64:
			parts = append(parts, strconv.FormatFloat(p, 'f', -1, 64))
		default:
			parts = append(parts, fmt.Sprint(p))
		}
	}
	return strings.Join(parts, ".")
}

func newError(method, url string, resp *http.Response, body []byte) *Error {
	e := &Error{
		Method:     method,
		URL:        url,
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Body:       body,
	}
	if e.Status == "" {
		e.Status = strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	}
	var envelope struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &envelope) != nil || len(envelope.Detail) == 0 {
		e.Detail = strings.TrimSpace(string(body))
		return e
	}
	if json.Unmarshal(envelope.Detail, &e.Detail) == nil {
		return e
	}
	if json.Unmarshal(envelope.Detail, &e.Validation) == nil {
		return e
	}
	e.Detail = string(envelope.Detail)
	return e
}

// Error returns the status and the detail on one line, for example
// "404 Not Found: Session with id 'x' not found".
func (e *Error) Error() string {
	return e.Status + ": " + e.Message()
}

// Message returns the detail as text. Validation items are joined with "; ",
// each as "field: message".
func (e *Error) Message() string {
	if len(e.Validation) == 0 {
		if e.Detail == "" {
			return http.StatusText(e.StatusCode)
		}
		return e.Detail
	}
	items := make([]string, len(e.Validation))
	for i, v := range e.Validation {
		if f := v.Field(); f != "" {
			items[i] = f + ": " + v.Msg
		} else {
			items[i] = v.Msg
		}
	}
	return strings.Join(items, "; ")
}

// IsNotFound reports whether err is an *Error with status 404.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}

// routeMissing reports whether err is the response of a server that has no
// such route: 405, or 404 with the generic "Not Found" detail rather than a
// message about a missing resource.
func routeMissing(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.StatusCode == http.StatusMethodNotAllowed ||
		(e.StatusCode == http.StatusNotFound && e.Detail == "Not Found")
}

// ErrNotSupported is returned, wrapped, when the server does not offer an
// operation. agno 2.9.0, for example, has no route to clear a session.
var ErrNotSupported = errors.New("not supported by this server")

// UnreachableError reports that no HTTP response came from the server: the
// connection failed or the call timed out.
type UnreachableError struct {
	URL string // the base URL of the server
	Err error
}

// Error names the server and the cause.
func (e *UnreachableError) Error() string {
	if errors.Is(e.Err, errCallTimeout) {
		return fmt.Sprintf("no response from AgentOS at %s: %v", e.URL, e.Err)
	}
	return fmt.Sprintf("cannot reach AgentOS at %s: %v", e.URL, e.Err)
}

// Unwrap returns the cause.
func (e *UnreachableError) Unwrap() error { return e.Err }

// Timeout reports whether the call timed out rather than failed to connect.
func (e *UnreachableError) Timeout() bool {
	return errors.Is(e.Err, errCallTimeout) || errors.Is(e.Err, ErrIdleTimeout)
}
