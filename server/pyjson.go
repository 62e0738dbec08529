package server

import "unicode/utf8"

// agno responds to a malformed JSON body with a 422 item that carries the error
// text and character offset of Python's json module (CPython 3.13, C
// scanner), for example "Expecting ',' delimiter" at offset 19. Clients and
// tests compare those items, so checkJSONSyntax reproduces the module's
// error messages and positions.

// maxJSONDepth bounds the nesting of request bodies. CPython 3.11's decoder
// fails with a RecursionError at this depth, which FastAPI turns into a 400.
const maxJSONDepth = 1000

// jsonSyntaxError is a syntax error as Python's json.loads reports it.
type jsonSyntaxError struct {
	msg string
	pos int // byte offset into the body
	// tooDeep is set when the body nests deeper than maxJSONDepth.
	tooDeep bool
}

// charOffset returns the error position in characters (Unicode code
// points), the unit of Python's JSONDecodeError.pos.
func (e *jsonSyntaxError) charOffset(body []byte) int {
	return utf8.RuneCount(body[:e.pos])
}

// checkJSONSyntax returns nil when body, valid UTF-8, is one JSON value
// that Python's json.loads accepts, except that NaN, Infinity and -Infinity
// are rejected: agno would store them and then fail to encode every response
// that contains them.
func checkJSONSyntax(body []byte) *jsonSyntaxError {
	s := jsonScanner{b: body}
	end, err := s.value(s.space(0))
	if err != nil {
		return err
	}
	if i := s.space(end); i != len(body) {
		return &jsonSyntaxError{msg: "Extra data", pos: i}
	}
	return nil
}

type jsonScanner struct {
	b     []byte
	depth int
}

func (s *jsonScanner) space(i int) int { return skipSpace(s.b, i) }

func (s *jsonScanner) fail(msg string, pos int) (int, *jsonSyntaxError) {
	return 0, &jsonSyntaxError{msg: msg, pos: pos}
}

// value scans the value that starts at i and returns the index after it.
func (s *jsonScanner) value(i int) (int, *jsonSyntaxError) {
	b := s.b
	if i >= len(b) {
		return s.fail("Expecting value", i)
	}
	switch c := b[i]; {
	case c == '"':
		return s.str(i)
	case c == '{' || c == '[':
		s.depth++
		if s.depth > maxJSONDepth {
			return 0, &jsonSyntaxError{msg: "maximum nesting depth exceeded", pos: i, tooDeep: true}
		}
		var end int
		var err *jsonSyntaxError
		if c == '{' {
			end, err = s.object(i + 1)
		} else {
			end, err = s.array(i + 1)
		}
		s.depth--
		return end, err
	case c == 'n':
		return s.literal(i, "null")
	case c == 't':
		return s.literal(i, "true")
	case c == 'f':
		return s.literal(i, "false")
	case c == 'N' && hasPrefixAt(b, i, "NaN"),
		c == 'I' && hasPrefixAt(b, i, "Infinity"),
		c == '-' && hasPrefixAt(b, i, "-Infinity"):
		return s.fail("NaN and Infinity are not valid JSON values", i)
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number(i)
	}
	return s.fail("Expecting value", i)
}

func hasPrefixAt(b []byte, i int, prefix string) bool {
	return len(b)-i >= len(prefix) && string(b[i:i+len(prefix)]) == prefix
}

func (s *jsonScanner) literal(i int, word string) (int, *jsonSyntaxError) {
	if !hasPrefixAt(s.b, i, word) {
		return s.fail("Expecting value", i)
	}
	return i + len(word), nil
}

// object scans the members of an object whose "{" is just before i.
func (s *jsonScanner) object(i int) (int, *jsonSyntaxError) {
	b := s.b
	i = s.space(i)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return s.fail("Expecting property name enclosed in double quotes", i)
		}
		end, err := s.str(i)
		if err != nil {
			return 0, err
		}
		i = s.space(end)
		if i >= len(b) || b[i] != ':' {
			return s.fail("Expecting ':' delimiter", i)
		}
		end, err = s.value(s.space(i + 1))
		if err != nil {
			return 0, err
		}
		i = s.space(end)
		if i < len(b) && b[i] == '}' {
			return i + 1, nil
		}
		if i >= len(b) || b[i] != ',' {
			return s.fail("Expecting ',' delimiter", i)
		}
		comma := i
		i = s.space(i + 1)
		if i < len(b) && b[i] == '}' {
			return s.fail("Illegal trailing comma before end of object", comma)
		}
	}
}

// array scans the elements of an array whose "[" is just before i.
func (s *jsonScanner) array(i int) (int, *jsonSyntaxError) {
	b := s.b
	i = s.space(i)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		end, err := s.value(i)
		if err != nil {
			return 0, err
		}
		i = s.space(end)
		if i < len(b) && b[i] == ']' {
			return i + 1, nil
		}
		if i >= len(b) || b[i] != ',' {
			return s.fail("Expecting ',' delimiter", i)
		}
		comma := i
		i = s.space(i + 1)
		if i < len(b) && b[i] == ']' {
			return s.fail("Illegal trailing comma before end of array", comma)
		}
	}
}

// str scans the string whose opening quote is at begin.
func (s *jsonScanner) str(begin int) (int, *jsonSyntaxError) {
	b := s.b
	i := begin + 1
	for {
		for i < len(b) && b[i] != '"' && b[i] != '\\' {
			if b[i] <= 0x1f {
				return s.fail("Invalid control character at", i)
			}
			i++
		}
		if i >= len(b) {
			return s.fail("Unterminated string starting at", begin)
		}
		if b[i] == '"' {
			return i + 1, nil
		}
		i++ // the character after the backslash
		if i == len(b) {
			return s.fail("Unterminated string starting at", begin)
		}
		if b[i] != 'u' {
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
				continue
			}
			return s.fail(`Invalid \escape`, i-1)
		}
		// i is at 'u'. CPython requires a character after the four digits.
		end := i + 5
		if end >= len(b) {
			return s.fail(`Invalid \uXXXX escape`, i)
		}
		r, ok := hex4(b, i+1)
		if !ok {
			return s.fail(`Invalid \uXXXX escape`, i)
		}
		i = end
		if r >= 0xd800 && r <= 0xdbff && end+6 < len(b) && b[end] == '\\' && b[end+1] == 'u' {
			low, ok := hex4(b, end+2)
			if !ok {
				return s.fail(`Invalid \uXXXX escape`, end+1)
			}
			if low >= 0xdc00 && low <= 0xdfff {
				i = end + 6
			}
		}
	}
}

// number scans a number with the grammar of CPython's scanner, which stops
// before a "." or an exponent that no digit follows.
func (s *jsonScanner) number(start int) (int, *jsonSyntaxError) {
	b := s.b
	i := start
	if b[i] == '-' {
		i++
		if i >= len(b) {
			return s.fail("Expecting value", start)
		}
	}
	switch {
	case b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i+1)
	case b[i] == '0':
		i++
	default:
		return s.fail("Expecting value", start)
	}
	if i < len(b)-1 && b[i] == '.' && isDigit(b[i+1]) {
		i = skipDigits(b, i+2)
	}
	if i < len(b)-1 && (b[i] == 'e' || b[i] == 'E') {
		e := i
		i++
		if i < len(b)-1 && (b[i] == '-' || b[i] == '+') {
			i++
		}
		i = skipDigits(b, i)
		if !isDigit(b[i-1]) {
			i = e
		}
	}
	return i, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipDigits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}
