package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/planner"
)

// kindWord returns "stream" or "table", as ksqlDB's messages spell it.
func kindWord(k ast.SourceKind) string { return strings.ToLower(k.String()) }

// kindTitle returns "Stream" or "Table".
func kindTitle(k ast.SourceKind) string {
	w := kindWord(k)
	return strings.ToUpper(w[:1]) + w[1:]
}

// withInt returns an integer WITH property (PARTITIONS, REPLICAS) if given.
func withInt(props []*ast.Property, name string) (int, bool) {
	for _, p := range props {
		if p.Name != name {
			continue
		}
		if lit, ok := p.Value.(*ast.IntegerLiteral); ok {
			return int(lit.Value), true
		}
		if s, ok := p.Value.(*ast.StringLiteral); ok {
			if n, err := strconv.Atoi(s.Value); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

// checkNewSource enforces ksqlDB's rules for a name that may already be
// taken: it returns skip=true for IF NOT EXISTS on an existing source, and
// an error unless OR REPLACE allows replacing a source of the same kind.
func (e *Engine) checkNewSource(n ast.Node, name string, kind ast.SourceKind, orReplace, ifNotExists, isSource bool) (existing *planner.Source, skip bool, err error) {
	if orReplace && isSource {
		return nil, false, errorf(n, "Cannot add %s '%s': CREATE OR REPLACE is not supported on source %ss.",
			kindWord(kind), name, kindWord(kind))
	}
	old, ok := e.cat.Source(name)
	if !ok {
		return nil, false, nil
	}
	if ifNotExists {
		return old, true, nil
	}
	if !orReplace || old.Kind != kind {
		return nil, false, errorf(n, "Cannot add %s '%s': A %s with the same name already exists",
			kindWord(kind), name, kindWord(old.Kind))
	}
	if old.IsSource {
		return nil, false, errorf(n, "Cannot add %s '%s': CREATE OR REPLACE is not supported on source %ss.",
			kindWord(kind), name, kindWord(kind))
	}
	return old, false, nil
}

// ensureTopic applies ksqlDB's topic rules for a declared source: with
// PARTITIONS the topic is created if missing (and must match if present);
// without, it must exist. It returns the topic's partition count.
func (e *Engine) ensureTopic(ctx context.Context, st *ast.CreateSource, src *planner.Source, replay bool) (int, error) {
	parts, hasParts := withInt(st.Properties, "PARTITIONS")
	d, err := e.log.DescribeTopic(ctx, src.Topic)
	switch {
	case err == nil:
		if hasParts && parts != len(d.Partitions) && !replay {
			return 0, errorf(st, "A Kafka topic with the name '%s' already exists, with different partition/replica configuration than required. KSQL expects %d partitions (topic has %d), 1 replication factor (topic has 1).",
				src.Topic, parts, len(d.Partitions))
		}
		return len(d.Partitions), nil
	case !errors.Is(err, broker.ErrUnknownTopic):
		return 0, &Error{Code: CodeServerError, Message: err.Error(), Err: err}
	}
	if !hasParts {
		if replay && src.Partitions > 0 {
			parts, hasParts = src.Partitions, true
		} else {
			return 0, errorf(st, "Topic '%s' does not exist. If you want to create a new topic for the %s please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS'). For example: CREATE %s %s (ID INT) WITH (KAFKA_TOPIC='%s', PARTITIONS=2, REPLICAS=1, VALUE_FORMAT='JSON');",
				src.Topic, kindWord(st.Kind), st.Kind, ast.QuoteIdent(src.Name), src.Topic)
		}
	}
	if parts <= 0 {
		return 0, errorf(st, "Invalid value %d for property PARTITIONS: must be positive", parts)
	}
	if err := e.createTopic(ctx, src.Topic, parts, st.Kind); err != nil {
		return 0, err
	}
	return parts, nil
}

// createTopic creates a topic for a source; an existing topic is fine
// (another statement or a crashed earlier attempt made it).
func (e *Engine) createTopic(ctx context.Context, name string, parts int, kind ast.SourceKind) error {
	err := e.log.CreateTopic(ctx, name, broker.TopicConfig{Partitions: parts})
	if err != nil && !errors.Is(err, broker.ErrTopicExists) {
		if errors.Is(err, broker.ErrInvalidTopic) {
			return &Error{Code: CodeBadStatement, Message: fmt.Sprintf("Invalid topic name '%s': %v", name, err), Err: err}
		}
		return &Error{Code: CodeServerError, Message: err.Error(), Err: err}
	}
	return nil
}

func (e *Engine) createSource(ctx context.Context, st *ast.CreateSource, ac *applyCtx) (Result, error) {
	src, err := planner.AnalyzeCreateSource(st, e.cat, e.plannerOptions(ac.props, ""))
	if err != nil {
		return nil, planErr(err, ac.cmd.Statement)
	}
	src.Statement = ac.cmd.Statement
	old, skip, err := e.checkNewSource(st, src.Name, st.Kind, st.OrReplace, st.IfNotExists, st.IsSource)
	if err != nil {
		return nil, err
	}
	if skip {
		return &Warning{Statement: ac.cmd.Statement,
			Message: fmt.Sprintf("Cannot add %s %s: A %s with the same name already exists.", kindWord(st.Kind), src.Name, kindWord(old.Kind))}, nil
	}
	if old != nil {
		if _, writers := e.cat.queriesUsing(src.Name); len(writers) > 0 && !ac.replay {
			// ksqlDB lets CREATE OR REPLACE change a declared source only
			// when no query depends on its current shape.
			return nil, errorf(st, "Cannot replace %s '%s': queries write into it: %s.", kindWord(st.Kind), src.Name, strings.Join(writers, ", "))
		}
	}
	parts, err := e.ensureTopic(ctx, st, src, ac.replay)
	if err != nil {
		return nil, err
	}
	src.Partitions = parts
	seq, err := e.record(ctx, ac)
	if err != nil {
		return nil, err
	}
	e.cat.putSource(src)
	return &Status{Statement: ac.cmd.Statement, Message: kindTitle(st.Kind) + " created", CommandSeq: seq}, nil
}

func (e *Engine) dropSource(ctx context.Context, st *ast.DropSource, ac *applyCtx) (Result, error) {
	src, ok := e.cat.Source(st.Name)
	if !ok {
		if st.IfExists {
			return &Warning{Statement: ac.cmd.Statement, Message: fmt.Sprintf("Source %s does not exist.", st.Name)}, nil
		}
		return nil, errorf(st, "%s %s does not exist.", kindTitle(st.Kind), st.Name)
	}
	if src.Kind != st.Kind {
		return nil, errorf(st, "Incompatible data source type is %s, but statement was DROP %s", src.Kind, st.Kind)
	}
	if st.DeleteTopic && src.IsSource {
		return nil, errorf(st, "Cannot delete topic for read-only source: %s", src.Name)
	}
	if src.Name == ProcessingLogStream && !ac.replay {
		return nil, errorf(st, "Cannot drop %s: it is the processing log stream.", src.Name)
	}
	readers, writers := e.cat.queriesUsing(src.Name)
	if len(readers)+len(writers) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "Cannot drop %s.\n", src.Name)
		if len(readers) > 0 {
			fmt.Fprintf(&b, "The following queries read from this source: [%s].\n", strings.Join(readers, ", "))
		}
		if len(writers) > 0 {
			fmt.Fprintf(&b, "The following queries write into this source: [%s].\n", strings.Join(writers, ", "))
		}
		fmt.Fprintf(&b, "You need to terminate them before dropping %s.", src.Name)
		return nil, errorf(st, "%s", b.String())
	}
	seq, err := e.record(ctx, ac)
	if err != nil {
		return nil, err
	}
	e.cat.dropSource(src.Name)
	if st.DeleteTopic {
		if err := e.log.DeleteTopic(ctx, src.Topic); err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			return nil, &Error{Code: CodeServerError, Message: err.Error(), Err: err}
		}
	}
	return &Status{Statement: ac.cmd.Statement, CommandSeq: seq,
		Message: fmt.Sprintf("Source `%s` (topic: %s) was dropped.", src.Name, src.Topic)}, nil
}

