// Package auth secures the AgentOS HTTP API as HTTP middleware: the shared
// security key, JSON Web Tokens with agno's route scopes, the request
// principal that per-user isolation is built on, CORS, request size limits
// and per-request deadlines.
//
// The wire behaviour follows agno 2.9.0: the same open paths, the same 401
// and 403 details, the same CORS responses. It differs where agno leaks data.
// Every JWT caller who is not an admin is isolated to their own sessions,
// and a token that names no user is rejected unless it carries the admin
// scope.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/agentos-go/agentos"
)

// Mode is how requests authenticate, as /info reports it in auth_mode.
type Mode string

// The authentication modes. JWT takes precedence over the security key.
const (
	ModeNone        Mode = "none"
	ModeSecurityKey Mode = "security_key"
	ModeJWT         Mode = "jwt"
)

// servicePrefix starts agno's service-account tokens. This server has no
// service accounts, so such tokens are wrong credentials.
const servicePrefix = "agno_pat_"

// OpenPaths are the paths served without credentials in every mode.
var OpenPaths = []string{
	"/", "/health", "/info", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect",
}

// JWTConfig configures authentication with JSON Web Tokens.
type JWTConfig struct {
	// VerificationKeys are PEM public keys or certificates (for RS*, PS*,
	// ES* and EdDSA tokens) or HMAC secrets (for HS* tokens).
	VerificationKeys []string
	// JWKSFile is the path of a JSON Web Key Set file. Its keys are tried
	// before VerificationKeys, picked by the token's kid.
	JWKSFile string
	// Audience lists the accepted aud values. When set, tokens without a
	// matching aud claim are rejected.
	Audience []string
	// AdminScope grants every permission and sees every user's sessions.
	// Empty means DefaultAdminScope.
	AdminScope string
	// IgnoreScopes turns off route scope checks, so any valid token may call
	// any route. Callers stay isolated to their own sessions.
	IgnoreScopes bool
}

func (c JWTConfig) enabled() bool { return len(c.VerificationKeys) > 0 || c.JWKSFile != "" }

// Config configures a Guard. The zero value serves without authentication,
// with the default CORS origins, body limit and deadlines.
type Config struct {
	// SecurityKey is the shared bearer secret (OS_SECURITY_KEY). It is
	// ignored when JWT is configured.
	SecurityKey string
	JWT         JWTConfig

	// CORSOrigins are the origins browsers may call from. Nil means
	// DefaultOrigins. A "*" entry is dropped: credentials are allowed, so
	// every origin must be listed.
	CORSOrigins []string

	// MaxBodyBytes caps request bodies. Zero means DefaultMaxBodyBytes and a
	// negative value turns the cap off.
	MaxBodyBytes int64
	// BodyReadTimeout bounds the time to receive a request body. Zero means
	// DefaultBodyReadTimeout and a negative value turns it off.
	BodyReadTimeout time.Duration
	// WriteTimeout bounds the time to send a response, except on run routes.
	// Zero means DefaultWriteTimeout and a negative value turns it off.
	WriteTimeout time.Duration
	// RunTimeout bounds the time to send the response of a run route, which
	// may stream for as long as the model works. Zero means
	// DefaultRunTimeout and a negative value turns it off.
	RunTimeout time.Duration

	Logger *slog.Logger
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
}

// Guard is the security middleware built from a Config.
type Guard struct {
	mode       Mode
	keyDigest  [sha256.Size]byte
	verifier   *verifier
	adminScope string
	scopes     bool // enforce route scopes

	origins []string

	maxBody     int64
	bodyTimeout time.Duration
	writeTO     time.Duration
	runTO       time.Duration

	logger  *slog.Logger
	now     func() time.Time
	limiter *logLimiter
}

