package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/model"
)

// RunInput is one request to run an agent.
type RunInput struct {
	Message string
	// SessionID names the session; empty starts a new one.
	SessionID string
	// UserID is the run's user and the owner of a new session. When set, an
	// existing session must belong to this user.
	UserID *string
	// AddHistory overrides the agent's AddHistoryToContext when non-nil.
	AddHistory *bool
	// StreamEvents adds the lifecycle events (RunStarted, model request
	// events, RunContentCompleted, RunCompleted) to the content events.
	StreamEvents bool
	// StreamModel requests a streamed response from the model.
	StreamModel bool
	// SessionState, when set, is merged over the stored state, and the
	// result is stored with the run.
	SessionState json.RawMessage
	// Metadata is stored with the run.
	Metadata json.RawMessage
}

// Event is one run event, agno's name and its JSON payload. The payload is
// a compact object whose "event" key repeats the name.
type Event struct {
	Name string
	Data json.RawMessage
}

// Run is a run that has been stored as RUNNING and waits to execute.
type Run struct {
	e       *Engine
	agent   *Agent
	input   RunInput
	rec     record
	stored  *agentos.Run
	state   json.RawMessage
	started time.Time
}

// ID returns the run id.
func (r *Run) ID() string { return r.rec.RunID }

// SessionID returns the id of the run's session.
func (r *Run) SessionID() string { return r.rec.SessionID }

// Start resolves the session, creating it when needed, reads the history
// and stores the run as RUNNING. It fails with ENOTFOUND for an unknown
// agent or a session of another user, and with ECONFLICT for a team or
// workflow session. Nothing is stored when it fails.
func (e *Engine) Start(ctx context.Context, agentID string, in RunInput) (*Run, error) {
	a, ok := e.byID[agentID]
	if !ok {
		return nil, agentos.Errorf(agentos.ENOTFOUND, "Agent not found")
	}
	if in.SessionID == "" {
		in.SessionID = uuid.NewString()
	}
	sess, err := e.session(ctx, a, in)
	if err != nil {
		return nil, err
	}
	addHistory := a.AddHistoryToContext
	if in.AddHistory != nil {
		addHistory = *in.AddHistory
	}
	var history []message
	if addHistory {
		history, err = loadHistory(ctx, e.store, sess.ID, a.NumHistoryRuns)
		if err != nil {
			return nil, err
		}
	}

	state := sess.State
	if !agentos.IsNull(in.SessionState) {
		state = mergeState(state, in.SessionState)
	}
	if agentos.IsNull(state) {
		state = json.RawMessage("{}")
	}

	now := e.now()
	info := a.Model.Info()
	r := &Run{e: e, agent: a, input: in, state: state, started: now}
	r.rec = record{
		RunID:         uuid.NewString(),
		AgentID:       a.ID,
		AgentName:     a.Name,
		SessionID:     sess.ID,
		UserID:        in.UserID,
		ContentType:   "str",
		Model:         info.ID,
		ModelProvider: info.Provider,
		SessionState:  state,
		CreatedAt:     now.Unix(),
		Status:        agentos.RunRunning,
		Metadata:      in.Metadata,
		Input:         recordInput{InputContent: in.Message},
	}
	if sys := a.SystemMessage(); sys != "" {
		r.rec.Messages = append(r.rec.Messages, newMessage(model.RoleSystem, sys, now))
	}
	r.rec.Messages = append(r.rec.Messages, history...)
	r.rec.Messages = append(r.rec.Messages, newMessage(model.RoleUser, in.Message, now))

	stored, err := agentos.NewRun(sess.ID, r.rec.encode(false))
	if err != nil {
		return nil, fmt.Errorf("start run: %w", err)
	}
	stored.LeaseExpiresAt = e.leaseUntil()
	if err := e.store.AddRun(ctx, stored, agentos.SessionChange{AgentID: a.ID,
		AgentData: a.Data()}); err != nil {
		return nil, fmt.Errorf("start run: %w", err)
	}
	r.stored = stored
	e.track(agentos.RunRef{SessionID: sess.ID, RunID: stored.RunID})
	return r, nil
}

