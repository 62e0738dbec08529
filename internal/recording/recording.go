// Package recording reads the raw HTTP exchanges recorded from agno's Python
// AgentOS 2.9.0 (testdata/agno-2.9/recordings/NN-name.txt) so that tests can
// replay a recorded request against a server, or serve a recorded response to
// a client.
//
// A recording file has this layout. The request and response heads use CRLF
// line ends, and the recorder appended one "\n" after each body:
//
//	### NN-name: title
//	### command: curl ...
//	### ----- raw request -----
//	METHOD TARGET HTTP/1.1\r\n
//	Header: value\r\n
//	\r\n
//	body\n
//	### ----- raw response -----
//	HTTP/1.1 STATUS REASON\r\n
//	header: value\r\n
//	\r\n
//	body\n
package recording

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const (
	commandPrefix  = "### command: "
	requestMarker  = "### ----- raw request -----\n"
	responseMarker = "### ----- raw response -----\n"
)

// Exchange is one recorded HTTP request and the response agno sent to it.
type Exchange struct {
	Name     string // file name without ".txt", e.g. "05-run-stream-true"
	Number   int    // the NN prefix of Name
	Title    string // text after "NN-name: " on the first line
	Command  string // the curl command that produced the exchange
	Request  Request
	Response Response
}

// Request is a recorded HTTP request.
type Request struct {
	Method string
	Target string // request target as sent: path and optional query
	Proto  string // e.g. "HTTP/1.1"
	Header http.Header
	Body   []byte
	// BodyOmitted reports that the request declared a body that the
	// recording does not contain (curl -F multipart uploads).
	BodyOmitted bool
}

// Response is a recorded HTTP response.
type Response struct {
	Proto      string // e.g. "HTTP/1.1"
	StatusCode int
	Status     string // status line after the protocol, e.g. "404 Not Found"
	Header     http.Header
	Body       []byte
}

// LoadAll parses every NN-name.txt file in dir and returns the exchanges
// ordered by name. Other files, such as INDEX.txt, are skipped.
func LoadAll(dir string) ([]*Exchange, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "[0-9][0-9]-*.txt"))
	if err != nil {
		return nil, fmt.Errorf("load recordings: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("load recordings: no NN-name.txt files in %s", dir)
	}
	sort.Strings(paths)
	exchanges := make([]*Exchange, 0, len(paths))
	for _, path := range paths {
		ex, err := Load(path)
		if err != nil {
			return nil, err
		}
		exchanges = append(exchanges, ex)
	}
	return exchanges, nil
}

// Load parses one recording file.
func Load(path string) (*Exchange, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load recording: %w", err)
	}
	name := strings.TrimSuffix(filepath.Base(path), ".txt")
	ex, err := Parse(name, data)
	if err != nil {
		return nil, fmt.Errorf("load recording %s: %w", path, err)
	}
	return ex, nil
}

// Find returns the exchange with the given name, or nil.
func Find(exchanges []*Exchange, name string) *Exchange {
	for _, ex := range exchanges {
		if ex.Name == name {
			return ex
		}
	}
	return nil
}

// Parse parses the content of one recording file. The name is the file name
// without ".txt" and must start with a two-digit number.
func Parse(name string, data []byte) (*Exchange, error) {
	ex := &Exchange{Name: name}
	number, _, ok := strings.Cut(name, "-")
	n, err := strconv.Atoi(number)
	if !ok || err != nil {
		return nil, fmt.Errorf("recording name %q: want NN-name", name)
	}
	ex.Number = n

	text := string(data)
	reqAt := strings.Index(text, requestMarker)
	respAt := strings.Index(text, responseMarker)
	if reqAt < 0 || respAt < reqAt {
		return nil, fmt.Errorf("missing %q before %q",
			strings.TrimSpace(requestMarker), strings.TrimSpace(responseMarker))
	}
	if err := ex.parsePreamble(text[:reqAt]); err != nil {
		return nil, err
	}
	if err := ex.Request.parse(data[reqAt+len(requestMarker) : respAt]); err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	if err := ex.Response.parse(data[respAt+len(responseMarker):]); err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	return ex, nil
}

func (ex *Exchange) parsePreamble(text string) error {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 2 {
		return fmt.Errorf("want a title line and a command line, got %d lines", len(lines))
	}
	title, ok := strings.CutPrefix(lines[0], "### "+ex.Name+":")
	if !ok {
		return fmt.Errorf("first line %q does not start with %q", lines[0], "### "+ex.Name+":")
	}
	ex.Title = strings.TrimSpace(title)
	command, ok := strings.CutPrefix(lines[1], commandPrefix)
	if !ok {
		return fmt.Errorf("second line %q does not start with %q", lines[1], commandPrefix)
	}
	ex.Command = command
	return nil
}

func (r *Request) parse(raw []byte) error {
	start, header, body, err := splitMessage(raw)
	if err != nil {
		return err
	}
	fields := strings.Fields(start)
	if len(fields) != 3 {
		return fmt.Errorf("request line %q: want METHOD TARGET PROTO", start)
	}
	r.Method, r.Target, r.Proto = fields[0], fields[1], fields[2]
	r.Header = header
	r.Body, r.BodyOmitted, err = trimBody(header, body)
	return err
}