// New checks cfg and returns its Guard. Keys and the JWKS file are read
// here, so a broken key stops the server at start, not at the first request.
func New(cfg Config) (*Guard, error) {
	g := &Guard{
		mode:        ModeNone,
		adminScope:  cfg.JWT.AdminScope,
		scopes:      !cfg.JWT.IgnoreScopes,
		origins:     cleanOrigins(cfg.CORSOrigins),
		maxBody:     orDefault(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		bodyTimeout: orDefault(cfg.BodyReadTimeout, DefaultBodyReadTimeout),
		writeTO:     orDefault(cfg.WriteTimeout, DefaultWriteTimeout),
		runTO:       orDefault(cfg.RunTimeout, DefaultRunTimeout),
		logger:      cfg.Logger,
		now:         cfg.Now,
		limiter:     &logLimiter{},
	}
	if g.logger == nil {
		g.logger = slog.New(slog.DiscardHandler)
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.adminScope == "" {
		g.adminScope = DefaultAdminScope
	}
	switch {
	case cfg.JWT.enabled():
		v, err := g.loadVerifier(cfg.JWT)
		if err != nil {
			return nil, err
		}
		g.mode, g.verifier = ModeJWT, v
		if cfg.SecurityKey != "" {
			g.logger.Warn("both a JWT key and a security key are set: only JWT is used")
		}
	case cfg.SecurityKey != "":
		g.mode = ModeSecurityKey
		g.keyDigest = sha256.Sum256([]byte(cfg.SecurityKey))
	}
	return g, nil
}

func orDefault[T int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func (g *Guard) loadVerifier(cfg JWTConfig) (*verifier, error) {
	var static []verificationKey
	for i, text := range cfg.VerificationKeys {
		key, err := parseVerificationKey(text)
		if err != nil {
			return nil, fmt.Errorf("JWT verification key %d: %w", i+1, err)
		}
		if secret, ok := key.key.([]byte); ok && len(secret) < 32 {
			g.logger.Warn("the JWT HMAC secret is shorter than 32 bytes and may be guessed",
				slog.Int("key", i+1), slog.Int("bytes", len(secret)))
		}
		static = append(static, key)
	}
	var jwks *jwksSource
	if cfg.JWKSFile != "" {
		var err error
		jwks, err = openJWKS(cfg.JWKSFile, g.logger, g.now)
		if err != nil {
			return nil, err
		}
	}
	return newVerifier(static, jwks, cfg.Audience, g.now), nil
}

// Mode returns the authentication mode.
func (g *Guard) Mode() Mode { return g.mode }

// Middleware returns the guard's middleware, outermost first: deadlines,
// authentication, CORS and the body limit. Authentication runs before CORS,
// as in agno, so its 401 and 403 responses carry their own CORS headers. It
// also runs before the body limit, so callers without credentials learn
// nothing about limits.
func (g *Guard) Middleware() []func(http.Handler) http.Handler {
	return []func(http.Handler) http.Handler{g.Deadlines, g.Authenticate, g.CORS, g.LimitBody}
}

// Authenticate checks the credentials of every request except OPTIONS and
// the open paths, and stores the caller in the request context as an
// *agentos.Principal. Without a key or JWT configured it passes every
// request through without a principal.
func (g *Guard) Authenticate(next http.Handler) http.Handler {
	if g.mode == ModeNone {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || slices.Contains(OpenPaths, r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		p, f := g.authenticate(r)
		if f != nil {
			g.reject(w, r, f)
			return
		}
		next.ServeHTTP(w, r.WithContext(agentos.WithPrincipal(r.Context(), p)))
	})
}

func (g *Guard) authenticate(r *http.Request) (*agentos.Principal, *failure) {
	token := bearerToken(r.Header.Get("Authorization"))
	if g.mode == ModeSecurityKey {
		switch {
		case token == "":
			return nil, unauthorized("Authorization header required")
		case strings.HasPrefix(token, servicePrefix) || !g.keyMatches(token):
			return nil, unauthorized("Invalid authentication token")
		}
		return &agentos.Principal{}, nil
	}

	switch {
	case token == "":
		return nil, unauthorized("Authorization header missing")
	case strings.HasPrefix(token, servicePrefix):
		return nil, unauthorized("Invalid or expired service account token")
	}
	claims, f := g.verifier.verify(token)
	if f != nil {
		return nil, f
	}
	p := &agentos.Principal{
		UserID:    claims.subject,
		Scopes:    claims.scopes,
		Admin:     slices.Contains(claims.scopes, g.adminScope),
		SessionID: claims.sessionID,
	}
	// A token without a subject would be an unisolated caller that sees
	// every user's sessions, so only admins may omit it.
	if p.UserID == "" && !p.Admin {
		return nil, unauthorized(`Invalid token: Token is missing the "sub" claim`)
	}
	if g.scopes {
		path := r.URL.EscapedPath()
		method := r.Method
		if method == http.MethodHead {
			// Go's router serves HEAD with the GET handler, so HEAD needs
			// the GET route's scopes.
			method = http.MethodGet
		}
		d := checkScopes(p.Scopes, method, path, g.adminScope)
		if !d.allowed {
			return nil, &failure{status: http.StatusForbidden,
				detail: "Insufficient permissions. Required scope(s): " +
					strings.Join(d.required, ", ")}
		}
		if resource, _ := resourceContext(path); resource == "agents" {
			p.ReadableAgents = d.readable
		}
	}
	return p, nil
}

// keyMatches compares token with the security key in constant time. Both are
// hashed first, so the time taken reveals neither the key's content nor its
// length.
func (g *Guard) keyMatches(token string) bool {
	digest := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(digest[:], g.keyDigest[:]) == 1
}

// bearerToken returns the credential in an Authorization header value: the
// text after a "Bearer " prefix in any case, or else the whole value, with
// surrounding white space removed either way.
func bearerToken(header string) string {
	if len(header) >= 7 && strings.EqualFold(header[:7], "bearer ") {
		header = header[7:]
	}
	return strings.TrimSpace(header)
}

// reject sends the response for f. It carries CORS headers for allowed
// origins, as agno's does, so browser clients can read the detail.
func (g *Guard) reject(w http.ResponseWriter, r *http.Request, f *failure) {
	h := w.Header()
	if origin := r.Header.Get("Origin"); origin != "" && slices.Contains(g.origins, origin) {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Allow-Methods", "*")
		h.Set("Access-Control-Allow-Headers", "*")
		h.Set("Access-Control-Expose-Headers", "*")
	}
	if f.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", "Bearer")
	}
	writeJSON(w, f.status, map[string]string{"detail": f.detail})
	g.logRejection(r, h.Get("X-Request-ID"), f)
}

// logRejection logs a rejected request without its credentials. Bursts are
// cut to logBurst lines a minute so a flood of bad requests cannot flood the
// log; the number of lines left out is logged when the next minute starts.
func (g *Guard) logRejection(r *http.Request, requestID string, f *failure) {
	ok, suppressed := g.limiter.allow(g.now())
	if suppressed > 0 {
		g.logger.Warn("rejected requests not logged", slog.Int("count", suppressed))
	}
	if !ok {
		return
	}
	g.logger.Warn("request rejected",
		slog.String("request_id", requestID),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("remote_addr", r.RemoteAddr),
		slog.Int("status", f.status),
		slog.String("reason", f.detail))
}