// session returns the session of the run, creating it when it does not
// exist.
func (e *Engine) session(ctx context.Context, a *Agent, in RunInput) (*agentos.Session, error) {
	for attempt := 0; ; attempt++ {
		sess, err := e.store.GetSession(ctx, in.SessionID, agentos.Scope{})
		if err == nil {
			return checkSession(sess, in)
		}
		if agentos.ErrorCode(err) != agentos.ENOTFOUND {
			return nil, fmt.Errorf("read session: %w", err)
		}
		sess = &agentos.Session{
			ID:        in.SessionID,
			Type:      agentos.SessionTypeAgent,
			AgentID:   a.ID,
			UserID:    in.UserID,
			AgentData: a.Data(),
			State:     json.RawMessage("{}"),
		}
		err = e.store.CreateSession(ctx, sess)
		if err == nil {
			return sess, nil
		}
		// Another request created the session in between: use theirs.
		if agentos.ErrorCode(err) != agentos.ECONFLICT || attempt > 0 {
			return nil, fmt.Errorf("create session: %w", err)
		}
	}
}

// checkSession applies agno's ownership rule with its two fixes: a session
// of another user is reported missing instead of silently losing the run,
// and a team or workflow session is a conflict instead of being rewritten
// as an agent session.
func checkSession(sess *agentos.Session, in RunInput) (*agentos.Session, error) {
	if in.UserID != nil && !agentos.Owned(*in.UserID).Allows(sess.UserID) {
		return nil, agentos.Errorf(agentos.ENOTFOUND, "Session with id '%s' not found", sess.ID)
	}
	if sess.Type != agentos.SessionTypeAgent {
		return nil, agentos.Errorf(agentos.ECONFLICT,
			"Session with id '%s' is a %s session; agent runs need an agent session, "+
				"so use another session_id", sess.ID, sess.Type)
	}
	return sess, nil
}

func newMessage(role model.Role, content string, now time.Time) message {
	return message{ID: uuid.NewString(), Content: &content, Role: role, CreatedAt: now.Unix()}
}

// Cancel reasons, as agno words them.
var (
	errCancelRequested = errors.New("cancel requested")
	errClientGone      = errors.New("Operation cancelled by user")
)

// Result is the outcome of an executed run.
type Result struct {
	Status agentos.RunStatus
	// Record is the run record as the non-streaming response body shows
	// it, with the history messages sent to the model.
	Record json.RawMessage
}

// Execute calls the model and stores the finished run. emit, when non-nil,
// receives the run's events in order; when it fails, the client is taken
// to be gone and the run is cancelled. A cancel request through the broker
// or the end of ctx also cancels the run. Execute always stores the run's
// final state, even after ctx ended.
func (r *Run) Execute(ctx context.Context, emit func(Event) error) *Result {
	ref := agentos.RunRef{SessionID: r.rec.SessionID, RunID: r.rec.RunID}
	defer r.e.untrack(ref)

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cancelled, stopWatch := r.e.cancels.Watch(r.rec.RunID)
	defer stopWatch()
	go func() {
		select {
		case <-cancelled:
			cancel(errCancelRequested)
		case <-runCtx.Done():
		}
	}()

	s := &eventSink{run: r, emit: emit, cancel: cancel}
	info := r.agent.Model.Info()
	if r.input.StreamEvents {
		s.send("RunStarted", func(o *jsonObject) {
			o.add("model", info.ID)
			o.add("model_provider", info.Provider)
		})
		s.send("ModelRequestStarted", func(o *jsonObject) {
			o.add("model", info.ID)
			o.add("model_provider", info.Provider)
		})
	}

	req := &model.Request{
		Messages:    r.modelMessages(),
		Temperature: r.agent.Temperature,
		MaxTokens:   r.agent.MaxTokens,
		Stream:      r.input.StreamModel,
	}
	var resp *model.Response
	var err error
	if runCtx.Err() == nil {
		resp, err = r.agent.Model.Generate(runCtx, req, func(text string) error {
			s.send("RunContent", func(o *jsonObject) {
				o.add("content", text)
				o.add("workflow_agent", false)
				o.add("content_type", "str")
				o.add("reasoning_content", "")
			})
			return s.err
		})
	}
	if resp == nil {
		resp = &model.Response{}
	}
	if cause := context.Cause(runCtx); runCtx.Err() != nil {
		return r.finishCancelled(ctx, s, resp, cause)
	}
	if err != nil {
		return r.finishError(ctx, s, err)
	}
	return r.finishCompleted(ctx, s, resp)
}

