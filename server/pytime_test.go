package server

import "testing"

// TestParsePythonISO compares with datetime.fromisoformat(s).isoformat() of
// CPython 3.11.
func TestParsePythonISO(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2026-03-01T09:00:00Z", "2026-03-01T09:00:00+00:00"},
		{"2026-03-01", "2026-03-01T00:00:00"},
		{"20260301", "2026-03-01T00:00:00"},
		{"2026-03-01 09:00", "2026-03-01T09:00:00"},
		{"2026-03-01X09:00:00", "2026-03-01T09:00:00"},
		{"2026-03-01T09", "2026-03-01T09:00:00"},
		{"2026-03-01T0900", "2026-03-01T09:00:00"},
		{"2026-03-01T09:00:00.1", "2026-03-01T09:00:00.100000"},
		{"2026-03-01T09:00:00.1234567", "2026-03-01T09:00:00.123456"},
		{"2026-03-01T09:00:00,5", "2026-03-01T09:00:00.500000"},
		{"2026-03-01T09:00:00+0530", "2026-03-01T09:00:00+05:30"},
		{"2026-03-01T09:00:00+05", "2026-03-01T09:00:00+05:00"},
		{"2026-03-01T09:00:00-05:30:15", "2026-03-01T09:00:00-05:30:15"},
		{"2026-03-01T09:00:00.5+00:00", "2026-03-01T09:00:00.500000+00:00"},
		{"2026-03-01T09:00:00.12Z", "2026-03-01T09:00:00.120000+00:00"},
		{"20260301T090000", "2026-03-01T09:00:00"},
		{"2026-03-01T090000.5", "2026-03-01T09:00:00.500000"},
		{"2026-03-01T10:15:42.123456", "2026-03-01T10:15:42.123456"},
	} {
		got, ok := parsePythonISO(tc.in)
		if !ok {
			t.Errorf("parsePythonISO(%q) failed, want %s", tc.in, tc.want)
			continue
		}
		if got.isoformat() != tc.want {
			t.Errorf("parsePythonISO(%q).isoformat() = %s, want %s",
				tc.in, got.isoformat(), tc.want)
		}
	}
}

func TestParsePythonISORejects(t *testing.T) {
	for _, in := range []string{
		"", "yesterday", "2026-03-01T24:00:00", "2026-02-30", "2026-03-01T09:00:00 ",
		"2026-03-01T09:00:00z", "2026-13-01", "2026-03-01T09:60", "2026-03-01T09:00:00+24:00",
		"2026-03-01T09:00:00.", "2026-3-1",
	} {
		if got, ok := parsePythonISO(in); ok {
			t.Errorf("parsePythonISO(%q) = %s, want an error", in, got.isoformat())
		}
	}
}

func TestPydanticTimeString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2026-03-01T09:00:00+00:00", "2026-03-01T09:00:00Z"},
		{"2026-03-01T09:00:00.25Z", "2026-03-01T09:00:00.250000Z"},
		{"2026-03-01T09:00:00", "2026-03-01T09:00:00"},
		{"2026-03-01T09:00:00-02:00", "2026-03-01T09:00:00-02:00"},
	} {
		got, ok := parsePythonISO(tc.in)
		if !ok || got.pydanticString() != tc.want {
			t.Errorf("pydanticString(%q) = %q, %v, want %q",
				tc.in, got.pydanticString(), ok, tc.want)
		}
	}
}
