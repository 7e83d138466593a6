package commitlog

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// Transactions follow Kafka's design, specialised to one process.
//
// A transactional batch is written to its partition like any other, tagged
// with the producer id and epoch and the transactional attribute; the
// partition notes the first offset of the producer's open transaction,
// which holds back the last stable offset (read-committed readers stop
// there). Ending a transaction writes a control batch (a marker) to every
// partition it touched: commit releases the records, abort adds the range to
// the partition's aborted list, which read-committed readers skip.
//
// Atomicity across partitions comes from a commit decision written to
// __transaction_state before any commit marker: it lists every partition of
// the transaction with the offset of the transaction's first record there.
// After a crash, recovery looks at each partition's still-open transactions:
// one that matches a durable decision gets its commit marker (roll forward);
// any other is aborted. So a transaction is committed everywhere or nowhere,
// and one the crash left open is aborted. Consumer offsets sent with the
// transaction are transactional records in __consumer_offsets, so they
// follow the same rule and commit exactly with the outputs.

// txnCoordinator allocates producer ids and owns transactional ids.
type txnCoordinator struct {
	mu        sync.Mutex
	nextPID   int64
	ids       map[string]*txnIDState
	decisions map[int64]txnRecord // only during recovery
}

// txnIDState is the live state of one transactional id. mu serialises the
// transactional operations of its producers, which is what makes fencing
// race-free.
type txnIDState struct {
	mu     sync.Mutex
	pid    int64
	epoch  int16
	active *producer
}

// txnRecord is the value of a __transaction_state record.
type txnRecord struct {
	Kind  string         `json:"kind"` // "pid", "txnid" or "commit"
	Next  int64          `json:"next,omitempty"`
	ID    string         `json:"id,omitempty"`
	PID   int64          `json:"pid,omitempty"`
	Epoch int16          `json:"epoch,omitempty"`
	Parts []decisionPart `json:"parts,omitempty"`
}

type decisionPart struct {
	Topic     string `json:"t"`
	Partition int32  `json:"p"`
	First     int64  `json:"first"`
}

var txnTP = broker.TopicPartition{Topic: TxnTopic, Partition: 0}

func (l *Log) writeTxnRecords(keys []string, vals []txnRecord) error {
	recs := make([]broker.Record, len(keys))
	for i := range keys {
		v, err := json.Marshal(vals[i])
		if err != nil {
			return err
		}
		recs[i] = broker.Record{Key: []byte(keys[i]), Value: v}
	}
	p, err := l.partition(txnTP)
	if err != nil {
		return err
	}
	_, err = p.append(recs, batchMeta{producerID: -1, baseSeq: -1})
	return err
}

// recover replays __transaction_state and resolves every transaction a
// crash left open in any partition.
func (c *txnCoordinator) recover(l *Log) error {
	c.ids = map[string]*txnIDState{}
	c.decisions = map[int64]txnRecord{}
	p, err := l.partition(txnTP)
	if err != nil {
		return err
	}
	r, err := newReader(p, broker.ReaderOptions{Offset: broker.OffsetEarliest, Isolation: broker.ReadUncommitted})
	if err != nil {
		return err
	}
	for {
		recs, err := r.Fetch(context.Background())
		if err != nil {
			return fmt.Errorf("commitlog: load transaction state: %w", err)
		}
		if len(recs) == 0 {
			break
		}
		for _, rec := range recs {
			var tr txnRecord
			if err := json.Unmarshal(rec.Value, &tr); err != nil {
				return fmt.Errorf("commitlog: load transaction state at offset %d: %w", rec.Offset, err)
			}
			switch tr.Kind {
			case "pid":
				c.nextPID = max(c.nextPID, tr.Next)
			case "txnid":
				c.ids[tr.ID] = &txnIDState{pid: tr.PID, epoch: tr.Epoch}
			case "commit":
				c.decisions[tr.PID] = tr
			}
		}
	}
	r.Close()

	for _, part := range l.allPartitions() {
		type open struct {
			pid, first int64
			epoch      int16
		}
		var opens []open
		part.mu.Lock()
		for pid, first := range part.ongoing {
			opens = append(opens, open{pid: pid, first: first, epoch: part.producers[pid].epoch})
		}
		part.mu.Unlock()
		sort.Slice(opens, func(i, j int) bool { return opens[i].first < opens[j].first })
		for _, o := range opens {
			kind := byte(controlAbort)
			if d, ok := c.decisions[o.pid]; ok && d.Epoch == o.epoch {
				for _, dp := range d.Parts {
					if dp.Topic == part.tp.Topic && dp.Partition == part.tp.Partition && dp.First == o.first {
						kind = controlCommit
					}
				}
			}
			if err := writeMarkers([]*partition{part}, o.pid, o.epoch, kind); err != nil {
				return fmt.Errorf("commitlog: recover transaction of producer %d in %s: %w", o.pid, part, err)
			}
			if kind == controlCommit {
				l.stats.recCommits.Add(1)
			} else {
				l.stats.recAbortions.Add(1)
			}
			l.logf("commitlog: recovery %s transaction of producer %d in %s", map[byte]string{controlAbort: "aborted", controlCommit: "committed"}[kind], o.pid, part)
		}
	}
	c.decisions = nil
	return nil
}

