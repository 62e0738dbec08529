package agentos_test

import (
	"encoding/json"
	"testing"

	"github.com/agentos-go/agentos"
)

// pythonCases pairs JSON documents with what CPython 3.11 prints for the
// decoded value: json.dumps(v), json.dumps(v, indent=2) and str(v).
var pythonCases = []struct {
	name, in, dumps, indented, str string
}{
	{
		name:     "mixed object",
		in:       `{"topic":"Café","n":2,"ok":true,"none":null,"list":[1,2.5,"x"]}`,
		dumps:    `{"topic": "Caf\u00e9", "n": 2, "ok": true, "none": null, "list": [1, 2.5, "x"]}`,
		indented: "{\n  \"topic\": \"Caf\\u00e9\",\n  \"n\": 2,\n  \"ok\": true,\n  \"none\": null,\n" + `  "list": [` + "\n    1,\n    2.5,\n    \"x\"\n  ]\n}",
		str:      `{'topic': 'Café', 'n': 2, 'ok': True, 'none': None, 'list': [1, 2.5, 'x']}`,
	},
	{
		name:     "escapes and astral characters",
		in:       `{"emoji":"🌊 tides","ctl":"a\u0001b\n\t\"q\"\\","del":"\u007f","nested":{"a":[],"b":{}}}`,
		dumps:    `{"emoji": "\ud83c\udf0a tides", "ctl": "a\u0001b\n\t\"q\"\\", "del": "\u007f", "nested": {"a": [], "b": {}}}`,
		indented: "{\n  \"emoji\": \"\\ud83c\\udf0a tides\",\n  \"ctl\": \"a\\u0001b\\n\\t\\\"q\\\"\\\\\",\n  \"del\": \"\\u007f\",\n  \"nested\": {\n    \"a\": [],\n    \"b\": {}\n  }\n}",
		str:      `{'emoji': '🌊 tides', 'ctl': 'a\x01b\n\t"q"\\', 'del': '\x7f', 'nested': {'a': [], 'b': {}}}`,
	},
	{
		name:     "list",
		in:       `[1,"two",{"three":3.0}]`,
		dumps:    `[1, "two", {"three": 3.0}]`,
		indented: "[\n  1,\n  \"two\",\n  {\n    \"three\": 3.0\n  }\n]",
		str:      `[1, 'two', {'three': 3.0}]`,
	},
	{
		name:     "numbers",
		in:       `{"big":12345678901234567890,"f":0.10,"neg":-0.0,"zero":-0,"exp":1.5E-7,"e16":1e16,"e15":1e15,"over":1e400,"under":-1e400}`,
		dumps:    `{"big": 12345678901234567890, "f": 0.1, "neg": -0.0, "zero": 0, "exp": 1.5e-07, "e16": 1e+16, "e15": 1000000000000000.0, "over": Infinity, "under": -Infinity}`,
		indented: "{\n  \"big\": 12345678901234567890,\n  \"f\": 0.1,\n  \"neg\": -0.0,\n  \"zero\": 0,\n  \"exp\": 1.5e-07,\n  \"e16\": 1e+16,\n  \"e15\": 1000000000000000.0,\n  \"over\": Infinity,\n  \"under\": -Infinity\n}",
		str:      `{'big': 12345678901234567890, 'f': 0.1, 'neg': -0.0, 'zero': 0, 'exp': 1.5e-07, 'e16': 1e+16, 'e15': 1000000000000000.0, 'over': inf, 'under': -inf}`,
	},
	{
		name:     "quotes pick the repr delimiter",
		in:       `{"it's":"say \"hi\"","both":"it's \"x\"","only":"it's"}`,
		dumps:    `{"it's": "say \"hi\"", "both": "it's \"x\"", "only": "it's"}`,
		indented: "{\n  \"it's\": \"say \\\"hi\\\"\",\n  \"both\": \"it's \\\"x\\\"\",\n  \"only\": \"it's\"\n}",
		str:      `{"it's": 'say "hi"', 'both': 'it\'s "x"', 'only': "it's"}`,
	},
	{
		name:     "key order kept",
		in:       `{"b":1,"a":{"z":[true,false,null]}}`,
		dumps:    `{"b": 1, "a": {"z": [true, false, null]}}`,
		indented: "{\n  \"b\": 1,\n  \"a\": {\n    \"z\": [\n      true,\n      false,\n      null\n    ]\n  }\n}",
		str:      `{'b': 1, 'a': {'z': [True, False, None]}}`,
	},
	{name: "empty list", in: `[]`, dumps: `[]`, indented: `[]`, str: `[]`},
	{name: "empty object", in: `{}`, dumps: `{}`, indented: `{}`, str: `{}`},
	{name: "integer", in: `3`, dumps: `3`, indented: `3`, str: `3`},
	{name: "string", in: `"plain"`, dumps: `"plain"`, indented: `"plain"`, str: `plain`},
	{
		name: "non-ASCII string", in: `"日本語"`,
		dumps: `"\u65e5\u672c\u8a9e"`, indented: `"\u65e5\u672c\u8a9e"`, str: `日本語`,
	},
}

func TestPythonJSON(t *testing.T) {
	for _, tc := range pythonCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := agentos.PythonJSON(json.RawMessage(tc.in), 0); got != tc.dumps {
				t.Errorf("one line:\n got %s\nwant %s", got, tc.dumps)
			}
			if got := agentos.PythonJSON(json.RawMessage(tc.in), 2); got != tc.indented {
				t.Errorf("indent 2:\n got %s\nwant %s", got, tc.indented)
			}
		})
	}
}

func TestPythonRepr(t *testing.T) {
	for _, tc := range pythonCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := agentos.PythonRepr(json.RawMessage(tc.in)); got != tc.str {
				t.Errorf("\n got %s\nwant %s", got, tc.str)
			}
		})
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
	for _, tc := range pythonCases {
		f.Add(tc.in)
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
