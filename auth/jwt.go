package auth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Leeway is the clock skew allowed when checking exp, nbf and iat, as in
// agno 2.9.0.
const Leeway = 10 * time.Second

// reservedPrefixes and reservedSubjects are identities that agno assigns to
// its own service accounts, MCP OAuth clients and scheduler. A token that
// claims one as its subject is rejected, so it cannot impersonate them.
var (
	reservedPrefixes = []string{"sa:", "__oauth__:"}
	reservedSubjects = []string{"__scheduler__"}
)

// Sentinel causes that verify reports; they never reach clients.
var (
	errAlgorithm = errors.New("signing algorithm not allowed")
	errNoKey     = errors.New("no key for the token's kid")
)

// tokenClaims are the claims a verified token contributes to a request.
type tokenClaims struct {
	subject   string
	sessionID string
	scopes    []string
}

// verifier checks JSON Web Tokens against configured keys.
type verifier struct {
	static   []verificationKey // configured keys, tried after JWKS keys
	jwks     *jwksSource       // nil without a JWKS file
	audience []string          // accepted aud values; empty turns the check off
	now      func() time.Time
}

func newVerifier(static []verificationKey, jwks *jwksSource, audience []string,
	now func() time.Time) *verifier {
	return &verifier{static: static, jwks: jwks, audience: audience, now: now}
}

// methods returns every algorithm that some key accepts.
func methods(keys []verificationKey) []string {
	var algs []string
	for _, k := range keys {
		for _, alg := range k.algs {
			if !slices.Contains(algs, alg) {
				algs = append(algs, alg)
			}
		}
	}
	return algs
}

// candidates returns the keys that may check a token with kid and alg: the
// JWKS key with that kid, else the JWKS keys without a kid, then every
// configured key, as agno 2.9.0 tries them.
func candidates(jwks, static []verificationKey, kid, alg string) []jwt.VerificationKey {
	var picked []verificationKey
	if kid != "" {
		for _, k := range jwks {
			if k.kid == kid {
				picked = append(picked, k)
			}
		}
	}
	if len(picked) == 0 {
		for _, k := range jwks {
			if k.kid == "" {
				picked = append(picked, k)
			}
		}
	}
	var keys []jwt.VerificationKey
	for _, k := range slices.Concat(picked, static) {
		if k.allows(alg) {
			keys = append(keys, k.key)
		}
	}
	return keys
}

// verify checks token and returns its claims, or a 401 failure whose detail
// is one of agno's texts. Details name the failed check and never echo the
// token or key material.
func (v *verifier) verify(token string) (*tokenClaims, *failure) {
	var jwks []verificationKey
	if v.jwks != nil {
		jwks = v.jwks.current()
	}
	algs := methods(slices.Concat(jwks, v.static))
	parser := jwt.NewParser(
		jwt.WithValidMethods(algs),
		jwt.WithLeeway(Leeway),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(v.now),
	)
	claims := jwt.MapClaims{}
	parsed, err := parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		keys := candidates(jwks, v.static, kid, t.Method.Alg())
		if len(keys) == 0 {
			if slices.Contains(algs, t.Method.Alg()) {
				return nil, errNoKey
			}
			return nil, errAlgorithm
		}
		return jwt.VerificationKeySet{Keys: keys}, nil
	})
	if err != nil {
		return nil, unauthorized(tokenErrorDetail(token, parsed, algs, err))
	}
	if f := v.checkAudience(claims); f != nil {
		return nil, f
	}
	return extractClaims(claims)
}

// tokenErrorDetail returns the 401 detail for a failed parse. The texts
// follow PyJWT's messages, which agno 2.9.0 sends after "Invalid token: ".
func tokenErrorDetail(token string, parsed *jwt.Token, methods []string, err error) string {
	algRejected := parsed != nil && (parsed.Method == nil ||
		!slices.Contains(methods, parsed.Method.Alg()))
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "Invalid token: " + malformedDetail(token, err)
	case algRejected, errors.Is(err, errAlgorithm):
		return "Invalid token: The specified alg value is not allowed"
	case errors.Is(err, errNoKey):
		return "Invalid token: No verification key matches the token's kid"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "Invalid token: Signature verification failed"
	case errors.Is(err, jwt.ErrInvalidType):
		return "Invalid token: A registered claim (exp, nbf, iat, aud, sub) has the wrong type"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "Invalid token: The token is not yet valid (iat)"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "Invalid token: The token is not yet valid (nbf)"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "Token has expired"
	}
	return "Invalid token: The token could not be verified"
}

// malformedDetail names the part of a malformed token that failed.
func malformedDetail(token string, err error) string {
	if strings.Count(token, ".") != 2 {
		return "Not enough segments"
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "header"):
		return "Invalid header string"
	case strings.Contains(msg, "claim"):
		return "Invalid payload string"
	}
	return "Invalid crypto padding"
}

// checkAudience applies the audience check when audiences are configured.
func (v *verifier) checkAudience(claims jwt.MapClaims) *failure {
	if len(v.audience) == 0 {
		return nil
	}
	raw, ok := claims["aud"]
	if !ok || raw == nil {
		return unauthorized(`Invalid token: Token is missing the "aud" claim. ` +
			`Audience verification requires this claim to be present in the token.`)
	}
	var got []any
	switch aud := raw.(type) {
	case string:
		got = []any{aud}
	case []any:
		got = aud
	}
	for _, a := range got {
		if s, ok := a.(string); ok && slices.Contains(v.audience, s) {
			return nil
		}
	}
	return unauthorized("Invalid token audience - token not valid for this AgentOS instance")
}

// extractClaims reads sub, session_id and scopes. scopes may be a list or a
// single string; list items that are not strings are dropped. A subject
// that claims a reserved identity is rejected.
func extractClaims(claims jwt.MapClaims) (*tokenClaims, *failure) {
	out := &tokenClaims{}
	switch sub := claims["sub"].(type) {
	case nil:
	case string:
		out.subject = sub
	default:
		return nil, unauthorized("Invalid token: Subject must be a string")
	}
	if isReservedSubject(out.subject) {
		return nil, unauthorized("Invalid token subject")
	}
	out.sessionID, _ = claims["session_id"].(string)
	switch scopes := claims["scopes"].(type) {
	case string:
		out.scopes = []string{scopes}
	case []any:
		for _, s := range scopes {
			if str, ok := s.(string); ok {
				out.scopes = append(out.scopes, str)
			}
		}
	}
	return out, nil
}

func isReservedSubject(sub string) bool {
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(sub, p) {
			return true
		}
	}
	return slices.Contains(reservedSubjects, sub)
}

// failure is a rejected request: the status and the detail to send.
type failure struct {
	status int
	detail string
}

func (f *failure) Error() string { return fmt.Sprintf("%d %s", f.status, f.detail) }

func unauthorized(detail string) *failure { return &failure{status: 401, detail: detail} }
