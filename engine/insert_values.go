package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/planner"
)

// insertTxnID is the transactional id of the producer that writes INSERT
// VALUES rows together with their command. A restarted engine takes it over
// and so aborts whatever a crashed one left open.
const insertTxnID = "__sluice_insert_values"

// insertValues writes one row into the target's topic. The row and the
// statement's command are appended in one log transaction: either both are
// there or neither, so headless mode, which skips statements whose command
// it finds, never loses a row nor inserts it twice.
func (e *Engine) insertValues(ctx context.Context, st *ast.InsertValues, ac *applyCtx) (Result, error) {
	if ac.replay {
		return nil, nil // the row is already in its topic
	}
	row, err := planner.PlanInsertValues(st, e.cat, e.plannerOptions(ac.props, ""))
	if err != nil {
		return nil, planErr(err, ac.cmd.Statement)
	}
	src := row.Target
	if src.IsSource {
		return nil, errorf(st, "Cannot insert values into read-only %s: %s", kindWord(src.Kind), src.Name)
	}
	rec, err := encodeInsert(src, row)
	if err != nil {
		return nil, &Error{Code: CodeBadStatement, Pos: st.Pos, Message: "Failed to insert values into '" + src.Name + "'. " + err.Error(), Err: err}
	}
	if row.HasRowtime {
		rec.Timestamp = row.Rowtime
	} else {
		rec.Timestamp = e.now().UnixMilli()
	}
	parts := src.Partitions
	if parts <= 0 {
		d, err := e.log.DescribeTopic(ctx, src.Topic)
		if err != nil {
			return nil, &Error{Code: CodeServerError, Message: err.Error(), Err: err}
		}
		parts = len(d.Partitions)
	}
	tp := broker.TopicPartition{Topic: src.Topic, Partition: partitionFor(rec.Key, parts, &e.rr)}
	if err := e.appendWithCommand(ctx, tp, rec, ac.cmd); err != nil {
		return nil, &Error{Code: CodeServerError, Message: fmt.Sprintf("Failed to insert values into '%s': %v", src.Name, err), Err: err}
	}
	return nil, nil
}

// encodeInsert serialises a planned row with its target's formats.
func encodeInsert(src *planner.Source, row *planner.InsertRow) (broker.Record, error) {
	var rec broker.Record
	if keys := src.KeyColumns(); len(keys) > 0 {
		kf, err := format.Lookup(src.KeyFormat)
		if err != nil {
			return rec, err
		}
		opts := src.KeyOptions
		opts.Key = true
		enc, err := kf.NewEncoder(keys, opts)
		if err != nil {
			return rec, err
		}
		if rec.Key, err = enc.EncodeRow(nil, row.Key()); err != nil {
			return rec, err
		}
	}
	vf, err := format.Lookup(src.ValueFormat)
	if err != nil {
		return rec, err
	}
	enc, err := vf.NewEncoder(src.ValueColumns(), src.ValueOptions)
	if err != nil {
		return rec, err
	}
	if rec.Value, err = enc.EncodeRow(nil, row.Value()); err != nil {
		return rec, err
	}
	if rec.Value == nil {
		rec.Value = []byte{} // an all-NULL row of a format that writes nothing is not a tombstone
	}
	return rec, nil
}

// appendWithCommand appends a record and a command in one transaction. The
// caller holds ddlMu, which also guards the producer.
func (e *Engine) appendWithCommand(ctx context.Context, tp broker.TopicPartition, rec broker.Record, cmd command) error {
	if e.insertProducer == nil {
		p, err := e.log.NewProducer(ctx, broker.ProducerOptions{TransactionalID: insertTxnID})
		if err != nil {
			return err
		}
		e.insertProducer = p
	}
	p := e.insertProducer
	cb, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		_ = p.AbortTxn(ctx)
		return err
	}
	if err := p.BeginTxn(); err != nil {
		// A producer left in a bad state by an earlier failure: start over.
		p.Close()
		e.insertProducer = nil
		return err
	}
	if _, err := p.Append(ctx, tp, []broker.Record{rec}); err != nil {
		return fail(err)
	}
	if _, err := p.Append(ctx, e.cmds.tp, []broker.Record{{Value: cb}}); err != nil {
		return fail(err)
	}
	return p.CommitTxn(ctx)
}
