package engine

import (
	"context"
	"fmt"
	"maps"

	"github.com/sluicedb/sluice/parser"
)

// replay rebuilds the catalog from the command topic and then starts the
// persistent queries that are still defined. Queries start only after the
// whole topic is replayed, so a query terminated later in the history never
// runs, and each starts from its consumer group's committed offsets.
//
// A command that no longer applies (a statement a newer version rejects)
// is logged and skipped rather than failing the start: the deployment
// should come up with everything that still makes sense, as ksqlDB does.
func (e *Engine) replay(ctx context.Context) error {
	cmds, err := e.cmds.readAll(ctx)
	if err != nil {
		return err
	}
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	for _, c := range cmds {
		if c.Kind != kindCatalog {
			continue
		}
		stmt, err := parser.ParseStatement(c.Statement)
		if err != nil {
			e.logf("engine: replay command %d: %v", c.Seq, err)
			continue
		}
		props := e.Properties()
		maps.Copy(props, c.Properties)
		if _, err := e.apply(ctx, stmt, c, props, true); err != nil {
			e.logf("engine: replay command %d (%s): %v", c.Seq, c.Statement, err)
		}
	}
	for _, q := range e.cat.Queries() {
		props := e.Properties()
		for _, c := range cmds {
			if c.QueryID == q.ID {
				maps.Copy(props, c.Properties)
			}
		}
		if err := e.startQuery(ctx, q, props); err != nil {
			return fmt.Errorf("engine: restart %s: %w", q.ID, err)
		}
		e.logf("engine: restarted %s", q.ID)
	}
	return nil
}