func (e *Engine) createType(ctx context.Context, st *ast.CreateType, ac *applyCtx) (Result, error) {
	if old, ok := e.cat.Type(st.Name); ok {
		if st.IfNotExists {
			return &Warning{Statement: ac.cmd.Statement, Message: fmt.Sprintf("Type '%s' already exists", st.Name)}, nil
		}
		return nil, errorf(st, "Cannot register custom type '%s' since it is already registered with type: %s", st.Name, old)
	}
	t, err := planner.ResolveType(st.Type, e.cat)
	if err != nil {
		return nil, planErr(err, ac.cmd.Statement)
	}
	seq, err := e.record(ctx, ac)
	if err != nil {
		return nil, err
	}
	e.cat.putType(st.Name, t)
	return &Status{Statement: ac.cmd.Statement, CommandSeq: seq,
		Message: fmt.Sprintf("Registered custom type with name '%s' and SQL type %s", st.Name, t)}, nil
}

func (e *Engine) dropType(ctx context.Context, st *ast.DropType, ac *applyCtx) (Result, error) {
	if _, ok := e.cat.Type(st.Name); !ok {
		if st.IfExists {
			return &Warning{Statement: ac.cmd.Statement, Message: fmt.Sprintf("Type %s does not exist.", st.Name)}, nil
		}
		return nil, errorf(st, "Type %s does not exist.", st.Name)
	}
	seq, err := e.record(ctx, ac)
	if err != nil {
		return nil, err
	}
	e.cat.dropType(st.Name)
	return &Status{Statement: ac.cmd.Statement, CommandSeq: seq, Message: fmt.Sprintf("Dropped type '%s'", st.Name)}, nil
}

