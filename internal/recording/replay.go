package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
)

// Replayer is an http.Handler that plays the server side of recorded
// exchanges, in order: each incoming request must match the next exchange's
// request, and gets its recorded response. Err reports every mismatch and
// any exchange left unplayed.
type Replayer struct {
	mu        sync.Mutex
	exchanges []*Exchange
	next      int
	errs      []error
}

// NewReplayer returns a Replayer that expects the requests of exchanges in
// the order given.
func NewReplayer(exchanges ...*Exchange) *Replayer {
	return &Replayer{exchanges: exchanges}
}

// ServeHTTP responds to r with the next recorded response when r matches the
// next recorded request, and with 599 and the mismatch otherwise.
func (p *Replayer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		p.fail(w, fmt.Errorf("%s %s: read body: %w", r.Method, r.URL, err))
		return
	}
	p.mu.Lock()
	if p.next >= len(p.exchanges) {
		p.mu.Unlock()
		p.fail(w, fmt.Errorf("unexpected request %s %s after the last exchange", r.Method, r.URL))
		return
	}
	ex := p.exchanges[p.next]
	p.next++
	p.mu.Unlock()

	if err := ex.Request.Match(r, body); err != nil {
		p.fail(w, fmt.Errorf("%s: %w", ex.Name, err))
		return
	}
	ex.Response.Write(w)
}

func (p *Replayer) fail(w http.ResponseWriter, err error) {
	p.mu.Lock()
	p.errs = append(p.errs, err)
	p.mu.Unlock()
	http.Error(w, err.Error(), 599)
}

// Err returns the mismatches seen so far and names the exchanges not yet
// played, or nil when every exchange was played and matched.
func (p *Replayer) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	errs := append([]error(nil), p.errs...)
	for _, ex := range p.exchanges[p.next:] {
		errs = append(errs, fmt.Errorf("%s: expected request %s %s was not sent",
			ex.Name, ex.Request.Method, ex.Request.Target))
	}
	return errors.Join(errs...)
}

// Write sends the recorded response: its status, its headers except those
// the transport owns (Content-Length, Transfer-Encoding, Date), and its body.
func (r *Response) Write(w http.ResponseWriter) {
	for key, values := range r.Header {
		switch key {
		case "Content-Length", "Transfer-Encoding", "Date":
			continue
		}
		w.Header()[key] = append([]string(nil), values...)
	}
	w.WriteHeader(r.StatusCode)
	_, _ = w.Write(r.Body)
}

// defaultRule lists the values agno uses for absent parameters of the
// requests with one method and a path that matches a pattern.
type defaultRule struct {
	method string
	path   *regexp.Regexp
	values url.Values
}

// queryDefaults are the values agno 2.9.0 uses for absent query parameters,
// by method and path pattern. A request that sends a default explicitly
// is equivalent to one that leaves it out.
var queryDefaults = []defaultRule{
	{http.MethodGet, regexp.MustCompile(`^/sessions$`), url.Values{
		"limit": {"20"}, "page": {"1"}, "sort_by": {"created_at"}, "sort_order": {"desc"},
	}},
	{http.MethodPost, regexp.MustCompile(`^/sessions$`), url.Values{"type": {"agent"}}},
}

// formDefaults are the values agno 2.9.0 uses for absent form fields.
var formDefaults = []defaultRule{
	{http.MethodPost, regexp.MustCompile(`^/agents/[^/]+/runs$`), url.Values{"stream": {"true"}}},
}

// Match reports how the request r with body differs from the recorded
// request, or nil when both ask for the same thing. The method and path
// must be equal. Query parameters and form fields are compared as sets,
// with agno's defaults filled in on both sides. JSON bodies are compared as
// values, with null members of the top-level object removed, because agno
// reads an explicit null as "not given". The recorded Content-Type must
// match when the recording has a body.
func (rec *Request) Match(r *http.Request, body []byte) error {
	if r.Method != rec.Method {
		return fmt.Errorf("method %s, recorded %s", r.Method, rec.Method)
	}
	if r.URL.Path != rec.Path() {
		return fmt.Errorf("path %q, recorded %q", r.URL.Path, rec.Path())
	}
	got := withDefaults(r.URL.Query(), queryDefaults, r.Method, r.URL.Path)
	want := withDefaults(rec.Query(), queryDefaults, rec.Method, rec.Path())
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("query %v, recorded %v", got, want)
	}
	if rec.BodyOmitted {
		return fmt.Errorf("the recording omits its request body, so it cannot be matched")
	}
	if len(rec.Body) == 0 && len(body) == 0 {
		return nil
	}
	gotType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if wantType := rec.ContentType(); gotType != wantType {
		return fmt.Errorf("Content-Type %q, recorded %q", gotType, wantType)
	}
	switch gotType {
	case "application/json":
		return matchJSON(body, rec.Body)
	case "application/x-www-form-urlencoded":
		return matchForm(body, rec.Body, rec.Method, rec.Path())
	}
	if !bytes.Equal(body, rec.Body) {
		return fmt.Errorf("body %q, recorded %q", body, rec.Body)
	}
	return nil
}

func withDefaults(values url.Values, defaults []defaultRule, method, path string) url.Values {
	out := url.Values{}
	for key, v := range values {
		out[key] = v
	}
	for _, d := range defaults {
		if d.method != method || !d.path.MatchString(path) {
			continue
		}
		for key, v := range d.values {
			if _, ok := out[key]; !ok {
				out[key] = v
			}
		}
	}
	return out
}

func matchJSON(got, want []byte) error {
	var g, w any
	errGot, errWant := json.Unmarshal(got, &g), json.Unmarshal(want, &w)
	if errGot != nil || errWant != nil {
		// Malformed JSON, sent on purpose by some recordings, is compared
		// as text.
		if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
			return fmt.Errorf("body %q, recorded %q", got, want)
		}
		return nil
	}
	g, w = dropNullMembers(g), dropNullMembers(w)
	if !reflect.DeepEqual(g, w) {
		return fmt.Errorf("JSON body %s, recorded %s", got, want)
	}
	return nil
}

func dropNullMembers(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for key, value := range m {
		if value == nil {
			delete(m, key)
		}
	}
	return m
}

func matchForm(got, want []byte, method, path string) error {
	g, err := url.ParseQuery(string(got))
	if err != nil {
		return fmt.Errorf("form body %q: %w", got, err)
	}
	w, err := url.ParseQuery(strings.TrimSpace(string(want)))
	if err != nil {
		return fmt.Errorf("recorded form body %q: %w", want, err)
	}
	g = withDefaults(g, formDefaults, method, path)
	w = withDefaults(w, formDefaults, method, path)
	if !reflect.DeepEqual(g, w) {
		return fmt.Errorf("form %v, recorded %v", g, w)
	}
	return nil
}
