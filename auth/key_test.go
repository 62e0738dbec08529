package auth_test

import (
	"net/http"
	"testing"

	"github.com/agentos-go/agentos/auth"
)

const testKey = "s3cr3t-Key-0123456789"

func TestSecurityKeyHeaders(t *testing.T) {
	srv := newGuardServer(t, auth.Config{SecurityKey: testKey}, echoPrincipal)
	tests := []struct {
		name   string
		header string // "" sends no Authorization header
		status int
		detail string
	}{
		{"missing", "", 401, "Authorization header required"},
		{"empty", "Authorization: ", 401, "Authorization header required"},
		// Servers trim header values, so "Bearer " arrives as "Bearer", which
		// agno 2.9.0 compares as a key.
		{"bearer only", "Authorization: Bearer   ", 401, "Invalid authentication token"},
		{"wrong key", "Authorization: Bearer nope", 401, "Invalid authentication token"},
		{"key in other case", "Authorization: Bearer S3CR3T-KEY-0123456789", 401,
			"Invalid authentication token"},
		{"key prefix", "Authorization: Bearer s3cr3t", 401, "Invalid authentication token"},
		{"key plus suffix", "Authorization: Bearer " + testKey + "x", 401,
			"Invalid authentication token"},
		{"service account token", "Authorization: Bearer agno_pat_" + testKey, 401,
			"Invalid authentication token"},
		{"other scheme", "Authorization: Basic " + testKey, 401, "Invalid authentication token"},
		{"bearer", "Authorization: Bearer " + testKey, 200, ""},
		{"lower-case bearer", "Authorization: bearer " + testKey, 200, ""},
		{"upper-case bearer", "Authorization: BEARER " + testKey, 200, ""},
		{"bare key", "Authorization: " + testKey, 200, ""},
		{"padded key", "Authorization: Bearer   " + testKey + "  ", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.header != "" {
				headers = append(headers, tt.header)
			}
			resp := do(t, "GET", srv.URL+"/sessions", "", headers...)
			if resp.status != tt.status {
				t.Fatalf("status = %d, want %d (body %s)", resp.status, tt.status, resp.body)
			}
			if tt.status != 200 {
				if got := resp.detail(); got != tt.detail {
					t.Errorf("detail = %q, want %q", got, tt.detail)
				}
				if got := resp.header.Get("WWW-Authenticate"); got != "Bearer" {
					t.Errorf("WWW-Authenticate = %q, want Bearer", got)
				}
				return
			}
			p := resp.principal(t)
			if p == nil || p.UserID != "" || p.Admin || p.Isolated() {
				t.Errorf("principal = %+v, want an empty principal", p)
			}
		})
	}
}

func TestSecurityKeyBodyIsAgnos(t *testing.T) {
	srv := newGuardServer(t, auth.Config{SecurityKey: testKey}, echoPrincipal)
	resp := do(t, "GET", srv.URL+"/sessions", "")
	if want := `{"detail":"Authorization header required"}`; resp.body != want {
		t.Errorf("body = %s, want %s", resp.body, want)
	}
	if got := resp.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
}

func TestOpenPathsAndOptions(t *testing.T) {
	srv := newGuardServer(t, auth.Config{SecurityKey: testKey}, echoPrincipal)
	for _, path := range auth.OpenPaths {
		if resp := do(t, "GET", srv.URL+path, ""); resp.status != 200 {
			t.Errorf("GET %s without a key: status %d, want 200", path, resp.status)
		}
	}
	for _, path := range []string{"/config", "/models", "/agents", "/sessions/x", "/healthz",
		"/health/x", "/docs2", "/nope"} {
		if resp := do(t, "GET", srv.URL+path, ""); resp.status != 401 {
			t.Errorf("GET %s without a key: status %d, want 401", path, resp.status)
		}
	}
	if resp := do(t, "OPTIONS", srv.URL+"/sessions", ""); resp.status != 200 {
		t.Errorf("OPTIONS /sessions without a key: status %d, want 200", resp.status)
	}
}

func TestNoAuthPassesWithoutPrincipal(t *testing.T) {
	srv := newGuardServer(t, auth.Config{}, echoPrincipal)
	resp := do(t, "GET", srv.URL+"/sessions", "", "Authorization: Bearer anything")
	if resp.status != 200 {
		t.Fatalf("status = %d, want 200", resp.status)
	}
	if p := resp.principal(t); p != nil {
		t.Errorf("principal = %+v, want none", p)
	}
}

func TestModes(t *testing.T) {
	tests := []struct {
		name string
		cfg  auth.Config
		want auth.Mode
	}{
		{"none", auth.Config{}, auth.ModeNone},
		{"key", auth.Config{SecurityKey: "k"}, auth.ModeSecurityKey},
		{"jwt", auth.Config{JWT: auth.JWTConfig{VerificationKeys: []string{testSecret}}}, auth.ModeJWT},
		{"jwt wins over key", auth.Config{SecurityKey: "k",
			JWT: auth.JWTConfig{VerificationKeys: []string{testSecret}}}, auth.ModeJWT},
	}
	for _, tt := range tests {
		g, err := auth.New(tt.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if g.Mode() != tt.want {
			t.Errorf("%s: mode = %s, want %s", tt.name, g.Mode(), tt.want)
		}
	}
}

func TestRejectionCORSHeaders(t *testing.T) {
	srv := newGuardServer(t, auth.Config{SecurityKey: testKey}, echoPrincipal)

	resp := do(t, "GET", srv.URL+"/sessions", "", "Origin: https://os.agno.com")
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://os.agno.com",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "*",
		"Access-Control-Allow-Headers":     "*",
		"Access-Control-Expose-Headers":    "*",
	}
	for k, v := range want {
		if got := resp.header.Get(k); got != v {
			t.Errorf("allowed origin: %s = %q, want %q", k, got, v)
		}
	}

	resp = do(t, "GET", srv.URL+"/sessions", "", "Origin: https://evil.example")
	if resp.status != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", resp.status)
	}
	for k := range want {
		if got := resp.header.Get(k); got != "" {
			t.Errorf("disallowed origin: %s = %q, want none", k, got)
		}
	}
}
