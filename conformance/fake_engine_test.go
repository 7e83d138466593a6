package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// fakeEngine is a stand-in for package engine that understands just enough
// SQL to drive the runner: CREATE STREAM with columns and WITH properties,
// and CREATE STREAM ... AS SELECT * FROM s, which copies s's records byte
// for byte when WaitCaughtUp is called. GROUP BY is "not built yet"; a
// stream named PANIC panics and one named HANG blocks until the test's
// deadline, so the runner's guards can be tested. A record whose value
// holds "FATAL" stops the copy with an error, as a failed query would.
type fakeEngine struct {
	log     *commitlog.Log
	mu      sync.Mutex
	sources map[string]*planner.Source
	// copies are (from topic, to topic) pairs with the offsets copied so far.
	copies []*fakeCopy
}

type fakeCopy struct {
	from, to string
	next     map[int32]int64
}

func openFake(_ context.Context, cfg EngineConfig) (Engine, error) {
	l, err := commitlog.Open(filepath.Join(cfg.Dir, "log"), commitlog.Options{Now: cfg.Now, CleanupInterval: -1})
	if err != nil {
		return nil, err
	}
	return &fakeEngine{log: l, sources: map[string]*planner.Source{}}, nil
}

func (f *fakeEngine) Log() broker.Log { return f.log }

func (f *fakeEngine) Close() error { return f.log.Close() }

func (f *fakeEngine) Source(name string) (*planner.Source, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sources[name]
	return s, ok
}

func (f *fakeEngine) Execute(ctx context.Context, stmt string) error {
	st, err := parser.ParseStatement(stmt)
	if err != nil {
		return err
	}
	switch x := st.(type) {
	case *ast.CreateSource:
		switch x.Name {
		case "PANIC":
			panic("fake: asked to panic")
		case "HANG":
			<-ctx.Done()
			return ctx.Err()
		}
		src := &planner.Source{Name: x.Name, Kind: x.Kind, Topic: x.Name, KeyFormat: "KAFKA", Partitions: 1}
		partitions := 0
		for _, p := range x.Properties {
			var val string
			switch v := p.Value.(type) {
			case *ast.StringLiteral:
				val = v.Value
			case *ast.IntegerLiteral:
				partitions = int(v.Value)
			}
			switch p.Name {
			case "KAFKA_TOPIC":
				src.Topic = val
			case "VALUE_FORMAT":
				src.ValueFormat = strings.ToUpper(val)
			case "KEY_FORMAT":
				src.KeyFormat = strings.ToUpper(val)
			}
		}
		for _, el := range x.Elements {
			t, err := types.ParseType(ast.FormatType(el.Type), nil)
			if err != nil {
				return err
			}
			src.Columns = append(src.Columns, types.Column{Name: el.Name, Type: t,
				Key: el.Constraint == ast.KeyColumn || el.Constraint == ast.PrimaryKeyColumn})
		}
		if partitions > 0 {
			if err := f.log.CreateTopic(ctx, src.Topic, broker.TopicConfig{Partitions: partitions}); err != nil && !errors.Is(err, broker.ErrTopicExists) {
				return err
			}
		} else if _, err := f.log.DescribeTopic(ctx, src.Topic); err != nil {
			return fmt.Errorf("Topic '%s' does not exist", src.Topic)
		}
		f.mu.Lock()
		f.sources[src.Name] = src
		f.mu.Unlock()
		return nil
	case *ast.CreateAsSelect:
		if len(x.Query.GroupBy) > 0 {
			return fmt.Errorf("fake: GROUP BY: %w", errors.ErrUnsupported)
		}
		from, ok := f.Source(x.Query.From.Left.Name)
		if !ok {
			return fmt.Errorf("line %d:%d: Source `%s` does not exist.", x.Query.From.Line, x.Query.From.Col, x.Query.From.Left.Name)
		}
		sink := *from
		sink.Name, sink.Topic, sink.Statement = x.Name, x.Name, stmt
		if err := f.log.CreateTopic(ctx, sink.Topic, broker.TopicConfig{Partitions: 1}); err != nil {
			return err
		}
		f.mu.Lock()
		f.sources[sink.Name] = &sink
		f.copies = append(f.copies, &fakeCopy{from: from.Topic, to: sink.Topic, next: map[int32]int64{}})
		f.mu.Unlock()
		return nil
	}
	return fmt.Errorf("fake: statement not understood: %s", stmt)
}

