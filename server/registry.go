package server

import (
	"context"
	"sync"
	"time"
)

// End reasons of a push query that the server itself ended; a query that
// ended on its own (LIMIT reached, the engine closed it, an error) has
// none.
const (
	reasonNone = iota
	reasonClosed
	reasonShutdown
	reasonClientGone
)

// liveQuery is a push query a client is reading. The handler serving it
// owns it; /close-query and Shutdown only cancel its context, and the
// handler then closes the engine's stream and writes the ending.
type liveQuery struct {
	id     string
	cancel context.CancelFunc
	mu     sync.Mutex
	reason int
}

func (q *liveQuery) stop(reason int) {
	q.mu.Lock()
	if q.reason == reasonNone {
		q.reason = reason
	}
	q.mu.Unlock()
	q.cancel()
}

func (q *liveQuery) endReason() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.reason
}

// queryRegistry bounds and tracks the running push queries, so
// /close-query can find one by id, Shutdown can end them all, and
// Options.MaxPushQueries is enforced across endpoints.
type queryRegistry struct {
	mu       sync.Mutex
	max      int
	reserved int
	byID     map[string]*liveQuery
	closed   bool
	idle     chan struct{} // closed and replaced when reserved drops to 0
}

func newQueryRegistry(max int) *queryRegistry {
	return &queryRegistry{max: max, byID: map[string]*liveQuery{}, idle: make(chan struct{})}
}

// reserve takes a slot for a query about to start; false when the server
// is at its limit or shutting down.
func (g *queryRegistry) reserve() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.reserved >= g.max {
		return false
	}
	g.reserved++
	return true
}

// unreserve gives a slot back.
func (g *queryRegistry) unreserve() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reserved--
	if g.reserved == 0 {
		close(g.idle)
		g.idle = make(chan struct{})
	}
}

// add registers a started query under its id. If the registry was closed
// in the meantime the query is stopped at once.
func (g *queryRegistry) add(q *liveQuery) {
	g.mu.Lock()
	g.byID[q.id] = q
	closed := g.closed
	g.mu.Unlock()
	if closed {
		q.stop(reasonShutdown)
	}
}

func (g *queryRegistry) remove(id string) {
	g.mu.Lock()
	delete(g.byID, id)
	g.mu.Unlock()
}

// close stops the query with the id; false if no such query runs.
func (g *queryRegistry) close(id string) bool {
	g.mu.Lock()
	q, ok := g.byID[id]
	g.mu.Unlock()
	if ok {
		q.stop(reasonClosed)
	}
	return ok
}

// closeAll refuses new queries and stops the running ones.
func (g *queryRegistry) closeAll() {
	g.mu.Lock()
	g.closed = true
	qs := make([]*liveQuery, 0, len(g.byID))
	for _, q := range g.byID {
		qs = append(qs, q)
	}
	g.mu.Unlock()
	for _, q := range qs {
		q.stop(reasonShutdown)
	}
}

// running is the number of reserved slots (queries starting or running).
func (g *queryRegistry) running() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.reserved
}

// wait blocks until no query holds a slot or ctx ends.
func (g *queryRegistry) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		n, idle := g.reserved, g.idle
		g.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
