package auth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// DefaultOrigins are the origins agno 2.9.0 allows by default. The last one
// serves agno's web UI, which calls the server from the browser.
var DefaultOrigins = []string{
	"http://localhost:3000",
	"https://agno.com",
	"https://www.agno.com",
	"https://app.agno.com",
	"https://os-stg.agno.com",
	"https://os.agno.com",
}

// corsMethods is the Access-Control-Allow-Methods value of preflight
// responses: every method, as agno lists them.
var corsMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// corsMaxAge is how long, in seconds, browsers may cache a preflight response.
const corsMaxAge = "600"

// ResolveOrigins returns the allowed origins the way agno 2.9.0 builds them:
// configured origins replace the defaults. Otherwise the defaults are used,
// plus the origins of envList, the CORS_ORIGIN_LIST value (a JSON array of
// strings, may be empty).
func ResolveOrigins(configured []string, envList string) ([]string, error) {
	if len(configured) > 0 {
		return cleanOrigins(configured), nil
	}
	origins := slices.Clone(DefaultOrigins)
	if strings.TrimSpace(envList) != "" {
		var extra []string
		if err := json.Unmarshal([]byte(envList), &extra); err != nil {
			return nil, fmt.Errorf("invalid CORS_ORIGIN_LIST: want a JSON array of strings "+
				`such as ["https://a.example"]: %w`, err)
		}
		origins = append(extra, origins...)
	}
	return cleanOrigins(origins), nil
}

// cleanOrigins drops "*", empty entries and repeats, and returns
// DefaultOrigins for nil. Credentials are allowed, so browsers would reject
// a wildcard anyway.
func cleanOrigins(origins []string) []string {
	if origins == nil {
		return slices.Clone(DefaultOrigins)
	}
	out := make([]string, 0, len(origins))
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o != "" && o != "*" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// Origins returns the origins browsers may call from.
func (g *Guard) Origins() []string { return slices.Clone(g.origins) }

// CORS responds to preflight requests and adds CORS headers to other requests
// that carry an Origin header, as agno's Starlette CORS middleware does:
// credentials allowed, every method and request header allowed, every
// response header exposed. A preflight from an origin not on the list gets
// 400 "Disallowed CORS origin".
func (g *Guard) CORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origins, present := r.Header["Origin"]
		if !present || len(origins) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		origin := origins[0]
		_, isPreflight := r.Header["Access-Control-Request-Method"]
		if r.Method == http.MethodOptions && isPreflight {
			g.preflight(w, r, origin)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Expose-Headers", "*")
		if slices.Contains(g.origins, origin) {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		}
		next.ServeHTTP(w, r)
	})
}

// preflight responds to a CORS preflight request with headers in agno's order.
func (g *Guard) preflight(w http.ResponseWriter, r *http.Request, origin string) {
	h := w.Header()
	h.Set("Vary", "Origin")
	h.Set("Access-Control-Allow-Methods", strings.Join(corsMethods, ", "))
	h.Set("Access-Control-Max-Age", corsMaxAge)
	h.Set("Access-Control-Allow-Credentials", "true")
	var failures []string
	if slices.Contains(g.origins, origin) {
		h.Set("Access-Control-Allow-Origin", origin)
	} else {
		failures = append(failures, "origin")
	}
	if !slices.Contains(corsMethods, r.Header.Get("Access-Control-Request-Method")) {
		failures = append(failures, "method")
	}
	if requested, ok := r.Header["Access-Control-Request-Headers"]; ok && len(requested) > 0 {
		h.Set("Access-Control-Allow-Headers", requested[0])
	}
	body, status := "OK", http.StatusOK
	if len(failures) > 0 {
		body, status = "Disallowed CORS "+strings.Join(failures, ", "), http.StatusBadRequest
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