// writeMarkers ends a producer's transaction in parts and waits until every
// marker is durable. The syncs of different partitions run in parallel.
func writeMarkers(parts []*partition, pid int64, epoch int16, kind byte) error {
	ends := make([]int64, len(parts))
	for i, p := range parts {
		res, err := p.encode([]broker.Record{{Key: []byte{kind}, Value: []byte{}}},
			batchMeta{attrs: attrControl | attrTransactional, producerID: pid, epoch: epoch, baseSeq: -1})
		if err != nil {
			return err
		}
		ends[i] = res.next
	}
	return flushAll(parts, ends)
}

// flushAll waits until each partition is durable up to its end offset; the
// syncs of different partitions run in parallel.
func flushAll(parts []*partition, ends []int64) error {
	if len(parts) == 1 {
		return parts[0].flush(ends[0])
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.flush(ends[i])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// allocatePID returns a fresh producer id and durably records the new
// high-water mark, so ids are never reused across restarts. Caller holds
// c.mu.
func (c *txnCoordinator) allocatePID() int64 {
	pid := c.nextPID
	c.nextPID++
	return pid
}

// producer implements broker.Producer.
type producer struct {
	l     *Log
	state *txnIDState // nil for idempotent-only producers
	pid   int64
	epoch int16
	seqs  map[*partition]int32

	inTxn   bool
	started time.Time            // when the open transaction began
	parts   map[*partition]int64 // partition -> first offset in this transaction
	ends    map[*partition]int64 // partition -> end of this transaction's data
	pending map[string]map[broker.TopicPartition]int64
	closed  bool
}

// NewProducer implements broker.Log.
func (l *Log) NewProducer(ctx context.Context, opts broker.ProducerOptions) (broker.Producer, error) {
	l.mu.RLock()
	closed := l.closed
	l.mu.RUnlock()
	if closed {
		return nil, broker.ErrClosed
	}
	c := &l.txn
	c.mu.Lock()
	defer c.mu.Unlock()
	pr := &producer{l: l, seqs: map[*partition]int32{}}
	keys := []string{"pid"}
	if opts.TransactionalID == "" {
		pr.pid = c.allocatePID()
		vals := []txnRecord{{Kind: "pid", Next: c.nextPID}}
		if err := l.writeTxnRecords(keys, vals); err != nil {
			return nil, err
		}
		return pr, nil
	}
	st := c.ids[opts.TransactionalID]
	if st == nil {
		st = &txnIDState{pid: c.allocatePID()}
	} else {
		st.mu.Lock()
		if old := st.active; old != nil && old.inTxn {
			// Fence: abort what the previous incarnation left open, with
			// the new epoch so its late appends are refused everywhere.
			if err := writeMarkers(old.partList(), st.pid, st.epoch+1, controlAbort); err != nil {
				st.mu.Unlock()
				return nil, err
			}
			old.inTxn = false
		}
		if st.epoch == math.MaxInt16 {
			st.pid, st.epoch = c.allocatePID(), 0
		} else {
			st.epoch++
		}
		st.mu.Unlock()
	}
	keys = append(keys, "txnid/"+opts.TransactionalID)
	vals := []txnRecord{{Kind: "pid", Next: c.nextPID}, {Kind: "txnid", ID: opts.TransactionalID, PID: st.pid, Epoch: st.epoch}}
	if err := l.writeTxnRecords(keys, vals); err != nil {
		return nil, err
	}
	c.ids[opts.TransactionalID] = st
	st.active = pr
	pr.state, pr.pid, pr.epoch = st, st.pid, st.epoch
	return pr, nil
}

func (pr *producer) partList() []*partition {
	out := make([]*partition, 0, len(pr.parts))
	for p := range pr.parts {
		out = append(out, p)
	}
	return out
}

// check returns an error if the producer may not act; caller holds
// state.mu for transactional producers.
func (pr *producer) check() error {
	if pr.closed {
		return broker.ErrClosed
	}
	if pr.state != nil && (pr.state.pid != pr.pid || pr.state.epoch != pr.epoch) {
		return fmt.Errorf("%w: producer %d epoch %d", broker.ErrProducerFenced, pr.pid, pr.epoch)
	}
	return nil
}

func (pr *producer) lock() {
	if pr.state != nil {
		pr.state.mu.Lock()
	}
}

func (pr *producer) unlock() {
	if pr.state != nil {
		pr.state.mu.Unlock()
	}
}

// Append implements broker.Producer.
func (pr *producer) Append(ctx context.Context, tp broker.TopicPartition, recs []broker.Record) (int64, error) {
	if len(tp.Topic) >= 2 && tp.Topic[:2] == "__" {
		return 0, fmt.Errorf("%w: internal topic %s is written by the log only", broker.ErrInvalidTopic, tp.Topic)
	}
	p, err := pr.l.partition(tp)
	if err != nil {
		return 0, err
	}
	pr.lock()
	defer pr.unlock()
	if err := pr.check(); err != nil {
		return 0, err
	}
	if pr.state != nil && !pr.inTxn {
		return 0, fmt.Errorf("%w: transactional producer appends outside a transaction", broker.ErrInvalidTxnState)
	}
	return pr.appendLocked(p, recs)
}

// txnFlushBytes bounds what a transaction leaves queued in a partition
// before it writes it out: transactional appends do not wait for the disk
// (CommitTxn does, once for all partitions), but memory must stay bounded.
const txnFlushBytes = 8 << 20

func (pr *producer) appendLocked(p *partition, recs []broker.Record) (int64, error) {
	m := batchMeta{producerID: pr.pid, epoch: pr.epoch, baseSeq: pr.seqs[p]}
	if !pr.inTxn {
		res, err := p.append(recs, m)
		if err != nil {
			return 0, err
		}
		pr.seqs[p] += int32(len(recs))
		return res.base, nil
	}
	// Inside a transaction nothing needs to be durable before the commit
	// decision, and read-committed readers cannot see the records before
	// it anyway, so the append only queues them; CommitTxn syncs every
	// partition of the transaction in parallel before deciding.
	m.attrs = attrTransactional
	res, err := p.encode(recs, m)
	if err == nil && (res.dup || p.pendingBytes() > txnFlushBytes) {
		err = p.flush(res.next)
	}
	if err != nil {
		return 0, err
	}
	pr.seqs[p] += int32(len(recs))
	if _, ok := pr.parts[p]; !ok {
		pr.parts[p] = res.base
	}
	pr.ends[p] = max(pr.ends[p], res.next)
	return res.base, nil
}

// BeginTxn implements broker.Producer.
func (pr *producer) BeginTxn() error {
	if pr.state == nil {
		return fmt.Errorf("%w: producer has no transactional id", broker.ErrInvalidTxnState)
	}
	pr.lock()
	defer pr.unlock()
	if err := pr.check(); err != nil {
		return err
	}
	if pr.inTxn {
		return fmt.Errorf("%w: transaction already open", broker.ErrInvalidTxnState)
	}
	pr.inTxn = true
	pr.started = pr.l.now()
	pr.parts = map[*partition]int64{}
	pr.ends = map[*partition]int64{}
	pr.pending = map[string]map[broker.TopicPartition]int64{}
	return nil
}

// SendOffsets implements broker.Producer.
func (pr *producer) SendOffsets(ctx context.Context, group string, offsets map[broker.TopicPartition]int64) error {
	recs, err := offsetRecords(group, offsets)
	if err != nil {
		return err
	}
	pr.lock()
	defer pr.unlock()
	if err := pr.check(); err != nil {
		return err
	}
	if !pr.inTxn {
		return fmt.Errorf("%w: SendOffsets outside a transaction", broker.ErrInvalidTxnState)
	}
	if len(recs) == 0 {
		return nil
	}
	p, err := pr.l.partition(offsetsTP)
	if err != nil {
		return err
	}
	if _, err := pr.appendLocked(p, recs); err != nil {
		return err
	}
	g := pr.pending[group]
	if g == nil {
		g = map[broker.TopicPartition]int64{}
		pr.pending[group] = g
	}
	for tp, off := range offsets {
		g[tp] = off
	}
	return nil
}

// CommitTxn implements broker.Producer.
func (pr *producer) CommitTxn(ctx context.Context) error {
	pr.lock()
	defer pr.unlock()
	if err := pr.check(); err != nil {
		return err
	}
	if !pr.inTxn {
		return fmt.Errorf("%w: commit without an open transaction", broker.ErrInvalidTxnState)
	}
	if len(pr.parts) > 0 {
		d := txnRecord{Kind: "commit", PID: pr.pid, Epoch: pr.epoch}
		for p, first := range pr.parts {
			d.Parts = append(d.Parts, decisionPart{Topic: p.tp.Topic, Partition: p.tp.Partition, First: first})
		}
		sort.Slice(d.Parts, func(i, j int) bool {
			a, b := d.Parts[i], d.Parts[j]
			return a.Topic < b.Topic || (a.Topic == b.Topic && a.Partition < b.Partition)
		})
		// The data first: a decision must never refer to records a crash
		// could still take.
		parts := pr.partList()
		ends := make([]int64, len(parts))
		for i, p := range parts {
			ends[i] = pr.ends[p]
		}
		if err := flushAll(parts, ends); err != nil {
			return err
		}
		// The decision is the commit point: once it is durable, recovery
		// will finish the commit even if we crash before the markers.
		if err := pr.l.writeTxnRecords([]string{"commit/" + strconv.FormatInt(pr.pid, 10)}, []txnRecord{d}); err != nil {
			return err
		}
		if h := pr.l.opts.testHookAfterDecision; h != nil {
			h()
		}
		if err := writeMarkers(pr.partList(), pr.pid, pr.epoch, controlCommit); err != nil {
			return err
		}
	}
	for group, offs := range pr.pending {
		pr.l.offsets.apply(group, offs)
	}
	pr.inTxn, pr.parts, pr.pending = false, nil, nil
	return nil
}

// AbortTxn implements broker.Producer.
func (pr *producer) AbortTxn(ctx context.Context) error {
	pr.lock()
	defer pr.unlock()
	if err := pr.check(); err != nil {
		return err
	}
	return pr.abortLocked()
}

func (pr *producer) abortLocked() error {
	if !pr.inTxn {
		return fmt.Errorf("%w: abort without an open transaction", broker.ErrInvalidTxnState)
	}
	if err := writeMarkers(pr.partList(), pr.pid, pr.epoch, controlAbort); err != nil {
		return err
	}
	pr.inTxn, pr.parts, pr.pending = false, nil, nil
	return nil
}

// Close implements broker.Producer.
func (pr *producer) Close() error {
	pr.lock()
	defer pr.unlock()
	if pr.closed {
		return nil
	}
	var err error
	if pr.inTxn && pr.check() == nil {
		err = pr.abortLocked()
	}
	pr.closed = true
	if pr.state != nil && pr.state.active == pr {
		pr.state.active = nil
	}
	return err
}

// expireTxns aborts transactions open longer than Options.TxnTimeout and
// fences their producers by bumping the epoch. A producer busy in a call
// (its id's lock held) is not stuck and is left for the next round.
func (l *Log) expireTxns() {
	if l.opts.TxnTimeout < 0 {
		return
	}
	c := &l.txn
	c.mu.Lock()
	defer c.mu.Unlock()
	now := l.now()
	for id, st := range c.ids {
		if !st.mu.TryLock() {
			continue
		}
		pr := st.active
		if pr == nil || !pr.inTxn || pr.epoch != st.epoch || now.Sub(pr.started) <= l.opts.TxnTimeout {
			st.mu.Unlock()
			continue
		}
		epoch := st.epoch + 1
		err := writeMarkers(pr.partList(), st.pid, epoch, controlAbort)
		if err == nil {
			pr.inTxn = false
			if st.epoch == math.MaxInt16 {
				st.pid, st.epoch = c.allocatePID(), 0
			} else {
				st.epoch = epoch
			}
			err = l.writeTxnRecords([]string{"pid", "txnid/" + id},
				[]txnRecord{{Kind: "pid", Next: c.nextPID}, {Kind: "txnid", ID: id, PID: st.pid, Epoch: st.epoch}})
		}
		st.mu.Unlock()
		if err != nil {
			l.logf("commitlog: expire transaction of %q: %v", id, err)
			continue
		}
		l.logf("commitlog: aborted transaction of %q open for %v (TxnTimeout %v); its producer is fenced", id, now.Sub(pr.started), l.opts.TxnTimeout)
	}
}
