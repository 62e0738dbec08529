package agentos

import (
	"strings"
	"time"
)

// FormatTime returns the Unix second sec as agno prints top-level
// timestamps: ISO 8601 in UTC with a Z and no fraction.
func FormatTime(sec int64) string {
	return time.Unix(sec, 0).UTC().Format("2006-01-02T15:04:05Z")
}

// isoLayouts are the ISO 8601 forms ParseTime accepts, tried in order.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// ParseTime parses an ISO 8601 time with or without a fraction and with a Z,
// a numeric offset or no offset. A time without an offset is read as UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