// modelMessages returns the request's messages: system, history, user.
func (r *Run) modelMessages() []model.Message {
	out := make([]model.Message, 0, len(r.rec.Messages))
	for _, m := range r.rec.Messages {
		var text string
		if m.Content != nil {
			text = *m.Content
		}
		out = append(out, model.Message{Role: m.Role, Content: text})
	}
	return out
}

func (r *Run) finishCompleted(ctx context.Context, s *eventSink, resp *model.Response) *Result {
	info := r.agent.Model.Info()
	now := r.e.now()
	metrics := usageMetrics(info, resp, now.Sub(r.started))
	if r.input.StreamEvents {
		s.send("ModelRequestCompleted", func(o *jsonObject) {
			o.add("model", info.ID)
			o.add("model_provider", info.Provider)
			o.add("input_tokens", resp.Usage.InputTokens)
			o.add("output_tokens", resp.Usage.OutputTokens)
			o.add("total_tokens", resp.Usage.TotalTokens)
			o.add("time_to_first_token", seconds(resp.TimeToFirstToken))
			o.add("reasoning_tokens", resp.Usage.ReasoningTokens)
			o.add("cache_read_tokens", resp.Usage.CacheReadTokens)
			o.add("cache_write_tokens", resp.Usage.CacheWriteTokens)
		})
		s.send("RunContentCompleted", nil)
	}
	r.rec.Status = agentos.RunCompleted
	r.rec.Content = &resp.Text
	r.rec.ModelProviderData = resp.ProviderData
	r.rec.CreatedAt = now.Unix()
	r.rec.Metrics = metrics
	r.appendAssistant(resp, now)
	r.store(ctx)
	if r.input.StreamEvents {
		s.send("RunCompleted", func(o *jsonObject) {
			o.add("content", resp.Text)
			o.add("content_type", "str")
			o.raw("model_provider_data", resp.ProviderData)
			o.raw("session_state", r.state)
			o.raw("metrics", marshal(metrics))
		})
	}
	return r.result()
}

func (r *Run) finishCancelled(ctx context.Context, s *eventSink, resp *model.Response,
	cause error) *Result {
	reason := errClientGone.Error()
	if errors.Is(cause, errCancelRequested) {
		reason = fmt.Sprintf("Run %s was cancelled", r.rec.RunID)
	}
	content := resp.Text
	if content == "" {
		content = reason
	}
	now := r.e.now()
	r.rec.Status = agentos.RunCancelled
	r.rec.Content = &content
	r.rec.ModelProviderData = resp.ProviderData
	if resp.Usage != (model.Usage{}) || resp.TimeToFirstToken > 0 {
		r.rec.Metrics = usageMetrics(r.agent.Model.Info(), resp, now.Sub(r.started))
	} else {
		r.rec.Metrics = &runMetrics{Duration: seconds(now.Sub(r.started))}
	}
	if resp.Text != "" {
		r.appendAssistant(resp, now)
	}
	r.store(ctx)
	s.send("RunCancelled", func(o *jsonObject) {
		o.add("content", content)
		o.add("reason", reason)
	})
	if r.input.StreamEvents {
		s.send("RunCompleted", func(o *jsonObject) {
			o.add("content", content)
			o.add("content_type", "str")
			o.raw("session_state", r.state)
			o.raw("metrics", marshal(r.rec.Metrics))
		})
	}
	return r.result()
}

