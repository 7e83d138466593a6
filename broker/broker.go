// Package broker is the narrow seam between the Sluice runtime and the log
// every stream and table lives in. exec and engine see only the Log interface
// below; the built-in log (package commitlog) and a Kafka cluster (package
// kafka, through franz-go) both implement it and both must pass the
// conformance suite in broker/brokertest.
//
// The model is Kafka's, cut down to what a streaming SQL runtime needs:
// topics split into partitions; each partition an ordered sequence of records
// with increasing offsets; transactions that make records in several
// partitions (and a consumer group's input offsets) visible together or not at
// all; readers that either see everything written (read-uncommitted) or only
// committed records (read-committed).
//
// Visibility. A record returned by Append is durable according to the topic's
// Durability (by default: fsynced) and readable by every reader from that
// moment. An implementation never lets a reader see a record that a crash
// could still take back; in read-committed mode it also never shows a record
// of a transaction that is open or aborted, and it never shows records beyond
// the first offset of a still-open transaction (the last stable offset), so a
// read-committed reader sees every partition in offset order without holes
// that later fill in.
//
// Offsets. Offsets in a partition start at 0 and increase by one per record.
// A transaction's commit or abort marker also takes one offset and is never
// returned to readers, and compaction and retention remove records, so a
// reader must not assume that the next record has offset last+1; it always
// continues from Reader.Position.
package broker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Header is one record header. Headers are ordered and keys may repeat, as in
// Kafka, so they are a slice and not a map.
type Header struct {
	Key   string
	Value []byte
}

// Record is one entry of a partition.
//
// On Append, Offset and Partition are ignored, and a zero Timestamp means
// "now" (the producer's clock); topics with TimestampLogAppendTime replace
// every timestamp with the time the log accepted the batch.
//
// Records returned by a Reader alias the reader's buffer: Key, Value and
// Headers stay valid only until the next call to Fetch on that reader. Copy
// them to keep them.
type Record struct {
	// Key is the record key; nil and empty are different values.
	Key []byte
	// Value is the payload. A nil Value is a tombstone: on a compacted topic
	// it deletes Key once the compaction delete delay has passed.
	Value []byte
	// Timestamp is milliseconds since the Unix epoch.
	Timestamp int64
	// Headers carry metadata that is not part of the key or value.
	Headers []Header
	// Partition and Offset say where the record lives; set on reads.
	Partition int32
	Offset    int64
}

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// CleanupPolicy says how a topic sheds old data.
type CleanupPolicy string

// The cleanup policies, spelled as Kafka's cleanup.policy values.
const (
	// CleanupDelete drops whole old segments by age (RetentionMs) and size
	// (RetentionBytes). Streams use it.
	CleanupDelete CleanupPolicy = "delete"
	// CleanupCompact keeps at least the latest record of every key and drops
	// tombstones after DeleteRetentionMs. Table changelogs use it; records
	// without a key are rejected.
	CleanupCompact CleanupPolicy = "compact"
	// CleanupCompactDelete does both: it compacts, and it drops whole
	// segments past RetentionMs or RetentionBytes even when they hold the
	// latest record of a key. Windowed changelogs use it (as Kafka Streams
	// creates them), because every window is a new key that compaction
	// alone would keep forever, while a window past the store's retention
	// is never read again. Records without a key are rejected.
	CleanupCompactDelete CleanupPolicy = "compact,delete"
)

// Compacts reports whether the policy compacts (compact, compact,delete).
func (p CleanupPolicy) Compacts() bool {
	return p == CleanupCompact || p == CleanupCompactDelete
}

// Deletes reports whether the policy drops old segments by retention
// (delete, compact,delete).
func (p CleanupPolicy) Deletes() bool {
	return p == CleanupDelete || p == CleanupCompactDelete
}

// ParseCleanupPolicy reads a cleanup.policy value as Kafka spells it: a
// comma-separated list of delete and compact, in either order.
func ParseCleanupPolicy(s string) (CleanupPolicy, error) {
	var compact, del bool
	for _, part := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(part)) {
		case "compact":
			compact = true
		case "delete":
			del = true
		default:
			return "", fmt.Errorf("%w: cleanup.policy %q is not delete, compact or compact,delete", ErrInvalidTopic, s)
		}
	}
	switch {
	case compact && del:
		return CleanupCompactDelete, nil
	case compact:
		return CleanupCompact, nil
	}
	return CleanupDelete, nil
}

