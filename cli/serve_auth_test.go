package cli

import (
	"os"
	"path/filepath"
	"slices"
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
