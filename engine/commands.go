package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/sluicedb/sluice/broker"
)

// CommandTopic is the internal topic recording every accepted statement
// that changes the catalog. The log reserves "__" names for itself, so the
// engine's internal topics start with a single "_", which SHOW TOPICS
// leaves out (SHOW ALL TOPICS lists them), as ksqlDB does with its
// _confluent-ksql-... topics.
const CommandTopic = "_sluice_commands"

// Command kinds. A catalog command is replayed on Open; a data command
// (INSERT INTO ... VALUES) is recorded only so headless mode can recognise
// a statement it already applied and not insert its row twice.
const (
	kindCatalog = "catalog"
	kindData    = "data"
)

// command is one entry of the command topic, stored as JSON so that a human
// (or `sluice topic consume`) can read the deployment's history.
type command struct {
	// Statement is the statement text after variable substitution.
	Statement string `json:"statement"`
	// Properties are the session's SET values in force, which the
	// statement is re-planned with on replay (server defaults are not
	// stored: ALTER SYSTEM commands replay them).
	Properties map[string]string `json:"properties,omitempty"`
	// QueryID is the persistent query the statement started.
	QueryID string `json:"queryId,omitempty"`
	// Kind is kindCatalog or kindData.
	Kind string `json:"kind"`
	// Seq is the command's offset in the topic; not stored.
	Seq int64 `json:"-"`
}

// same reports whether two commands are the same statement with the same
// properties: headless mode skips a statement whose command matches the
// next one already in the topic.
func (c command) same(o command) bool {
	return c.Statement == o.Statement && c.Kind == o.Kind && maps.Equal(c.Properties, o.Properties)
}

// commandLog appends to and reads the command topic. Appends are durable
// (the topic is fsynced) before the statement's result is returned, so an
// acknowledged statement survives any crash.
type commandLog struct {
	log broker.Log
	tp  broker.TopicPartition
}

func openCommandLog(ctx context.Context, l broker.Log) (*commandLog, error) {
	err := l.CreateTopic(ctx, CommandTopic, broker.TopicConfig{Partitions: 1, Durability: broker.DurabilityFsync})
	if err != nil && !errors.Is(err, broker.ErrTopicExists) {
		return nil, fmt.Errorf("engine: create command topic: %w", err)
	}
	return &commandLog{log: l, tp: broker.TopicPartition{Topic: CommandTopic}}, nil
}

// append records c and returns its sequence number.
func (cl *commandLog) append(ctx context.Context, c command) (int64, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return -1, fmt.Errorf("engine: encode command: %w", err)
	}
	off, err := cl.log.Append(ctx, cl.tp, []broker.Record{{Value: b}})
	if err != nil {
		return -1, fmt.Errorf("engine: record command: %w", err)
	}
	return off, nil
}

// readAll returns every command in order.
func (cl *commandLog) readAll(ctx context.Context) ([]command, error) {
	r, err := cl.log.NewReader(cl.tp, broker.ReaderOptions{Offset: broker.OffsetEarliest})
	if err != nil {
		return nil, fmt.Errorf("engine: read command topic: %w", err)
	}
	defer r.Close()
	var out []command
	for {
		recs, err := r.Fetch(ctx)
		if err != nil {
			return nil, fmt.Errorf("engine: read command topic: %w", err)
		}
		if len(recs) == 0 {
			return out, nil
		}
		for _, rec := range recs {
			var c command
			if err := json.Unmarshal(rec.Value, &c); err != nil {
				return nil, fmt.Errorf("engine: command at offset %d: %w", rec.Offset, err)
			}
			c.Seq = rec.Offset
			out = append(out, c)
		}
	}
}