// TimestampType says whose clock stamps records.
type TimestampType string

// The timestamp types, spelled as Kafka's message.timestamp.type values.
const (
	// TimestampCreateTime keeps the timestamp the producer set.
	TimestampCreateTime TimestampType = "CreateTime"
	// TimestampLogAppendTime replaces it with the log's clock at append.
	TimestampLogAppendTime TimestampType = "LogAppendTime"
)

// Durability says when an append is acknowledged. It trades the window of
// data a power loss can take against throughput; it never affects what a
// process crash (kill -9) can take, because acknowledged data has always
// reached the operating system.
type Durability string

// The durability policies.
const (
	// DurabilityFsync acknowledges an append only after the data is on
	// stable storage (fdatasync). Concurrent appends share one sync (group
	// commit). This is the default.
	DurabilityFsync Durability = "fsync"
	// DurabilityInterval acknowledges once the data is written to the
	// operating system and syncs every FlushInterval: a power loss can take
	// up to one interval of acknowledged data.
	DurabilityInterval Durability = "interval"
	// DurabilityNone leaves syncing to the operating system: a power loss can
	// take any acknowledged data that was not yet written back.
	DurabilityNone Durability = "none"
)

// TopicConfig is a topic's configuration. Zero fields take the defaults of
// DefaultTopicConfig, so callers set only what they mean.
type TopicConfig struct {
	// Partitions is the number of partitions, fixed at creation.
	Partitions int
	// CleanupPolicy is delete (default), compact or compact,delete.
	CleanupPolicy CleanupPolicy
	// RetentionMs drops data older than this; -1 keeps it forever (the
	// default). It applies to the delete and compact,delete policies. A
	// segment goes when its newest record timestamp is this old, and never
	// while it holds records of a transaction still open.
	RetentionMs int64
	// RetentionBytes drops the oldest data while a partition is larger;
	// -1 (the default) means no limit. It applies to the delete and
	// compact,delete policies.
	RetentionBytes int64
	// DeleteRetentionMs is how long a compacted topic keeps tombstones,
	// counted from the tombstone's timestamp, so that readers that are
	// behind still see the delete. Default one day.
	DeleteRetentionMs int64
	// TimestampType is CreateTime (default) or LogAppendTime.
	TimestampType TimestampType
	// Durability is fsync (default), interval or none.
	Durability Durability
	// FlushInterval is the sync period of DurabilityInterval; default 1s.
	FlushInterval time.Duration
	// SegmentBytes rolls a partition's active segment when it would grow
	// beyond this size. Retention and compaction work on whole closed
	// segments, so this is also their granularity. Default 128 MiB.
	SegmentBytes int64
	// SegmentMs rolls the active segment once its first record is this old;
	// default 7 days.
	SegmentMs int64
}

// DefaultTopicConfig returns cfg with every zero field set to its default.
func DefaultTopicConfig(cfg TopicConfig) TopicConfig {
	if cfg.Partitions == 0 {
		cfg.Partitions = 1
	}
	if cfg.CleanupPolicy == "" {
		cfg.CleanupPolicy = CleanupDelete
	}
	if cfg.RetentionMs == 0 {
		cfg.RetentionMs = -1
	}
	if cfg.RetentionBytes == 0 {
		cfg.RetentionBytes = -1
	}
	if cfg.DeleteRetentionMs == 0 {
		cfg.DeleteRetentionMs = 24 * 60 * 60 * 1000
	}
	if cfg.TimestampType == "" {
		cfg.TimestampType = TimestampCreateTime
	}
	if cfg.Durability == "" {
		cfg.Durability = DurabilityFsync
	}
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = time.Second
	}
	if cfg.SegmentBytes == 0 {
		cfg.SegmentBytes = 128 << 20
	}
	if cfg.SegmentMs == 0 {
		cfg.SegmentMs = 7 * 24 * 60 * 60 * 1000
	}
	return cfg
}

// TopicDescription is what DescribeTopic reports.
type TopicDescription struct {
	Name       string
	Config     TopicConfig
	Partitions []PartitionInfo
}

