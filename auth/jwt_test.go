package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentos-go/agentos/auth"
)

const testSecret = "an-hmac-secret-of-at-least-32-bytes!"

// jwtServer serves echoPrincipal behind a guard that verifies RS256 tokens
// of key 0 and HS256 tokens of testSecret, with route scopes off unless
// scopes is set.
func jwtServer(t *testing.T, scopes bool, mutate ...func(*auth.JWTConfig)) string {
	t.Helper()
	cfg := auth.JWTConfig{
		VerificationKeys: []string{publicPEM(t, rsaKeys()[0]), testSecret},
		IgnoreScopes:     !scopes,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	return newGuardServer(t, auth.Config{JWT: cfg}, echoPrincipal).URL
}

func TestJWTRejections(t *testing.T) {
	url := jwtServer(t, false)
	keys := rsaKeys()
	now := time.Now()
	expired := claims("alice")
	expired["exp"] = now.Add(-time.Minute).Unix()
	notYet := claims("alice")
	notYet["nbf"] = now.Add(time.Minute).Unix()
	issuedLater := claims("alice")
	issuedLater["iat"] = now.Add(time.Minute).Unix()
	numericSub := claims("")
	numericSub["sub"] = 42
	badExp := claims("alice")
	badExp["exp"] = "tomorrow"

	// An HS256 token whose secret is the RSA public key: the classic
	// algorithm-confusion forgery.
	confused := signHS256(t, publicPEM(t, keys[0]), claims("alice"))
	rs := signRS256(t, keys[0], "", claims("alice"))
	parts := strings.Split(rs, ".")
	adminPayload, err := json.Marshal(claims("alice", "agent_os:admin"))
	if err != nil {
		t.Fatal(err)
	}
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(adminPayload) + "." + parts[2]

	tests := []struct {
		name   string
		header string
		detail string
	}{
		{"no header", "", "Authorization header missing"},
		{"expired", bearer(signRS256(t, keys[0], "", expired)), "Token has expired"},
		{"other key", bearer(signRS256(t, keys[1], "", claims("alice"))),
			"Invalid token: Signature verification failed"},
		{"other secret", bearer(signHS256(t, "another-secret-of-at-least-32-bytes", claims("alice"))),
			"Invalid token: Signature verification failed"},
		{"alg none", bearer(unsignedToken(t, claims("alice", "agent_os:admin"))),
			"Invalid token: The specified alg value is not allowed"},
		{"alg confusion", bearer(confused), "Invalid token: Signature verification failed"},
		{"tampered payload", bearer(tampered), "Invalid token: Signature verification failed"},
		{"garbage", bearer("not-a-token"), "Invalid token: Not enough segments"},
		{"two segments", bearer(parts[0] + "." + parts[1]), "Invalid token: Not enough segments"},
		{"bad header", bearer("%%%." + parts[1] + "." + parts[2]), "Invalid token: Invalid header string"},
		{"not yet valid", bearer(signRS256(t, keys[0], "", notYet)),
			"Invalid token: The token is not yet valid (nbf)"},
		{"issued in the future", bearer(signRS256(t, keys[0], "", issuedLater)),
			"Invalid token: The token is not yet valid (iat)"},
		{"no subject", bearer(signRS256(t, keys[0], "", claims("", "sessions:read"))),
			`Invalid token: Token is missing the "sub" claim`},
		{"empty subject", bearer(signRS256(t, keys[0], "", jwt.MapClaims{"sub": ""})),
			`Invalid token: Token is missing the "sub" claim`},
		{"numeric subject", bearer(signRS256(t, keys[0], "", numericSub)),
			"Invalid token: Subject must be a string"},
		{"bad exp type", bearer(signRS256(t, keys[0], "", badExp)),
			"Invalid token: A registered claim (exp, nbf, iat, aud, sub) has the wrong type"},
		{"service account", bearer("agno_pat_abc"), "Invalid or expired service account token"},
		{"scheduler subject", bearer(signRS256(t, keys[0], "", claims("__scheduler__"))),
			"Invalid token subject"},
		{"service account subject", bearer(signRS256(t, keys[0], "", claims("sa:bot"))),
			"Invalid token subject"},
		{"oauth subject", bearer(signRS256(t, keys[0], "", claims("__oauth__:client"))),
			"Invalid token subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.header != "" {
				headers = append(headers, tt.header)
			}
			resp := do(t, "GET", url+"/sessions", "", headers...)
			if resp.status != 401 {
				t.Fatalf("status = %d, want 401 (body %s)", resp.status, resp.body)
			}
			if got := resp.detail(); got != tt.detail {
				t.Errorf("detail = %q, want %q", got, tt.detail)
			}
		})
	}
}

