package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/agentos-go/agentos"
)

// statusByCode maps application error codes to HTTP statuses. It is the only
// place where errors become statuses.
var statusByCode = map[string]int{
	agentos.EINVALID:      http.StatusBadRequest,
	agentos.ENOTFOUND:     http.StatusNotFound,
	agentos.ECONFLICT:     http.StatusConflict,
	agentos.EUNAUTHORIZED: http.StatusUnauthorized,
	agentos.EFORBIDDEN:    http.StatusForbidden,
	agentos.EUNAVAILABLE:  http.StatusServiceUnavailable,
	agentos.EINTERNAL:     http.StatusInternalServerError,
}

// ValidationItem is one entry of a 422 body, in the format FastAPI and
// pydantic produce and agno clients parse.
type ValidationItem struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
}

// ValidationError is a request that failed validation. It is returned with
// status 422 and {"detail": [items...]}.
type ValidationError struct {
	Items []ValidationItem
}

// Error returns the message of the first item.
func (e *ValidationError) Error() string {
	if len(e.Items) == 0 {
		return "invalid request"
	}
	return e.Items[0].Msg
}

// Add appends an item and returns e, so checks can be chained.
func (e *ValidationError) Add(item ValidationItem) *ValidationError {
	e.Items = append(e.Items, item)
	return e
}

// Err returns e when it holds items, or nil.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Items) == 0 {
		return nil
	}
	return e
}

// writeError writes the status and detail of err. Internal errors are
// logged with the request id and returned with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var verr *ValidationError
	if errors.As(err, &verr) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": verr.Items})
		return
	}
	code := agentos.ErrorCode(err)
	status, ok := statusByCode[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.logger.ErrorContext(r.Context(), "request failed",
			slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Any("error", err))
	}
	writeJSON(w, status, map[string]string{"detail": agentos.ErrorMessage(err)})
}

// writeJSON writes v encoded as JSON, non-ASCII and HTML characters
// unescaped as agno sends them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"detail":"Internal server error"}`))
		return
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
