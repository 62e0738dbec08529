package model_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentos-go/agentos/model"
	"github.com/agentos-go/agentos/model/modeltest"
)

// provider builds a model against a fake host of one kind.
type provider struct {
	name  string
	start func(testing.TB) *modeltest.Server
	build func(url string, opts model.Options) model.Model
}

var providers = []provider{
	{"anthropic", modeltest.NewAnthropic, func(url string, o model.Options) model.Model {
		o.BaseURL = url
		o.APIKey = "test-key"
		return model.NewAnthropic("claude-test", o)
	}},
	{"openai", modeltest.NewOpenAI, func(url string, o model.Options) model.Model {
		o.BaseURL = url
		o.APIKey = "test-key"
		return model.NewOpenAI("gpt-test", o)
	}},
}

func conversation() *model.Request {
	return &model.Request{Messages: []model.Message{
		{Role: model.RoleSystem, Content: "Answer briefly."},
		{Role: model.RoleUser, Content: "My name is Alice."},
		{Role: model.RoleAssistant, Content: "Hello Alice."},
		{Role: model.RoleUser, Content: "What's my name?"},
	}, Stream: true}
}

func TestGenerateStreamsEcho(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			fake := p.start(t)
			m := p.build(fake.URL, model.Options{})
			var deltas []string
			resp, err := m.Generate(context.Background(), conversation(), func(s string) error {
				deltas = append(deltas, s)
				return nil
			})
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			want := `Echo: I have seen 2 user message(s): [1] "My name is Alice." [2] "What's my name?"`
			if resp.Text != want {
				t.Errorf("text = %q, want %q", resp.Text, want)
			}
			if got := strings.Join(deltas, ""); got != want {
				t.Errorf("joined deltas = %q, want %q", got, want)
			}
			if len(deltas) < 2 {
				t.Errorf("got %d deltas, want one per word", len(deltas))
			}
			if resp.Usage.OutputTokens != modeltest.CountTokens(want) {
				t.Errorf("output tokens = %d, want %d", resp.Usage.OutputTokens,
					modeltest.CountTokens(want))
			}
			// Two words of system prompt and nine of conversation.
			if resp.Usage.InputTokens != 11 {
				t.Errorf("input tokens = %d, want 11", resp.Usage.InputTokens)
			}
			if resp.Usage.TotalTokens != resp.Usage.InputTokens+resp.Usage.OutputTokens {
				t.Errorf("total tokens = %d, want the sum", resp.Usage.TotalTokens)
			}
			if resp.TimeToFirstToken <= 0 || resp.TimeToFirstToken > resp.Duration {
				t.Errorf("time to first token %v not within duration %v",
					resp.TimeToFirstToken, resp.Duration)
			}
			reqs := fake.Requests()
			if len(reqs) != 1 {
				t.Fatalf("fake got %d requests, want 1", len(reqs))
			}
			if !reqs[0].Stream {
				t.Error("request was not streamed")
			}
			got := reqs[0].Messages
			wantRoles := []string{"system", "user", "assistant", "user"}
			if len(got) != len(wantRoles) {
				t.Fatalf("fake got %d messages, want %d: %+v", len(got), len(wantRoles), got)
			}
			for i, role := range wantRoles {
				if got[i].Role != role {
					t.Errorf("message %d role = %q, want %q", i, got[i].Role, role)
				}
			}
			if got[0].Content != "Answer briefly." {
				t.Errorf("system content = %q", got[0].Content)
			}
		})
	}
}

func TestOpenAINonStreaming(t *testing.T) {
	fake := modeltest.NewOpenAI(t)
	m := model.NewOpenAI("gpt-4o", model.Options{BaseURL: fake.URL, APIKey: "k"})
	req := conversation()
	req.Stream = false
	var calls int
	resp, err := m.Generate(context.Background(), req, func(string) error {
		calls++
		return nil
	})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if calls != 1 {
		t.Errorf("onText called %d times, want 1", calls)
	}
	if !strings.HasPrefix(resp.Text, "Echo: I have seen 2") {
		t.Errorf("text = %q", resp.Text)
	}
	if string(resp.ProviderData) != `{"id":"chatcmpl-fake0001","system_fingerprint":"fp_fake"}` {
		t.Errorf("provider data = %s", resp.ProviderData)
	}
	if fake.Requests()[0].Stream {
		t.Error("request was streamed, want a plain completion")
	}
}