func (e *Engine) alterSource(ctx context.Context, st *ast.AlterSource, ac *applyCtx) (Result, error) {
	old, ok := e.cat.Source(st.Name)
	if !ok {
		return nil, errorf(st, "Source %s does not exist.", st.Name)
	}
	if old.Kind != st.Kind {
		return nil, errorf(st, "Incompatible data source type is %s, but statement was ALTER %s", old.Kind, st.Kind)
	}
	if old.IsSource {
		return nil, errorf(st, "Cannot alter %s '%s': ALTER operations are not supported on source %ss.", kindWord(st.Kind), st.Name, kindWord(st.Kind))
	}
	if _, writers := e.cat.queriesUsing(st.Name); len(writers) > 0 {
		return nil, errorf(st, "ALTER command is not supported for CREATE ... AS statements.")
	}
	src, err := planner.AnalyzeAlterSource(st, e.cat)
	if err != nil {
		return nil, planErr(err, ac.cmd.Statement)
	}
	seq, err := e.record(ctx, ac)
	if err != nil {
		return nil, err
	}
	e.cat.putSource(src)
	return &Status{Statement: ac.cmd.Statement, CommandSeq: seq, Message: kindTitle(st.Kind) + " altered"}, nil
}

// alterSystem is ALTER SYSTEM 'name'='value': a server-wide property,
// recorded so that a restart keeps it.
func (e *Engine) alterSystem(ctx context.Context, st *ast.SetProperty, ac *applyCtx) (Result, error) {
	seq, err := e.record(ctx, ac)
	if err != nil {
		return nil, err
	}
	e.cat.mu.Lock()
	e.props[st.Name] = st.Value
	e.cat.mu.Unlock()
	return &Status{Statement: ac.cmd.Statement, CommandSeq: seq,
		Message: fmt.Sprintf("Successfully changed system property '%s' to '%s'.", st.Name, st.Value)}, nil
}
