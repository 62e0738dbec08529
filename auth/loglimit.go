package auth

import (
	"sync"
	"time"
)

// logBurst is the number of rejected requests logged per minute.
const logBurst = 20

// logLimiter allows logBurst log lines per one-minute window.
type logLimiter struct {
	mu         sync.Mutex
	start      time.Time
	count      int
	suppressed int
}

// allow reports whether a line may be logged at now. When now starts a new
// window, suppressed is the number of lines the last window left out.
func (l *logLimiter) allow(now time.Time) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= time.Minute || now.Before(l.start) {
		suppressed = l.suppressed
		l.start, l.count, l.suppressed = now, 0, 0
	}
	if l.count >= logBurst {
		l.suppressed++
		return false, suppressed
	}
	l.count++
	return true, suppressed
}
