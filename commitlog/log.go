// Package commitlog is Sluice's built-in partitioned log: the durable home of
// every stream and table when Sluice runs on one machine without Kafka. It
// implements broker.Log.
//
// Layout of a data directory:
//
//	LOCK                               flock'd by the owning process, holds its pid
//	topics/NAME/config.json            the topic's configuration, written last on create
//	topics/NAME/P/00000000000000000000.log   segment files, named by base offset
//
// Two internal topics live beside user topics: __consumer_offsets (group
// offsets, compacted) and __transaction_state (producer ids, transactional
// ids and commit decisions, compacted). Keeping them in the log itself means
// one recovery path and one durability story for everything.
//
// See batch.go for the on-disk format, partition.go for group commit and
// locking, recovery.go for crash recovery, txn.go for transactions and
// cleanup.go for retention and compaction.
package commitlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

// Internal topic names.
const (
	OffsetsTopic = "__consumer_offsets"
	TxnTopic     = "__transaction_state"
)

// Options configures Open. The zero value is ready to use.
type Options struct {
	// FS is the filesystem; default vfs.Default.
	FS vfs.FS
	// Now is the clock for timestamps, retention and segment age; default
	// time.Now. Tests inject a fake.
	Now func() time.Time
	// CleanupInterval is how often retention and compaction run in the
	// background; default 5 minutes; negative disables the background run
	// (RunCleanup still works).
	CleanupInterval time.Duration
	// TxnTimeout aborts a transaction that has been open longer and fences
	// its producer (like Kafka's transaction.timeout.ms), so a stuck
	// producer cannot hold back read-committed readers forever. Default
	// one minute; negative disables.
	TxnTimeout time.Duration
	// Logf receives notable events (a truncated torn tail); default none.
	Logf func(format string, args ...any)

	// testHookAfterDecision runs after a commit decision is durable and
	// before any marker is written; crash tests use it.
	testHookAfterDecision func()
}

// Log is an open data directory. It implements broker.Log.
type Log struct {
	dir  string
	fs   vfs.FS
	opts Options
	lock io.Closer

	mu       sync.RWMutex
	topics   map[string]*topic
	creating map[string]bool // names reserved by a CreateTopic in progress
	closed   bool

	txn     txnCoordinator
	offsets offsetStore
	stats   stats

	stop chan struct{}
	wg   sync.WaitGroup
}

var _ broker.Log = (*Log)(nil)

type topic struct {
	name  string
	dir   string
	cfg   broker.TopicConfig
	parts []*partition
}

func (l *Log) now() time.Time { return l.opts.Now() }

func (l *Log) logf(format string, args ...any) {
	if l.opts.Logf != nil {
		l.opts.Logf(format, args...)
	}
}

// ErrInUse is matched (errors.Is) when the data directory is owned by
// another process; the error text names its pid.
var ErrInUse = errors.New("commitlog: data directory in use")

type inUseError struct {
	dir string
	e   *vfs.InUseError
}

func (e *inUseError) Error() string {
	if e.e.PID > 0 {
		return fmt.Sprintf("commitlog: data directory %s is in use by pid %d", e.dir, e.e.PID)
	}
	return fmt.Sprintf("commitlog: data directory %s is in use by another process", e.dir)
}

func (e *inUseError) Is(target error) bool { return target == ErrInUse }