func TestJWTAlgorithmConfusionRejectedForRSAOnlyKeys(t *testing.T) {
	url := jwtServer(t, false, func(c *auth.JWTConfig) {
		c.VerificationKeys = c.VerificationKeys[:1] // the RSA key alone
	})
	forged := signHS256(t, publicPEM(t, rsaKeys()[0]), claims("alice", "agent_os:admin"))
	resp := do(t, "GET", url+"/sessions", "", bearer(forged))
	if resp.status != 401 {
		t.Fatalf("status = %d, want 401", resp.status)
	}
	if want := "Invalid token: The specified alg value is not allowed"; resp.detail() != want {
		t.Errorf("detail = %q, want %q", resp.detail(), want)
	}
}

func TestJWTAccepted(t *testing.T) {
	url := jwtServer(t, false)
	keys := rsaKeys()
	withinLeeway := claims("alice")
	withinLeeway["exp"] = time.Now().Add(-5 * time.Second).Unix()
	single := claims("bob")
	single["scopes"] = "sessions:read"
	bound := claims("carol", "sessions:read")
	bound["session_id"] = "s-1"
	noExp := jwt.MapClaims{"sub": "dave"}

	tests := []struct {
		name    string
		token   string
		user    string
		scopes  []string
		admin   bool
		session string
	}{
		{"rs256", signRS256(t, keys[0], "", claims("alice")), "alice", nil, false, ""},
		{"hs256", signHS256(t, testSecret, claims("alice", "a:b")), "alice", []string{"a:b"}, false, ""},
		{"expired within leeway", signRS256(t, keys[0], "", withinLeeway), "alice", nil, false, ""},
		{"single scope string", signRS256(t, keys[0], "", single), "bob",
			[]string{"sessions:read"}, false, ""},
		{"session claim", signRS256(t, keys[0], "", bound), "carol",
			[]string{"sessions:read"}, false, "s-1"},
		{"admin without subject", signRS256(t, keys[0], "", claims("", "agent_os:admin")), "",
			[]string{"agent_os:admin"}, true, ""},
		{"admin with subject", signRS256(t, keys[0], "", claims("root", "agent_os:admin")), "root",
			[]string{"agent_os:admin"}, true, ""},
		{"no expiry", signRS256(t, keys[0], "", noExp), "dave", nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, "GET", url+"/sessions", "", bearer(tt.token))
			if resp.status != 200 {
				t.Fatalf("status = %d, want 200 (body %s)", resp.status, resp.body)
			}
			p := resp.principal(t)
			if p.UserID != tt.user {
				t.Errorf("UserID = %q, want %q", p.UserID, tt.user)
			}
			if !slices.Equal(p.Scopes, tt.scopes) {
				t.Errorf("Scopes = %q, want %q", p.Scopes, tt.scopes)
			}
			if p.Admin != tt.admin {
				t.Errorf("Admin = %v, want %v", p.Admin, tt.admin)
			}
			if p.SessionID != tt.session {
				t.Errorf("SessionID = %q, want %q", p.SessionID, tt.session)
			}
			if want := !tt.admin; p.Isolated() != want {
				t.Errorf("Isolated() = %v, want %v", p.Isolated(), want)
			}
		})
	}
}

