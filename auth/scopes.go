package auth

import (
	"net/url"
	"slices"
	"strings"
)

// DefaultAdminScope is the scope that grants every permission and lifts
// per-user isolation, as in agno 2.9.0.
const DefaultAdminScope = "agent_os:admin"

// routeScope is one row of the scope table: the scopes a request needs when
// its method equals method and its escaped path matches pattern, in which
// "*" matches any run of characters, "/" included.
type routeScope struct {
	method  string
	pattern string
	scopes  []string
}

// routeScopes returns the scope table in match order: the first row whose
// method and pattern match decides. It is agno 2.9.0's default table for the
// routes this server has, plus the session clear route, which agno lacks and
// which needs the same scope as rename. Routes absent from the table need
// no scope, as in agno.
func routeScopes() []routeScope {
	return []routeScope{
		{"GET", "/config", []string{"config:read"}},
		{"GET", "/models", []string{"config:read"}},

		{"GET", "/agents", []string{"agents:read"}},
		{"GET", "/agents/*", []string{"agents:read"}},
		{"POST", "/agents", []string{"agents:write"}},
		{"PATCH", "/agents/*", []string{"agents:write"}},
		{"DELETE", "/agents/*", []string{"agents:delete"}},
		{"POST", "/agents/*/runs", []string{"agents:run"}},
		{"POST", "/agents/*/runs/*/continue", []string{"agents:run"}},
		{"POST", "/agents/*/runs/*/cancel", []string{"agents:run"}},

		{"GET", "/teams", []string{"teams:read"}},
		{"GET", "/teams/*", []string{"teams:read"}},
		{"POST", "/teams/*/runs", []string{"teams:run"}},
		{"POST", "/teams/*/runs/*/continue", []string{"teams:run"}},
		{"POST", "/teams/*/runs/*/cancel", []string{"teams:run"}},

		{"GET", "/workflows", []string{"workflows:read"}},
		{"GET", "/workflows/*", []string{"workflows:read"}},
		{"POST", "/workflows/*/runs", []string{"workflows:run"}},
		{"POST", "/workflows/*/runs/*/continue", []string{"workflows:run"}},
		{"POST", "/workflows/*/runs/*/cancel", []string{"workflows:run"}},

		{"GET", "/sessions", []string{"sessions:read"}},
		{"GET", "/sessions/*", []string{"sessions:read"}},
		{"POST", "/sessions", []string{"sessions:write"}},
		{"POST", "/sessions/*/rename", []string{"sessions:write"}},
		{"POST", "/sessions/*/clear", []string{"sessions:write"}},
		{"PATCH", "/sessions/*", []string{"sessions:write"}},
		{"DELETE", "/sessions", []string{"sessions:delete"}},
		{"DELETE", "/sessions/*", []string{"sessions:delete"}},
	}
}

// legacyResources maps resource names that agno renamed to their current
// names, so tokens issued with system:read still grant config:read.
var legacyResources = map[string]string{"system": "config"}

// Kinds of scope strings.
const (
	scopeUnknown     = iota // anything that is not one of the forms below
	scopeAdmin              // the admin scope
	scopeGlobal             // resource:action
	scopePerResource        // resource:id:action, where id may be "*"
)

// parsedScope is a scope string split into its parts.
type parsedScope struct {
	kind     int
	resource string
	id       string
	action   string
}

// parseScope splits s into resource, id and action. adminScope is the
// configured admin scope.
func parseScope(s, adminScope string) parsedScope {
	if s == adminScope {
		return parsedScope{kind: scopeAdmin}
	}
	parts := strings.Split(s, ":")
	resource := parts[0]
	if current, ok := legacyResources[resource]; ok {
		resource = current
	}
	switch len(parts) {
	case 2:
		return parsedScope{kind: scopeGlobal, resource: resource, action: parts[1]}
	case 3:
		return parsedScope{
			kind: scopePerResource, resource: resource, id: parts[1], action: parts[2],
		}
	}
	return parsedScope{kind: scopeUnknown}
}

