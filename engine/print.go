package engine

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
)

// print starts PRINT: every record of the topic's partitions from the
// start (FROM BEGINNING) or the end, every INTERVAL-th one, up to LIMIT,
// formatted as ksqlDB prints them.
func (s *Session) print(ctx context.Context, st *ast.Print, text string) (Result, error) {
	e := s.e
	topic, err := e.resolveTopic(ctx, st.Topic, st.Quoted)
	if err != nil {
		return nil, &Error{Code: CodeBadStatement, Pos: st.Pos, Message: err.Error(), Err: err}
	}
	d, err := e.log.DescribeTopic(ctx, topic)
	if err != nil {
		return nil, &Error{Code: CodeServerError, Message: err.Error(), Err: err}
	}
	start := broker.OffsetLatest
	if st.FromBeginning {
		start = broker.OffsetEarliest
	}
	interval, limit := int64(1), int64(-1)
	if st.Interval != nil && *st.Interval > 0 {
		interval = *st.Interval
	}
	if st.Limit != nil {
		limit = *st.Limit
	}
	pctx, cancel := context.WithCancel(e.ctx)
	lines := make(chan string, pushBuffer)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	var seen, printed int64
	headerDone := false
	for _, p := range d.Partitions {
		r, err := e.log.NewReader(broker.TopicPartition{Topic: topic, Partition: p.Partition}, broker.ReaderOptions{Offset: start})
		if err != nil {
			cancel()
			return nil, &Error{Code: CodeServerError, Message: err.Error(), Err: err}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer r.Close()
			for {
				recs, err := r.Fetch(pctx)
				if err == nil && len(recs) == 0 {
					err = r.Wait(pctx)
					if err == nil {
						continue
					}
				}
				if err != nil {
					if !errors.Is(err, context.Canceled) && !errors.Is(err, broker.ErrClosed) {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
					}
					return
				}
				for _, rec := range recs {
					mu.Lock()
					seen++
					take := (seen-1)%interval == 0 && (limit < 0 || printed < limit)
					var out []string
					if take {
						printed++
						if !headerDone {
							headerDone = true
							out = append(out, "Key format: "+guessFormat(rec.Key), "Value format: "+guessFormat(rec.Value))
						}
						out = append(out, printLine(rec))
					}
					done := limit >= 0 && printed >= limit
					mu.Unlock()
					if done {
						// The other partitions' readers stop too; lines
						// already queued are still delivered.
						defer cancel()
					}
					for _, l := range out {
						select {
						case lines <- l:
						case <-pctx.Done():
							return
						}
					}
					if done {
						return
					}
				}
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	closed := make(chan struct{})
	var closeOnce sync.Once
	closeFn := func() {
		closeOnce.Do(func() { close(closed) })
		cancel()
	}
	next := func(ctx context.Context) (string, bool) {
		select {
		case <-closed:
			return "", false
		default:
		}
		for {
			select {
			case l := <-lines:
				return l, true
			case <-finished:
				select {
				case l := <-lines:
					return l, true
				default:
					return "", false
				}
			case <-ctx.Done():
				mu.Lock()
				if firstErr == nil {
					firstErr = ctx.Err()
				}
				mu.Unlock()
				return "", false
			}
		}
	}
	return &PrintStream{Statement: text, Topic: topic, Next: next, Close: closeFn,
		Err: func() error { mu.Lock(); defer mu.Unlock(); return firstErr }}, nil
}

// resolveTopic finds a topic by name: a quoted name must match exactly; an
// identifier (upper-cased by the parser) matches exactly or, failing that,
// case-insensitively, as ksqlDB's PRINT does.
func (e *Engine) resolveTopic(ctx context.Context, name string, quoted bool) (string, error) {
	names, err := e.log.ListTopics(ctx)
	if err != nil {
		return "", err
	}
	var ci []string
	for _, n := range names {
		if n == name {
			return n, nil
		}
		if !quoted && strings.EqualFold(n, name) {
			ci = append(ci, n)
		}
	}
	if len(ci) == 1 {
		return ci[0], nil
	}
	if len(ci) > 1 {
		return "", fmt.Errorf("Topic '%s' is ambiguous: it matches %s; quote the name to pick one", name, strings.Join(ci, ", "))
	}
	return "", fmt.Errorf("Could not find topic '%s', or the KSQL user does not have permissions to list the topic. Topic names are case-sensitive.", name)
}

// printLine formats one record as ksqlDB's PRINT does.
func printLine(rec broker.Record) string {
	ts := time.UnixMilli(rec.Timestamp).UTC().Format("2006/01/02 15:04:05.000 Z")
	var b strings.Builder
	b.WriteString("rowtime: ")
	b.WriteString(ts)
	b.WriteString(", key: ")
	b.WriteString(printBytes(rec.Key))
	b.WriteString(", value: ")
	b.WriteString(printBytes(rec.Value))
	if len(rec.Headers) > 0 {
		b.WriteString(", headers: [")
		for i, h := range rec.Headers {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{key=%s, value=%s}", h.Key, printBytes(h.Value))
		}
		b.WriteString("]")
	}
	b.WriteString(", partition: ")
	b.WriteString(strconv.Itoa(int(rec.Partition)))
	return b.String()
}

// printBytes renders a key or value: text as is, 4- and 8-byte binary
// values as the integers the KAFKA format would have written, anything else
// in hex.
func printBytes(v []byte) string {
	switch {
	case v == nil:
		return "<null>"
	case isText(v):
		return string(v)
	case len(v) == 4:
		return strconv.FormatInt(int64(int32(binary.BigEndian.Uint32(v))), 10)
	case len(v) == 8:
		return strconv.FormatInt(int64(binary.BigEndian.Uint64(v)), 10)
	}
	return fmt.Sprintf("%x", v)
}

// guessFormat says which format a key or value looks like, for PRINT's
// header lines.
func guessFormat(v []byte) string {
	switch {
	case v == nil:
		return "¯\\_(ツ)_/¯ - no data processed"
	case isText(v) && json.Valid(v) && (v[0] == '{' || v[0] == '['):
		return "JSON or KAFKA_STRING"
	case isText(v):
		return "KAFKA_STRING"
	case len(v) == 4:
		return "KAFKA_INT or SESSION(KAFKA_STRING)"
	case len(v) == 8:
		return "KAFKA_BIGINT or KAFKA_DOUBLE"
	}
	return "KAFKA_BYTES"
}

// isText reports printable UTF-8.
func isText(v []byte) bool {
	if !utf8.Valid(v) {
		return false
	}
	for _, r := range string(v) {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}