// Open opens (creating if needed) the log in dir and recovers it: torn tails
// are truncated, transactions a crash left open are completed or aborted,
// and consumer offsets are reloaded. A directory another process holds
// fails with an error matching ErrInUse that names the pid.
func Open(dir string, opts Options) (*Log, error) {
	if opts.FS == nil {
		opts.FS = vfs.Default
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CleanupInterval == 0 {
		opts.CleanupInterval = 5 * time.Minute
	}
	if opts.TxnTimeout == 0 {
		opts.TxnTimeout = time.Minute
	}
	fs := opts.FS
	if err := fs.MkdirAll(path.Join(dir, "topics")); err != nil {
		return nil, fmt.Errorf("commitlog: open %s: %w", dir, err)
	}
	lock, err := fs.Lock(path.Join(dir, "LOCK"))
	if err != nil {
		var iu *vfs.InUseError
		if errors.As(err, &iu) {
			return nil, &inUseError{dir: dir, e: iu}
		}
		return nil, fmt.Errorf("commitlog: lock %s: %w", dir, err)
	}
	l := &Log{dir: dir, fs: fs, opts: opts, lock: lock, topics: map[string]*topic{}, creating: map[string]bool{}, stop: make(chan struct{})}
	if err := l.load(); err != nil {
		l.closeAll()
		lock.Close()
		return nil, err
	}
	l.wg.Add(1)
	go l.background()
	return l, nil
}

func (l *Log) topicsDir() string { return path.Join(l.dir, "topics") }

// load opens every topic and runs transaction and offset recovery.
func (l *Log) load() error {
	names, err := l.fs.List(l.topicsDir())
	if err != nil {
		return err
	}
	for _, name := range names {
		tdir := path.Join(l.topicsDir(), name)
		if strings.HasPrefix(name, ".deleted-") {
			if err := l.fs.RemoveAll(tdir); err != nil {
				return err
			}
			continue
		}
		raw, err := vfs.ReadFile(l.fs, path.Join(tdir, "config.json"))
		if errors.Is(err, vfs.ErrNotExist) {
			// A create that crashed before writing its config: the topic
			// never existed.
			if err := l.fs.RemoveAll(tdir); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("commitlog: topic %s: %w", name, err)
		}
		cfg, err := decodeConfig(raw)
		if err != nil {
			return fmt.Errorf("commitlog: topic %s: %w", name, err)
		}
		t, err := l.openTopic(name, cfg)
		if err != nil {
			return err
		}
		l.topics[name] = t
	}
	for _, it := range []string{TxnTopic, OffsetsTopic} {
		if _, ok := l.topics[it]; !ok {
			// Small segments so compaction (which works on closed
			// segments) keeps these topics, and the scan of their active
			// segment on open, small.
			cfg := broker.TopicConfig{Partitions: 1, CleanupPolicy: broker.CleanupCompact, DeleteRetentionMs: 1, SegmentBytes: 4 << 20}
			if err := l.createTopic(it, cfg); err != nil {
				return err
			}
		}
	}
	if err := l.txn.recover(l); err != nil {
		return err
	}
	return l.offsets.load(l)
}

func (l *Log) openTopic(name string, cfg broker.TopicConfig) (*topic, error) {
	t := &topic{name: name, dir: path.Join(l.topicsDir(), name), cfg: cfg}
	for i := 0; i < cfg.Partitions; i++ {
		tp := broker.TopicPartition{Topic: name, Partition: int32(i)}
		pdir := path.Join(t.dir, strconv.Itoa(i))
		if err := l.fs.MkdirAll(pdir); err != nil {
			return nil, err
		}
		p, err := openPartition(l, tp, pdir, cfg)
		if err != nil {
			for _, q := range t.parts {
				q.close()
			}
			return nil, err
		}
		t.parts = append(t.parts, p)
	}
	return t, nil
}

var topicNameRE = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

func validateConfig(name string, cfg broker.TopicConfig) error {
	if !topicNameRE.MatchString(name) || name == "." || name == ".." || strings.HasPrefix(name, ".deleted-") {
		return fmt.Errorf("%w: name %q (use 1-249 of a-z A-Z 0-9 . _ -)", broker.ErrInvalidTopic, name)
	}
	switch {
	case cfg.Partitions < 1 || cfg.Partitions > 10000:
		return fmt.Errorf("%w: partitions %d not in [1, 10000]", broker.ErrInvalidTopic, cfg.Partitions)
	case !cfg.CleanupPolicy.Compacts() && !cfg.CleanupPolicy.Deletes():
		return fmt.Errorf("%w: cleanup.policy %q is not delete, compact or compact,delete", broker.ErrInvalidTopic, cfg.CleanupPolicy)
	case cfg.TimestampType != broker.TimestampCreateTime && cfg.TimestampType != broker.TimestampLogAppendTime:
		return fmt.Errorf("%w: message.timestamp.type %q is not CreateTime or LogAppendTime", broker.ErrInvalidTopic, cfg.TimestampType)
	case cfg.Durability != broker.DurabilityFsync && cfg.Durability != broker.DurabilityInterval && cfg.Durability != broker.DurabilityNone:
		return fmt.Errorf("%w: durability %q is not fsync, interval or none", broker.ErrInvalidTopic, cfg.Durability)
	case cfg.SegmentBytes < 1024:
		return fmt.Errorf("%w: segment.bytes %d is below 1024", broker.ErrInvalidTopic, cfg.SegmentBytes)
	case cfg.RetentionMs < -1 || cfg.RetentionBytes < -1 || cfg.SegmentMs < 1 || cfg.DeleteRetentionMs < 0 || cfg.FlushInterval < 0:
		return fmt.Errorf("%w: negative retention, segment.ms or flush interval", broker.ErrInvalidTopic)
	}
	return nil
}

func (l *Log) lookup(name string) (*topic, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil, broker.ErrClosed
	}
	t, ok := l.topics[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", broker.ErrUnknownTopic, name)
	}
	return t, nil
}

