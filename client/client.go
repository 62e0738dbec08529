// Package client is a Go client for the AgentOS HTTP API, as served by
// agentos and by agno's Python AgentOS (version 2.9.0).
//
// It offers every call of agno's Python AgentOSClient, plus health, home,
// info and clearing a session. Requests are encoded as agno's client encodes
// them: JSON bodies for session routes, and URL-encoded forms for runs.
// Responses are decoded leniently: unknown keys are ignored, a missing key and
// null read alike, content may be a string or any JSON value, and times may
// be ISO strings or Unix seconds.
//
// Every call takes a context. Regular calls also get a per-call timeout of 60
// seconds by default. Streams get an idle timeout between events instead.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"
)

// DefaultBaseURL is the address agno's AgentOS listens on by default.
const DefaultBaseURL = "http://localhost:7777"

// DefaultTimeout is the time limit of one regular call, as in agno's client.
const DefaultTimeout = 60 * time.Second

// Client calls one AgentOS server. It is safe for concurrent use.
type Client struct {
	baseURL     string
	httpClient  *http.Client
	token       string
	tokenSet    bool
	timeout     time.Duration
	idleTimeout time.Duration
	header      http.Header
	userAgent   string
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the server address, such as "http://localhost:7777".
// Trailing slashes are removed. The default is DefaultBaseURL.
func WithBaseURL(u string) Option {
	return func(c *Client) { c.baseURL = u }
}

// WithToken sets the bearer token sent in the Authorization header: the
// server's security key or a JWT. Without this option the client uses the
// OS_SECURITY_KEY environment variable when it is set. An empty token sends
// no Authorization header.
func WithToken(token string) Option {
	return func(c *Client) { c.token, c.tokenSet = token, true }
}

// WithHTTPClient sets the HTTP client used for every request. Its Timeout
// should be zero, because a total limit would cut long streams; the client
// applies its own limits per call.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.httpClient = hc }
}

// WithTimeout sets the time limit of each regular call. Zero or a negative
// value means no limit. The default is DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) { c.timeout = d }
}

// WithStreamIdleTimeout sets how long a stream may stay silent before the
// client gives up on it. The default is the call timeout, so a stream that
// keeps sending events can last any time.
func WithStreamIdleTimeout(d time.Duration) Option {
	return func(c *Client) { c.idleTimeout = d }
}

