package conformance

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/planner"
)

// OpenEngine is the Opener of the real engine: a commitlog in cfg.Dir with
// the runner's clock and no background cleanup, every topic created with
// DurabilityNone (the runner checks results, not fsync), and one session
// through which the statements run. For a REST case (cfg.REST) the engine
// is served by package server on a loopback port and the statements and
// queries go through its HTTP API (see rest_engine.go).
func OpenEngine(ctx context.Context, cfg EngineConfig) (Engine, error) {
	l, err := commitlog.Open(filepath.Join(cfg.Dir, "log"), commitlog.Options{Now: cfg.Now, CleanupInterval: -1})
	if err != nil {
		return nil, err
	}
	e, err := engine.Open(ctx, engine.Config{
		Log:        cheapLog{l},
		Functions:  cfg.Functions,
		Properties: cfg.Properties,
		Now:        cfg.Now,
	})
	if err != nil {
		l.Close()
		return nil, err
	}
	re := &realEngine{e: e, s: e.NewSession(), log: l}
	if cfg.REST {
		return serveREST(re, cfg.Properties)
	}
	return re, nil
}

type realEngine struct {
	e   *engine.Engine
	s   *engine.Session
	log *commitlog.Log
}

// Execute implements Engine; results of transient queries are closed.
func (r *realEngine) Execute(ctx context.Context, stmt string) error {
	results, err := r.s.Execute(ctx, stmt)
	for _, res := range results {
		// A transient query has no place in a QTT case; stop it so it
		// holds no reader.
		if rs, ok := res.(*engine.RowStream); ok && rs.Close != nil {
			rs.Close()
		}
	}
	return err
}

// Query runs a SELECT through the session: a push query's RowStream, or a
// finished result set.
func (r *realEngine) Query(ctx context.Context, stmt string) (*Rows, error) {
	results, err := r.s.Execute(ctx, stmt)
	if err != nil {
		return nil, err
	}
	for _, res := range results {
		switch x := res.(type) {
		case *engine.RowStream:
			var last bool
			return &Rows{Columns: x.Columns, Close: x.Close,
				Next: func(ctx context.Context) ([]any, bool) {
					r, ok := x.NextRow(ctx)
					last = r.Tombstone
					return r.Values, ok
				},
				Tombstone: func() bool { return last }}, nil
		case *engine.Rows:
			i := 0
			return &Rows{Columns: x.Columns, Close: func() {},
				Next: func(context.Context) ([]any, bool) {
					if i >= len(x.Rows) {
						return nil, false
					}
					i++
					return x.Rows[i-1], true
				}}, nil
		}
	}
	return nil, errors.New("conformance: the statement returned no rows")
}

// Log implements Engine.
func (r *realEngine) Log() broker.Log { return r.e.Log() }

// Source implements Engine through the engine's catalog.
func (r *realEngine) Source(name string) (*planner.Source, bool) { return r.e.Catalog().Source(name) }

// WaitCaughtUp implements Engine.
func (r *realEngine) WaitCaughtUp(ctx context.Context) error { return r.e.WaitCaughtUp(ctx) }

// Close stops the engine, then closes the log it ran on.
func (r *realEngine) Close() error {
	return errors.Join(r.e.Close(), r.log.Close())
}

// cheapLog creates every topic without fsync.
type cheapLog struct{ broker.Log }

// CreateTopic creates the topic with DurabilityNone.
func (c cheapLog) CreateTopic(ctx context.Context, name string, cfg broker.TopicConfig) error {
	cfg.Durability = broker.DurabilityNone
	return c.Log.CreateTopic(ctx, name, cfg)
}

// ErrorMessage returns the message of a statement error as ksqlDB words
// it (without Sluice's position prefix), which is what expectedException
// messages are matched against, followed by the full text.
func ErrorMessage(err error) string {
	var ee *engine.Error
	if errors.As(err, &ee) && ee.Message != "" && !strings.Contains(err.Error(), ee.Message) {
		return ee.Message + "\n" + err.Error()
	}
	return err.Error()
}