func (l *Log) partition(tp broker.TopicPartition) (*partition, error) {
	t, err := l.lookup(tp.Topic)
	if err != nil {
		return nil, err
	}
	if tp.Partition < 0 || int(tp.Partition) >= len(t.parts) {
		return nil, fmt.Errorf("%w: %s has %d partitions, not %d", broker.ErrInvalidPartition, tp.Topic, len(t.parts), tp.Partition)
	}
	return t.parts[tp.Partition], nil
}

// CreateTopic implements broker.Log. Names starting with "__" are reserved.
func (l *Log) CreateTopic(ctx context.Context, name string, cfg broker.TopicConfig) error {
	if strings.HasPrefix(name, "__") {
		return fmt.Errorf("%w: names starting with __ are reserved: %s", broker.ErrInvalidTopic, name)
	}
	return l.createTopic(name, cfg)
}

func (l *Log) createTopic(name string, cfg broker.TopicConfig) error {
	cfg = broker.DefaultTopicConfig(cfg)
	if err := validateConfig(name, cfg); err != nil {
		return err
	}
	// The name is reserved under the lock and the files are made without
	// it, so appends to other topics do not wait for this create's syncs.
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return broker.ErrClosed
	}
	if _, ok := l.topics[name]; ok || l.creating[name] {
		l.mu.Unlock()
		return fmt.Errorf("%w: %s", broker.ErrTopicExists, name)
	}
	l.creating[name] = true
	l.mu.Unlock()
	t, err := l.makeTopic(name, cfg)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.creating, name)
	if err != nil {
		return err
	}
	if l.closed {
		for _, p := range t.parts {
			p.close()
		}
		return broker.ErrClosed
	}
	l.topics[name] = t
	return nil
}

// makeTopic creates a topic's files and opens it.
func (l *Log) makeTopic(name string, cfg broker.TopicConfig) (*topic, error) {
	tdir := path.Join(l.topicsDir(), name)
	if err := l.fs.RemoveAll(tdir); err != nil { // leftovers of a crashed create
		return nil, err
	}
	if err := l.fs.MkdirAll(tdir); err != nil {
		return nil, fmt.Errorf("commitlog: create topic %s: %w", name, err)
	}
	t, err := l.openTopic(name, cfg)
	if err != nil {
		return nil, fmt.Errorf("commitlog: create topic %s: %w", name, err)
	}
	// The config is written last: a topic directory without it is the
	// remains of a create that did not finish, and load removes it.
	err = vfs.WriteFileAtomic(l.fs, tdir, "config.json", encodeConfig(cfg))
	if err == nil {
		err = l.fs.SyncDir(l.topicsDir())
	}
	if err != nil {
		for _, p := range t.parts {
			p.close()
		}
		return nil, fmt.Errorf("commitlog: create topic %s: %w", name, err)
	}
	return t, nil
}

// DeleteTopic implements broker.Log. Readers of the topic get ErrClosed.
func (l *Log) DeleteTopic(ctx context.Context, name string) error {
	if strings.HasPrefix(name, "__") {
		return fmt.Errorf("%w: internal topic %s cannot be deleted", broker.ErrInvalidTopic, name)
	}
	l.mu.Lock()
	t, ok := l.topics[name]
	if !ok || l.closed {
		l.mu.Unlock()
		if l.closed {
			return broker.ErrClosed
		}
		return fmt.Errorf("%w: %s", broker.ErrUnknownTopic, name)
	}
	delete(l.topics, name)
	l.mu.Unlock()
	for _, p := range t.parts {
		p.close()
	}
	// Renaming first makes the delete atomic: a crash leaves either the
	// whole topic or a .deleted- directory that the next open removes.
	gone := path.Join(l.topicsDir(), fmt.Sprintf(".deleted-%s-%d", name, time.Now().UnixNano()))
	if err := l.fs.Rename(t.dir, gone); err != nil {
		return fmt.Errorf("commitlog: delete topic %s: %w", name, err)
	}
	if err := l.fs.SyncDir(l.topicsDir()); err != nil {
		return fmt.Errorf("commitlog: delete topic %s: %w", name, err)
	}
	return l.fs.RemoveAll(gone)
}

