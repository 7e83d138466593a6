package engine

import (
	"slices"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// Catalog is the engine's metastore: the streams, tables and custom types
// statements declared and the persistent queries they started. It
// implements planner.Catalog and is safe for concurrent use.
//
// Lock order. Engine.ddlMu (one catalog-changing statement at a time) comes
// first, then Catalog.mu, then a Query's mu; Session.mu and the mutexes of
// the push-query registry and the processing log are leaves. Catalog.mu is never held while
// calling into the log or a running query: statements read what they need
// under it, release it, do the slow work, and take it again to publish the
// result. Queries never take Catalog.mu, so a query blocked on the log
// cannot stall a SHOW.
type Catalog struct {
	mu      sync.RWMutex
	sources map[string]*planner.Source
	types   map[string]*types.Type
	queries map[string]*Query
	// nextQuery numbers persistent queries, as ksqlDB's query id
	// generator does: CSAS_OUTPUT_0, INSERTQUERY_1, ...
	nextQuery int64
}

func newCatalog() *Catalog {
	return &Catalog{
		sources: map[string]*planner.Source{},
		types:   map[string]*types.Type{},
		queries: map[string]*Query{},
	}
}

// Source implements planner.Catalog.
func (c *Catalog) Source(name string) (*planner.Source, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.sources[name]
	return s, ok
}

// Type implements planner.Catalog.
func (c *Catalog) Type(name string) (*types.Type, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.types[name]
	return t, ok
}

// Sources returns every stream and table, sorted by name.
func (c *Catalog) Sources() []*planner.Source {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*planner.Source, 0, len(c.sources))
	for _, s := range c.sources {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *planner.Source) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Types returns the custom types by name.
func (c *Catalog) Types() map[string]*types.Type {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]*types.Type, len(c.types))
	for k, v := range c.types {
		out[k] = v
	}
	return out
}

// Queries returns the persistent queries sorted by id.
func (c *Catalog) Queries() []*Query {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Query, 0, len(c.queries))
	for _, q := range c.queries {
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b *Query) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Query returns a persistent query by id.
func (c *Catalog) Query(id string) (*Query, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	q, ok := c.queries[id]
	return q, ok
}

// queriesUsing returns the ids of the queries reading (readers) and writing
// (writers) a source, sorted: DROP refuses while either is non-empty.
func (c *Catalog) queriesUsing(name string) (readers, writers []string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for id, q := range c.queries {
		if q.Sink == name {
			writers = append(writers, id)
		}
		if slices.Contains(q.Inputs, name) {
			readers = append(readers, id)
		}
	}
	slices.Sort(readers)
	slices.Sort(writers)
	return readers, writers
}

// putSource adds or replaces a source.
func (c *Catalog) putSource(s *planner.Source) {
	c.mu.Lock()
	c.sources[s.Name] = s
	c.mu.Unlock()
}

func (c *Catalog) dropSource(name string) {
	c.mu.Lock()
	delete(c.sources, name)
	c.mu.Unlock()
}

func (c *Catalog) putType(name string, t *types.Type) {
	c.mu.Lock()
	c.types[name] = t
	c.mu.Unlock()
}

func (c *Catalog) dropType(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.types[name]
	delete(c.types, name)
	return ok
}

func (c *Catalog) putQuery(q *Query) {
	c.mu.Lock()
	c.queries[q.ID] = q
	c.mu.Unlock()
}

func (c *Catalog) dropQuery(id string) {
	c.mu.Lock()
	delete(c.queries, id)
	c.mu.Unlock()
}

// allocQueryNum returns the next query number. Numbers are never reused,
// and replaying the command topic allocates them in the same order, so a
// query keeps its id (and its committed offsets) across restarts.
func (c *Catalog) allocQueryNum() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.nextQuery
	c.nextQuery++
	return n
}

// bumpQueryNum makes sure future numbers are above n (a replayed command
// carries the id it was given).
func (c *Catalog) bumpQueryNum(n int64) {
	c.mu.Lock()
	if n >= c.nextQuery {
		c.nextQuery = n + 1
	}
	c.mu.Unlock()
}
