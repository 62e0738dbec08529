package agentos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// agno is written in Python, and several wire values are Python's text form
// of a JSON value: json.dumps output in derived names and run inputs, and
// str() of a dict in the output of agno's scripts. The helpers below
// reproduce both forms, keeping the key order of the source document.

// PythonJSON returns raw re-encoded as Python's json.dumps does with its
// default ensure_ascii: non-ASCII characters escaped as \uXXXX. A positive
// indent gives indent spaces per level, with "," ending lines and ": "
// between keys and values. Zero gives the one-line form with ", " and ": ".
// Invalid JSON is returned as its text.
func PythonJSON(raw json.RawMessage, indent int) string {
	var b strings.Builder
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	w := pyWriter{b: &b, dec: dec, indent: indent, json: true}
	if err := w.value(0); err != nil {
		return string(raw)
	}
	return b.String()
}

// PythonRepr returns raw in the text form Python's str() gives the decoded
// value: a top-level string as is, and inside lists and dicts quoted strings,
// True, False and None. Invalid JSON is returned as its text.
func PythonRepr(raw json.RawMessage) string {
	var top string
	if strings.HasPrefix(strings.TrimSpace(string(raw)), `"`) && json.Unmarshal(raw, &top) == nil {
		return top
	}
	var b strings.Builder
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	w := pyWriter{b: &b, dec: dec}
	if err := w.value(0); err != nil {
		return string(raw)
	}
	return b.String()
}

type pyWriter struct {
	b      *strings.Builder
	dec    *json.Decoder
	indent int
	json   bool // json.dumps form; otherwise repr form
}

func (w *pyWriter) value(depth int) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	return w.token(tok, depth)
}

func (w *pyWriter) token(tok json.Token, depth int) error {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return w.container('{', '}', depth, true)
		}
		if v == '[' {
			return w.container('[', ']', depth, false)
		}
		return fmt.Errorf("unexpected %v", v)
	case string:
		w.str(v)
	case json.Number:
		w.number(v)
	case bool:
		switch {
		case w.json && v:
			w.b.WriteString("true")
		case w.json:
			w.b.WriteString("false")
		case v:
			w.b.WriteString("True")
		default:
			w.b.WriteString("False")
		}
	case nil:
		if w.json {
			w.b.WriteString("null")
		} else {
			w.b.WriteString("None")
		}
	}
	return nil
}

func (w *pyWriter) container(open, closing byte, depth int, object bool) error {
	w.b.WriteByte(open)
	n := 0
	for w.dec.More() {
		if n > 0 {
			w.b.WriteByte(',')
			if w.indent == 0 {
				w.b.WriteByte(' ')
			}
		}
		w.newline(depth + 1)
		if object {
			key, err := w.dec.Token()
			if err != nil {
				return err
			}
			s, ok := key.(string)
			if !ok {
				return fmt.Errorf("object key %v is not a string", key)
			}
			w.str(s)
			w.b.WriteString(": ")
		}
		if err := w.value(depth + 1); err != nil {
			return err
		}
		n++
	}
	if _, err := w.dec.Token(); err != nil && err != io.EOF {
		return err
	}
	if n > 0 {
		w.newline(depth)
	}
	w.b.WriteByte(closing)
	return nil
}

func (w *pyWriter) newline(depth int) {
	if w.indent <= 0 {
		return
	}
	w.b.WriteByte('\n')
	w.b.WriteString(strings.Repeat(" ", w.indent*depth))
}

func (w *pyWriter) number(n json.Number) {
	w.b.WriteString(pythonNumber(n.String(), w.json))
}

// pythonNumber returns the JSON number s as Python prints the value that
// json.loads makes of it. A literal without a fraction or exponent is an int
// and keeps its digits, except that "-0" becomes 0. Any other literal is a
// float, printed by float.__repr__. An overflow to infinity prints as
// Infinity in json.dumps and as inf in repr.
func pythonNumber(s string, jsonForm bool) string {
	if !strings.ContainsAny(s, ".eE") {
		if s == "-0" {
			return "0"
		}
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if math.IsInf(f, 0) {
		switch {
		case jsonForm && f > 0:
			return "Infinity"
		case jsonForm:
			return "-Infinity"
		case f > 0:
			return "inf"
		}
		return "-inf"
	}
	if err != nil {
		return s
	}
	return pythonFloatRepr(f)
}

// pythonFloatRepr formats f as Python's repr does: the shortest digits that
// read back as f, in positional form with at least one fractional digit when
// the decimal exponent is in [-4, 16), and in exponent form otherwise.
func pythonFloatRepr(f float64) string {
	exp := strconv.FormatFloat(f, 'e', -1, 64)
	e, _ := strconv.Atoi(exp[strings.IndexByte(exp, 'e')+1:])
	if e < -4 || e >= 16 {
		return exp
	}
	out := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(out, ".") {
		out += ".0"
	}
	return out
}

func (w *pyWriter) str(s string) {
	if w.json {
		w.jsonString(s)
		return
	}
	w.reprString(s)
}

// jsonString writes s as json.dumps does with ensure_ascii.
func (w *pyWriter) jsonString(s string) {
	w.b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			w.b.WriteString(`\"`)
		case r == '\\':
			w.b.WriteString(`\\`)
		case r == '\n':
			w.b.WriteString(`\n`)
		case r == '\r':
			w.b.WriteString(`\r`)
		case r == '\t':
			w.b.WriteString(`\t`)
		case r == '\b':
			w.b.WriteString(`\b`)
		case r == '\f':
			w.b.WriteString(`\f`)
		case r < 0x20 || (r > 0x7e && r <= 0xffff):
			fmt.Fprintf(w.b, `\u%04x`, r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(w.b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			w.b.WriteRune(r)
		}
	}
	w.b.WriteByte('"')
}

// reprString writes s as Python's repr of a str: single quotes unless s
// contains a single quote and no double quote.
func (w *pyWriter) reprString(s string) {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	w.b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == rune(quote):
			w.b.WriteByte('\\')
			w.b.WriteByte(quote)
		case r == '\\':
			w.b.WriteString(`\\`)
		case r == '\n':
			w.b.WriteString(`\n`)
		case r == '\r':
			w.b.WriteString(`\r`)
		case r == '\t':
			w.b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(w.b, `\x%02x`, r)
		default:
			w.b.WriteRune(r)
		}
	}
	w.b.WriteByte(quote)
}
