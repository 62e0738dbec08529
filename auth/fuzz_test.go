package auth

import (
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzAuthorizationHeader checks that no header value other than the key
// itself, with or without a Bearer prefix and surrounding spaces, passes the
// security key check, and that the middleware never panics.
func FuzzAuthorizationHeader(f *testing.F) {
	const key = "fuzz-key-123"
	for _, seed := range []string{
		"", "Bearer", "Bearer ", "bearer " + key, "BEARER " + key, key, " " + key + " ",
		"Bearer  " + key, "Basic " + key, "agno_pat_" + key, "Bearer agno_pat_x", key[:5],
		"Bearer\t" + key, "bearer" + key, "\x00", strings.Repeat("B", 10000),
	} {
		f.Add(seed)
	}
	g, err := New(Config{SecurityKey: key})
	if err != nil {
		f.Fatal(err)
	}
	reached := false
	h := g.Authenticate(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	f.Fuzz(func(t *testing.T, header string) {
		reached = false
		r := httptest.NewRequest("GET", "/sessions", nil)
		r.Header.Set("Authorization", header)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if reached != (bearerToken(header) == key) {
			t.Fatalf("header %q: handler reached = %v, status %d", header, reached, w.Code)
		}
		if !reached && w.Code != http.StatusUnauthorized {
			t.Fatalf("header %q: status %d, want 401", header, w.Code)
		}
		if token := bearerToken(header); token != "" && token != strings.TrimSpace(token) {
			t.Fatalf("header %q: token %q keeps surrounding space", header, token)
		}
	})
}

// FuzzVerifyToken feeds arbitrary strings to the token verifier. Only a
// token signed with the configured secret may pass, and failures must be
// 401s whose detail never echoes the token.
func FuzzVerifyToken(f *testing.F) {
	secret := "fuzz-secret-that-is-long-enough!!"
	for _, seed := range []string{
		"", ".", "..", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.AAAA",
		"eyJhbGciOiJIUzI1NiIsImtpZCI6WzFdfQ.e30.x",
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOjF9.AA",
		"eyJhbGciOiJFUzI1NiJ9.bnVsbA.AA", "e30.e30.e30",
	} {
		f.Add(seed)
	}
	key, err := parseVerificationKey(secret)
	if err != nil {
		f.Fatal(err)
	}
	v := newVerifier([]verificationKey{key}, nil, []string{"aud"}, time.Now)
	f.Fuzz(func(t *testing.T, token string) {
		claims, fail := v.verify(token)
		if fail == nil {
			// Reaching here without the secret would be a forgery: the
			// fuzzer cannot compute HMACs, so any success is suspicious
			// unless the signature really verifies.
			t.Fatalf("token %q verified with claims %+v", token, claims)
		}
		if fail.status != http.StatusUnauthorized {
			t.Fatalf("token %q: status %d, want 401", token, fail.status)
		}
		if len(token) > 8 && strings.Contains(fail.detail, token) {
			t.Fatalf("detail %q echoes the token", fail.detail)
		}
	})
}

// FuzzGlobMatch compares globMatch with a direct recursive definition.
func FuzzGlobMatch(f *testing.F) {
	f.Add("/sessions/*", "/sessions/a/runs")
	f.Add("/agents/*/runs", "/agents/a/b/runs")
	f.Add("*", "")
	f.Add("a*b*c", "aXbYbZc")
	f.Add("**", "x")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 12 || len(s) > 24 {
			return
		}
		if got, want := globMatch(pattern, s), slowGlob(pattern, s); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}

func slowGlob(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	if pattern[0] == '*' {
		for i := 0; i <= len(s); i++ {
			if slowGlob(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	return s != "" && s[0] == pattern[0] && slowGlob(pattern[1:], s[1:])
}

func TestKeyDigestIsOfKey(t *testing.T) {
	g, err := New(Config{SecurityKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if g.keyDigest != sha256.Sum256([]byte("k")) {
		t.Errorf("digest is not the key's SHA-256")
	}
	if !g.keyMatches("k") || g.keyMatches("K") || g.keyMatches("") {
		t.Errorf("keyMatches does not match exactly")
	}
}

func TestLogLimiter(t *testing.T) {
	var l logLimiter
	start := time.Unix(1000, 0)
	for i := range logBurst {
		if ok, _ := l.allow(start.Add(time.Duration(i) * time.Millisecond)); !ok {
			t.Fatalf("line %d refused inside the burst", i)
		}
	}
	for range 5 {
		if ok, _ := l.allow(start.Add(time.Second)); ok {
			t.Fatalf("line allowed beyond the burst")
		}
	}
	ok, suppressed := l.allow(start.Add(2 * time.Minute))
	if !ok || suppressed != 5 {
		t.Errorf("next window: ok = %v, suppressed = %d, want true, 5", ok, suppressed)
	}
}
