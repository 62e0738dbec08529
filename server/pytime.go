package server

import (
	"fmt"
	"strings"
	"time"
)

// pyTime is a datetime read by Python's datetime.fromisoformat, with its
// UTC offset when the text had one.
type pyTime struct {
	year, month, day       int
	hour, minute, second   int
	micro                  int
	hasOffset              bool
	offsetSeconds          int // east of UTC
	offsetSign, offH, offM int
	offS                   int
}

// parsePythonISO parses s as datetime.fromisoformat does in Python 3.11
// and later, for calendar dates: YYYY-MM-DD or YYYYMMDD, then optionally one
// separator character and a time of HH, HH:MM, HH:MM:SS or their forms
// without colons, a fraction after "." or "," (digits past six are
// dropped) and an offset of Z, ±HH, ±HH:MM or ±HH:MM:SS. Week dates are not
// accepted.
func parsePythonISO(s string) (pyTime, bool) {
	var t pyTime
	rest, ok := t.parseDate(s)
	if !ok {
		return t, false
	}
	if rest == "" {
		return t, t.valid()
	}
	// Any one character separates the date from the time.
	_, size := firstRune(rest)
	rest = rest[size:]
	tz := strings.IndexAny(rest, "Z+-")
	timePart, offset := rest, ""
	if tz >= 0 {
		timePart, offset = rest[:tz], rest[tz:]
	}
	if !t.parseClock(timePart) {
		return t, false
	}
	if tz >= 0 && !t.parseOffset(offset) {
		return t, false
	}
	return t, t.valid()
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

func (t *pyTime) parseDate(s string) (string, bool) {
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		return s[10:], digitsInto(s[0:4], &t.year) && digitsInto(s[5:7], &t.month) &&
			digitsInto(s[8:10], &t.day)
	}
	if len(s) >= 8 {
		return s[8:], digitsInto(s[0:4], &t.year) && digitsInto(s[4:6], &t.month) &&
			digitsInto(s[6:8], &t.day)
	}
	return "", false
}

// parseClock parses HH[:MM[:SS[.ffffff]]] or HH[MM[SS[.ffffff]]].
func (t *pyTime) parseClock(s string) bool {
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	parts := []*int{&t.hour, &t.minute, &t.second}
	if strings.Contains(whole, ":") {
		fields := strings.Split(whole, ":")
		if len(fields) > 3 {
			return false
		}
		for i, f := range fields {
			if len(f) != 2 || !digitsInto(f, parts[i]) {
				return false
			}
		}
		if hasFrac && len(fields) != 3 {
			return false
		}
	} else {
		if len(whole) == 0 || len(whole)%2 != 0 || len(whole) > 6 {
			return false
		}
		for i := 0; i < len(whole); i += 2 {
			if !digitsInto(whole[i:i+2], parts[i/2]) {
				return false
			}
		}
		if hasFrac && len(whole) != 6 {
			return false
		}
	}
	if hasFrac {
		if !allDigits(frac) {
			return false
		}
		digits := frac + "00000"
		digitsInto(digits[:6], &t.micro)
	}
	return true
}

func (t *pyTime) parseOffset(s string) bool {
	t.hasOffset = true
	if s == "Z" {
		t.offsetSign = 1
		return true
	}
	t.offsetSign = 1
	if s[0] == '-' {
		t.offsetSign = -1
	}
	body := strings.ReplaceAll(s[1:], ":", "")
	if len(body) != 2 && len(body) != 4 && len(body) != 6 {
		return false
	}
	fields := []*int{&t.offH, &t.offM, &t.offS}
	for i := 0; i < len(body); i += 2 {
		if !digitsInto(body[i:i+2], fields[i/2]) {
			return false
		}
	}
	if t.offH > 23 || t.offM > 59 || t.offS > 59 {
		return false
	}
	t.offsetSeconds = t.offsetSign * (t.offH*3600 + t.offM*60 + t.offS)
	return true
}

func (t *pyTime) valid() bool {
	if t.year < 1 || t.month < 1 || t.month > 12 || t.day < 1 {
		return false
	}
	last := time.Date(t.year, time.Month(t.month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return t.day <= last && t.hour < 24 && t.minute < 60 && t.second < 60
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func digitsInto(s string, out *int) bool {
	if s == "" {
		return false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	*out = n
	return true
}

// clock writes the date and time as Python's isoformat does, with
// microseconds only when non-zero.
func (t pyTime) clock() string {
	s := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d",
		t.year, t.month, t.day, t.hour, t.minute, t.second)
	if t.micro != 0 {
		s += fmt.Sprintf(".%06d", t.micro)
	}
	return s
}

func (t pyTime) offsetText() string {
	sign := "+"
	if t.offsetSeconds < 0 {
		sign = "-"
	}
	s := fmt.Sprintf("%s%02d:%02d", sign, t.offH, t.offM)
	if t.offS != 0 {
		s += fmt.Sprintf(":%02d", t.offS)
	}
	return s
}

// isoformat returns the time as Python's datetime.isoformat writes it, so
// "2026-03-01T09:00:00Z" comes back as "2026-03-01T09:00:00+00:00".
func (t pyTime) isoformat() string {
	if !t.hasOffset {
		return t.clock()
	}
	return t.clock() + t.offsetText()
}

// pydanticString returns the time as pydantic serializes a datetime: a
// zero offset as Z, a time without offset without one.
func (t pyTime) pydanticString() string {
	switch {
	case !t.hasOffset:
		return t.clock()
	case t.offsetSeconds == 0:
		return t.clock() + "Z"
	}
	return t.clock() + t.offsetText()
}