// WithHeader adds a header sent with every request.
func WithHeader(key, value string) Option {
	return func(c *Client) { c.header.Add(key, value) }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a client configured by opts. It fails when the base URL is not
// an absolute http or https URL.
func New(opts ...Option) (*Client, error) {
	c := &Client{
		baseURL:    DefaultBaseURL,
		httpClient: http.DefaultClient,
		timeout:    DefaultTimeout,
		header:     make(http.Header),
		userAgent:  "agentos-go-client",
	}
	for _, opt := range opts {
		opt(c)
	}
	if !c.tokenSet {
		c.token = os.Getenv("OS_SECURITY_KEY")
	}
	if c.idleTimeout == 0 {
		c.idleTimeout = c.timeout
	}
	c.baseURL = strings.TrimRight(strings.TrimSpace(c.baseURL), "/")
	u, err := url.Parse(c.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("invalid base URL %q: use an absolute URL such as %s",
			c.baseURL, DefaultBaseURL)
	}
	return c, nil
}

// BaseURL returns the server address the client calls.
func (c *Client) BaseURL() string { return c.baseURL }

// RequestOption changes one outgoing request, for example to add a header.
type RequestOption func(*http.Request)

// Header returns a RequestOption that sets a header on one request.
func Header(key, value string) RequestOption {
	return func(r *http.Request) { r.Header.Set(key, value) }
}

// request describes one call before it is sent.
type request struct {
	method      string
	path        string // escaped path below the base URL
	query       query
	body        []byte
	contentType string
	opts        []RequestOption
}

// jsonBody returns v encoded as agno's client sends JSON: UTF-8 without HTML
// escaping.
func jsonBody(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode request body: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// newHTTPRequest builds the HTTP request for req.
func (c *Client) newHTTPRequest(ctx context.Context, req *request) (*http.Request, error) {
	// No route path has an empty segment, so one comes from an empty id.
	// Sent, it would name another route: GET /sessions/ lists sessions.
	if strings.Contains(req.path, "//") || (len(req.path) > 1 && strings.HasSuffix(req.path, "/")) {
		return nil, fmt.Errorf("%s %s: an id in the path is empty: give a non-empty id",
			req.method, req.path)
	}
	target := c.baseURL + req.path
	if len(req.query) > 0 {
		target += "?" + url.Values(req.query).Encode()
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	for key, values := range c.header {
		hr.Header[key] = append([]string(nil), values...)
	}
	if c.userAgent != "" && hr.Header.Get("User-Agent") == "" {
		hr.Header.Set("User-Agent", c.userAgent)
	}
	if c.token != "" && hr.Header.Get("Authorization") == "" {
		hr.Header.Set("Authorization", "Bearer "+c.token)
	}
	if req.contentType != "" {
		hr.Header.Set("Content-Type", req.contentType)
	}
	for _, opt := range req.opts {
		opt(hr)
	}
	return hr, nil
}

// send performs req and returns the response of a successful status. Any
// status of 400 or more is returned as *Error. Transport failures are
// returned as *UnreachableError unless ctx ended first.
func (c *Client) send(ctx context.Context, req *request) (*http.Response, error) {
	hr, err := c.newHTTPRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient.Do(hr)
	if err != nil {
		if ctxErr := context.Cause(ctx); ctxErr != nil && !errors.Is(ctxErr, errCallTimeout) {
			return nil, fmt.Errorf("%s %s: %w", req.method, req.path, ctxErr)
		}
		return nil, &UnreachableError{URL: c.baseURL, Err: unwrapURLError(err, ctx)}
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, newError(req.method, hr.URL.String(), resp, body)
	}
	return resp, nil
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// errCallTimeout is the cause of a context ended by the per-call timeout.
var errCallTimeout = errors.New("call timed out")

// unwrapURLError removes the *url.Error layer, which repeats the method and
// URL, and names a per-call timeout plainly.
func unwrapURLError(err error, ctx context.Context) error {
	if errors.Is(context.Cause(ctx), errCallTimeout) {
		return errCallTimeout
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// do performs a regular call under the per-call timeout and decodes a JSON
// response body into out, unless out is nil or the body is empty.
func (c *Client) do(ctx context.Context, req *request, out any) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, c.timeout, errCallTimeout)
		defer cancel()
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		if errors.Is(context.Cause(ctx), errCallTimeout) {
			return &UnreachableError{URL: c.baseURL, Err: errCallTimeout}
		}
		return fmt.Errorf("%s %s: read response: %w", req.method, req.path, err)
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return decodeRaw(body, out, req.method+" "+req.path)
}

// decodeRaw decodes one JSON value of a response, naming what it decodes
// in the error.
func decodeRaw(raw json.RawMessage, out any, what string) error {
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", what, err)
	}
	clearNulls(reflect.ValueOf(out))
	return nil
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// clearNulls sets every json.RawMessage field that holds the JSON null to
// nil, in v and the structs it points to or contains, so that a null member
// and a missing one read alike.
func clearNulls(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearNulls(v.Elem())
		}
	case reflect.Slice:
		if v.Type() == rawMessageType {
			if v.CanSet() && bytes.Equal(bytes.TrimSpace(v.Bytes()), []byte("null")) {
				v.SetBytes(nil)
			}
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			clearNulls(v.Index(i))
		}
	case reflect.Map:
		if v.Type().Elem().Kind() == reflect.Slice || v.Type().Elem().Kind() == reflect.Struct {
			for _, key := range v.MapKeys() {
				clearNulls(v.MapIndex(key))
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				clearNulls(v.Field(i))
			}
		}
	}
}

// pathf builds a path from a format whose %s verbs are replaced by the
// escaped path segments. An empty segment leaves "//" or a trailing "/" in
// the path, which newHTTPRequest rejects.
func pathf(format string, segments ...string) string {
	args := make([]any, len(segments))
	for i, s := range segments {
		args[i] = escapeSegment(s)
	}
	return fmt.Sprintf(format, args...)
}

// escapeSegment escapes one path segment. The dot segments "." and ".." are
// escaped as well, because url.PathEscape keeps them and servers resolve
// them: GET /sessions/.. would reach "/" instead of the session "..".
func escapeSegment(s string) string {
	switch s {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return url.PathEscape(s)
}

// query collects query parameters, dropping empty values as agno's client
// drops None.
type query url.Values

func (q query) set(key, value string) {
	if value != "" {
		url.Values(q).Set(key, value)
	}
}
