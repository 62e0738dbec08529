package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/agentos-go/agentos"
)

// The session views are written by hand rather than through encoding/json,
// because agno's field order and per-route null handling are part of the
// wire format. Stored values such as run records pass through without a
// decode and re-encode, which would change number text and key order.

// jsonObject writes one JSON object field by field into buf.
type jsonObject struct {
	buf []byte
	// omitNull leaves out fields whose value is null, as agno does on the
	// routes that exclude None from the response model.
	omitNull bool
	count    int
}

func newObject(buf []byte, omitNull bool) jsonObject {
	return jsonObject{buf: append(buf, '{'), omitNull: omitNull}
}

// close ends the object and returns the buffer.
func (o *jsonObject) close() []byte {
	o.buf = append(o.buf, '}')
	return o.buf
}

// key writes the name of the next field. Names are ASCII constants.
func (o *jsonObject) key(name string) {
	if o.count > 0 {
		o.buf = append(o.buf, ',')
	}
	o.count++
	o.buf = append(o.buf, '"')
	o.buf = append(o.buf, name...)
	o.buf = append(o.buf, '"', ':')
}

// quotedKey writes the name of the next field, escaping it. Names from
// stored or client data go through here.
func (o *jsonObject) quotedKey(name string) {
	if o.count > 0 {
		o.buf = append(o.buf, ',')
	}
	o.count++
	o.buf = appendString(o.buf, name)
	o.buf = append(o.buf, ':')
}

// memberKey writes the name of a stored member as the next field name.
func (o *jsonObject) memberKey(m member) {
	if o.count > 0 {
		o.buf = append(o.buf, ',')
	}
	o.count++
	o.buf, _ = appendCompactString(o.buf, m.quoted, 0)
	o.buf = append(o.buf, ':')
}

func (o *jsonObject) null(name string) {
	if o.omitNull {
		return
	}
	o.key(name)
	o.buf = append(o.buf, "null"...)
}

func (o *jsonObject) string(name, value string) {
	o.key(name)
	o.buf = appendString(o.buf, value)
}

// optString writes value, or null when it is nil.
func (o *jsonObject) optString(name string, value *string) {
	if value == nil {
		o.null(name)
		return
	}
	o.string(name, *value)
}

// nonEmpty writes value, or null when it is empty.
func (o *jsonObject) nonEmpty(name, value string) {
	if value == "" {
		o.null(name)
		return
	}
	o.string(name, value)
}

func (o *jsonObject) int(name string, value int64) {
	o.key(name)
	o.buf = strconv.AppendInt(o.buf, value, 10)
}

// raw writes a stored JSON value, or null when it is absent or null.
func (o *jsonObject) raw(name string, value []byte) {
	if agentos.IsNull(value) {
		o.null(name)
		return
	}
	o.key(name)
	o.buf = appendCompact(o.buf, value)
}

// rawOr writes value, or the JSON text def when value is absent or null.
func (o *jsonObject) rawOr(name string, value []byte, def string) {
	if agentos.IsNull(value) {
		o.key(name)
		o.buf = append(o.buf, def...)
		return
	}
	o.raw(name, value)
}

// time writes Unix seconds as agno prints top-level timestamps.
func (o *jsonObject) time(name string, sec int64) {
	o.key(name)
	o.buf = append(o.buf, '"')
	o.buf = time.Unix(sec, 0).UTC().AppendFormat(o.buf, "2006-01-02T15:04:05Z")
	o.buf = append(o.buf, '"')
}

