package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/agentos-go/agentos"
)

// DefaultLeaseTTL is how long a running run's lease lasts. The engine
// renews leases every third of it, and runs whose lease lapsed are marked
// ERROR by the reaper.
const DefaultLeaseTTL = time.Minute

// InterruptedContent is the content stored on a run found RUNNING after the
// process executing it stopped renewing its lease.
const InterruptedContent = "Run interrupted: the server executing it stopped before " +
	"the run finished. Send the message again to retry."

// EngineConfig configures an Engine. Store and Agents are required.
type EngineConfig struct {
	Store  agentos.SessionStore
	Agents []*Agent
	// Cancels carries cancel requests. Nil means a LocalCancels.
	Cancels agentos.CancelBroker
	Logger  *slog.Logger
	// LeaseTTL is the lease of running runs. Zero means DefaultLeaseTTL.
	LeaseTTL time.Duration
}

// Engine runs agents and keeps their runs in the session store.
//
// Runs in one session may execute at the same time. Each run reads the
// history of the runs that completed before it started, and each is stored
// as its own row. The store appends runs atomically, so none is lost and
// none overwrites another.
type Engine struct {
	store    agentos.SessionStore
	leaser   agentos.RunLeaser // nil when the store keeps no leases
	cancels  agentos.CancelBroker
	logger   *slog.Logger
	agents   []*Agent
	byID     map[string]*Agent
	leaseTTL time.Duration
	now      func() time.Time

	mu     sync.Mutex
	active map[agentos.RunRef]struct{}
}

// NewEngine returns an engine for cfg.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	if cfg.Store == nil {
		return nil, errors.New("agent engine: a session store is required")
	}
	e := &Engine{
		store:    cfg.Store,
		cancels:  cfg.Cancels,
		logger:   cfg.Logger,
		agents:   cfg.Agents,
		byID:     map[string]*Agent{},
		leaseTTL: cfg.LeaseTTL,
		now:      time.Now,
		active:   map[agentos.RunRef]struct{}{},
	}
	if leaser, ok := cfg.Store.(agentos.RunLeaser); ok {
		e.leaser = leaser
	}
	if e.cancels == nil {
		e.cancels = NewLocalCancels(0)
	}
	if e.logger == nil {
		e.logger = slog.New(slog.DiscardHandler)
	}
	if e.leaseTTL <= 0 {
		e.leaseTTL = DefaultLeaseTTL
	}
	for _, a := range cfg.Agents {
		if a.Model == nil {
			return nil, fmt.Errorf("agent engine: agent %q has no model", a.ID)
		}
		if _, dup := e.byID[a.ID]; dup {
			return nil, fmt.Errorf("agent engine: duplicate agent id %q", a.ID)
		}
		e.byID[a.ID] = a
	}
	return e, nil
}

// Agents returns the agents in configuration order.
func (e *Engine) Agents() []*Agent { return e.agents }

// Agent returns the agent with the id.
func (e *Engine) Agent(id string) (*Agent, bool) {
	a, ok := e.byID[id]
	return a, ok
}

// Cancels returns the broker that carries cancel requests.
func (e *Engine) Cancels() agentos.CancelBroker { return e.cancels }

// Maintain renews the leases of the runs executing here and marks runs
// whose lease expired as ERROR, once at the start and then every third of
// the lease TTL, until ctx ends. It does nothing when the store keeps no
// leases.
func (e *Engine) Maintain(ctx context.Context) {
	if e.leaser == nil {
		return
	}
	e.reapLogged(ctx)
	tick := time.NewTicker(e.leaseTTL / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := e.RenewLeases(ctx); err != nil && ctx.Err() == nil {
			e.logger.WarnContext(ctx, "renew run leases failed", slog.Any("error", err))
		}
		e.reapLogged(ctx)
	}
}

func (e *Engine) reapLogged(ctx context.Context) {
	n, err := e.ReapExpired(ctx)
	if err != nil && ctx.Err() == nil {
		e.logger.WarnContext(ctx, "reap expired runs failed", slog.Any("error", err))
	}
	if n > 0 {
		e.logger.InfoContext(ctx, "marked interrupted runs as ERROR", slog.Int("runs", n))
	}
}

// RenewLeases extends the lease of every run executing here.
func (e *Engine) RenewLeases(ctx context.Context) error {
	if e.leaser == nil {
		return nil
	}
	e.mu.Lock()
	refs := make([]agentos.RunRef, 0, len(e.active))
	for ref := range e.active {
		refs = append(refs, ref)
	}
	e.mu.Unlock()
	return e.leaser.RenewRunLeases(ctx, refs, e.leaseUntil())
}

func (e *Engine) leaseUntil() int64 {
	return e.now().Add(e.leaseTTL).Unix()
}

func (e *Engine) isActive(ref agentos.RunRef) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.active[ref]
	return ok
}

func (e *Engine) track(ref agentos.RunRef) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.active[ref] = struct{}{}
}

func (e *Engine) untrack(ref agentos.RunRef) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.active, ref)
}

// reapBatch is how many expired runs one store query returns.
const reapBatch = 100

// ReapExpired marks RUNNING and PENDING runs whose lease expired as ERROR
// with InterruptedContent, skipping runs executing in this process, and
// returns how many it marked.
func (e *Engine) ReapExpired(ctx context.Context) (int, error) {
	if e.leaser == nil {
		return 0, nil
	}
	marked := 0
	skipped := map[agentos.RunRef]bool{}
	for {
		now := e.now().Unix()
		runs, err := e.leaser.ListExpiredRuns(ctx, now, reapBatch+len(skipped))
		if err != nil {
			return marked, fmt.Errorf("list expired runs: %w", err)
		}
		progress := false
		for _, r := range runs {
			ref := agentos.RunRef{SessionID: r.SessionID, RunID: r.RunID}
			if skipped[ref] {
				continue
			}
			if e.isActive(ref) {
				skipped[ref] = true
				continue
			}
			ok, err := e.markInterrupted(ctx, r, now)
			if err != nil {
				return marked, err
			}
			if ok {
				marked++
			} else {
				skipped[ref] = true
			}
			progress = true
		}
		if !progress || len(runs) < reapBatch+len(skipped) {
			return marked, nil
		}
	}
}

// markInterrupted stores r as ERROR. It rereads the run first and leaves it
// alone when its owner finished or renewed it meanwhile.
func (e *Engine) markInterrupted(ctx context.Context, r *agentos.Run, now int64) (bool, error) {
	fresh, err := e.store.GetRun(ctx, r.SessionID, r.RunID)
	if agentos.ErrorCode(err) == agentos.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read expired run %s: %w", r.RunID, err)
	}
	if fresh.Status.Finished() || fresh.LeaseExpiresAt >= now {
		return false, nil
	}
	members, err := objectMembers(fresh.Record)
	if err != nil {
		return false, nil
	}
	members = setMember(members, "status", marshal(agentos.RunError))
	// Content the run already holds, such as imported content or the text
	// streamed before the process died, is kept.
	if content := lookupMember(members, "content"); agentos.IsNull(content) ||
		string(content) == `""` {
		members = setMember(members, "content", marshal(InterruptedContent))
	}
	fresh.Record = encodeMembers(members)
	fresh.Status = agentos.RunError
	fresh.LeaseExpiresAt = 0
	err = e.store.UpdateRun(ctx, fresh, agentos.SessionChange{})
	if agentos.ErrorCode(err) == agentos.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark run %s interrupted: %w", r.RunID, err)
	}
	e.logger.InfoContext(ctx, "run interrupted",
		slog.String("session_id", r.SessionID), slog.String("run_id", r.RunID))
	return true, nil
}
