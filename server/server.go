// Package server serves agno's AgentOS HTTP API over a session store.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
)

// DefaultDBID is the database id agno reports for a SQLite database without
// an explicit id: UUID v5 in the DNS namespace of "sqlite:///agno.db". Using
// it lets agno's web UI treat both servers' databases alike.
const DefaultDBID = "21138089-9477-5cb5-98c0-fdc32ef6f1e0"

// DefaultSessionTable is agno's default sessions table name, the only value
// the table query parameter accepts.
const DefaultSessionTable = "agno_sessions"

// Config holds what a Server needs. Store is required.
type Config struct {
	Store  agentos.SessionStore
	Logger *slog.Logger

	// DBID is the database id shown in /config and accepted as db_id.
	// Empty means DefaultDBID.
	DBID string
	// SessionTable is the table name accepted by the table parameter.
	// Empty means DefaultSessionTable.
	SessionTable string

	// Middleware wraps the routes, outermost first, inside request logging
	// and trailing slash handling. Authentication is installed here.
	Middleware []func(http.Handler) http.Handler

	// Engine runs the agents. Nil serves no agents: agent routes return 404.
	// The caller runs Engine.Maintain for as long as runs may execute.
	Engine *agent.Engine
	// OSID is the id /config and / report. Empty derives a stable id from
	// OSName, or from DBID when OSName is empty too.
	OSID          string
	OSName        string
	OSDescription string
	// Version is the version / reports. Empty means "1.0.0", agno's default.
	Version string
	// AuthMode is the authentication mode /info reports: none,
	// security_key or jwt. Empty means none.
	AuthMode string
}

// Server is the HTTP API. Create it with New.
type Server struct {
	store  agentos.SessionStore
	logger *slog.Logger
	dbID   string
	table  string

	engine        *agent.Engine
	osID          string
	osName        string
	osDescription string
	version       string
	authMode      string
	started       time.Time

	mux     *http.ServeMux
	handler http.Handler
}

// New returns a server for cfg with every route registered.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: a session store is required")
	}
	s := &Server{
		store:  cfg.Store,
		logger: cfg.Logger,
		dbID:   cfg.DBID,
		table:  cfg.SessionTable,
		mux:    http.NewServeMux(),

		engine:        cfg.Engine,
		osID:          cfg.OSID,
		osName:        cfg.OSName,
		osDescription: cfg.OSDescription,
		version:       cfg.Version,
		authMode:      cfg.AuthMode,
		started:       startTime(),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.dbID == "" {
		s.dbID = DefaultDBID
	}
	if s.table == "" {
		s.table = DefaultSessionTable
	}
	if s.osID == "" {
		s.osID = deriveOSID(s.osName, s.dbID)
	}
	if s.version == "" {
		s.version = "1.0.0"
	}
	if s.authMode == "" {
		s.authMode = "none"
	}
	s.routes()
	s.mux.HandleFunc("/", s.handleUnmatched)

	var h http.Handler = s.mux
	for i := len(cfg.Middleware) - 1; i >= 0; i-- {
		h = cfg.Middleware[i](h)
	}
	h = s.recoverPanics(h)
	h = stripTrailingSlash(h)
	h = s.logRequests(h)
	s.handler = h
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// routes registers every route. Each group lives in its own file.
func (s *Server) routes() {
	s.sessionRoutes()
	s.agentRoutes()
	s.discoveryRoutes()
}

// handleUnmatched responds to paths no route matched: 405 with an Allow header
// when another method would match, else 404, both in agno's JSON form.
func (s *Server) handleUnmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method Not Allowed"})
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not Found"})
}

// stripTrailingSlash removes trailing slashes from every path but "/",
// without a redirect, as agno does before routing. It trims the escaped
// path, so that an escaped slash inside a segment, as in /sessions/a%2Fb/,
// stays part of the segment.
func stripTrailingSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		escaped := r.URL.EscapedPath()
		if len(escaped) <= 1 || !strings.HasSuffix(escaped, "/") {
			next.ServeHTTP(w, r)
			return
		}
		trimmed := strings.TrimRight(escaped, "/")
		if trimmed == "" {
			trimmed = "/"
		}
		if path, err := url.PathUnescape(trimmed); err == nil {
			r2 := r.Clone(r.Context())
			r2.URL.Path, r2.URL.RawPath = path, trimmed
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Flush lets streaming handlers flush through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests gives each request an id, echoed in X-Request-ID, and logs
// one line per request with its status and duration.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 128 {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.logger.InfoContext(r.Context(), "request",
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)))
	})
}

// recoverPanics turns a panic in a handler into a logged 500.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			s.writeError(w, r, fmt.Errorf("panic: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}

// ListenAndServe serves on addr until ctx ends, then shuts down gracefully,
// giving requests in flight up to grace to finish. ready, when non-nil,
// receives the bound address once the listener is open.
func (s *Server) ListenAndServe(ctx context.Context, addr string, grace time.Duration,
	ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	// ReadTimeout and WriteTimeout stay zero: Go cancels a request's context
	// when a server-wide read timeout expires, and a server-wide write timeout
	// would cut streaming runs. Body and response deadlines are set per request
	// by the middleware (auth.Guard.Deadlines).
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// scope returns the owner restriction for a request: the caller's own id
// when the caller is isolated, otherwise the user_id query value when given.
// A repeated user_id counts by its last value, as Starlette reads it.
func (s *Server) scope(r *http.Request) agentos.Scope {
	if p := agentos.PrincipalFrom(r.Context()); p.Isolated() {
		return agentos.Owned(p.UserID)
	}
	if values := r.URL.Query()["user_id"]; len(values) > 0 {
		return agentos.Owned(values[len(values)-1])
	}
	return agentos.Scope{}
}

// owner returns the owner to store for a new session or run: the
// authenticated user when there is one, otherwise the value the client sent.
func (s *Server) owner(r *http.Request, sent *string) *string {
	if p := agentos.PrincipalFrom(r.Context()); p != nil && p.UserID != "" {
		id := p.UserID
		return &id
	}
	return sent
}
