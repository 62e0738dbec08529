package server

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// jsonSyntaxCases are json.loads results of CPython: the error text and its
// character offset. Except for the trailing comma cases, which CPython 3.13
// added, every case was checked against CPython 3.11's C decoder.
var jsonSyntaxCases = []struct {
	body string
	msg  string
	pos  int
}{
	{"", "Expecting value", 0},
	{"  ", "Expecting value", 2},
	{"{", "Expecting property name enclosed in double quotes", 1},
	{"[1,2", "Expecting ',' delimiter", 4},
	{"{\"a\" 1}", "Expecting ':' delimiter", 5},
	{"{\"a\":}", "Expecting value", 5},
	{"\"abc", "Unterminated string starting at", 0},
	{"\"a\\x\"", "Invalid \\escape", 2},
	{"\"\\u12\"", "Invalid \\uXXXX escape", 2},
	{"\"\\u12zz\"", "Invalid \\uXXXX escape", 2},
	{"nul", "Expecting value", 0},
	{"-", "Expecting value", 0},
	{"01", "Extra data", 1},
	{"1.", "Extra data", 1},
	{"1e", "Extra data", 1},
	{"{\"a\":1} x", "Extra data", 8},
	{"\u0001", "Expecting value", 0},
	{"\"a\u0001\"", "Invalid control character at", 2},
	{"[", "Expecting value", 1},
	{"{\"\u00e9\":\"x", "Unterminated string starting at", 5},
	{"{\"a\":\"\u00e9\",", "Expecting property name enclosed in double quotes", 9},
	{"[1 2]", "Expecting ',' delimiter", 3},
	{"{\"a\":1 \"b\":2}", "Expecting ',' delimiter", 7},
	{"{,}", "Expecting property name enclosed in double quotes", 1},
	{"[,]", "Expecting value", 1},
	{"{\"a\":1,,}", "Expecting property name enclosed in double quotes", 7},
	{"\"\\ud800\\u12\"", "Invalid \\uXXXX escape", 8},
	{"\"\\ud800\\uzzzz\"", "Invalid \\uXXXX escape", 8},
	{"\"\\u1234", "Invalid \\uXXXX escape", 2},
	{"\"\\u123\"", "Invalid \\uXXXX escape", 2},
	{"-I", "Expecting value", 0},
	{"tru", "Expecting value", 0},
	{"1.5e+", "Extra data", 3},
	{"[1]]", "Extra data", 3},
	{"{\"session_id\": \"broken\",", "Expecting property name enclosed in double quotes", 24},
	{"{\"session_name\":", "Expecting value", 16},
	{"{\"session_state\": [", "Expecting value", 19},
	{"{\"session_ids\":[\"a\"", "Expecting ',' delimiter", 19},
	{" {\"a\": [1, {\"b\": tru}]}", "Expecting value", 17},
	{"\"\u65e5\u672c\u8a9e\" x", "Extra data", 6},
	{"{\"k\": \"\\uD83D\\uDE00\"} ]", "Extra data", 22},
	{"{\"a\":-}", "Expecting value", 5},
	{"[-01]", "Expecting ',' delimiter", 3},
	{"{\"a\":1.}", "Expecting ',' delimiter", 6},
	{"{\"a\" : 1 ,  \"b\" :2 } garbage", "Extra data", 21},
	// CPython 3.13 names trailing commas and points at the comma.
	{`{"a":1,}`, "Illegal trailing comma before end of object", 6},
	{`{"a":1, }`, "Illegal trailing comma before end of object", 6},
	{`[1,]`, "Illegal trailing comma before end of array", 2},
	{`[1 , ]`, "Illegal trailing comma before end of array", 3},
	// agno would store these and then fail to encode any answer with them.
	{`{"x": NaN}`, "NaN and Infinity are not valid JSON values", 6},
	{`[-Infinity]`, "NaN and Infinity are not valid JSON values", 1},
}

func TestCheckJSONSyntaxMatchesCPython(t *testing.T) {
	for _, tc := range jsonSyntaxCases {
		body := []byte(tc.body)
		err := checkJSONSyntax(body)
		if err == nil {
			t.Errorf("checkJSONSyntax(%q) = nil, want %q at %d", tc.body, tc.msg, tc.pos)
			continue
		}
		if err.msg != tc.msg || err.charOffset(body) != tc.pos {
			t.Errorf("checkJSONSyntax(%q) = %q at %d, want %q at %d",
				tc.body, err.msg, err.charOffset(body), tc.msg, tc.pos)
		}
	}
}

func TestCheckJSONSyntaxAccepts(t *testing.T) {
	for _, body := range []string{
		`{}`, ` [ ] `, `"\ud800"`, `"\u00e9\n\/"`, `-0.5e-3`, `1E+2`,
		`{"a":{"b":[null,true,false]}}`,
		"\t{\"k\":\r\n\"v\"}\n", `"日本語"`, `0`,
	} {
		if err := checkJSONSyntax([]byte(body)); err != nil {
			t.Errorf("checkJSONSyntax(%q) = %q at %d, want nil", body, err.msg, err.pos)
		}
	}
}

func TestCheckJSONSyntaxDepth(t *testing.T) {
	deep := make([]byte, 0, 2*maxJSONDepth+2)
	for range maxJSONDepth + 1 {
		deep = append(deep, '[')
	}
	for range maxJSONDepth + 1 {
		deep = append(deep, ']')
	}
	err := checkJSONSyntax(deep)
	if err == nil || !err.tooDeep {
		t.Fatalf("checkJSONSyntax(%d nested lists) = %v, want a depth error", maxJSONDepth+1, err)
	}
	if err := checkJSONSyntax(deep[1 : len(deep)-1]); err != nil {
		t.Fatalf("checkJSONSyntax(%d nested lists) = %q, want nil", maxJSONDepth, err.msg)
	}
}

// FuzzJSONSyntax checks that the Python-compatible checker accepts exactly
// the documents encoding/json accepts, so that no body passes the check and
// then fails to decode.
func FuzzJSONSyntax(f *testing.F) {
	for _, tc := range jsonSyntaxCases {
		f.Add([]byte(tc.body))
	}
	f.Add([]byte(`{"session_id":"rec-s-full","session_state":{"step":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) {
			return
		}
		err := checkJSONSyntax(body)
		if err != nil && err.tooDeep {
			return
		}
		if err != nil && (err.pos < 0 || err.pos > len(body)) {
			t.Fatalf("error position %d outside the body of %d bytes", err.pos, len(body))
		}
		if (err == nil) != json.Valid(body) {
			t.Fatalf("checkJSONSyntax(%q) = %v but json.Valid = %v", body, err, json.Valid(body))
		}
	})
}
