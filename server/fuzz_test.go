package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
)

// seedFromRecordings adds the query strings or bodies of the recorded
// session exchanges to a fuzz corpus.
func seedFromRecordings(f *testing.F, query bool) {
	f.Helper()
	recorded(f, "12-sessions-create-full") // loads every recording
	for _, ex := range recordings {
		if !strings.HasPrefix(ex.Request.Path(), "/sessions") {
			continue
		}
		if query {
			_, q, _ := strings.Cut(ex.Request.Target, "?")
			f.Add(q)
		} else {
			f.Add(string(ex.Request.Body))
		}
	}
}

// checkParseResult fails unless err is nil, a 422 or the 400 for bodies
// that are not text.
func checkParseResult(t *testing.T, err error) {
	t.Helper()
	var verr *ValidationError
	switch {
	case err == nil:
	case errors.As(err, &verr):
		if len(verr.Items) == 0 {
			t.Fatal("validation error without items")
		}
		if _, merr := json.Marshal(map[string]any{"detail": verr.Items}); merr != nil {
			t.Fatalf("validation items do not encode: %v", merr)
		}
	case agentos.ErrorCode(err) == agentos.EINVALID:
	default:
		t.Fatalf("parse error %v would be a server error", err)
	}
}

func FuzzListQuery(f *testing.F) {
	seedFromRecordings(f, true)
	f.Add("limit=9223372036854775807&page=9223372036854775807")
	f.Add("page=0&limit=1&sort_by=session_name&sort_order=asc")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := httptest.NewRequest("GET", "/sessions", nil)
		r.URL.RawQuery = rawQuery
		var errs ValidationError
		q := newQuery(r, &errs)
		p := parseListQuery(q)
		checkParseResult(t, errs.Err())
		if errs.Err() != nil {
			return
		}
		if p.filter.Limit < 1 || p.filter.Offset < 0 || p.page < 0 {
			t.Fatalf("limit %d, offset %d, page %d from %q",
				p.filter.Limit, p.filter.Offset, p.page, rawQuery)
		}
		if _, err := agentos.ParseSortField(string(p.filter.SortBy)); err != nil {
			t.Fatalf("accepted sort_by %q", p.filter.SortBy)
		}
		if p.filter.Type != nil {
			if _, err := agentos.ParseSessionType(string(*p.filter.Type)); err != nil {
				t.Fatalf("accepted type %q", *p.filter.Type)
			}
		}
	})
}

// parseBody runs readBody and parse on body as a handler would.
func parseBody(t *testing.T, body string, parse func(json.RawMessage, *ValidationError)) {
	r := httptest.NewRequest("POST", "/sessions", strings.NewReader(body))
	raw, err := readBody(r)
	if err != nil {
		checkParseResult(t, err)
		return
	}
	var errs ValidationError
	parse(raw, &errs)
	checkParseResult(t, errs.Err())
}

func FuzzCreateBody(f *testing.F) {
	seedFromRecordings(f, false)
	f.Fuzz(func(t *testing.T, body string) {
		parseBody(t, body, func(raw json.RawMessage, errs *ValidationError) {
			in := parseCreateBody(raw, errs)
			if errs.Err() != nil {
				return
			}
			for _, v := range []json.RawMessage{in.State, in.Metadata} {
				if v != nil && !agentos.IsJSONObject(v) {
					t.Fatalf("accepted %s as an object", v)
				}
				if v != nil && !json.Valid(v) {
					t.Fatalf("accepted invalid JSON %s", v)
				}
			}
		})
	})
}

func FuzzUpdateBody(f *testing.F) {
	seedFromRecordings(f, false)
	f.Add(`{"summary":{"summary":"s","topics":["a"],"updated_at":"2026-03-01T09:00:00.5+05:30"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		parseBody(t, body, func(raw json.RawMessage, errs *ValidationError) {
			upd := parseUpdateBody(raw, errs)
			if errs.Err() != nil || upd.Summary == nil {
				return
			}
			var summary struct {
				Summary   string   `json:"summary"`
				Topics    []string `json:"topics"`
				UpdatedAt *string  `json:"updated_at"`
			}
			if err := json.Unmarshal(upd.Summary, &summary); err != nil {
				t.Fatalf("stored summary %s does not decode: %v", upd.Summary, err)
			}
			if summary.UpdatedAt != nil {
				if _, ok := parsePythonISO(*summary.UpdatedAt); !ok {
					t.Fatalf("stored updated_at %q does not parse back", *summary.UpdatedAt)
				}
			}
		})
	})
}

func FuzzDeleteBody(f *testing.F) {
	seedFromRecordings(f, false)
	f.Fuzz(func(t *testing.T, body string) {
		parseBody(t, body, func(raw json.RawMessage, errs *ValidationError) {
			ids, types := parseDeleteBody(raw, errs)
			if errs.Err() == nil && (len(ids) == 0 || types == 0) {
				t.Fatalf("accepted %q with %d ids and %d types", body, len(ids), types)
			}
		})
	})
}

func FuzzRenameBody(f *testing.F) {
	seedFromRecordings(f, false)
	f.Fuzz(func(t *testing.T, body string) {
		parseBody(t, body, func(raw json.RawMessage, errs *ValidationError) {
			if name := parseRenameBody(raw, errs); errs.Err() == nil && name == nil {
				t.Fatalf("accepted %q without a name", body)
			}
		})
	})
}

// FuzzSessionRoutes sends arbitrary queries and bodies to every session
// route of a server over SQLite. No request may get a 5xx or a body that
// is not JSON.
func FuzzSessionRoutes(f *testing.F) {
	routes := []struct{ method, path string }{
		{"GET", "/sessions"}, {"POST", "/sessions"}, {"DELETE", "/sessions"},
		{"GET", "/sessions/s1"}, {"PATCH", "/sessions/s1"}, {"DELETE", "/sessions/s1"},
		{"GET", "/sessions/s1/runs"}, {"GET", "/sessions/s1/runs/r1"},
		{"POST", "/sessions/s1/rename"}, {"POST", "/sessions/s1/clear"},
	}
	recorded(f, "12-sessions-create-full")
	for _, ex := range recordings {
		if !strings.HasPrefix(ex.Request.Path(), "/sessions") {
			continue
		}
		_, q, _ := strings.Cut(ex.Request.Target, "?")
		for i, r := range routes {
			if r.method == ex.Request.Method {
				f.Add(uint8(i), q, string(ex.Request.Body))
			}
		}
	}
	ts := newTestServer(f)
	ts.create("", `{"session_id":"s1","agent_id":"assistant","user_id":"alice"}`)
	ts.addRun("s1", runOne)
	f.Fuzz(func(t *testing.T, route uint8, rawQuery, body string) {
		r := routes[int(route)%len(routes)]
		req, err := http.NewRequest(r.method, ts.URL+r.path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.URL.RawQuery = escapeRequestTarget(rawQuery)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s?%s with %q: status %d: %s", r.method, r.path, rawQuery, body,
				resp.StatusCode, data)
		}
		if len(data) > 0 && !json.Valid(data) {
			t.Fatalf("%s %s: body is not JSON: %q", r.method, r.path, data)
		}
	})
}

// escapeRequestTarget percent-encodes the bytes that may not appear in an
// HTTP request line, which no client can send as they are.
func escapeRequestTarget(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