// PartitionInfo is the state of one partition at the moment it was asked.
type PartitionInfo struct {
	Partition int32
	// StartOffset is the first offset still stored (it moves on retention).
	StartOffset int64
	// EndOffset is the high watermark: one past the last offset readable in
	// read-uncommitted mode.
	EndOffset int64
	// StableOffset is the last stable offset: the end of what a
	// read-committed reader can see.
	StableOffset int64
	// Bytes is the size of the partition's data on disk.
	Bytes int64
	// Segments is the number of segment files (0 for implementations
	// without segments).
	Segments int
}

// Isolation says which records a Reader returns.
type Isolation int

// The isolation levels.
const (
	// ReadCommitted returns only records of committed transactions and
	// non-transactional records, and stops at the last stable offset. It is
	// the default because exactly-once processing needs it.
	ReadCommitted Isolation = iota
	// ReadUncommitted returns every record up to the high watermark,
	// including those of open and aborted transactions.
	ReadUncommitted
)

// ReaderOptions configures NewReader.
type ReaderOptions struct {
	// Offset is the first offset to read. OffsetEarliest and OffsetLatest
	// are resolved when the reader is created.
	Offset int64
	// Isolation defaults to ReadCommitted.
	Isolation Isolation
	// MaxBytes bounds the data one Fetch reads (a single larger batch is
	// still returned whole). Default 1 MiB.
	MaxBytes int
}

// Special offsets for ReaderOptions.Offset.
const (
	// OffsetEarliest starts at the partition's first stored offset.
	OffsetEarliest int64 = -2
	// OffsetLatest starts at the partition's end (only new records).
	OffsetLatest int64 = -1
)

// Reader reads one partition in offset order. A Reader is not safe for
// concurrent use; use one per goroutine.
type Reader interface {
	// Fetch returns the next records at or after Position and advances
	// Position past them (and past any markers or aborted records it
	// skipped). It never blocks for new data: an empty result with a nil
	// error means the reader has caught up with the end visible to its
	// isolation level. The returned slice and the records' bytes are reused
	// by the next Fetch.
	//
	// Fetch returns ErrOffsetOutOfRange when Position is below the
	// partition's start (retention removed it) or above its end; SetOffset to
	// recover.
	Fetch(ctx context.Context) ([]Record, error)
	// Wait blocks until a record beyond Position may be visible, ctx is
	// done (returning ctx.Err()), or the log is closed (ErrClosed). It is a
	// long poll: it does not spin.
	Wait(ctx context.Context) error
	// Position is the offset the next Fetch starts at.
	Position() int64
	// SetOffset moves Position; OffsetEarliest and OffsetLatest are accepted.
	SetOffset(offset int64) error
	// Close releases the reader's buffers and files.
	Close() error
}

// ProducerOptions configures NewProducer.
type ProducerOptions struct {
	// TransactionalID names the producer across restarts. A new producer
	// with the same id fences the old one (its calls fail with
	// ErrProducerFenced) and aborts any transaction it left open. Empty
	// means an idempotent producer that cannot run transactions.
	TransactionalID string
}

// Producer appends idempotently and, when it has a TransactionalID, in
// transactions. Within a producer, appends to one partition are ordered; a
// retried append never writes its records twice. A Producer is not safe for
// concurrent use.
type Producer interface {
	// Append appends recs to a partition like Log.Append. Inside a
	// transaction the records become visible to read-committed readers only
	// when CommitTxn succeeds, and Append may return before they are
	// durable: CommitTxn makes the whole transaction durable at once, and a
	// write error surfaces there at the latest.
	Append(ctx context.Context, tp TopicPartition, recs []Record) (int64, error)
	// BeginTxn starts a transaction. It fails with ErrInvalidTxnState if one
	// is open or the producer has no TransactionalID.
	BeginTxn() error
	// SendOffsets adds a consumer group's input offsets to the open
	// transaction: they become the group's committed offsets exactly when
	// the transaction commits, and are discarded if it aborts. This is what
	// makes consume-transform-produce exactly-once.
	SendOffsets(ctx context.Context, group string, offsets map[TopicPartition]int64) error
	// CommitTxn makes the transaction's records and offsets visible
	// atomically. When it returns nil the commit is durable. If it returns
	// an error the outcome may be unknown until the log recovers; the
	// transaction is then either wholly committed or wholly aborted.
	CommitTxn(ctx context.Context) error
	// AbortTxn discards the transaction's records and offsets.
	AbortTxn(ctx context.Context) error
	// Close aborts an open transaction and releases the producer.
	Close() error
}