// grants reports whether the caller's scope p grants action on resource, or
// on the single item id of resource when id is not empty. A global scope or
// a "*" scope covers every item. A scope for one item covers only that item.
func (p parsedScope) grants(resource, id, action string) bool {
	switch {
	case p.kind == scopeAdmin:
		return true
	case p.kind == scopeUnknown, p.resource != resource, p.action != action:
		return false
	case p.kind == scopeGlobal, p.id == "*":
		return true
	}
	return id != "" && p.id == id
}

// scopeDecision is the outcome of checking a caller's scopes for a request.
type scopeDecision struct {
	allowed  bool
	required []string
	// readable lists the items a listing may show when the caller's scopes
	// name single items. It is nil when the caller may see every item.
	readable []string
}

// checkScopes decides whether a caller holding scopes may make a request
// with method and escapedPath, following agno 2.9.0's rules. Listing routes
// (GET /agents, /teams, /workflows) admit callers whose scopes name single
// items, and readable then lists those items. A listing caller with no
// scope for the resource at all is denied.
func checkScopes(scopes []string, method, escapedPath, adminScope string) scopeDecision {
	required := requiredScopes(method, escapedPath)
	if len(required) == 0 {
		return scopeDecision{allowed: true}
	}
	parsed := make([]parsedScope, 0, len(scopes))
	for _, s := range scopes {
		p := parseScope(s, adminScope)
		if p.kind == scopeAdmin {
			return scopeDecision{allowed: true, required: required}
		}
		parsed = append(parsed, p)
	}

	resourceType, id := resourceContext(escapedPath)
	allowed := true
	for _, req := range required {
		resource, action, ok := strings.Cut(req, ":")
		if resourceType != "" && id != "" {
			resource = resourceType
		}
		if !ok || !slices.ContainsFunc(parsed, func(p parsedScope) bool {
			return p.grants(resource, id, action)
		}) {
			allowed = false
			break
		}
	}
	if allowed {
		return scopeDecision{allowed: true, required: required}
	}

	family, action, _ := strings.Cut(required[0], ":")
	if method != "GET" || id != "" || resourceType == "" || family != resourceType {
		return scopeDecision{required: required}
	}
	// A listing: show the items the caller's per-item scopes name.
	var readable []string
	for _, p := range parsed {
		if p.kind == scopePerResource && p.resource == resourceType && p.action == action &&
			p.id != "*" && !slices.Contains(readable, p.id) {
			readable = append(readable, p.id)
		}
	}
	if len(readable) == 0 {
		return scopeDecision{required: required}
	}
	slices.Sort(readable)
	return scopeDecision{allowed: true, required: required, readable: readable}
}

// requiredScopes returns the scopes the scope table requires for method and
// escapedPath, or nil when the route needs none.
func requiredScopes(method, escapedPath string) []string {
	for _, row := range routeScopes() {
		if row.method == method && globMatch(row.pattern, escapedPath) {
			return row.scopes
		}
	}
	return nil
}

// resourceContext returns the resource type ("agents", "teams" or
// "workflows") that escapedPath addresses and the unescaped id of the item
// it names, if any. Working on the escaped path keeps an id that contains
// an encoded "/" whole.
func resourceContext(escapedPath string) (resourceType, id string) {
	rest, ok := strings.CutPrefix(escapedPath, "/")
	if !ok {
		return "", ""
	}
	first, rest, _ := strings.Cut(rest, "/")
	switch first {
	case "agents", "teams", "workflows":
	default:
		return "", ""
	}
	segment, _, _ := strings.Cut(rest, "/")
	if segment == "" {
		return first, ""
	}
	unescaped, err := url.PathUnescape(segment)
	if err != nil {
		unescaped = segment
	}
	return first, unescaped
}

// globMatch reports whether s matches pattern, in which "*" matches any run
// of characters, including none and including "/". Other characters match
// themselves.
func globMatch(pattern, s string) bool {
	star, next := -1, 0 // last "*" seen in pattern, and where in s it resumes
	p, i := 0, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, next = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			next++
			p, i = star+1, next
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
