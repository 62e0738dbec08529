package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentos-go/agentos/auth"
)

// benchmarkGuard measures the guard's middleware around an empty handler
// for one request with the given Authorization header.
func benchmarkGuard(b *testing.B, cfg auth.Config, header string) {
	g, err := auth.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mw := g.Middleware()
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	req := httptest.NewRequest("GET", "/sessions/s-1/runs", nil)
	req.Header.Set("Authorization", header)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusNoContent {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

func BenchmarkGuardSecurityKey(b *testing.B) {
	benchmarkGuard(b, auth.Config{SecurityKey: testKey}, "Bearer "+testKey)
}

func BenchmarkGuardJWTRS256(b *testing.B) {
	k := rsaKeys()[0]
	cfg := auth.Config{JWT: auth.JWTConfig{VerificationKeys: []string{publicPEM(b, k)}}}
	benchmarkGuard(b, cfg, "Bearer "+signRS256(b, k, "", claims("alice", "sessions:read")))
}

func BenchmarkGuardJWTHS256(b *testing.B) {
	cfg := auth.Config{JWT: auth.JWTConfig{VerificationKeys: []string{testSecret}}}
	benchmarkGuard(b, cfg, "Bearer "+signHS256(b, testSecret, claims("alice", "sessions:read")))
}