func TestJWTCustomAdminScope(t *testing.T) {
	url := jwtServer(t, true, func(c *auth.JWTConfig) { c.AdminScope = "ops" })
	keys := rsaKeys()
	resp := do(t, "GET", url+"/sessions", "", bearer(signRS256(t, keys[0], "", claims("", "ops"))))
	if resp.status != 200 || !resp.principal(t).Admin {
		t.Fatalf("custom admin scope: status %d, body %s", resp.status, resp.body)
	}
	resp = do(t, "GET", url+"/sessions", "",
		bearer(signRS256(t, keys[0], "", claims("eve", "agent_os:admin"))))
	if resp.status != 403 {
		t.Errorf("default admin scope under a custom one: status %d, want 403", resp.status)
	}
}

func TestJWTAudience(t *testing.T) {
	url := jwtServer(t, false, func(c *auth.JWTConfig) { c.Audience = []string{"os-1", "os-2"} })
	k := rsaKeys()[0]
	tests := []struct {
		name   string
		aud    any // nil leaves aud out
		status int
		detail string
	}{
		{"match", "os-2", 200, ""},
		{"match in list", []string{"other", "os-1"}, 200, ""},
		{"mismatch", "os-3", 401, "Invalid token audience - token not valid for this AgentOS instance"},
		{"mismatch in list", []string{"a", "b"}, 401,
			"Invalid token audience - token not valid for this AgentOS instance"},
		{"missing", nil, 401, `Invalid token: Token is missing the "aud" claim. ` +
			`Audience verification requires this claim to be present in the token.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claims("alice")
			if tt.aud != nil {
				c["aud"] = tt.aud
			}
			resp := do(t, "GET", url+"/sessions", "", bearer(signRS256(t, k, "", c)))
			if resp.status != tt.status {
				t.Fatalf("status = %d, want %d (body %s)", resp.status, tt.status, resp.body)
			}
			if tt.status != 200 && resp.detail() != tt.detail {
				t.Errorf("detail = %q, want %q", resp.detail(), tt.detail)
			}
		})
	}
}

func TestJWKSFile(t *testing.T) {
	keys := rsaKeys()
	path := writeJWKS(t, []string{"k1", ""}, keys[:2])
	srv := newGuardServer(t, auth.Config{JWT: auth.JWTConfig{JWKSFile: path, IgnoreScopes: true}},
		echoPrincipal)
	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"kid match", signRS256(t, keys[0], "k1", claims("alice")), 200},
		{"no kid uses the key without kid", signRS256(t, keys[1], "", claims("alice")), 200},
		{"unknown kid falls back to the key without kid", signRS256(t, keys[1], "k9", claims("a")), 200},
		{"kid of another key", signRS256(t, keys[1], "k1", claims("alice")), 401},
		{"key not in the set", signRS256(t, keys[2], "", claims("alice")), 401},
		{"hs256 with the modulus as secret", signHS256(t, string(keys[0].N.Bytes()), claims("a")), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, "GET", srv.URL+"/sessions", "", bearer(tt.token))
			if resp.status != tt.status {
				t.Errorf("status = %d, want %d (body %s)", resp.status, tt.status, resp.body)
			}
		})
	}
}

func TestJWKSWithoutDefaultKey(t *testing.T) {
	keys := rsaKeys()
	path := writeJWKS(t, []string{"k1"}, keys[:1])
	srv := newGuardServer(t, auth.Config{JWT: auth.JWTConfig{JWKSFile: path, IgnoreScopes: true}},
		echoPrincipal)
	resp := do(t, "GET", srv.URL+"/sessions", "", bearer(signRS256(t, keys[0], "k2", claims("a"))))
	if resp.status != 401 {
		t.Fatalf("status = %d, want 401", resp.status)
	}
	if want := "Invalid token: No verification key matches the token's kid"; resp.detail() != want {
		t.Errorf("detail = %q, want %q", resp.detail(), want)
	}
}

func TestECDSAKey(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	srv := newGuardServer(t, auth.Config{JWT: auth.JWTConfig{VerificationKeys: []string{pub},
		IgnoreScopes: true}}, echoPrincipal)
	token, err := jwt.NewWithClaims(jwt.SigningMethodES256, claims("alice")).SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	if resp := do(t, "GET", srv.URL+"/sessions", "", bearer(token)); resp.status != 200 {
		t.Errorf("ES256 token: status %d, want 200 (body %s)", resp.status, resp.body)
	}
}

func TestEscapedNewlinesInPEM(t *testing.T) {
	k := rsaKeys()[0]
	oneLine := strings.ReplaceAll(strings.TrimSpace(publicPEM(t, k)), "\n", `\n`)
	srv := newGuardServer(t, auth.Config{JWT: auth.JWTConfig{VerificationKeys: []string{oneLine},
		IgnoreScopes: true}}, echoPrincipal)
	resp := do(t, "GET", srv.URL+"/sessions", "", bearer(signRS256(t, k, "", claims("alice"))))
	if resp.status != 200 {
		t.Errorf("status = %d, want 200 (body %s)", resp.status, resp.body)
	}
}

func TestBadKeyConfiguration(t *testing.T) {
	k := rsaKeys()[0]
	private := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(`{"keys": [{"kty": "RSA", "use": "enc", "n": "AQ", "e": "AQAB"}]}`),
		0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  auth.JWTConfig
		want string
	}{
		{"private key", auth.JWTConfig{VerificationKeys: []string{private}}, "public key"},
		{"broken PEM", auth.JWTConfig{VerificationKeys: []string{"-----BEGIN PUBLIC KEY-----\nxx"}},
			"not valid PEM"},
		{"missing JWKS file", auth.JWTConfig{JWKSFile: filepath.Join(dir, "nope.json")}, "read JWKS"},
		{"JWKS without signing keys", auth.JWTConfig{JWKSFile: empty}, "no usable signing key"},
	}
	for _, tt := range tests {
		_, err := auth.New(auth.Config{JWT: tt.cfg})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestJWKSReloadsRotatedKeys(t *testing.T) {
	keys := rsaKeys()
	path := writeJWKS(t, []string{"old"}, keys[:1])
	var mu sync.Mutex
	offset := time.Duration(0)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return time.Now().Add(offset)
	}
	srv := newGuardServer(t, auth.Config{Now: clock,
		JWT: auth.JWTConfig{JWKSFile: path, IgnoreScopes: true}}, echoPrincipal)
	newToken := signRS256(t, keys[1], "new", claims("alice"))
	if resp := do(t, "GET", srv.URL+"/sessions", "", bearer(newToken)); resp.status != 401 {
		t.Fatalf("token of a key not yet published: status %d, want 401", resp.status)
	}

	rotated := writeJWKS(t, []string{"new"}, keys[1:2])
	data, err := os.ReadFile(rotated)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	offset = 15 * time.Second
	mu.Unlock()

	if resp := do(t, "GET", srv.URL+"/sessions", "", bearer(newToken)); resp.status != 200 {
		t.Errorf("token of the rotated-in key: status %d, want 200 (body %s)", resp.status, resp.body)
	}
	oldToken := signRS256(t, keys[0], "old", claims("alice"))
	if resp := do(t, "GET", srv.URL+"/sessions", "", bearer(oldToken)); resp.status != 401 {
		t.Errorf("token of the rotated-out key: status %d, want 401", resp.status)
	}

	// A broken file keeps the last good keys.
	if err := os.WriteFile(path, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	offset = 30 * time.Second
	mu.Unlock()
	if resp := do(t, "GET", srv.URL+"/sessions", "", bearer(newToken)); resp.status != 200 {
		t.Errorf("after a broken rewrite: status %d, want 200", resp.status)
	}
}
