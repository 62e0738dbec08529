package agentos_test

import (
	"testing"

	"github.com/agentos-go/agentos"
)

// The expected values below are UTC instants, so these tests must pass in
// any local time zone; run them with TZ=America/New_York to check.

func TestFormatTime(t *testing.T) {
	cases := map[int64]string{
		0:          "1970-01-01T00:00:00Z",
		1796391624: "2026-12-04T13:40:24Z",
		1783000000: "2026-07-02T13:46:40Z", // summer time in New York
		-86400:     "1969-12-31T00:00:00Z",
	}
	for sec, want := range cases {
		if got := agentos.FormatTime(sec); got != want {
			t.Errorf("FormatTime(%d) = %q, want %q", sec, got, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	cases := []struct {
		in   string
		unix int64
		nano int
	}{
		{"2026-12-04T13:40:24Z", 1796391624, 0},
		{"2026-12-04T13:40:24.250Z", 1796391624, 250_000_000},
		{"2026-12-04T13:40:24", 1796391624, 0},
		{"2026-12-04T13:40:24.123456", 1796391624, 123_456_000},
		{"2026-12-04T15:40:24+02:00", 1796391624, 0},
		{"2026-12-04T08:40:24-05:00", 1796391624, 0},
		{"2026-12-04 13:40:24", 1796391624, 0},
		{"2026-12-04 13:40:24.5+00:00", 1796391624, 500_000_000},
		{" 2026-12-04T13:40:24Z\n", 1796391624, 0},
		{"2026-12-04", 1796342400, 0},
	}
	for _, tc := range cases {
		got, ok := agentos.ParseTime(tc.in)
		if !ok {
			t.Errorf("ParseTime(%q) failed", tc.in)
			continue
		}
		if got.Unix() != tc.unix || got.Nanosecond() != tc.nano {
			t.Errorf("ParseTime(%q) = %d.%09d, want %d.%09d", tc.in, got.Unix(),
				got.Nanosecond(), tc.unix, tc.nano)
		}
	}
	for _, bad := range []string{"", "yesterday", "2026-13-01", "1796391624", "04/12/2026"} {
		if got, ok := agentos.ParseTime(bad); ok {
			t.Errorf("ParseTime(%q) = %v, want failure", bad, got)
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	for _, sec := range []int64{0, 1, 1796391624, 4102444800} {
		got, ok := agentos.ParseTime(agentos.FormatTime(sec))
		if !ok || got.Unix() != sec {
			t.Errorf("ParseTime(FormatTime(%d)) = %v, %v", sec, got, ok)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, seed := range []string{"2026-12-04T13:40:24Z", "2026-12-04 13:40:24.5+00:00",
		"2026-12-04", "x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := agentos.ParseTime(s)
		if !ok {
			return
		}
		// A parsed instant formats and parses back to the same second.
		back, ok := agentos.ParseTime(agentos.FormatTime(got.Unix()))
		if got.Year() >= 0 && got.Year() <= 9999 && (!ok || back.Unix() != got.Unix()) {
			t.Fatalf("ParseTime(%q) = %v does not round-trip: %v, %v", s, got, back, ok)
		}
	})
}
