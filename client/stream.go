package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"reflect"
	"sync"
	"time"
)

// Event names of agent runs. Servers may send others, which are delivered
// with their name in Event.Type.
const (
	EventRunStarted            = "RunStarted"
	EventRunContent            = "RunContent"
	EventRunContentCompleted   = "RunContentCompleted"
	EventRunIntermediate       = "RunIntermediateContent"
	EventRunCompleted          = "RunCompleted"
	EventRunError              = "RunError"
	EventRunCancelled          = "RunCancelled"
	EventRunPaused             = "RunPaused"
	EventRunContinued          = "RunContinued"
	EventModelRequestStarted   = "ModelRequestStarted"
	EventModelRequestCompleted = "ModelRequestCompleted"
	EventToolCallStarted       = "ToolCallStarted"
	EventToolCallCompleted     = "ToolCallCompleted"
	EventToolCallError         = "ToolCallError"
)

// Event is one event of a run stream. Type names the kind, and the fields
// that kind carries are set. Raw keeps the whole JSON object, so fields of
// kinds this package does not model stay readable.
type Event struct {
	// Type is the JSON "event" key, or the SSE event name when the JSON has
	// none.
	Type             string   `json:"event"`
	CreatedAt        Time     `json:"created_at"`
	AgentID          string   `json:"agent_id,omitempty"`
	AgentName        string   `json:"agent_name,omitempty"`
	TeamID           string   `json:"team_id,omitempty"`
	TeamName         string   `json:"team_name,omitempty"`
	RunID            string   `json:"run_id,omitempty"`
	ParentRunID      string   `json:"parent_run_id,omitempty"`
	SessionID        string   `json:"session_id,omitempty"`
	WorkflowID       string   `json:"workflow_id,omitempty"`
	Content          Content  `json:"content,omitzero"`
	ContentType      string   `json:"content_type,omitempty"`
	ReasoningContent string   `json:"reasoning_content,omitempty"`
	Model            string   `json:"model,omitempty"`
	ModelProvider    string   `json:"model_provider,omitempty"`
	Metrics          *Metrics `json:"metrics,omitempty"`
	// InputTokens, OutputTokens and TotalTokens are set on
	// ModelRequestCompleted.
	InputTokens  int64           `json:"input_tokens,omitempty"`
	OutputTokens int64           `json:"output_tokens,omitempty"`
	TotalTokens  int64           `json:"total_tokens,omitempty"`
	SessionState json.RawMessage `json:"session_state,omitempty"`
	Tool         json.RawMessage `json:"tool,omitempty"`
	// Error is the error of ToolCallError. RunError carries its text in
	// Content, with ErrorType and ErrorID.
	Error     string `json:"error,omitempty"`
	ErrorType string `json:"error_type,omitempty"`
	ErrorID   string `json:"error_id,omitempty"`
	Reason    string `json:"reason,omitempty"` // RunCancelled

	Raw json.RawMessage `json:"-"` // the data of the event as received
}

// ErrIdleTimeout is returned, wrapped, when a stream sends nothing for
// longer than the idle timeout.
var ErrIdleTimeout = errors.New("stream idle timeout")

// RunAgentStream calls POST /agents/{id}/runs with stream=true and returns
// an iterator over the run's events as they arrive. An HTTP error before the
// stream starts, a broken stream or an idle timeout is yielded as the last
// element. Stopping the iteration closes the connection, which makes agno
// cancel the run.
//
// Events whose data is not a JSON object are skipped, as agno's client
// skips them.
func (c *Client) RunAgentStream(
	ctx context.Context, agentID string, in *RunRequest, ropts ...RequestOption,
) iter.Seq2[*Event, error] {
	if in == nil {
		in = &RunRequest{}
	}
	body, err := in.form(true)
	return c.stream(ctx, err, &request{
		method: http.MethodPost, path: pathf("/agents/%s/runs", agentID),
		body: body, contentType: formContentType, opts: ropts,
	})
}

// ContinueAgentRunStream calls POST /agents/{id}/runs/{run_id}/continue
// with stream=true. It streams like RunAgentStream.
func (c *Client) ContinueAgentRunStream(
	ctx context.Context, agentID, runID string, in *ContinueRunRequest, ropts ...RequestOption,
) iter.Seq2[*Event, error] {
	if in == nil {
		in = &ContinueRunRequest{}
	}
	body, err := in.form(true)
	return c.stream(ctx, err, &request{
		method: http.MethodPost, path: pathf("/agents/%s/runs/%s/continue", agentID, runID),
		body: body, contentType: formContentType, opts: ropts,
	})
}

