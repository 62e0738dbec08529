package agentos

import (
	"bytes"
	"encoding/json"
)

// metricCounters are the run metric keys that session totals sum.
var metricCounters = []string{
	"input_tokens", "output_tokens", "total_tokens",
	"audio_input_tokens", "audio_output_tokens", "audio_total_tokens",
	"cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "cost",
}

// AddMetrics returns the session totals total with the metrics of one run
// added, as agno keeps session_metrics: counters and cost summed, details
// merged by model role and then by provider and model id, numeric
// additional_metrics summed and others replaced. Zero and null values are
// dropped, and time_to_first_token and duration are not kept. It returns nil
// when the result is empty.
func AddMetrics(total, run json.RawMessage) json.RawMessage {
	sum := decodeObject(total)
	add := decodeObject(run)
	for _, key := range metricCounters {
		addNumber(sum, add, key)
	}
	mergeDetails(sum, add)
	mergeAdditional(sum, add)
	delete(sum, "time_to_first_token")
	delete(sum, "duration")
	dropZero(sum)
	if len(sum) == 0 {
		return nil
	}
	return encodeOrdered(sum, metricCounters)
}

func decodeObject(raw json.RawMessage) map[string]any {
	m := map[string]any{}
	if IsNull(raw) {
		return m
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// addNumber sets sum[key] to sum[key] + add[key], keeping integers integral.
func addNumber(sum, add map[string]any, key string) {
	b, ok := number(add[key])
	if !ok {
		return
	}
	a, _ := number(sum[key])
	sum[key] = numberValue(a + b)
}

func numberValue(f float64) any {
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return int64(f)
	}
	return f
}

func mergeDetails(sum, add map[string]any) {
	addDetails, ok := add["details"].(map[string]any)
	if !ok {
		return
	}
	sumDetails, _ := sum["details"].(map[string]any)
	if sumDetails == nil {
		sumDetails = map[string]any{}
	}
	for role, entries := range addDetails {
		list, _ := entries.([]any)
		have, _ := sumDetails[role].([]any)
		for _, e := range list {
			entry, ok := e.(map[string]any)
			if !ok {
				continue
			}
			have = mergeDetailEntry(have, entry)
		}
		sumDetails[role] = have
	}
	sum["details"] = sumDetails
}

func mergeDetailEntry(have []any, entry map[string]any) []any {
	for _, h := range have {
		old, ok := h.(map[string]any)
		if ok && old["provider"] == entry["provider"] && old["id"] == entry["id"] {
			for _, key := range metricCounters {
				addNumber(old, entry, key)
			}
			dropZero(old)
			return have
		}
	}
	fresh := map[string]any{}
	for k, v := range entry {
		fresh[k] = v
	}
	delete(fresh, "time_to_first_token")
	delete(fresh, "duration")
	dropZero(fresh)
	return append(have, fresh)
}

func mergeAdditional(sum, add map[string]any) {
	addMore, ok := add["additional_metrics"].(map[string]any)
	if !ok {
		return
	}
	sumMore, _ := sum["additional_metrics"].(map[string]any)
	if sumMore == nil {
		sumMore = map[string]any{}
	}
	for k, v := range addMore {
		if _, isNum := number(v); isNum {
			addNumber(sumMore, addMore, k)
			continue
		}
		sumMore[k] = v
	}
	sum["additional_metrics"] = sumMore
}

func dropZero(m map[string]any) {
	for k, v := range m {
		if v == nil {
			delete(m, k)
			continue
		}
		if f, ok := number(v); ok && f == 0 {
			delete(m, k)
		}
	}
}

// encodeOrdered encodes m with the keys in first in that order, then the
// rest in Go's sorted order.
func encodeOrdered(m map[string]any, first []string) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	write := func(k string, v any) {
		if n > 0 {
			b.WriteByte(',')
		}
		b.Write(mustMarshal(k))
		b.WriteByte(':')
		b.Write(mustMarshal(v))
		n++
	}
	seen := map[string]bool{}
	for _, k := range first {
		if v, ok := m[k]; ok {
			write(k, v)
			seen[k] = true
		}
	}
	rest := make([]string, 0, len(m))
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sortStrings(rest)
	for _, k := range rest {
		write(k, m[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}