func TestGenerateAuthenticationError(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			fake := p.start(t)
			fake.Key = "the-right-key"
			m := p.build(fake.URL, model.Options{})
			_, err := m.Generate(context.Background(), conversation(), nopText)
			var me *model.Error
			if !errors.As(err, &me) {
				t.Fatalf("err = %v (%T), want *model.Error", err, err)
			}
			if me.Type != model.TypeAuthentication {
				t.Errorf("type = %q, want %q", me.Type, model.TypeAuthentication)
			}
			if me.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", me.StatusCode)
			}
			if len(fake.Requests()) != 1 {
				t.Errorf("fake got %d requests, want 1: 401 is not retried",
					len(fake.Requests()))
			}
		})
	}
}

func TestGenerateRetriesRateLimit(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			fake := p.start(t)
			fake.Enqueue(
				modeltest.Reply{Status: http.StatusTooManyRequests, RetryAfter: "0.01"},
				modeltest.Reply{Status: http.StatusInternalServerError, RetryAfter: "0.01"},
				modeltest.Reply{Text: "finally"},
			)
			m := p.build(fake.URL, model.Options{MaxRetries: 3})
			resp, err := m.Generate(context.Background(), conversation(), nopText)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			if resp.Text != "finally" {
				t.Errorf("text = %q, want %q", resp.Text, "finally")
			}
			if n := len(fake.Requests()); n != 3 {
				t.Errorf("fake got %d requests, want 3", n)
			}
		})
	}
}

func TestGenerateRateLimitExhausted(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			fake := p.start(t)
			for range 3 {
				fake.Enqueue(modeltest.Reply{Status: http.StatusTooManyRequests,
					RetryAfter: "0.01", Message: "slow down"})
			}
			m := p.build(fake.URL, model.Options{MaxRetries: 2})
			_, err := m.Generate(context.Background(), conversation(), nopText)
			if model.ErrorType(err) != model.TypeRateLimit {
				t.Errorf("error type = %q (%v), want %q", model.ErrorType(err), err,
					model.TypeRateLimit)
			}
			if !strings.Contains(err.Error(), "slow down") {
				t.Errorf("error %q lacks the provider's message", err)
			}
			if n := len(fake.Requests()); n != 3 {
				t.Errorf("fake got %d requests, want 3", n)
			}
		})
	}
}

func TestGenerateCutStream(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			fake := p.start(t)
			fake.Enqueue(modeltest.Reply{Chunks: []string{"one", " two", " three"}, CutAfter: 2})
			m := p.build(fake.URL, model.Options{MaxRetries: -1})
			resp, err := m.Generate(context.Background(), conversation(), nopText)
			if err == nil {
				t.Fatal("Generate succeeded on a cut stream")
			}
			if model.ErrorType(err) != model.TypeProvider {
				t.Errorf("error type = %q, want %q", model.ErrorType(err), model.TypeProvider)
			}
			if !strings.Contains(err.Error(), "before the answer was complete") {
				t.Errorf("error %q does not say the answer was cut", err)
			}
			if resp == nil || resp.Text != "one two" {
				t.Errorf("partial response = %+v, want text %q", resp, "one two")
			}
		})
	}
}

func TestGenerateIdleTimeout(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			fake := p.start(t)
			hold := make(chan struct{})
			defer close(hold)
			fake.Enqueue(modeltest.Reply{Chunks: []string{"a", " b"}, HoldAfter: 1, Hold: hold})
			m := p.build(fake.URL, model.Options{IdleTimeout: 50 * time.Millisecond,
				MaxRetries: -1})
			resp, err := m.Generate(context.Background(), conversation(), nopText)
			if err == nil {
				t.Fatal("Generate succeeded on a stalled stream")
			}
			if !strings.Contains(err.Error(), "sent no data") {
				t.Errorf("err = %v, want an idle timeout", err)
			}
			if resp == nil || resp.Text != "a" {
				t.Errorf("partial response = %+v, want text %q", resp, "a")
			}
		})
	}
}

func TestGenerateCancel(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			fake := p.start(t)
			hold := make(chan struct{})
			defer close(hold)
			fake.Enqueue(modeltest.Reply{Chunks: []string{"partial", " rest"}, HoldAfter: 1,
				Hold: hold})
			m := p.build(fake.URL, model.Options{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			resp, err := m.Generate(ctx, conversation(), func(string) error {
				cancel() // the client gives up after the first piece
				return nil
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if resp == nil || resp.Text != "partial" {
				t.Errorf("partial response = %+v, want text %q", resp, "partial")
			}
		})
	}
}

func TestGenerateCallbackError(t *testing.T) {
	stop := errors.New("stop here")
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			fake := p.start(t)
			m := p.build(fake.URL, model.Options{})
			_, err := m.Generate(context.Background(), conversation(), func(string) error {
				return stop
			})
			if !errors.Is(err, stop) {
				t.Errorf("err = %v, want the callback's error", err)
			}
		})
	}
}

func nopText(string) error { return nil }