// Log is the partitioned log. Implementations are safe for concurrent use.
type Log interface {
	// CreateTopic creates a topic; ErrTopicExists if it exists.
	CreateTopic(ctx context.Context, name string, cfg TopicConfig) error
	// DeleteTopic deletes a topic and its data; ErrUnknownTopic if absent.
	DeleteTopic(ctx context.Context, name string) error
	// ListTopics returns user topic names, sorted; internal topics (whose
	// names start with "__") are not listed.
	ListTopics(ctx context.Context) ([]string, error)
	// DescribeTopic returns a topic's configuration and partition state.
	DescribeTopic(ctx context.Context, name string) (TopicDescription, error)
	// Append appends recs to one partition as one atomic batch and returns
	// the offset of the first; the others follow densely. When it returns
	// nil the records are durable per the topic's Durability and visible
	// to readers. Plain appends are not idempotent: a retry after an error
	// may duplicate; use a Producer when that matters.
	Append(ctx context.Context, tp TopicPartition, recs []Record) (int64, error)
	// NewReader opens a reader on one partition.
	NewReader(tp TopicPartition, opts ReaderOptions) (Reader, error)
	// OffsetForTimestamp returns the first offset whose record timestamp
	// is >= ts, or the end offset if there is none.
	OffsetForTimestamp(ctx context.Context, tp TopicPartition, ts int64) (int64, error)
	// CommitOffsets durably records a consumer group's next offsets to
	// read. Outside transactions the last commit wins.
	CommitOffsets(ctx context.Context, group string, offsets map[TopicPartition]int64) error
	// CommittedOffsets returns a group's committed offsets (empty map for
	// an unknown group).
	CommittedOffsets(ctx context.Context, group string) (map[TopicPartition]int64, error)
	// DeleteGroup forgets a consumer group's committed offsets, as Kafka's
	// DeleteGroups does: the internal topics of a query that is gone
	// (a terminated or transient one) must not leave offsets behind that
	// grow the offsets topic forever. The group must have no active
	// member; deleting an unknown group is no error.
	DeleteGroup(ctx context.Context, group string) error
	// NewProducer creates an idempotent or transactional producer.
	NewProducer(ctx context.Context, opts ProducerOptions) (Producer, error)
	// Close stops the log; blocked Waits return ErrClosed.
	Close() error
}

// Errors every implementation returns (wrapped, so test with errors.Is).
var (
	// ErrUnknownTopic: the topic does not exist.
	ErrUnknownTopic = errors.New("broker: unknown topic")
	// ErrTopicExists: CreateTopic of an existing topic.
	ErrTopicExists = errors.New("broker: topic already exists")
	// ErrInvalidPartition: partition number outside [0, Partitions).
	ErrInvalidPartition = errors.New("broker: invalid partition")
	// ErrInvalidTopic: bad topic name or configuration.
	ErrInvalidTopic = errors.New("broker: invalid topic")
	// ErrInvalidRecord: an empty batch, an oversize batch, or a record
	// without key on a compacted topic.
	ErrInvalidRecord = errors.New("broker: invalid record")
	// ErrOffsetOutOfRange: a read below the start or above the end.
	ErrOffsetOutOfRange = errors.New("broker: offset out of range")
	// ErrProducerFenced: a newer producer with the same TransactionalID
	// exists; this one must stop.
	ErrProducerFenced = errors.New("broker: producer fenced")
	// ErrOutOfOrderSequence: an idempotent append skipped sequence numbers;
	// data may be lost, so the producer must stop.
	ErrOutOfOrderSequence = errors.New("broker: out of order sequence")
	// ErrInvalidTxnState: a transactional call at the wrong moment (commit
	// without begin, begin twice, transactions without TransactionalID).
	ErrInvalidTxnState = errors.New("broker: invalid transaction state")
	// ErrClosed: the log or the reader/producer was closed.
	ErrClosed = errors.New("broker: closed")
)
