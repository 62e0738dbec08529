package cli

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentos-go/agentos/auth"
)

// Environment variables and flags that secure the server. The first three
// variables, like envSecurityKey, are agno's. The other two are ours.
const (
	envJWTKey           = "JWT_VERIFICATION_KEY"
	envJWKSFile         = "JWT_JWKS_FILE"
	envCORSOriginList   = "CORS_ORIGIN_LIST"
	envJWTAudience      = "JWT_AUDIENCE"
	envJWTAdminScope    = "JWT_ADMIN_SCOPE"
	flagSecurityKey     = "security-key"
	flagJWTKey          = "jwt-verification-key"
	flagJWTKeyFile      = "jwt-verification-key-file"
	flagJWKSFile        = "jwt-jwks-file"
	flagJWTAudience     = "jwt-audience"
	flagJWTAdminScope   = "jwt-admin-scope"
	flagIgnoreScopes    = "jwt-ignore-scopes"
	flagCORSOrigin      = "cors-origin"
	flagMaxBody         = "max-body-bytes"
	flagWriteTimeout    = "write-timeout"
	flagRunTimeout      = "run-timeout"
	flagBodyReadTimeout = "body-read-timeout"
)

// authFlags are the serve flags that secure the server. Flags given on the
// command line override the environment.
type authFlags struct {
	securityKey     string
	jwtKeys         []string
	jwtKeyFiles     []string
	jwksFile        string
	audience        []string
	adminScope      string
	ignoreScopes    bool
	corsOrigins     []string
	maxBodyBytes    int64
	writeTimeout    time.Duration
	runTimeout      time.Duration
	bodyReadTimeout time.Duration
}

// addAuthFlags registers the security flags on cmd.
func addAuthFlags(cmd *cobra.Command) *authFlags {
	f := &authFlags{}
	fs := cmd.Flags()
	fs.StringVar(&f.securityKey, flagSecurityKey, "",
		"shared bearer key every request must send (env "+envSecurityKey+
			", preferred: flags show in process lists)")

	fs.StringArrayVar(&f.jwtKeys, flagJWTKey, nil,
		"PEM public key or HMAC secret that verifies JWTs; repeatable (env "+envJWTKey+")")
	fs.StringArrayVar(&f.jwtKeyFiles, flagJWTKeyFile, nil,
		"file holding a PEM public key or HMAC secret that verifies JWTs; repeatable")
	fs.StringVar(&f.jwksFile, flagJWKSFile, "",
		"JSON Web Key Set file whose keys verify JWTs (env "+envJWKSFile+")")
	fs.StringArrayVar(&f.audience, flagJWTAudience, nil,
		"accepted JWT aud value; when set, tokens must carry one; repeatable (env "+
			envJWTAudience+", comma-separated)")
	fs.StringVar(&f.adminScope, flagJWTAdminScope, "",
		"JWT scope that grants every permission and every user's sessions (default "+
			auth.DefaultAdminScope+", env "+envJWTAdminScope+")")
	fs.BoolVar(&f.ignoreScopes, flagIgnoreScopes, false,
		"let any valid JWT call any route; callers still see only their own sessions")

	fs.StringArrayVar(&f.corsOrigins, flagCORSOrigin, nil,
		"origin browsers may call from; replaces agno's defaults; repeatable (env "+
			envCORSOriginList+", a JSON array, adds to the defaults)")

	fs.Int64Var(&f.maxBodyBytes, flagMaxBody, auth.DefaultMaxBodyBytes,
		"largest accepted request body in bytes; -1 for no limit")
	fs.DurationVar(&f.bodyReadTimeout, flagBodyReadTimeout, auth.DefaultBodyReadTimeout,
		"time allowed to receive a request body; -1s for no limit")
	fs.DurationVar(&f.writeTimeout, flagWriteTimeout, auth.DefaultWriteTimeout,
		"time allowed to send a response, except runs; -1s for no limit")
	fs.DurationVar(&f.runTimeout, flagRunTimeout, auth.DefaultRunTimeout,
		"time allowed to send a run's response, streamed or not; -1s for no limit")
	return f
}

// config builds the guard's configuration from the flags and environ, the
// process environment as os.Environ returns it.
func (f *authFlags) config(cmd *cobra.Command, environ []string,
	logger *slog.Logger) (auth.Config, error) {
	changed := cmd.Flags().Changed
	cfg := auth.Config{
		SecurityKey:     f.securityKey,
		MaxBodyBytes:    f.maxBodyBytes,
		BodyReadTimeout: f.bodyReadTimeout,
		WriteTimeout:    f.writeTimeout,
		RunTimeout:      f.runTimeout,
		Logger:          logger,
	}
	if !changed(flagSecurityKey) {
		cfg.SecurityKey = lookupEnv(environ, envSecurityKey)
	}

	jwt := auth.JWTConfig{
		VerificationKeys: f.jwtKeys,
		JWKSFile:         f.jwksFile,
		Audience:         f.audience,
		AdminScope:       f.adminScope,
		IgnoreScopes:     f.ignoreScopes,
	}
	if !changed(flagJWTKey) && !changed(flagJWTKeyFile) {
		if key := lookupEnv(environ, envJWTKey); key != "" {
			jwt.VerificationKeys = []string{key}
		}
	}
	for _, path := range f.jwtKeyFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			return auth.Config{}, fmt.Errorf("--%s: %w", flagJWTKeyFile, err)
		}
		jwt.VerificationKeys = append(jwt.VerificationKeys, strings.TrimSpace(string(data)))
	}
	if !changed(flagJWKSFile) {
		jwt.JWKSFile = lookupEnv(environ, envJWKSFile)
	}
	if !changed(flagJWTAudience) {
		for _, aud := range strings.Split(lookupEnv(environ, envJWTAudience), ",") {
			if aud = strings.TrimSpace(aud); aud != "" {
				jwt.Audience = append(jwt.Audience, aud)
			}
		}
	}
	if !changed(flagJWTAdminScope) {
		jwt.AdminScope = lookupEnv(environ, envJWTAdminScope)
	}
	cfg.JWT = jwt

	origins, err := auth.ResolveOrigins(f.corsOrigins, lookupEnv(environ, envCORSOriginList))
	if err != nil {
		return auth.Config{}, err
	}
	cfg.CORSOrigins = origins
	return cfg, nil
}

// lookupEnv returns the value of the variable name in environ. Like agno,
// which reads its settings without regard to case, it falls back to a name
// that differs only in case when the exact name is absent.
func lookupEnv(environ []string, name string) string {
	fallback := ""
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if k == name {
			return v
		}
		if fallback == "" && strings.EqualFold(k, name) {
			fallback = v
		}
	}
	return fallback
}