// Query runs `SELECT * FROM s EMIT CHANGES [LIMIT n]`: rows are s's
// records from the beginning, decoded with s's formats, read as they come.
func (f *fakeEngine) Query(ctx context.Context, stmt string) (*Rows, error) {
	st, err := parser.ParseStatement(stmt)
	if err != nil {
		return nil, err
	}
	qs, ok := st.(*ast.QueryStatement)
	if !ok {
		return nil, fmt.Errorf("fake: not a query: %s", stmt)
	}
	src, ok := f.Source(qs.Query.From.Left.Name)
	if !ok {
		return nil, fmt.Errorf("fake: unknown source %s", qs.Query.From.Left.Name)
	}
	rd, err := f.log.NewReader(broker.TopicPartition{Topic: src.Topic}, broker.ReaderOptions{Offset: broker.OffsetEarliest})
	if err != nil {
		return nil, err
	}
	decoder := func(name string, cols []types.Column, key bool) (format.Decoder, error) {
		fm, err := format.Lookup(name)
		if err != nil {
			return nil, err
		}
		return fm.NewDecoder(cols, format.Options{Key: key})
	}
	keyDec, err := decoder(src.KeyFormat, src.KeyColumns(), true)
	if err != nil {
		return nil, err
	}
	valDec, err := decoder(src.ValueFormat, src.ValueColumns(), false)
	if err != nil {
		return nil, err
	}
	limit := int64(-1)
	if qs.Query.Limit != nil {
		limit = *qs.Query.Limit
	}
	var pending []broker.Record
	var mu sync.Mutex
	closed := false
	next := func(ctx context.Context) ([]any, bool) {
		mu.Lock()
		defer mu.Unlock()
		for !closed && limit != 0 {
			if len(pending) > 0 {
				rec := pending[0]
				pending = pending[1:]
				k, err1 := keyDec.DecodeRow(rec.Key, nil)
				v, err2 := valDec.DecodeRow(rec.Value, nil)
				if err1 != nil || err2 != nil {
					continue
				}
				limit--
				return append(k, v...), true
			}
			recs, err := rd.Fetch(ctx)
			if err != nil {
				return nil, false
			}
			for _, r := range recs {
				pending = append(pending, broker.Record{Key: append([]byte(nil), r.Key...), Value: append([]byte(nil), r.Value...)})
			}
			if len(recs) == 0 && rd.Wait(ctx) != nil {
				return nil, false
			}
		}
		return nil, false
	}
	cols := append(src.KeyColumns(), src.ValueColumns()...)
	return &Rows{Columns: cols, Next: next, Close: func() {
		mu.Lock()
		defer mu.Unlock()
		if !closed {
			closed = true
			rd.Close()
		}
	}}, nil
}

// WaitCaughtUp copies every new record of each CSAS's input to its output.
func (f *fakeEngine) WaitCaughtUp(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.copies {
		desc, err := f.log.DescribeTopic(ctx, c.from)
		if err != nil {
			return err
		}
		for _, p := range desc.Partitions {
			rd, err := f.log.NewReader(broker.TopicPartition{Topic: c.from, Partition: p.Partition},
				broker.ReaderOptions{Offset: broker.OffsetEarliest})
			if err != nil {
				return err
			}
			if off, ok := c.next[p.Partition]; ok {
				if err := rd.SetOffset(off); err != nil {
					return err
				}
			}
			for {
				recs, err := rd.Fetch(ctx)
				if err != nil {
					rd.Close()
					return err
				}
				if len(recs) == 0 {
					break
				}
				for _, r := range recs {
					if bytes.Contains(r.Value, []byte(`"FATAL"`)) {
						rd.Close()
						return fmt.Errorf("fake: query stopped: Fatal user code error in record %d", r.Offset)
					}
					out := broker.Record{Key: r.Key, Value: r.Value, Timestamp: r.Timestamp, Headers: r.Headers}
					if _, err := f.log.Append(ctx, broker.TopicPartition{Topic: c.to}, []broker.Record{out}); err != nil {
						rd.Close()
						return err
					}
				}
			}
			c.next[p.Partition] = rd.Position()
			rd.Close()
		}
	}
	return nil
}
