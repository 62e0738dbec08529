package agnodb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/agentos-go/agentos"
)

// DecodeColumn decodes one agno JSON column value with agno's reading rules.
// SQL NULL and the JSON null are absent, so it returns nil for them. A JSON
// string is decoded a second time, because agno's SQLite backend encodes
// every value twice, and a string that contains null is absent too. Any
// other JSON value is returned as it is.
//
// Python's json module writes NaN, Infinity and -Infinity for floats that
// JSON cannot hold. DecodeColumn turns those tokens into null.
func DecodeColumn(v any) (json.RawMessage, error) {
	raw, _, err := decodeColumn(v)
	return raw, err
}

// decodeColumn is DecodeColumn that also returns how many NaN or Infinity
// tokens it replaced.
func decodeColumn(v any) (json.RawMessage, int, error) {
	var text []byte
	switch x := v.(type) {
	case nil:
		return nil, 0, nil
	case string:
		text = []byte(x)
	case []byte:
		text = bytes.Clone(x)
	default:
		return nil, 0, fmt.Errorf("unexpected value of type %T, expected JSON text", v)
	}
	// agno's usual double-encoded form goes straight to the string decoder,
	// which validates the outer layer, so it is scanned once.
	var inner string
	if isJSONString(text) && json.Unmarshal(text, &inner) == nil {
		return decodeInner(inner)
	}
	outer, replaced, err := parseJSON(text)
	if err != nil {
		return nil, 0, err
	}
	if agentos.IsNull(outer) {
		return nil, 0, nil
	}
	return outer, replaced, nil
}

// isJSONString reports whether text starts like a JSON string.
func isJSONString(text []byte) bool {
	trimmed := bytes.TrimLeft(text, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '"'
}

// decodeInner parses the content of a double-encoded value.
func decodeInner(inner string) (json.RawMessage, int, error) {
	doc, replaced, err := parseJSON([]byte(inner))
	if err != nil {
		return nil, 0, fmt.Errorf("a JSON string that does not contain a JSON document: %w", err)
	}
	if agentos.IsNull(doc) {
		return nil, 0, nil
	}
	return doc, replaced, nil
}

// parseJSON returns text when it is valid JSON, or text with NaN and
// Infinity tokens replaced by null when that makes it valid, with the
// number of replacements.
func parseJSON(text []byte) (json.RawMessage, int, error) {
	if json.Valid(text) {
		return text, 0, nil
	}
	if fixed, n := replaceNonFinite(text); n > 0 && json.Valid(fixed) {
		return fixed, n, nil
	}
	var probe json.RawMessage
	err := json.Unmarshal(text, &probe)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return nil, 0, fmt.Errorf("invalid JSON at byte %d: %s", syntax.Offset, syntax)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("invalid JSON: %w", err)
	}
	return nil, 0, errors.New("invalid JSON")
}

// nonFinite lists the tokens Python's json module writes for floats that
// JSON cannot hold. -Infinity comes before Infinity so that the sign is
// replaced with it.
var nonFinite = [][]byte{[]byte("-Infinity"), []byte("Infinity"), []byte("NaN")}

// replaceNonFinite replaces the NaN, Infinity and -Infinity tokens outside
// JSON strings with null and returns the result and the number replaced.
func replaceNonFinite(text []byte) ([]byte, int) {
	var out []byte
	replaced := 0
	inString, escaped := false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			out = append(out, c)
			continue
		}
		if c == '"' {
			inString = true
			out = append(out, c)
			continue
		}
		token := matchNonFinite(text[i:])
		if token == 0 {
			out = append(out, c)
			continue
		}
		out = append(out, "null"...)
		replaced++
		i += token - 1
	}
	return out, replaced
}

// matchNonFinite returns the length of the non-finite token at the start of
// text, or 0.
func matchNonFinite(text []byte) int {
	for _, token := range nonFinite {
		if bytes.HasPrefix(text, token) {
			return len(token)
		}
	}
	return 0
}
