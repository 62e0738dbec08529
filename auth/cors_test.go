package auth_test

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agentos-go/agentos/auth"
	"github.com/agentos-go/agentos/internal/recording"
)

func TestPreflightMatchesAgno(t *testing.T) {
	ex, err := recording.Load(filepath.Join("..", "testdata", "agno-2.9", "recordings",
		"95-sessions-cors-preflight.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The preflight needs no key, so a key is set to show that.
	srv := newGuardServer(t, auth.Config{SecurityKey: testKey}, echoPrincipal)
	req, err := ex.Request.NewHTTPRequest(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body := make([]byte, 64)
	n, _ := resp.Body.Read(body)

	if resp.StatusCode != ex.Response.StatusCode {
		t.Errorf("status = %d, want %d", resp.StatusCode, ex.Response.StatusCode)
	}
	if string(body[:n]) != string(ex.Response.Body) {
		t.Errorf("body = %q, want %q", body[:n], ex.Response.Body)
	}
	for name, values := range ex.Response.Header {
		switch http.CanonicalHeaderKey(name) {
		case "Date", "Server":
			continue
		}
		if got := resp.Header.Values(name); !slices.Equal(got, values) {
			t.Errorf("%s = %q, want %q", name, got, values)
		}
	}
}

func TestPreflightFailures(t *testing.T) {
	srv := newGuardServer(t, auth.Config{}, echoPrincipal)
	tests := []struct {
		name, origin, method, body string
	}{
		{"origin", "https://evil.example", "POST", "Disallowed CORS origin"},
		{"method", "https://os.agno.com", "BREW", "Disallowed CORS method"},
		{"both", "https://evil.example", "BREW", "Disallowed CORS origin, method"},
	}
	for _, tt := range tests {
		resp := do(t, "OPTIONS", srv.URL+"/sessions", "", "Origin: "+tt.origin,
			"Access-Control-Request-Method: "+tt.method)
		if resp.status != 400 || resp.body != tt.body {
			t.Errorf("%s: got %d %q, want 400 %q", tt.name, resp.status, resp.body, tt.body)
		}
		if got := resp.header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
			t.Errorf("%s: Content-Type = %q", tt.name, got)
		}
		if tt.origin != "https://os.agno.com" && resp.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: disallowed origin was echoed", tt.name)
		}
	}
}

func TestSimpleRequestHeaders(t *testing.T) {
	srv := newGuardServer(t, auth.Config{CORSOrigins: []string{"https://ui.example", "*"}}, echoPrincipal)

	resp := do(t, "GET", srv.URL+"/sessions", "", "Origin: https://ui.example")
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://ui.example",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Expose-Headers":    "*",
		"Vary":                             "Origin",
	}
	for k, v := range want {
		if got := resp.header.Get(k); got != v {
			t.Errorf("allowed origin: %s = %q, want %q", k, got, v)
		}
	}

	// The configured list replaced the defaults, and "*" was dropped.
	for _, origin := range []string{"https://os.agno.com", "https://any.example"} {
		resp = do(t, "GET", srv.URL+"/sessions", "", "Origin: "+origin)
		if got := resp.header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s: Access-Control-Allow-Origin = %q, want none", origin, got)
		}
	}

	resp = do(t, "GET", srv.URL+"/sessions", "")
	if got := resp.header.Get("Access-Control-Allow-Credentials"); got != "" {
		t.Errorf("no Origin: Access-Control-Allow-Credentials = %q, want none", got)
	}
}

func TestResolveOrigins(t *testing.T) {
	got, err := auth.ResolveOrigins(nil, `["https://a.example", "*"]`)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"https://a.example"}, auth.DefaultOrigins...)
	if !slices.Equal(got, want) {
		t.Errorf("env list: %q, want %q", got, want)
	}

	got, err = auth.ResolveOrigins([]string{"https://b.example"}, `["https://a.example"]`)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"https://b.example"}) {
		t.Errorf("configured list: %q, want only https://b.example", got)
	}

	got, err = auth.ResolveOrigins(nil, "")
	if err != nil || !slices.Equal(got, auth.DefaultOrigins) {
		t.Errorf("defaults: %q, %v", got, err)
	}
	if !slices.Contains(got, "https://os.agno.com") {
		t.Errorf("defaults miss agno's web UI origin")
	}

	_, err = auth.ResolveOrigins(nil, "https://a.example")
	if err == nil || !strings.Contains(err.Error(), "CORS_ORIGIN_LIST") {
		t.Errorf("bad env list: error = %v, want one naming CORS_ORIGIN_LIST", err)
	}
}
