// Package modeltest runs fake model provider hosts for tests: in-process
// HTTP servers that speak Anthropic's Messages API and OpenAI's Chat
// Completions API, streaming included, so the real SDKs can be pointed at
// them. By default they reply by echoing the user messages they received,
// like the model behind agno's reference recordings. A test can queue other
// replies, errors, cut streams and slow or stalled responses.
package modeltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one chat message as a fake received it.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is one request a fake received.
type Request struct {
	Path   string
	Header http.Header
	// Body is the raw JSON body.
	Body json.RawMessage
	// Model is the requested model id.
	Model string
	// Messages lists the conversation, an Anthropic system prompt first as
	// a system message.
	Messages []Message
	Stream   bool
}

// Reply scripts one response. The zero value echoes the request.
type Reply struct {
	// Status, when not 0 or 200, makes the response an error with that HTTP
	// status and the provider's error body.
	Status int
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// Message is the error message of an error answer.
	Message string

	// Text replaces the echo text.
	Text string
	// Chunks, when set, are the streamed pieces; they override Text.
	Chunks []string
	// ChunkDelay is slept before each streamed piece.
	ChunkDelay time.Duration
	// CutAfter, when positive, closes the connection after that many
	// pieces, without the end of the stream.
	CutAfter int
	// HoldAfter, when Hold is non-nil, makes the stream wait after that
	// many pieces until Hold is closed or the client goes away. Held, when
	// non-nil, is closed when the wait begins.
	HoldAfter int
	Hold      <-chan struct{}
	Held      chan struct{}

	// InputTokens and OutputTokens replace the counted usage when positive.
	InputTokens  int64
	OutputTokens int64
}

// Server is a fake provider host.
type Server struct {
	// URL is the base URL to give the SDK.
	URL string
	// Key, when set, is the only API key accepted; others get 401.
	Key string

	kind    string
	srv     *httptest.Server
	done    chan struct{}
	mu      sync.Mutex
	queue   []Reply
	reqs    []Request
	counter int
}

// NewOpenAI starts a fake OpenAI Chat Completions host, closed when the test
// ends. Its URL ends in /v1, as OpenAI's base URL does.
func NewOpenAI(t testing.TB) *Server {
	s := newServer(t, "openai")
	s.URL = s.srv.URL + "/v1"
	return s
}

// NewAnthropic starts a fake Anthropic Messages host, closed when the test
// ends.
func NewAnthropic(t testing.TB) *Server {
	s := newServer(t, "anthropic")
	s.URL = s.srv.URL
	return s
}

func newServer(t testing.TB, kind string) *Server {
	s := &Server{kind: kind, done: make(chan struct{})}
	mux := http.NewServeMux()
	if kind == "openai" {
		mux.HandleFunc("POST /v1/chat/completions", s.serveOpenAI)
	} else {
		mux.HandleFunc("POST /v1/messages", s.serveAnthropic)
	}
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(s.done)
		s.srv.Close()
	})
	return s
}

// Enqueue adds replies used, in order, by the next requests. Requests beyond
// the queue get the echo.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// next records req and returns the reply to send and a sequence number.
func (s *Server) next(req Request) (Reply, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, req)
	s.counter++
	if len(s.queue) == 0 {
		return Reply{}, s.counter
	}
	r := s.queue[0]
	s.queue = s.queue[1:]
	return r, s.counter
}

// EchoText is the default answer to messages: how many user messages the
// model saw, each quoted with its number.
func EchoText(msgs []Message) string {
	var b strings.Builder
	var users []string
	for _, m := range msgs {
		if m.Role == "user" {
			users = append(users, m.Content)
		}
	}
	fmt.Fprintf(&b, "Echo: I have seen %d user message(s):", len(users))
	for i, u := range users {
		fmt.Fprintf(&b, " [%d] %q", i+1, u)
	}
	return b.String()
}

// CountTokens counts whitespace-separated words, the fakes' token measure.
func CountTokens(s string) int64 { return int64(len(strings.Fields(s))) }

// SplitWords splits text into streamed pieces at spaces, each space
// starting the next piece.
func SplitWords(text string) []string {
	var out []string
	start := 0
	for i := 1; i < len(text); i++ {
		if text[i] == ' ' && text[i-1] != ' ' {
			out = append(out, text[start:i])
			start = i
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// plan is a reply resolved against a request.
type plan struct {
	Reply
	text   string
	chunks []string
	input  int64
	output int64
}

func resolve(r Reply, msgs []Message) plan {
	p := plan{Reply: r, text: r.Text}
	if p.text == "" && len(r.Chunks) == 0 {
		p.text = EchoText(msgs)
	}
	p.chunks = r.Chunks
	if len(p.chunks) == 0 {
		p.chunks = SplitWords(p.text)
	} else {
		p.text = strings.Join(p.chunks, "")
	}
	p.input = r.InputTokens
	if p.input <= 0 {
		for _, m := range msgs {
			p.input += CountTokens(m.Content)
		}
	}
	p.output = r.OutputTokens
	if p.output <= 0 {
		p.output = CountTokens(p.text)
	}
	return p
}

// streamer writes one server-sent event stream and applies a plan's pacing.
type streamer struct {
	w    http.ResponseWriter
	r    *http.Request
	done <-chan struct{}
}

func (st streamer) start() {
	st.w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	st.w.Header().Set("Cache-Control", "no-cache")
	st.w.WriteHeader(http.StatusOK)
}

// event writes one event; name "" writes a data line only.
func (st streamer) event(name string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	if name != "" {
		fmt.Fprintf(st.w, "event: %s\n", name)
	}
	fmt.Fprintf(st.w, "data: %s\n\n", b)
	st.w.(http.Flusher).Flush()
}

// pace runs before piece i. It returns false when the stream must stop:
// cut by the plan or abandoned by the client.
func (st streamer) pace(p plan, i int) bool {
	if p.CutAfter > 0 && i == p.CutAfter {
		panic(http.ErrAbortHandler)
	}
	if p.Hold != nil && i == p.HoldAfter {
		if p.Held != nil {
			close(p.Held)
		}
		select {
		case <-p.Hold:
		case <-st.r.Context().Done():
			return false
		case <-st.done:
			return false
		}
	}
	if p.ChunkDelay > 0 {
		t := time.NewTimer(p.ChunkDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-st.r.Context().Done():
			return false
		case <-st.done:
			return false
		}
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