// appendString appends s as a JSON string escaped as Python's json.dumps
// escapes it with ensure_ascii off: quote, backslash and control characters
// only, with the short forms \b \f \n \r \t. Invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, rune(c))
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscape appends the escape sequence of a quote, a backslash or a
// control character.
func appendEscape(dst []byte, r rune) []byte {
	switch r {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
}

// appendCompact appends the valid JSON value src without insignificant
// whitespace. Strings are re-escaped as appendString escapes them, so a
// value stored as "\u00e9" prints as "é", as agno prints it. Number text is
// copied unchanged.
func appendCompact(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			var end int
			dst, end = appendCompactString(dst, src, i)
			i = end
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

// appendCompactString appends the JSON string that starts at src[start]
// and returns the index after its closing quote.
func appendCompactString(dst, src []byte, start int) ([]byte, int) {
	i := start + 1
	plain := i
	for i < len(src) && src[i] != '"' && src[i] != '\\' {
		i++
	}
	if i >= len(src) || src[i] == '"' {
		// The common case: no escapes, copy the string as it is.
		end := min(i+1, len(src))
		return append(dst, src[start:end]...), end
	}
	dst = append(dst, '"')
	dst = append(dst, src[plain:i]...)
	for i < len(src) {
		c := src[i]
		if c == '"' {
			return append(dst, '"'), i + 1
		}
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		r, next, ok := decodeEscape(src, i)
		if !ok {
			// A lone surrogate or a malformed escape: keep its text.
			dst = append(dst, src[i:next]...)
			i = next
			continue
		}
		if r < 0x20 || r == '"' || r == '\\' {
			dst = appendEscape(dst, r)
		} else {
			dst = utf8.AppendRune(dst, r)
		}
		i = next
	}
	return dst, i
}

// decodeEscape decodes the escape sequence at src[i], which is a backslash,
// and returns the rune and the index after the sequence. A surrogate pair
// written as two \u escapes decodes to one rune.
func decodeEscape(src []byte, i int) (rune, int, bool) {
	if i+1 >= len(src) {
		return 0, len(src), false
	}
	switch src[i+1] {
	case '"', '\\', '/':
		return rune(src[i+1]), i + 2, true
	case 'b':
		return '\b', i + 2, true
	case 'f':
		return '\f', i + 2, true
	case 'n':
		return '\n', i + 2, true
	case 'r':
		return '\r', i + 2, true
	case 't':
		return '\t', i + 2, true
	case 'u':
		r, ok := hex4(src, i+2)
		if !ok {
			return 0, min(i+2, len(src)), false
		}
		if !utf16.IsSurrogate(r) {
			return r, i + 6, true
		}
		if i+12 <= len(src) && src[i+6] == '\\' && src[i+7] == 'u' {
			if r2, ok := hex4(src, i+8); ok {
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					return pair, i + 12, true
				}
			}
		}
		return 0, i + 6, false
	}
	return 0, i + 2, false
}

func hex4(src []byte, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	var r rune
	for _, c := range src[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// member is one field of a stored JSON object. Its slices point into the
// object's text, except key when the name has escapes.
type member struct {
	key    []byte // decoded name
	quoted []byte // name as written, with its quotes
	value  []byte
}

// name returns the decoded name of the member.
func (m member) name() string { return string(m.key) }

// objectMembers returns the fields of the JSON object raw in document
// order. It reports false when raw is not a well-formed object.
func objectMembers(raw []byte) ([]member, bool) {
	return appendMembers(nil, raw)
}

// appendMembers appends the fields of the JSON object raw to dst, so
// callers can reuse one slice for many objects.
func appendMembers(dst []member, raw []byte) ([]member, bool) {
	ok := scanObject(raw, func(m member) { dst = append(dst, m) })
	if !ok {
		return dst[:0], false
	}
	return dst, true
}

// memberValue returns the value of the field key of the JSON object raw,
// or nil. As in a Python dict, the last of repeated fields wins. It does
// not allocate for names without escapes.
func memberValue(raw []byte, key string) []byte {
	var value []byte
	scanObject(raw, func(m member) {
		if string(m.key) == key {
			value = m.value
		}
	})
	return value
}

// scanObject calls fn for each field of the JSON object raw in document
// order and reports whether raw is a well-formed object.
func scanObject(raw []byte, fn func(member)) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return true
	}
	for i < len(raw) {
		if raw[i] != '"' {
			return false
		}
		end, ok := skipString(raw, i)
		if !ok {
			return false
		}
		key, ok := decodeKey(raw[i:end])
		if !ok {
			return false
		}
		m := member{key: key, quoted: raw[i:end]}
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = skipSpace(raw, i+1)
		vend, ok := skipValue(raw, i)
		if !ok {
			return false
		}
		m.value = raw[i:vend]
		fn(m)
		i = skipSpace(raw, vend)
		if i >= len(raw) {
			return false
		}
		if raw[i] == '}' {
			return true
		}
		if raw[i] != ',' {
			return false
		}
		i = skipSpace(raw, i+1)
	}
	return false
}

func decodeKey(quoted []byte) ([]byte, bool) {
	inner := quoted[1 : len(quoted)-1]
	for _, c := range inner {
		if c == '\\' {
			var s string
			err := json.Unmarshal(quoted, &s)
			return []byte(s), err == nil
		}
	}
	return inner, true
}

// arrayElements returns the elements of the JSON array raw. It reports false
// when raw is not a well-formed array.
func arrayElements(raw []byte) ([][]byte, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, false
	}
	var elems [][]byte
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return elems, true
	}
	for i < len(raw) {
		end, ok := skipValue(raw, i)
		if !ok {
			return nil, false
		}
		elems = append(elems, raw[i:end])
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return nil, false
		}
		if raw[i] == ']' {
			return elems, true
		}
		if raw[i] != ',' {
			return nil, false
		}
		i = skipSpace(raw, i+1)
	}
	return nil, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the JSON string that starts at b[i].
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// skipValue returns the index after the JSON value that starts at b[i]. It
// checks brackets and strings but not the spelling of literals and numbers,
// because it reads values that were validated when they were stored.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				end, ok := skipString(b, i)
				if !ok {
					return 0, false
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
		}
		return 0, false
	}
	start := i
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i, i > start
		}
		i++
	}
	return i, i > start
}

// lookup returns the value of the member named key, or nil. As in a
// Python dict, the last of repeated members wins.
func lookup(members []member, key string) []byte {
	for i := len(members) - 1; i >= 0; i-- {
		if string(members[i].key) == key {
			return members[i].value
		}
	}
	return nil
}

// isEmptyContainer reports whether raw is [] or {}.
func isEmptyContainer(raw []byte) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || (raw[i] != '[' && raw[i] != '{') {
		return false
	}
	j := skipSpace(raw, i+1)
	return j < len(raw) && (raw[j] == ']' || raw[j] == '}')
}

// writeBody sends a JSON body that is already encoded.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
