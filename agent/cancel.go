package agent

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/agentos-go/agentos"
)

// DefaultCancelTTL is how long a cancel request for a run that is not
// executing here is kept, so that a run starting soon after with that id
// still stops.
const DefaultCancelTTL = 10 * time.Minute

// MaxPendingCancels bounds the cancel requests a LocalCancels keeps for
// runs that nobody watches. Past it, the requests that expire first are
// dropped, so a flood of bogus run ids within one TTL cannot grow memory
// without bound either.
const MaxPendingCancels = 100_000

// LocalCancels is a CancelBroker for one process. Requests for runs that no
// one watches expire after the TTL and are capped at MaxPendingCancels.
type LocalCancels struct {
	ttl        time.Duration
	now        func() time.Time
	maxPending int

	mu        sync.Mutex
	runs      map[string]*cancelEntry
	lastPrune time.Time
}

type cancelEntry struct {
	ch        chan struct{}
	requested bool
	watchers  int
	expires   time.Time // for requested entries without watchers
}

var _ agentos.CancelBroker = (*LocalCancels)(nil)

// NewLocalCancels returns a broker whose unclaimed requests expire after
// ttl; zero means DefaultCancelTTL.
func NewLocalCancels(ttl time.Duration) *LocalCancels {
	if ttl <= 0 {
		ttl = DefaultCancelTTL
	}
	return &LocalCancels{ttl: ttl, now: time.Now, maxPending: MaxPendingCancels,
		runs: map[string]*cancelEntry{}}
}

// RequestCancel records that runID should stop and wakes its watchers.
func (c *LocalCancels) RequestCancel(_ context.Context, runID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.pruneLocked(now)
	e := c.runs[runID]
	if e == nil {
		e = &cancelEntry{ch: make(chan struct{})}
		c.runs[runID] = e
	}
	if !e.requested {
		e.requested = true
		close(e.ch)
	}
	e.expires = now.Add(c.ttl)
	if len(c.runs) > c.maxPending {
		c.evictLocked()
	}
	return nil
}

// evictLocked drops unwatched requests, those expiring first, until the
// map is back to 90% of the cap.
func (c *LocalCancels) evictLocked() {
	var pending []string
	for id, e := range c.runs {
		if e.watchers == 0 && e.requested {
			pending = append(pending, id)
		}
	}
	slices.SortFunc(pending, func(a, b string) int {
		return c.runs[a].expires.Compare(c.runs[b].expires)
	})
	for _, id := range pending {
		if len(c.runs) <= c.maxPending*9/10 {
			return
		}
		delete(c.runs, id)
	}
}

// Watch returns a channel closed once a cancel is requested for runID,
// already closed when a request is pending, and a function that ends the
// watch.
func (c *LocalCancels) Watch(runID string) (<-chan struct{}, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.runs[runID]
	if e == nil {
		e = &cancelEntry{ch: make(chan struct{})}
		c.runs[runID] = e
	}
	e.watchers++
	var once sync.Once
	stop := func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			e.watchers--
			if e.watchers == 0 && c.runs[runID] == e {
				delete(c.runs, runID)
			}
		})
	}
	return e.ch, stop
}

// Len returns the number of runs with a pending request or a watcher.
func (c *LocalCancels) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pruneLocked(c.now())
	return len(c.runs)
}

// pruneLocked drops expired requests that no run claimed. It scans at most
// once per second of the broker's clock, so its cost spreads over requests.
func (c *LocalCancels) pruneLocked(now time.Time) {
	if now.Sub(c.lastPrune) < time.Second {
		return
	}
	c.lastPrune = now
	for id, e := range c.runs {
		if e.watchers == 0 && e.requested && now.After(e.expires) {
			delete(c.runs, id)
		}
	}
}
