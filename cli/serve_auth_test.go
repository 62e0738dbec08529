package cli

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentos-go/agentos/auth"
)

// parseAuthFlags parses args into the security flags of a bare command and
// builds the guard configuration with environ.
func parseAuthFlags(t *testing.T, environ []string, args ...string) (auth.Config, error) {
	t.Helper()
	cmd := &cobra.Command{Use: "serve"}
	f := addAuthFlags(cmd)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return f.config(cmd, environ, nil)
}

func TestAuthFlagsFromEnvironment(t *testing.T) {
	cfg, err := parseAuthFlags(t, []string{
		"os_security_key=from-env", // agno matches its settings without regard to case
		"JWT_VERIFICATION_KEY=secret",
		"JWT_AUDIENCE=os-1, os-2",
		`CORS_ORIGIN_LIST=["https://ui.example"]`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SecurityKey != "from-env" {
		t.Errorf("SecurityKey = %q, want from-env", cfg.SecurityKey)
	}
	if !slices.Equal(cfg.JWT.VerificationKeys, []string{"secret"}) {
		t.Errorf("VerificationKeys = %q", cfg.JWT.VerificationKeys)
	}
	if !slices.Equal(cfg.JWT.Audience, []string{"os-1", "os-2"}) {
		t.Errorf("Audience = %q", cfg.JWT.Audience)
	}
	if cfg.CORSOrigins[0] != "https://ui.example" || !slices.Contains(cfg.CORSOrigins, "https://os.agno.com") {
		t.Errorf("CORSOrigins = %q, want the env origin plus the defaults", cfg.CORSOrigins)
	}
	if cfg.MaxBodyBytes != auth.DefaultMaxBodyBytes || cfg.RunTimeout != auth.DefaultRunTimeout {
		t.Errorf("limits = %d, %s, want the defaults", cfg.MaxBodyBytes, cfg.RunTimeout)
	}
}

func TestAuthFlagsOverrideEnvironment(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, []byte("file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseAuthFlags(t,
		[]string{"OS_SECURITY_KEY=env", "JWT_VERIFICATION_KEY=env-secret", `CORS_ORIGIN_LIST=["https://x"]`},
		"--security-key", "flag", "--jwt-verification-key-file", keyFile,
		"--cors-origin", "https://only.example", "--max-body-bytes", "1024",
		"--run-timeout", "10m", "--jwt-ignore-scopes")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SecurityKey != "flag" {
		t.Errorf("SecurityKey = %q, want flag", cfg.SecurityKey)
	}
	if !slices.Equal(cfg.JWT.VerificationKeys, []string{"file-secret"}) {
		t.Errorf("VerificationKeys = %q, want only the file's key", cfg.JWT.VerificationKeys)
	}
	if !slices.Equal(cfg.CORSOrigins, []string{"https://only.example"}) {
		t.Errorf("CORSOrigins = %q, want only the flag's origin", cfg.CORSOrigins)
	}
	if cfg.MaxBodyBytes != 1024 || cfg.RunTimeout != 10*time.Minute || !cfg.JWT.IgnoreScopes {
		t.Errorf("limits = %d, %s, ignore scopes %v", cfg.MaxBodyBytes, cfg.RunTimeout, cfg.JWT.IgnoreScopes)
	}
}

func TestAuthFlagsErrors(t *testing.T) {
	if _, err := parseAuthFlags(t, []string{"CORS_ORIGIN_LIST=https://x"}); err == nil {
		t.Errorf("a CORS_ORIGIN_LIST that is not JSON was accepted")
	}
	_, err := parseAuthFlags(t, nil, "--jwt-verification-key-file", filepath.Join(t.TempDir(), "nope"))
	if err == nil {
		t.Errorf("a missing key file was accepted")
	}
}

func TestExposedWithoutAuth(t *testing.T) {
	tests := []struct {
		mode auth.Mode
		ip   string
		want bool
	}{
		{auth.ModeNone, "127.0.0.1", false},
		{auth.ModeNone, "::1", false},
		{auth.ModeNone, "0.0.0.0", true},
		{auth.ModeNone, "::", true},
		{auth.ModeNone, "192.0.2.7", true},
		{auth.ModeSecurityKey, "0.0.0.0", false},
		{auth.ModeJWT, "0.0.0.0", false},
	}
	for _, tt := range tests {
		addr := &net.TCPAddr{IP: net.ParseIP(tt.ip), Port: 7777}
		if got := exposedWithoutAuth(tt.mode, addr); got != tt.want {
			t.Errorf("exposedWithoutAuth(%s, %s) = %v, want %v", tt.mode, tt.ip, got, tt.want)
		}
	}
}

func TestServeWithSecurityKey(t *testing.T) {
	const key = "serve-test-key-0123456789"
	base, logs, stop := startServe(t, "--db", filepath.Join(t.TempDir(), "app.db"),
		"--security-key", key, "--max-body-bytes", "1024")

	get := func(header string) int {
		t.Helper()
		req, err := http.NewRequest("GET", base+"/sessions", nil)
		if err != nil {
			t.Fatal(err)
		}
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(""); got != http.StatusUnauthorized {
		t.Errorf("no key: status %d, want 401", got)
	}
	if got := get("Bearer wrong-" + key); got != http.StatusUnauthorized {
		t.Errorf("wrong key: status %d, want 401", got)
	}
	if got := get("Bearer " + key); got != http.StatusOK {
		t.Errorf("right key: status %d, want 200", got)
	}
	resp, err := http.Get(base + "/info")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/info without a key: status %d, want 200", resp.StatusCode)
	}
	if !strings.Contains(string(info), `"auth_mode":"security_key"`) {
		t.Errorf("/info does not report the security key mode: %s", info)
	}

	req, err := http.NewRequest("POST", base+"/sessions", strings.NewReader(strings.Repeat("x", 2000)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("body over --max-body-bytes: status %d, want 413", resp.StatusCode)
	}

	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, logs.String())
	}
	out := logs.String()
	if strings.Contains(out, key) {
		t.Errorf("the log contains the security key: %s", out)
	}
	if !strings.Contains(out, `"auth":"security_key"`) {
		t.Errorf("the startup line does not name the auth mode: %s", out)
	}
	if !strings.Contains(out, `"msg":"request rejected"`) {
		t.Errorf("rejected requests were not logged: %s", out)
	}
}
