package server

import (
	"encoding/json"
	"errors"
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
