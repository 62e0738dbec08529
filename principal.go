package agentos

import (
	"context"
	"slices"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	// UserID is the caller's user id, from the JWT subject. It is empty for
	// the shared security key, which identifies no user.
	UserID string
	// Scopes are the permissions the token grants.
	Scopes []string
	// Admin is set for callers with the admin scope, who see every session.
	Admin bool
	// SessionID is the session named by the token's session_id claim, which
	// agno uses as the session of the caller's runs. It is empty when absent.
	SessionID string
	// ReadableAgents limits the agents the caller may list to these ids when
	// its scopes name particular agents. Nil means every agent.
	ReadableAgents []string
}

// Isolated reports whether the caller may only see and change sessions that
// it owns: every identified user who is not an admin.
func (p *Principal) Isolated() bool {
	return p != nil && !p.Admin && p.UserID != ""
}

// CanReadAgent reports whether the caller may see the agent with id in
// listings. Requests without a principal may see every agent.
func (p *Principal) CanReadAgent(id string) bool {
	if p == nil || p.ReadableAgents == nil {
		return true
	}
	return slices.Contains(p.ReadableAgents, id)
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx that carries p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal carried by ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
