package agentos_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/agentos-go/agentos"
)

// pythonForm is one line of testdata/python/forms.jsonl: a JSON document
// and what CPython printed for the decoded value with json.dumps(v),
// json.dumps(v, indent=2) and str(v). forms.py in the same folder made it.
type pythonForm struct {
	In       string `json:"in"`
	Dumps    string `json:"dumps"`
	Indented string `json:"indented"`
	Str      string `json:"str"`
}

func readPythonForms(tb testing.TB) []pythonForm {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "python", "forms.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	var forms []pythonForm
	for line := range bytes.Lines(data) {
		var f pythonForm
		if err := json.Unmarshal(line, &f); err != nil {
			tb.Fatalf("decode %q: %v", line, err)
		}
		forms = append(forms, f)
	}
	if len(forms) == 0 {
		tb.Fatal("forms.jsonl holds no cases")
	}
	return forms
}

func TestPythonJSON(t *testing.T) {
	for _, f := range readPythonForms(t) {
		if got := agentos.PythonJSON(json.RawMessage(f.In), 0); got != f.Dumps {
			t.Errorf("PythonJSON(%s, 0)\n got %s\nwant %s", f.In, got, f.Dumps)
		}
		if got := agentos.PythonJSON(json.RawMessage(f.In), 2); got != f.Indented {
			t.Errorf("PythonJSON(%s, 2)\n got %s\nwant %s", f.In, got, f.Indented)
		}
	}
}

func TestPythonRepr(t *testing.T) {
	for _, f := range readPythonForms(t) {
		if got := agentos.PythonRepr(json.RawMessage(f.In)); got != f.Str {
			t.Errorf("PythonRepr(%s)\n got %s\nwant %s", f.In, got, f.Str)
		}
	}
}

func TestPythonFormsOfInvalidJSON(t *testing.T) {
	for _, in := range []string{`{"a":`, `not json`, `{"a" 1}`, `[1,]`} {
		if got := agentos.PythonJSON(json.RawMessage(in), 2); got != in {
			t.Errorf("PythonJSON(%q) = %q, want the text back", in, got)
		}
		if got := agentos.PythonRepr(json.RawMessage(in)); got != in {
			t.Errorf("PythonRepr(%q) = %q, want the text back", in, got)
		}
	}
}

func FuzzPythonJSON(f *testing.F) {
	for _, form := range readPythonForms(f) {
		f.Add(form.In)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := agentos.PythonJSON(json.RawMessage(in), 0)
		_ = agentos.PythonRepr(json.RawMessage(in))
		_ = agentos.PythonJSON(json.RawMessage(in), 2)
		var v any
		if json.Unmarshal([]byte(in), &v) != nil {
			return
		}
		// With ensure_ascii the output is ASCII, and it is valid JSON unless
		// a number overflowed to Infinity, which json.dumps also prints.
		for i := 0; i < len(out); i++ {
			if out[i] >= 0x80 {
				t.Fatalf("PythonJSON(%q) = %q contains non-ASCII byte %#x", in, out, out[i])
			}
		}
		if !json.Valid([]byte(out)) && !containsInfinity(out) {
			t.Fatalf("PythonJSON(%q) = %q is not valid JSON", in, out)
		}
	})
}

func containsInfinity(s string) bool {
	for i := 0; i+8 <= len(s); i++ {
		if s[i:i+8] == "Infinity" {
			return true
		}
	}
	return false
}