func (r *Run) finishError(ctx context.Context, s *eventSink, err error) *Result {
	text := err.Error()
	var me *model.Error
	if !errors.As(err, &me) {
		// Not a provider failure, so the details go to the log only.
		r.e.logger.ErrorContext(ctx, "run failed", slog.String("run_id", r.rec.RunID),
			slog.String("session_id", r.rec.SessionID), slog.Any("error", err))
		text = "The run failed because of an internal error; see the server log for run " +
			r.rec.RunID
	}
	now := r.e.now()
	r.rec.Status = agentos.RunError
	r.rec.Content = &text
	r.rec.Metrics = &runMetrics{Duration: seconds(now.Sub(r.started))}
	ev := s.payload("RunError", func(o *jsonObject) {
		o.add("content", text)
		o.add("error_type", model.ErrorType(err))
	})
	if s.emit != nil {
		// agno stores the RunError of a streamed run with the run.
		r.rec.Events = []json.RawMessage{ev}
	}
	r.store(ctx)
	s.deliver(Event{Name: "RunError", Data: ev})
	r.e.logger.WarnContext(ctx, "run ended with a model error",
		slog.String("run_id", r.rec.RunID), slog.String("agent_id", r.agent.ID),
		slog.String("error", err.Error()))
	return r.result()
}

func (r *Run) appendAssistant(resp *model.Response, now time.Time) {
	m := newMessage(model.RoleAssistant, resp.Text, now)
	m.ProviderData = resp.ProviderData
	m.Metrics = assistantMetrics(resp)
	r.rec.Messages = append(r.rec.Messages, m)
}

// storeTimeout bounds the final write of a run, which runs even after the
// request ended.
const storeTimeout = 30 * time.Second

// store writes the finished run. A run whose session was deleted or
// cleared meanwhile is not written back.
func (r *Run) store(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	stored, err := agentos.NewRun(r.rec.SessionID, r.rec.encode(false))
	if err == nil {
		var ch agentos.SessionChange
		if !agentos.IsNull(r.input.SessionState) {
			ch.State = r.state
		}
		err = r.e.store.UpdateRun(ctx, stored, ch)
	}
	switch {
	case agentos.ErrorCode(err) == agentos.ENOTFOUND:
		r.e.logger.WarnContext(ctx, "run finished after its session was deleted or cleared",
			slog.String("run_id", r.rec.RunID), slog.String("session_id", r.rec.SessionID))
	case err != nil:
		r.e.logger.ErrorContext(ctx, "store finished run failed",
			slog.String("run_id", r.rec.RunID), slog.String("session_id", r.rec.SessionID),
			slog.Any("error", err))
	}
}

func (r *Run) result() *Result {
	return &Result{Status: r.rec.Status, Record: r.rec.encode(true)}
}

// eventSink sends events until the client fails to receive one.
type eventSink struct {
	run    *Run
	emit   func(Event) error
	cancel context.CancelCauseFunc
	err    error
}

// payload builds an event: the fields every agent event shares, then the
// event's own.
func (s *eventSink) payload(name string, fill func(*jsonObject)) json.RawMessage {
	rec := &s.run.rec
	var o jsonObject
	o.add("created_at", s.run.e.now().Unix())
	o.add("event", name)
	o.add("agent_id", rec.AgentID)
	o.add("agent_name", rec.AgentName)
	o.add("run_id", rec.RunID)
	o.add("session_id", rec.SessionID)
	o.add("nested_depth", 0)
	if fill != nil {
		fill(&o)
	}
	return o.bytes()
}

func (s *eventSink) send(name string, fill func(*jsonObject)) {
	if s.emit == nil || s.err != nil {
		return
	}
	s.deliver(Event{Name: name, Data: s.payload(name, fill)})
}

func (s *eventSink) deliver(ev Event) {
	if s.emit == nil || s.err != nil {
		return
	}
	if err := s.emit(ev); err != nil {
		s.err = err
		s.cancel(errClientGone)
	}
}

// mergeState returns over deep-merged into base: objects merge key by key,
// and any other value in over replaces the one in base.
func mergeState(base, over json.RawMessage) json.RawMessage {
	b, ok := decodeObject(base)
	if !ok {
		b = map[string]any{}
	}
	o, ok := decodeObject(over)
	if !ok {
		return base
	}
	deepMerge(b, o)
	return marshal(b)
}

// decodeObject decodes a JSON object keeping numbers exact.
func decodeObject(raw json.RawMessage) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

func deepMerge(dst, src map[string]any) {
	for k, v := range src {
		if sv, ok := v.(map[string]any); ok {
			if dv, ok := dst[k].(map[string]any); ok {
				deepMerge(dv, sv)
				continue
			}
		}
		dst[k] = v
	}
}
