package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/auth"
)

// rsaKeys generates RSA keys once per test binary: generation is slow and
// the tests only need distinct keys, not fresh ones.
var rsaKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

// publicPEM returns the PKIX PEM form of k's public key.
func publicPEM(t testing.TB, k *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// writeJWKS writes a JWKS file with the public halves of keys, under the
// given kids ("" leaves kid out), and returns its path.
func writeJWKS(t testing.TB, kids []string, keys []*rsa.PrivateKey) string {
	t.Helper()
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	for i, k := range keys {
		jwk := map[string]string{
			"kty": "RSA", "use": "sig", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
		}
		if kids[i] != "" {
			jwk["kid"] = kids[i]
		}
		set.Keys = append(set.Keys, jwk)
	}
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// claims builds token claims valid for an hour from now.
func claims(sub string, scopes ...string) jwt.MapClaims {
	c := jwt.MapClaims{
		"iat": time.Now().Unix(),
		"exp": time.Now().Add(time.Hour).Unix(),
	}
	if sub != "" {
		c["sub"] = sub
	}
	if scopes != nil {
		c["scopes"] = scopes
	}
	return c
}

// signRS256 signs c with k, adding kid to the header when not empty.
func signRS256(t testing.TB, k *rsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signHS256 signs c with secret.
func signHS256(t testing.TB, secret string, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unsignedToken builds a token with alg "none" and an empty signature.
func unsignedToken(t testing.TB, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// echoPrincipal responds 200 with the request's principal as JSON, or null.
var echoPrincipal = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(agentos.PrincipalFrom(r.Context()))
})

// newGuardServer serves h behind the guard built from cfg on loopback.
func newGuardServer(t testing.TB, cfg auth.Config, h http.Handler) *httptest.Server {
	t.Helper()
	g, err := auth.New(cfg)
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	mw := g.Middleware()
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   string
}

// detail returns the "detail" member of a JSON body, or "".
func (r response) detail() string {
	var v struct {
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal([]byte(r.body), &v)
	return v.Detail
}

// principal decodes a body written by echoPrincipal.
func (r response) principal(t testing.TB) *agentos.Principal {
	t.Helper()
	var p *agentos.Principal
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatalf("decode principal from %q: %v", r.body, err)
	}
	return p
}

// do sends a request with the given headers ("Name: value" strings) and body.
func do(t testing.TB, method, url, body string, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Add(name, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func bearer(token string) string { return "Authorization: Bearer " + token }
