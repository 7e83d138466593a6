package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// The processing log: the stream where row-level errors of every query go
// (records that could not be deserialised, expressions that failed on a
// value, rows that could not be serialised), so that one bad record never
// stops a query and an operator can still find it. Its rows have the shape
// of ksqlDB's processing log, so queries written for ksqlDB work on it.
const (
	ProcessingLogStream = "SLUICE_PROCESSING_LOG"
	ProcessingLogTopic  = "sluice_processing_log"
)

// Processing-log message types, ksqlDB's MESSAGE.TYPE values.
const (
	plogDeserialization  = 0
	plogRecordProcessing = 1
	plogProduction       = 2
	plogSerialization    = 3
)

// processingLogSchema is the value schema of the processing log stream.
var processingLogSchema = []types.Column{
	{Name: "LOGGER", Type: types.StringType},
	{Name: "LEVEL", Type: types.StringType},
	{Name: "TIME", Type: types.BigintType},
	{Name: "MESSAGE", Type: types.MustParseType("STRUCT<" +
		"TYPE INT, " +
		"DESERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORDB64 STRING, CAUSE ARRAY<STRING>, `topic` STRING>, " +
		"RECORDPROCESSINGERROR STRUCT<ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>>, " +
		"PRODUCTIONERROR STRUCT<ERRORMESSAGE STRING>, " +
		"SERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>, `topic` STRING>>")},
}

// processingLog implements exec.ProcessingLog. Record never blocks a task
// on the log: entries go through a bounded queue to one writer goroutine
// that appends them in batches; when the queue is full an entry is only
// counted (the query metrics still show it).
type processingLog struct {
	e     *Engine
	tp    broker.TopicPartition
	queue chan broker.Record
	done  chan struct{}

	mu      sync.Mutex
	counts  map[string]int64 // per query id
	dropped int64
	closed  bool
	// queued and written count entries handed to and appended by the
	// writer; flush waits for written to reach queued. cond uses mu.
	queued, written int64
	cond            *sync.Cond
}

func openProcessingLog(ctx context.Context, e *Engine) (*processingLog, error) {
	err := e.log.CreateTopic(ctx, ProcessingLogTopic, broker.TopicConfig{Partitions: 1})
	if err != nil && !errors.Is(err, broker.ErrTopicExists) {
		return nil, &Error{Code: CodeServerError, Message: "engine: create processing log topic: " + err.Error(), Err: err}
	}
	e.cat.putSource(&planner.Source{
		Name:        ProcessingLogStream,
		Kind:        ast.StreamSource,
		Columns:     processingLogSchema,
		Topic:       ProcessingLogTopic,
		Partitions:  1,
		KeyFormat:   "KAFKA",
		ValueFormat: "JSON",
		IsSource:    true,
		Statement:   "CREATE SOURCE STREAM " + ProcessingLogStream + " (LOGGER STRING, LEVEL STRING, TIME BIGINT, MESSAGE STRUCT<...>) WITH (KAFKA_TOPIC='" + ProcessingLogTopic + "', VALUE_FORMAT='JSON');",
	})
	pl := &processingLog{e: e, tp: broker.TopicPartition{Topic: ProcessingLogTopic},
		queue: make(chan broker.Record, 4096), done: make(chan struct{}), counts: map[string]int64{}}
	pl.cond = sync.NewCond(&pl.mu)
	go pl.writer()
	return pl, nil
}

// Record implements exec.ProcessingLog.
func (pl *processingLog) Record(pe exec.ProcessingError) {
	rec := broker.Record{Value: pl.encode(pe), Timestamp: pl.e.now().UnixMilli()}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.counts[pe.QueryID]++
	if pl.closed {
		pl.dropped++
		return
	}
	select {
	case pl.queue <- rec:
		pl.queued++
	default:
		pl.dropped++
	}
}

// flush waits until every entry recorded so far is in the log, so that a
// caller that waited for its queries also sees their errors.
func (pl *processingLog) flush() {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	target := pl.queued
	for pl.written < target && !pl.closed {
		pl.cond.Wait()
	}
}

