package engine

import (
	"context"
	"errors"
	"maps"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/planner"
)

// applyCtx is what applying one catalog-changing statement needs besides
// the statement: the command that will record it, the properties it is
// planned with, and whether it is being replayed from the command topic
// (then nothing is recorded again, topics that exist are left alone, and
// queries are collected to be started once the whole topic is replayed).
type applyCtx struct {
	cmd    command
	props  map[string]string
	replay bool
}

// apply runs a catalog-changing statement; the caller holds e.ddlMu. On
// success the statement has been recorded in the command topic (unless
// replaying) before the catalog shows its effect.
func (e *Engine) apply(ctx context.Context, stmt ast.Statement, cmd command, props map[string]string, replay bool) (Result, error) {
	if props == nil {
		props = e.Properties()
		maps.Copy(props, cmd.Properties)
	}
	ac := &applyCtx{cmd: cmd, props: props, replay: replay}
	switch st := stmt.(type) {
	case *ast.CreateSource:
		return e.createSource(ctx, st, ac)
	case *ast.CreateAsSelect:
		return e.createAsSelect(ctx, st, ac)
	case *ast.InsertInto:
		return e.insertInto(ctx, st, ac)
	case *ast.InsertValues:
		return e.insertValues(ctx, st, ac)
	case *ast.DropSource:
		return e.dropSource(ctx, st, ac)
	case *ast.CreateType:
		return e.createType(ctx, st, ac)
	case *ast.DropType:
		return e.dropType(ctx, st, ac)
	case *ast.AlterSource:
		return e.alterSource(ctx, st, ac)
	case *ast.QueryControl:
		return e.queryControl(ctx, st, ac)
	case *ast.SetProperty:
		return e.alterSystem(ctx, st, ac)
	}
	return nil, errorf(stmt, "Statement not supported: %s", firstWord(cmd.Statement))
}

// record appends the statement's command unless replaying, returning its
// sequence number (the replayed one when replaying).
func (e *Engine) record(ctx context.Context, ac *applyCtx) (int64, error) {
	if ac.replay {
		return ac.cmd.Seq, nil
	}
	seq, err := e.cmds.append(ctx, ac.cmd)
	if err != nil {
		return -1, &Error{Code: CodeServerError, Message: err.Error(), Err: err}
	}
	return seq, nil
}

// plannerOptions returns the planner options for a statement.
func (e *Engine) plannerOptions(props map[string]string, queryID string) planner.Options {
	return planner.Options{Registry: e.funcs, Properties: props, QueryID: queryID}
}

// planErr turns a planner error into an engine error. The planner's
// contract (planner.IsPlanningError) tells user errors, which are statement
// errors, from internal failures (a recovered panic), which are server
// errors.
func planErr(err error, text string) error {
	ee := asEngineError(err, text)
	var pe *parser.Error
	if !planner.IsPlanningError(err) && !errors.As(err, &pe) && !errors.As(err, new(*Error)) {
		ee.Code = CodeServerError
	}
	return ee
}
