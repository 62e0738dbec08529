package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Defaults for Config's limits.
const (
	DefaultMaxBodyBytes    int64 = 10 << 20
	DefaultBodyReadTimeout       = 2 * time.Minute
	DefaultWriteTimeout          = 2 * time.Minute
	DefaultRunTimeout            = time.Hour
)

// runRoutes are the routes whose responses stream for as long as a model
// works. They get RunTimeout in place of WriteTimeout.
var runRoutes = []string{
	"/agents/*/runs", "/agents/*/runs/*/continue",
	"/teams/*/runs", "/teams/*/runs/*/continue",
	"/workflows/*/runs", "/workflows/*/runs/*/continue",
}

func isRunRoute(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	for _, pattern := range runRoutes {
		if globMatch(pattern, r.URL.EscapedPath()) {
			return true
		}
	}
	return false
}

// Deadlines sets per-request deadlines on the connection: BodyReadTimeout
// to receive the body, then WriteTimeout (RunTimeout on run routes) to send
// the response. The server itself has no read or write timeout, because Go
// cancels a request's context when a server-wide read timeout expires,
// which would cut streaming runs.
func (g *Guard) Deadlines(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		write := g.writeTO
		if isRunRoute(r) {
			write = g.runTO
		}
		if write > 0 {
			// Errors mean the writer cannot take deadlines, as in tests with
			// a response recorder; the request then runs without one.
			_ = rc.SetWriteDeadline(time.Now().Add(write))
		}
		if g.bodyTimeout > 0 && r.Body != nil && r.Body != http.NoBody {
			if rc.SetReadDeadline(time.Now().Add(g.bodyTimeout)) == nil {
				r2 := *r
				r2.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
				r = &r2
			}
		}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody clears the connection's read deadline once the body has been
// read, so the server's wait for a client hang-up during a long response does
// not time out and cancel the request.
type deadlineBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	cleared bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.cleared {
		b.cleared = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// LimitBody responds 413 to request bodies larger than MaxBodyBytes. A
// declared Content-Length above the limit is rejected before the handler
// runs. A chunked body is cut at the limit, and the handler's response is
// replaced by the 413 when the handler read past the limit.
func (g *Guard) LimitBody(next http.Handler) http.Handler {
	if g.maxBody < 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > g.maxBody {
			g.writeTooLarge(w)
			return
		}
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body := &limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, g.maxBody)}
		lw := &limitWriter{ResponseWriter: w, body: body, guard: g}
		r2 := *r
		r2.Body = body
		next.ServeHTTP(lw, &r2)
		if body.exceeded && !lw.wroteHeader {
			g.writeTooLarge(w)
		}
	})
}

// writeTooLarge sends the 413 response and closes the connection, since the
// rest of the body is left unread.
func (g *Guard) writeTooLarge(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"detail": fmt.Sprintf(
		"Request body too large: the limit is %d bytes", g.maxBody)})
}

// limitedBody records whether the handler tried to read past the limit.
type limitedBody struct {
	io.ReadCloser
	exceeded bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		b.exceeded = true
	}
	return n, err
}

// limitWriter replaces the handler's response with a 413 when the handler read
// past the limit before responding. Handlers read the body before they
// respond, so the 413 replaces the error they give for the cut body.
type limitWriter struct {
	http.ResponseWriter
	body        *limitedBody
	guard       *Guard
	wroteHeader bool
	replaced    bool
}

func (w *limitWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if w.body.exceeded {
		w.replaced = true
		h := w.ResponseWriter.Header()
		for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding"} {
			h.Del(k)
		}
		w.guard.writeTooLarge(w.ResponseWriter)
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Flush sends buffered data to the client unless the response was replaced.
func (w *limitWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.replaced {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (w *limitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writeJSON sends v as compact JSON without HTML escaping, the form of
// agno's responses. v must be a value that always encodes.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