// count returns how many entries a query sent to the processing log
// (including any the queue had no room for).
func (pl *processingLog) count(queryID string) int64 {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.counts[queryID]
}

// encode renders an entry as ksqlDB's processing-log JSON row.
func (pl *processingLog) encode(pe exec.ProcessingError) []byte {
	msg := pe.Message
	if msg == "" && pe.Err != nil {
		msg = pe.Err.Error()
	}
	var cause []string
	if pe.Err != nil {
		for u := errors.Unwrap(pe.Err); u != nil; u = errors.Unwrap(u) {
			cause = append(cause, u.Error())
		}
	}
	if cause == nil {
		cause = []string{}
	}
	m := map[string]any{"TYPE": plogRecordProcessing, "DESERIALIZATIONERROR": nil,
		"RECORDPROCESSINGERROR": nil, "PRODUCTIONERROR": nil, "SERIALIZATIONERROR": nil}
	logger := "processing." + pe.QueryID
	switch pe.Kind {
	case "deserialization":
		m["TYPE"] = plogDeserialization
		m["DESERIALIZATIONERROR"] = map[string]any{"TARGET": "value", "ERRORMESSAGE": msg,
			"RECORDB64": base64.StdEncoding.EncodeToString(pe.Record), "CAUSE": cause, "topic": pe.Topic}
		logger += ".KsqlTopic.Source.deserializer"
	case "serialization":
		m["TYPE"] = plogSerialization
		m["SERIALIZATIONERROR"] = map[string]any{"TARGET": "value", "ERRORMESSAGE": msg,
			"RECORD": string(pe.Record), "CAUSE": cause, "topic": pe.Topic}
		logger += ".KsqlTopic.Sink.serializer"
	case "production":
		m["TYPE"] = plogProduction
		m["PRODUCTIONERROR"] = map[string]any{"ERRORMESSAGE": msg}
		logger += ".Sink.producer"
	default:
		m["RECORDPROCESSINGERROR"] = map[string]any{"ERRORMESSAGE": msg,
			"RECORD": recordCoordinates(pe), "CAUSE": cause}
		logger += ".Project"
	}
	row := map[string]any{"LOGGER": logger, "LEVEL": "ERROR", "TIME": pl.e.now().UnixMilli(), "MESSAGE": m}
	b, err := json.Marshal(row)
	if err != nil {
		// Only unencodable strings could get here; keep the entry anyway.
		b, _ = json.Marshal(map[string]any{"LOGGER": logger, "LEVEL": "ERROR", "TIME": pl.e.now().UnixMilli()})
	}
	return b
}

// recordCoordinates says where the failing row came from, since a row that
// failed in an expression is not kept in its raw form.
func recordCoordinates(pe exec.ProcessingError) string {
	b, _ := json.Marshal(map[string]any{"topic": pe.Topic, "partition": pe.Partition, "offset": pe.Offset})
	return string(b)
}

// writer appends queued entries in batches until close.
func (pl *processingLog) writer() {
	defer close(pl.done)
	for first := range pl.queue {
		recs := []broker.Record{first}
	more:
		for len(recs) < 512 {
			select {
			case b, ok := <-pl.queue:
				if !ok {
					break more
				}
				recs = append(recs, b)
			default:
				break more
			}
		}
		if _, err := pl.e.log.Append(context.Background(), pl.tp, recs); err != nil {
			pl.e.logf("engine: processing log: %v", err)
		}
		pl.mu.Lock()
		pl.written += int64(len(recs))
		pl.cond.Broadcast()
		pl.mu.Unlock()
	}
}

// close flushes queued entries and stops the writer.
func (pl *processingLog) close() error {
	pl.mu.Lock()
	if pl.closed {
		pl.mu.Unlock()
		return nil
	}
	pl.closed = true
	close(pl.queue)
	pl.cond.Broadcast()
	pl.mu.Unlock()
	<-pl.done
	return nil
}
