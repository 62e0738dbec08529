package agentos_test

import (
	"encoding/json"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/google/go-cmp/cmp"
)

func TestAddMetrics(t *testing.T) {
	cases := []struct {
		name, total, run, want string
	}{
		{
			name:  "first run drops timers",
			total: ``,
			run: `{"input_tokens":95,"output_tokens":41,"total_tokens":136,` +
				`"time_to_first_token":0.41,"duration":1.87}`,
			want: `{"input_tokens":95,"output_tokens":41,"total_tokens":136}`,
		},
		{
			name:  "counters and cost are summed",
			total: `{"input_tokens":10,"output_tokens":5,"total_tokens":15,"cost":0.25}`,
			run: `{"input_tokens":1,"output_tokens":2,"total_tokens":3,"cost":0.5,` +
				`"reasoning_tokens":7,"cache_read_tokens":4}`,
			want: `{"input_tokens":11,"output_tokens":7,"total_tokens":18,` +
				`"cache_read_tokens":4,"reasoning_tokens":7,"cost":0.75}`,
		},
		{
			name:  "zero and null values are dropped",
			total: `{"input_tokens":0,"audio_input_tokens":null}`,
			run:   `{"output_tokens":0,"cost":null,"total_tokens":2}`,
			want:  `{"total_tokens":2}`,
		},
		{
			name:  "nothing left gives null",
			total: `null`,
			run:   `{"input_tokens":0,"duration":3.5}`,
			want:  ``,
		},
		{
			name: "details merge by role then provider and id",
			total: `{"details":{"model":[{"id":"gpt-4o","provider":"OpenAI",` +
				`"input_tokens":10,"total_tokens":10}]}}`,
			run: `{"details":{"model":[{"id":"gpt-4o","provider":"OpenAI","input_tokens":5,` +
				`"output_tokens":3,"total_tokens":8,"duration":1.2},` +
				`{"id":"gpt-4o","provider":"Azure","input_tokens":1}],` +
				`"session_summary_model":[{"id":"mini","provider":"OpenAI","output_tokens":0,` +
				`"total_tokens":4,"time_to_first_token":0.2}]}}`,
			want: `{"details":{"model":[` +
				`{"id":"gpt-4o","provider":"OpenAI","input_tokens":15,"output_tokens":3,` +
				`"total_tokens":18},` +
				`{"id":"gpt-4o","provider":"Azure","input_tokens":1}],` +
				`"session_summary_model":[{"id":"mini","provider":"OpenAI","total_tokens":4}]}}`,
		},
		{
			name:  "additional metrics sum numbers and replace the rest",
			total: `{"additional_metrics":{"calls":2,"region":"eu","latency":0.5}}`,
			run:   `{"additional_metrics":{"calls":3,"region":"us","retries":1}}`,
			want:  `{"additional_metrics":{"calls":5,"region":"us","latency":0.5,"retries":1}}`,
		},
		{
			name:  "unknown keys of the totals are kept",
			total: `{"total_tokens":1,"note":"kept"}`,
			run:   `{"total_tokens":1}`,
			want:  `{"total_tokens":2,"note":"kept"}`,
		},
		{
			name:  "invalid totals start over",
			total: `"not an object"`,
			run:   `{"total_tokens":3}`,
			want:  `{"total_tokens":3}`,
		},
		{
			name:  "run without metrics leaves the totals",
			total: `{"total_tokens":3}`,
			run:   ``,
			want:  `{"total_tokens":3}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := agentos.AddMetrics(json.RawMessage(tc.total), json.RawMessage(tc.run))
			if tc.want == "" {
				if got != nil {
					t.Fatalf("AddMetrics = %s, want nil", got)
				}
				return
			}
			if diff := cmp.Diff(decodeJSON(t, tc.want), decodeJSON(t, string(got))); diff != "" {
				t.Errorf("AddMetrics = %s\n(-want +got):\n%s", got, diff)
			}
		})
	}
}

func TestAddMetricsEncoding(t *testing.T) {
	// Counters come first in a fixed order, then the other keys sorted. Keys
	// of a run that are not metrics are not carried into the totals.
	total := agentos.AddMetrics(json.RawMessage(`{"zeta":1,"alpha":2}`), json.RawMessage(
		`{"cost":0.1,"total_tokens":3,"output_tokens":2,"input_tokens":1,"extra":5}`))
	total = agentos.AddMetrics(total, json.RawMessage(`{"cost":0.2,"input_tokens":1}`))
	want := `{"input_tokens":2,"output_tokens":2,"total_tokens":3,` +
		`"cost":0.30000000000000004,"alpha":2,"zeta":1}`
	if string(total) != want {
		t.Errorf("AddMetrics = %s, want %s", total, want)
	}
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

func FuzzAddMetrics(f *testing.F) {
	f.Add(`{"input_tokens":1}`, `{"input_tokens":2,"details":{"model":[{"id":"m"}]}}`)
	f.Add(`{"details":{"model":[1,{"id":null}]}}`, `{"details":{"model":"x"}}`)
	f.Add(`{"additional_metrics":[]}`, `{"additional_metrics":{"a":1e308}}`)
	f.Fuzz(func(t *testing.T, total, run string) {
		got := agentos.AddMetrics(json.RawMessage(total), json.RawMessage(run))
		if got != nil && !agentos.IsJSONObject(got) {
			t.Fatalf("AddMetrics(%q, %q) = %q, want an object or nil", total, run, got)
		}
	})
}
