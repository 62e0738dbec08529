package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agentos-go/agentos"
)

// DefaultCancelTTL is how long a cancel request is kept for a run that no
// replica is executing yet.
const DefaultCancelTTL = 10 * time.Minute

// cancelPoll is how often watched runs are checked against the request
// table, which covers notifications missed while the listener reconnects.
const cancelPoll = 2 * time.Second

// Cancels is a CancelBroker shared by every replica on one database. A
// request is stored in run_cancels and announced with NOTIFY; each replica
// LISTENs and stops the runs it executes. Requests expire after a TTL.
type Cancels struct {
	store  *Store
	ttl    time.Duration
	logger *slog.Logger
	topic  string

	mu       sync.Mutex
	watchers map[string]*cancelWatch

	stop context.CancelFunc
	done chan struct{}
}

type cancelWatch struct {
	ch     chan struct{}
	closed bool
	count  int
}

var _ agentos.CancelBroker = (*Cancels)(nil)

// NewCancels starts a broker on the store's database. Close stops it.
func NewCancels(store *Store, ttl time.Duration, logger *slog.Logger) *Cancels {
	if ttl <= 0 {
		ttl = DefaultCancelTTL
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, stop := context.WithCancel(context.Background())
	c := &Cancels{
		store:    store,
		ttl:      ttl,
		logger:   logger,
		topic:    "agentos_cancel_" + store.schema,
		watchers: map[string]*cancelWatch{},
		stop:     stop,
		done:     make(chan struct{}),
	}
	go c.run(ctx)
	return c
}

// Close stops listening.
func (c *Cancels) Close() error {
	c.stop()
	<-c.done
	return nil
}

// RequestCancel records the request and notifies every replica.
func (c *Cancels) RequestCancel(ctx context.Context, runID string) error {
	if !storable(runID) {
		// No stored run has this id, and PostgreSQL cannot record it.
		c.fire(runID)
		return nil
	}
	expires := time.Now().Add(c.ttl).Unix()
	err := c.store.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO run_cancels (run_id, expires_at)
			VALUES ($1, $2) ON CONFLICT (run_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
			runID, expires); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, c.topic, runID)
		return err
	})
	if err != nil {
		return storeError("request cancel", err)
	}
	c.fire(runID)
	return nil
}

// Watch returns a channel closed once a cancel is requested for runID,
// including a request made before the watch began.
func (c *Cancels) Watch(runID string) (<-chan struct{}, func()) {
	c.mu.Lock()
	w := c.watchers[runID]
	if w == nil {
		w = &cancelWatch{ch: make(chan struct{})}
		c.watchers[runID] = w
	}
	w.count++
	c.mu.Unlock()
	go c.check([]string{runID})
	var once sync.Once
	return w.ch, func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			w.count--
			if w.count == 0 && c.watchers[runID] == w {
				delete(c.watchers, runID)
			}
		})
	}
}

// fire closes the watch channel of runID, if any.
func (c *Cancels) fire(runID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w := c.watchers[runID]; w != nil && !w.closed {
		w.closed = true
		close(w.ch)
	}
}

// check fires the watches among runIDs that have a pending request.
func (c *Cancels) check(runIDs []string) {
	kept := runIDs[:0:0]
	for _, id := range runIDs {
		if storable(id) {
			kept = append(kept, id)
		}
	}
	runIDs = kept
	if len(runIDs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := c.store.pool.Query(ctx, `SELECT run_id FROM run_cancels
		WHERE run_id = ANY($1) AND expires_at >= $2`, runIDs, time.Now().Unix())
	if err != nil {
		c.logger.Warn("check cancel requests", slog.Any("error", err))
		return
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		c.logger.Warn("check cancel requests", slog.Any("error", err))
		return
	}
	for _, id := range ids {
		c.fire(id)
	}
}

func (c *Cancels) watched() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]string, 0, len(c.watchers))
	for id, w := range c.watchers {
		if !w.closed {
			ids = append(ids, id)
		}
	}
	return ids
}

// run listens for notifications, reconnecting after failures, and polls
// the request table for the watched runs.
func (c *Cancels) run(ctx context.Context) {
	defer close(c.done)
	go c.poll(ctx)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := c.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		c.logger.Warn("cancel listener lost its connection; reconnecting",
			slog.Any("error", err), slog.Duration("retry_in", backoff))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (c *Cancels) listen(ctx context.Context) error {
	// The listener has a connection of its own, outside the pool, so that
	// it never takes one of the pool's MaxConns from requests.
	conn, err := pgx.ConnectConfig(ctx, c.store.pool.Config().ConnConfig)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{c.topic}.Sanitize()); err != nil {
		return err
	}
	// Requests made while no listener ran are in the table.
	c.check(c.watched())
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		c.fire(n.Payload)
	}
}

func (c *Cancels) poll(ctx context.Context) {
	ticker := time.NewTicker(cancelPoll)
	defer ticker.Stop()
	prune := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		c.check(c.watched())
		if time.Since(prune) > time.Minute {
			prune = time.Now()
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := c.store.pool.Exec(pctx, `DELETE FROM run_cancels WHERE expires_at < $1`,
				time.Now().Unix())
			cancel()
			if err != nil && ctx.Err() == nil {
				c.logger.Warn("prune expired cancel requests", slog.Any("error", err))
			}
		}
	}
}
