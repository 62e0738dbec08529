package auth_test

import (
	"slices"
	"testing"
)

func TestRouteScopes(t *testing.T) {
	url := jwtServer(t, true)
	k := rsaKeys()[0]
	tests := []struct {
		method, path string
		scopes       []string
		status       int
		detail       string
	}{
		{"GET", "/sessions", []string{"sessions:read"}, 200, ""},
		{"GET", "/sessions", []string{"sessions:write"}, 403,
			"Insufficient permissions. Required scope(s): sessions:read"},
		{"GET", "/sessions", nil, 403, "Insufficient permissions. Required scope(s): sessions:read"},
		{"GET", "/sessions/s1/runs/r1", []string{"sessions:read"}, 200, ""},
		{"POST", "/sessions", []string{"sessions:read"}, 403,
			"Insufficient permissions. Required scope(s): sessions:write"},
		{"POST", "/sessions", []string{"sessions:write"}, 200, ""},
		{"POST", "/sessions/s1/rename", []string{"sessions:write"}, 200, ""},
		{"POST", "/sessions/s1/clear", []string{"sessions:read"}, 403,
			"Insufficient permissions. Required scope(s): sessions:write"},
		{"PATCH", "/sessions/s1", []string{"sessions:write"}, 200, ""},
		{"DELETE", "/sessions/s1", []string{"sessions:write"}, 403,
			"Insufficient permissions. Required scope(s): sessions:delete"},
		{"DELETE", "/sessions", []string{"sessions:delete"}, 200, ""},
		{"GET", "/config", []string{"config:read"}, 200, ""},
		{"GET", "/config", []string{"system:read"}, 200, ""},
		{"GET", "/models", nil, 403, "Insufficient permissions. Required scope(s): config:read"},
		{"GET", "/agents/a1", []string{"agents:read"}, 200, ""},
		{"GET", "/agents/a1", []string{"agents:a1:read"}, 200, ""},
		{"GET", "/agents/a1", []string{"agents:*:read"}, 200, ""},
		{"GET", "/agents/a1", []string{"agents:a2:read"}, 403,
			"Insufficient permissions. Required scope(s): agents:read"},
		{"GET", "/agents/a1", []string{"agents:a1:run"}, 403,
			"Insufficient permissions. Required scope(s): agents:read"},
		{"POST", "/agents/a1/runs", []string{"agents:a1:run"}, 200, ""},
		{"POST", "/agents/a1/runs", []string{"agents:run"}, 200, ""},
		{"POST", "/agents/a1/runs", []string{"agents:a2:run", "agents:read"}, 403,
			"Insufficient permissions. Required scope(s): agents:run"},
		{"POST", "/agents/a%2Fb/runs", []string{"agents:a:run"}, 403,
			"Insufficient permissions. Required scope(s): agents:run"},
		{"POST", "/agents/a%2Fb/runs", []string{"agents:a/b:run"}, 200, ""},
		{"POST", "/agents/a1/runs/r1/cancel", []string{"agents:a1:run"}, 200, ""},
		{"POST", "/agents/a1/runs/r1/continue", []string{"agents:read"}, 403,
			"Insufficient permissions. Required scope(s): agents:run"},
		{"GET", "/agents", []string{"agents:read"}, 200, ""},
		{"GET", "/agents", []string{"agents:a1:read"}, 200, ""},
		{"GET", "/agents", []string{"agents:a1:run"}, 403,
			"Insufficient permissions. Required scope(s): agents:read"},
		{"GET", "/agents", []string{"sessions:read"}, 403,
			"Insufficient permissions. Required scope(s): agents:read"},
		{"HEAD", "/sessions/s1", []string{"agents:read"}, 403, ""},
		{"HEAD", "/sessions/s1", []string{"sessions:read"}, 200, ""},
		{"GET", "/unmapped", nil, 200, ""},
		{"DELETE", "/sessions/s1", []string{"agent_os:admin"}, 200, ""},
		{"GET", "/sessions", []string{"sessions:read:extra:part"}, 403,
			"Insufficient permissions. Required scope(s): sessions:read"},
	}
	for _, tt := range tests {
		token := signRS256(t, k, "", claims("alice", tt.scopes...))
		resp := do(t, tt.method, url+tt.path, "", bearer(token))
		if resp.status != tt.status {
			t.Errorf("%s %s with %q: status %d, want %d (body %s)", tt.method, tt.path, tt.scopes,
				resp.status, tt.status, resp.body)
			continue
		}
		if tt.status == 403 && tt.method != "HEAD" && resp.detail() != tt.detail {
			t.Errorf("%s %s with %q: detail %q, want %q", tt.method, tt.path, tt.scopes,
				resp.detail(), tt.detail)
		}
	}
}

func TestReadableAgents(t *testing.T) {
	url := jwtServer(t, true)
	k := rsaKeys()[0]
	tests := []struct {
		scopes []string
		want   []string // nil means every agent
	}{
		{[]string{"agents:read"}, nil},
		{[]string{"agents:*:read"}, nil},
		{[]string{"agent_os:admin"}, nil},
		{[]string{"agents:b:read", "agents:a:read", "agents:a:read", "agents:c:run"}, []string{"a", "b"}},
	}
	for _, tt := range tests {
		resp := do(t, "GET", url+"/agents", "", bearer(signRS256(t, k, "", claims("alice", tt.scopes...))))
		if resp.status != 200 {
			t.Errorf("%q: status %d, want 200", tt.scopes, resp.status)
			continue
		}
		p := resp.principal(t)
		if !slices.Equal(p.ReadableAgents, tt.want) || (tt.want == nil) != (p.ReadableAgents == nil) {
			t.Errorf("%q: ReadableAgents = %q, want %q", tt.scopes, p.ReadableAgents, tt.want)
		}
		for _, id := range []string{"a", "b", "z"} {
			want := tt.want == nil || slices.Contains(tt.want, id)
			if got := p.CanReadAgent(id); got != want {
				t.Errorf("%q: CanReadAgent(%q) = %v, want %v", tt.scopes, id, got, want)
			}
		}
	}
}

func TestScopesIgnoredStillIsolates(t *testing.T) {
	url := jwtServer(t, false)
	resp := do(t, "DELETE", url+"/sessions/s1", "", bearer(signRS256(t, rsaKeys()[0], "", claims("bob"))))
	if resp.status != 200 {
		t.Fatalf("status = %d, want 200", resp.status)
	}
	if p := resp.principal(t); !p.Isolated() || p.UserID != "bob" {
		t.Errorf("principal = %+v, want bob, isolated", p)
	}
}