// ListTopics implements broker.Log.
func (l *Log) ListTopics(ctx context.Context) ([]string, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil, broker.ErrClosed
	}
	var out []string
	for n := range l.topics {
		if !strings.HasPrefix(n, "__") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// DescribeTopic implements broker.Log.
func (l *Log) DescribeTopic(ctx context.Context, name string) (broker.TopicDescription, error) {
	t, err := l.lookup(name)
	if err != nil {
		return broker.TopicDescription{}, err
	}
	d := broker.TopicDescription{Name: name, Config: t.cfg}
	for _, p := range t.parts {
		d.Partitions = append(d.Partitions, p.info())
	}
	return d, nil
}

// Append implements broker.Log.
func (l *Log) Append(ctx context.Context, tp broker.TopicPartition, recs []broker.Record) (int64, error) {
	if strings.HasPrefix(tp.Topic, "__") {
		return 0, fmt.Errorf("%w: internal topic %s is written by the log only", broker.ErrInvalidTopic, tp.Topic)
	}
	p, err := l.partition(tp)
	if err != nil {
		return 0, err
	}
	res, err := p.append(recs, batchMeta{producerID: -1, baseSeq: -1})
	return res.base, err
}

// NewReader implements broker.Log.
func (l *Log) NewReader(tp broker.TopicPartition, opts broker.ReaderOptions) (broker.Reader, error) {
	p, err := l.partition(tp)
	if err != nil {
		return nil, err
	}
	return newReader(p, opts)
}

// OffsetForTimestamp implements broker.Log.
func (l *Log) OffsetForTimestamp(ctx context.Context, tp broker.TopicPartition, ts int64) (int64, error) {
	p, err := l.partition(tp)
	if err != nil {
		return 0, err
	}
	return p.offsetForTimestamp(ts)
}

// Close implements broker.Log: it syncs data written under lazy durability
// policies, wakes waiting readers with ErrClosed and releases the lock.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.stop)
	l.wg.Wait()
	err := l.closeAll()
	if lerr := l.lock.Close(); err == nil {
		err = lerr
	}
	return err
}

func (l *Log) closeAll() error {
	var first error
	for _, t := range l.topics {
		for _, p := range t.parts {
			if err := p.close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// background runs periodic work: syncing interval-durability partitions and
// retention/compaction.
func (l *Log) background() {
	defer l.wg.Done()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	lastCleanup, lastExpiry := time.Now(), time.Now()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		}
		for _, p := range l.allPartitions() {
			if p.cfg.Durability == broker.DurabilityInterval {
				p.syncMu.Lock()
				due := len(p.unsynced) > 0 && l.now().Sub(p.lastSync) >= p.cfg.FlushInterval
				p.syncMu.Unlock()
				if due {
					if err := p.syncNow(); err != nil {
						l.logf("%v", err)
					}
				}
			}
		}
		if time.Since(lastExpiry) >= time.Second {
			lastExpiry = time.Now()
			l.expireTxns()
		}
		if l.opts.CleanupInterval > 0 && time.Since(lastCleanup) >= l.opts.CleanupInterval {
			lastCleanup = time.Now()
			if err := l.RunCleanup(context.Background()); err != nil {
				l.logf("%v", err)
			}
		}
	}
}

func (l *Log) allPartitions() []*partition {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []*partition
	for _, t := range l.topics {
		out = append(out, t.parts...)
	}
	return out
}

// configJSON is the on-disk topic configuration, with Kafka's names.
type configJSON struct {
	Partitions        int    `json:"partitions"`
	CleanupPolicy     string `json:"cleanup.policy"`
	RetentionMs       int64  `json:"retention.ms"`
	RetentionBytes    int64  `json:"retention.bytes"`
	DeleteRetentionMs int64  `json:"delete.retention.ms"`
	TimestampType     string `json:"message.timestamp.type"`
	Durability        string `json:"durability"`
	FlushMs           int64  `json:"flush.ms"`
	SegmentBytes      int64  `json:"segment.bytes"`
	SegmentMs         int64  `json:"segment.ms"`
}

func encodeConfig(c broker.TopicConfig) []byte {
	b, _ := json.MarshalIndent(configJSON{
		Partitions: c.Partitions, CleanupPolicy: string(c.CleanupPolicy), RetentionMs: c.RetentionMs,
		RetentionBytes: c.RetentionBytes, DeleteRetentionMs: c.DeleteRetentionMs,
		TimestampType: string(c.TimestampType), Durability: string(c.Durability),
		FlushMs: c.FlushInterval.Milliseconds(), SegmentBytes: c.SegmentBytes, SegmentMs: c.SegmentMs,
	}, "", "  ")
	return append(b, '\n')
}

func decodeConfig(b []byte) (broker.TopicConfig, error) {
	var j configJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return broker.TopicConfig{}, err
	}
	cfg := broker.DefaultTopicConfig(broker.TopicConfig{
		Partitions: j.Partitions, CleanupPolicy: broker.CleanupPolicy(j.CleanupPolicy), RetentionMs: j.RetentionMs,
		RetentionBytes: j.RetentionBytes, DeleteRetentionMs: j.DeleteRetentionMs,
		TimestampType: broker.TimestampType(j.TimestampType), Durability: broker.Durability(j.Durability),
		FlushInterval: time.Duration(j.FlushMs) * time.Millisecond, SegmentBytes: j.SegmentBytes, SegmentMs: j.SegmentMs,
	})
	return cfg, validateConfig("x", cfg)
}