func (r *Response) parse(raw []byte) error {
	start, header, body, err := splitMessage(raw)
	if err != nil {
		return err
	}
	proto, status, ok := strings.Cut(start, " ")
	if !ok {
		return fmt.Errorf("status line %q: want PROTO CODE REASON", start)
	}
	code, _, _ := strings.Cut(status, " ")
	r.StatusCode, err = strconv.Atoi(code)
	if err != nil || r.StatusCode < 100 || r.StatusCode > 599 {
		return fmt.Errorf("status line %q: invalid status code", start)
	}
	r.Proto, r.Status, r.Header = proto, status, header
	r.Body, _, err = trimBody(header, body)
	return err
}

// splitMessage splits an HTTP/1.1 message into its start line, header and
// body. Header lines end in CRLF, and an empty line ends the head.
func splitMessage(raw []byte) (start string, header http.Header, body []byte, err error) {
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		return "", nil, nil, fmt.Errorf("no blank line after the header")
	}
	lines := strings.Split(string(head), "\r\n")
	header = make(http.Header)
	for _, line := range lines[1:] {
		key, value, ok := strings.Cut(line, ":")
		if !ok || key == "" {
			return "", nil, nil, fmt.Errorf("header line %q: want Name: value", line)
		}
		header.Add(key, strings.TrimSpace(value))
	}
	return lines[0], header, body, nil
}

// trimBody removes the newline that the recorder appended after each body.
// With a Content-Length the body is cut to that length, so a body that itself
// ends in "\n" stays intact. A body shorter than declared is reported as
// omitted.
func trimBody(header http.Header, body []byte) (_ []byte, omitted bool, _ error) {
	declared := header.Get("Content-Length")
	if declared == "" {
		return bytes.TrimSuffix(body, []byte("\n")), false, nil
	}
	n, err := strconv.Atoi(declared)
	if err != nil || n < 0 {
		return nil, false, fmt.Errorf("invalid Content-Length %q", declared)
	}
	if len(body) < n {
		return body[:0], true, nil
	}
	if rest := body[n:]; len(rest) > 1 || (len(rest) == 1 && rest[0] != '\n') {
		return nil, false, fmt.Errorf("body has %d bytes after its Content-Length %d", len(rest), n)
	}
	return body[:n], false, nil
}

// Path returns the path of the request target, unescaped.
func (r *Request) Path() string {
	u, err := url.ParseRequestURI(r.Target)
	if err != nil {
		return r.Target
	}
	return u.Path
}

// Query returns the parsed query of the request target.
func (r *Request) Query() url.Values {
	u, err := url.ParseRequestURI(r.Target)
	if err != nil {
		return url.Values{}
	}
	return u.Query()
}

// ContentType returns the media type of the request body without parameters,
// in lower case, or "" when the request has none.
func (r *Request) ContentType() string {
	return mediaType(r.Header)
}

// ContentType returns the media type of the response body without
// parameters, in lower case.
func (r *Response) ContentType() string {
	return mediaType(r.Header)
}

// IsEventStream reports whether the response is a server-sent event stream.
func (r *Response) IsEventStream() bool {
	return r.ContentType() == "text/event-stream"
}

func mediaType(h http.Header) string {
	value, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(value))
}

// NewHTTPRequest builds a request that replays r against the server at
// baseURL (scheme and host, e.g. "http://127.0.0.1:7777"). The recorded
// headers are copied except Host and Content-Length, which the transport
// sets. A request whose body was omitted from the recording is rejected.
func (r *Request) NewHTTPRequest(ctx context.Context, baseURL string) (*http.Request, error) {
	if r.BodyOmitted {
		return nil, fmt.Errorf("replay %s %s: the recording omits the request body",
			r.Method, r.Target)
	}
	var body io.Reader
	if len(r.Body) > 0 {
		body = bytes.NewReader(r.Body)
	}
	target := strings.TrimSuffix(baseURL, "/") + r.Target
	req, err := http.NewRequestWithContext(ctx, r.Method, target, body)
	if err != nil {
		return nil, fmt.Errorf("replay %s %s: %w", r.Method, r.Target, err)
	}
	for key, values := range r.Header {
		if key == "Host" || key == "Content-Length" {
			continue
		}
		req.Header[key] = append([]string(nil), values...)
	}
	return req, nil
}

// Event is one server-sent event of a recorded stream.
type Event struct {
	Name string // the "event:" field, "" when absent
	Data string // the "data:" lines joined with "\n"
}

// Events splits an event-stream response body into its events. Comment
// lines and fields other than event and data are ignored.
func (r *Response) Events() ([]Event, error) {
	if !r.IsEventStream() {
		return nil, fmt.Errorf("response content type %q is not text/event-stream",
			r.Header.Get("Content-Type"))
	}
	var (
		events []Event
		cur    Event
		data   []string
		seen   bool
	)
	text := strings.ReplaceAll(string(r.Body), "\r\n", "\n")
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			if seen {
				cur.Data = strings.Join(data, "\n")
				events = append(events, cur)
			}
			cur, data, seen = Event{}, nil, false
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			cur.Name, seen = value, true
		case "data":
			data, seen = append(data, value), true
		}
	}
	if seen {
		return nil, fmt.Errorf("event stream ends inside an event (no blank line after it)")
	}
	return events, nil
}