func (c *Client) stream(
	ctx context.Context, buildErr error, req *request,
) iter.Seq2[*Event, error] {
	return func(yield func(*Event, error) bool) {
		if buildErr != nil {
			yield(nil, buildErr)
			return
		}
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		idle := newIdleTimer(c.idleTimeout, func() { cancel(ErrIdleTimeout) })
		defer idle.stop()

		if req.opts == nil {
			req.opts = []RequestOption{}
		}
		req.opts = append([]RequestOption{Header("Accept", "text/event-stream")}, req.opts...)
		resp, err := c.send(ctx, req)
		if err != nil {
			yield(nil, c.streamError(ctx, err))
			return
		}
		defer resp.Body.Close()
		mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if mediaType != "text/event-stream" {
			yield(nil, fmt.Errorf("%s %s: expected text/event-stream, got %q",
				req.method, req.path, resp.Header.Get("Content-Type")))
			return
		}

		events := NewEventReader(&activityReader{r: resp.Body, touch: idle.reset})
		for {
			sse, err := events.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, c.streamError(ctx, fmt.Errorf("%s %s: read stream: %w",
					req.method, req.path, err)))
				return
			}
			ev, ok := decodeEvent(sse)
			if !ok {
				continue
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// streamError replaces the error of a stream cut by the idle timer with
// one that names the server and the limit.
func (c *Client) streamError(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), ErrIdleTimeout) {
		return &UnreachableError{
			URL: c.baseURL,
			Err: fmt.Errorf("%w: no data for %s", ErrIdleTimeout, c.idleTimeout),
		}
	}
	return err
}

// decodeEvent decodes the data of one server-sent event. It returns false
// for data that is not a JSON object.
func decodeEvent(sse SSE) (*Event, bool) {
	data := bytes.TrimSpace([]byte(sse.Data))
	if len(data) == 0 || data[0] != '{' {
		return nil, false
	}
	var ev Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, false
	}
	clearNulls(reflect.ValueOf(&ev))
	if ev.Type == "" {
		ev.Type = sse.Event
	}
	ev.Raw = json.RawMessage(data)
	return &ev, true
}

// idleTimer calls a function once no activity was seen for a duration.
type idleTimer struct {
	mu    sync.Mutex
	timer *time.Timer
	d     time.Duration
}

func newIdleTimer(d time.Duration, fire func()) *idleTimer {
	t := &idleTimer{d: d}
	if d > 0 {
		t.timer = time.AfterFunc(d, fire)
	}
	return t
}

func (t *idleTimer) reset() {
	if t.timer == nil {
		return
	}
	t.mu.Lock()
	t.timer.Reset(t.d)
	t.mu.Unlock()
}

func (t *idleTimer) stop() {
	if t.timer != nil {
		t.timer.Stop()
	}
}

// activityReader calls touch after every read that returned data.
type activityReader struct {
	r     io.Reader
	touch func()
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.touch()
	}
	return n, err
}

// SSE is one server-sent event as framed on the wire.
type SSE struct {
	Event string // the event field; "" when absent
	Data  string // the data fields joined with "\n"
	ID    string // the id field; "" when absent
}

// MaxEventSize bounds the data of one server-sent event, so a broken
// server cannot make the reader buffer without limit.
const MaxEventSize = 64 << 20

// EventReader reads server-sent events (the text/event-stream format of
// the HTML standard). Lines may end in LF, CRLF or CR. Comment lines and
// unknown fields are ignored. An event without data is dropped, as the
// standard requires.
type EventReader struct {
	br      *bufio.Reader
	buf     []byte // read but not yet returned
	scratch []byte // reusable storage for buf
	lastCR  bool   // the last line ended in CR, so a leading LF belongs to it
	eof     bool
}

// NewEventReader returns a reader of the events in r.
func NewEventReader(r io.Reader) *EventReader {
	return &EventReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next event. It returns io.EOF at the end of the stream.
// An event cut off by the end of the stream is dropped, as the standard
// requires.
func (r *EventReader) Next() (SSE, error) {
	var (
		ev      SSE
		data    bytes.Buffer
		hasData bool
	)
	for {
		line, err := r.readLine()
		if err != nil {
			return SSE{}, err
		}
		if len(line) == 0 {
			if hasData {
				ev.Data = data.String()
				return ev, nil
			}
			ev = SSE{}
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			ev.Event = string(value)
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			if data.Len()+len(value) > MaxEventSize {
				return SSE{}, fmt.Errorf("event data exceeds %d bytes", MaxEventSize)
			}
			data.Write(value)
			hasData = true
		case "id":
			if !bytes.ContainsRune(value, 0) {
				ev.ID = string(value)
			}
		}
	}
}

// readLine returns the next line without its end. It returns io.EOF when
// the stream ends, also after an unterminated last line, which can only be
// part of an incomplete event. The line is valid until the next call.
func (r *EventReader) readLine() ([]byte, error) {
	for {
		if r.lastCR && len(r.buf) > 0 {
			// The LF of a CRLF pair that arrived in two reads.
			if r.buf[0] == '\n' {
				r.buf = r.buf[1:]
			}
			r.lastCR = false
		}
		if i := bytes.IndexAny(r.buf, "\r\n"); i >= 0 {
			line := r.buf[:i]
			if r.buf[i] == '\r' {
				switch {
				case i+1 == len(r.buf):
					r.lastCR = true
				case r.buf[i+1] == '\n':
					i++
				}
			}
			r.buf = r.buf[i+1:]
			return line, nil
		}
		if r.eof {
			return nil, io.EOF
		}
		chunk, err := r.br.ReadSlice('\n')
		if len(r.buf)+len(chunk) > MaxEventSize+64 {
			return nil, fmt.Errorf("line exceeds %d bytes", MaxEventSize)
		}
		if len(r.buf) == 0 {
			r.buf = r.scratch[:0]
		}
		r.buf = append(r.buf, chunk...)
		r.scratch = r.buf[:0]
		switch {
		case err == io.EOF:
			r.eof = true
		case err != nil && err != bufio.ErrBufferFull:
			return nil, err
		}
	}
}
