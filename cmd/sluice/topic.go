package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
)

// `sluice topic` manages and reads the built-in log in the style of
// kafka-topics and kcat. Its forms are relied on by scripts, so they are
// kept stable: see topicUsage.

func init() {
	register("topic", command{summary: "create, list, describe, delete, produce to and consume from topics", run: runTopic})
}

const topicUsage = `usage: sluice topic <subcommand> [arguments] [--data-dir DIR]

  create NAME [--partitions N] [--config KEY=VALUE]...
        KEY is one of cleanup.policy (delete|compact|compact,delete), retention.ms,
        retention.bytes, delete.retention.ms, message.timestamp.type
        (CreateTime|LogAppendTime), durability (fsync|interval|none),
        flush.ms, segment.bytes, segment.ms
  delete NAME
  list
  describe NAME
  produce NAME [--key-separator SEP] [--partition P] [--header KEY=VALUE]...
        appends one record per stdin line (the line is the value; with
        --key-separator the text before the first SEP is the key) and exits 0
        only once every line is durable. Without --partition, keyed records go
        where Kafka's default partitioner puts them (murmur2 of the key) and
        unkeyed ones rotate per batch.
  consume NAME [--from-beginning | --offset N|beginning|end | --from-timestamp MS]
               [--partition P] [--count N] [--follow] [--format FMT]
               [--isolation read_committed|read_uncommitted]
        prints committed records, one per line (the value by default), from
        the beginning unless told otherwise; without --follow it exits once it
        has caught up with the end of the topic. FMT is "json" or a template
        with %t topic, %p partition, %o offset, %T timestamp (ms), %k key,
        %v value, %h headers (k=v,...), %% and the escapes \t \n \\.
`

// usageError is a bad invocation: exit code 2 and the usage text.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: "sluice topic: " + fmt.Sprintf(format, args...)}
}

func runTopic(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	args, dir, err := splitDataDir(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		w := stderr
		if len(args) > 0 {
			w = stdout
		}
		io.WriteString(w, topicUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, rest := args[0], args[1:]
	var fn func(l broker.Log, f *topicFlags, stdin io.Reader, stdout io.Writer) error
	spec := map[string]bool{} // flag name -> takes a value
	switch sub {
	case "create":
		fn = topicCreate
		spec = map[string]bool{"partitions": true, "config": true}
	case "delete":
		fn = topicDelete
	case "list":
		fn = topicList
	case "describe":
		fn = topicDescribe
	case "produce":
		fn = topicProduce
		spec = map[string]bool{"key-separator": true, "partition": true, "header": true}
	case "consume":
		fn = topicConsume
		spec = map[string]bool{"from-beginning": false, "offset": true, "from-timestamp": true, "count": true,
			"follow": false, "format": true, "partition": true, "isolation": true}
	default:
		fmt.Fprintf(stderr, "sluice topic: unknown subcommand %q\n\n%s", sub, topicUsage)
		return 2
	}
	f, err := parseTopicFlags(sub, rest, spec)
	if err == nil {
		err = f.validate()
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		fmt.Fprintf(stderr, "run 'sluice topic help' for usage\n")
		return 2
	}
	l, err := commitlog.Open(dir, commitlog.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "sluice topic: %v\n", err)
		return 1
	}
	err = fn(l, f, stdin, stdout)
	if cerr := l.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, ue.msg)
			return 2
		}
		fmt.Fprintf(stderr, "sluice topic %s: %v\n", sub, err)
		return 1
	}
	return 0
}

// topicFlags holds a subcommand's parsed arguments.
type topicFlags struct {
	sub   string
	name  string
	vals  map[string][]string
	bools map[string]bool
}

// parseTopicFlags accepts --flag VALUE, --flag=VALUE (and single-dash
// forms) anywhere among the arguments, and one positional NAME.
func parseTopicFlags(sub string, args []string, spec map[string]bool) (*topicFlags, error) {
	f := &topicFlags{sub: sub, vals: map[string][]string{}, bools: map[string]bool{}}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		takes, known := spec[name]
		if !known {
			return nil, usagef("%s: unknown flag %s", sub, a)
		}
		if !takes {
			if hasVal {
				return nil, usagef("%s: flag --%s takes no value", sub, name)
			}
			f.bools[name] = true
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, usagef("%s: flag --%s needs a value", sub, name)
			}
			i++
			val = args[i]
		}
		f.vals[name] = append(f.vals[name], val)
	}
	needName := sub != "list"
	switch {
	case needName && len(pos) == 0:
		return nil, usagef("%s: missing topic name", sub)
	case needName && len(pos) > 1:
		return nil, usagef("%s: unexpected argument %q", sub, pos[1])
	case !needName && len(pos) > 0:
		return nil, usagef("%s: unexpected argument %q", sub, pos[0])
	}
	if needName {
		f.name = pos[0]
	}
	return f, nil
}

func (f *topicFlags) str(name string) (string, bool) {
	v := f.vals[name]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

func (f *topicFlags) int(name string, def int64) (int64, error) {
	s, ok := f.str(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, usagef("%s: --%s: %q is not an integer", f.sub, name, s)
	}
	return n, nil
}

func (f *topicFlags) validate() error {
	starts := 0
	for _, n := range []string{"offset", "from-timestamp"} {
		if _, ok := f.str(n); ok {
			starts++
		}
	}
	if f.bools["from-beginning"] {
		starts++
	}
	if starts > 1 {
		return usagef("%s: use only one of --from-beginning, --offset and --from-timestamp", f.sub)
	}
	for _, n := range []string{"partitions", "partition", "count", "from-timestamp"} {
		v, err := f.int(n, 0)
		if err != nil {
			return err
		}
		if v < 0 || (n == "partitions" && f.vals[n] != nil && v == 0) {
			return usagef("%s: --%s must be positive, not %d", f.sub, n, v)
		}
	}
	if s, ok := f.str("key-separator"); ok && s == "" {
		return usagef("%s: --key-separator must not be empty", f.sub)
	}
	return nil
}

func topicCreate(l broker.Log, f *topicFlags, _ io.Reader, out io.Writer) error {
	parts, _ := f.int("partitions", 1)
	cfg := broker.TopicConfig{Partitions: int(parts)}
	for _, kv := range f.vals["config"] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usagef("create: --config %q is not KEY=VALUE", kv)
		}
		n, nerr := strconv.ParseInt(v, 10, 64)
		num := func() (int64, error) {
			if nerr != nil {
				return 0, usagef("create: --config %s: %q is not an integer", k, v)
			}
			if n == 0 {
				// Zero means "the default" in broker.TopicConfig, which would
				// silently turn retention.ms=0 into "keep forever".
				return 0, usagef("create: --config %s=0 is not allowed; use a positive value (or -1 for no limit where that applies)", k)
			}
			return n, nil
		}
		var err error
		switch k {
		case "cleanup.policy":
			// Kafka's spellings: delete, compact, compact,delete.
			cfg.CleanupPolicy, err = broker.ParseCleanupPolicy(v)
		case "message.timestamp.type":
			cfg.TimestampType = broker.TimestampType(v)
		case "durability":
			cfg.Durability = broker.Durability(v)
		case "retention.ms":
			cfg.RetentionMs, err = num()
		case "retention.bytes":
			cfg.RetentionBytes, err = num()
		case "delete.retention.ms":
			cfg.DeleteRetentionMs, err = num()
		case "segment.bytes":
			cfg.SegmentBytes, err = num()
		case "segment.ms":
			cfg.SegmentMs, err = num()
		case "flush.ms":
			var ms int64
			ms, err = num()
			cfg.FlushInterval = time.Duration(ms) * time.Millisecond
		default:
			return usagef("create: unknown config %q", k)
		}
		if err != nil {
			return err
		}
	}
	if err := l.CreateTopic(context.Background(), f.name, cfg); err != nil {
		return err
	}
	fmt.Fprintf(out, "created topic %s with %d partition(s)\n", f.name, cfg.Partitions)
	return nil
}

func topicDelete(l broker.Log, f *topicFlags, _ io.Reader, out io.Writer) error {
	if err := l.DeleteTopic(context.Background(), f.name); err != nil {
		return err
	}
	fmt.Fprintf(out, "deleted topic %s\n", f.name)
	return nil
}

func topicList(l broker.Log, _ *topicFlags, _ io.Reader, out io.Writer) error {
	names, err := l.ListTopics(context.Background())
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Fprintln(out, n)
	}
	return nil
}

func topicDescribe(l broker.Log, f *topicFlags, _ io.Reader, out io.Writer) error {
	d, err := l.DescribeTopic(context.Background(), f.name)
	if err != nil {
		return err
	}
	c := d.Config
	fmt.Fprintf(out, "topic: %s\npartitions: %d\n", d.Name, len(d.Partitions))
	fmt.Fprintf(out, "config: cleanup.policy=%s retention.ms=%d retention.bytes=%d delete.retention.ms=%d message.timestamp.type=%s durability=%s flush.ms=%d segment.bytes=%d segment.ms=%d\n",
		c.CleanupPolicy, c.RetentionMs, c.RetentionBytes, c.DeleteRetentionMs, c.TimestampType, c.Durability,
		c.FlushInterval.Milliseconds(), c.SegmentBytes, c.SegmentMs)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTITION\tSTART\tEND\tSTABLE\tBYTES\tSEGMENTS")
	for _, p := range d.Partitions {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\n", p.Partition, p.StartOffset, p.EndOffset, p.StableOffset, p.Bytes, p.Segments)
	}
	return tw.Flush()
}

// produceBatchBytes and produceBatchRecords bound one Append: big enough
// that a million lines need only a few hundred syncs, small enough to keep
// memory flat.
const (
	produceBatchBytes   = 4 << 20
	produceBatchRecords = 65536
)

// producerBatch accumulates records for one partition; keys and values
// point into arena so a batch costs two allocations, not two per line.
type producerBatch struct {
	recs  []broker.Record
	arena []byte
	spans [][4]int // key start/end, value start/end; -1 for nil key
}

func topicProduce(l broker.Log, f *topicFlags, stdin io.Reader, out io.Writer) error {
	ctx := context.Background()
	d, err := l.DescribeTopic(ctx, f.name)
	if err != nil {
		return err
	}
	nparts := int32(len(d.Partitions))
	fixed := int64(-1)
	if _, ok := f.str("partition"); ok {
		fixed, _ = f.int("partition", 0)
		if fixed >= int64(nparts) {
			return usagef("produce: --partition %d: topic %s has %d partitions", fixed, f.name, nparts)
		}
	}
	sep, hasSep := f.str("key-separator")
	var headers []broker.Header
	for _, kv := range f.vals["header"] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usagef("produce: --header %q is not KEY=VALUE", kv)
		}
		headers = append(headers, broker.Header{Key: k, Value: []byte(v)})
	}
	batches := make([]producerBatch, nparts)
	rr := int32(0)
	flush := func(p int32) error {
		b := &batches[p]
		if len(b.spans) == 0 {
			return nil
		}
		b.recs = b.recs[:0]
		for _, s := range b.spans {
			r := broker.Record{Value: b.arena[s[2]:s[3]:s[3]], Headers: headers}
			if s[0] >= 0 {
				r.Key = b.arena[s[0]:s[1]:s[1]]
			}
			b.recs = append(b.recs, r)
		}
		if _, err := l.Append(ctx, broker.TopicPartition{Topic: f.name, Partition: p}, b.recs); err != nil {
			return err
		}
		b.spans, b.arena = b.spans[:0], b.arena[:0]
		return nil
	}
	rd := bufio.NewReaderSize(stdin, 1<<20)
	line := 0
	for {
		raw, err := rd.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather it whole.
			long := append([]byte(nil), raw...)
			for errors.Is(err, bufio.ErrBufferFull) {
				raw, err = rd.ReadSlice('\n')
				long = append(long, raw...)
			}
			raw = long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading stdin: %w", err)
		}
		if len(raw) > 0 {
			line++
			text := raw
			if text[len(text)-1] == '\n' {
				text = text[:len(text)-1]
			}
			var key, val []byte = nil, text
			if hasSep {
				k, v, ok := strings.Cut(string(text), sep)
				if !ok {
					return fmt.Errorf("line %d has no key separator %q", line, sep)
				}
				key, val = []byte(k), []byte(v)
			}
			p := rr
			switch {
			case fixed >= 0:
				p = int32(fixed)
			case key != nil:
				p = broker.PartitionForKey(key, int(nparts))
			}
			b := &batches[p]
			span := [4]int{-1, -1, 0, 0}
			if key != nil {
				span[0] = len(b.arena)
				b.arena = append(b.arena, key...)
				span[1] = len(b.arena)
			}
			span[2] = len(b.arena)
			b.arena = append(b.arena, val...)
			span[3] = len(b.arena)
			b.spans = append(b.spans, span)
			if len(b.arena) >= produceBatchBytes || len(b.spans) >= produceBatchRecords {
				if err := flush(p); err != nil {
					return err
				}
				if fixed < 0 && key == nil {
					rr = (rr + 1) % nparts
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	for p := int32(0); p < nparts; p++ {
		if err := flush(p); err != nil {
			return err
		}
	}
	return nil
}

// consumeOptions is what consume needs, apart from the log.
type consumeOptions struct {
	topic      string
	partitions []int32
	start      func(ctx context.Context, l broker.Log, tp broker.TopicPartition) (int64, error)
	count      int64 // 0: no limit
	follow     bool
	iso        broker.Isolation
	format     recordFormatter
}

func topicConsume(l broker.Log, f *topicFlags, _ io.Reader, out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := l.DescribeTopic(ctx, f.name)
	if err != nil {
		return err
	}
	o := consumeOptions{topic: f.name, follow: f.bools["follow"]}
	o.count, _ = f.int("count", 0)
	if _, ok := f.str("partition"); ok {
		p, _ := f.int("partition", 0)
		if p >= int64(len(d.Partitions)) {
			return usagef("consume: --partition %d: topic %s has %d partitions", p, f.name, len(d.Partitions))
		}
		o.partitions = []int32{int32(p)}
	} else {
		for _, p := range d.Partitions {
			o.partitions = append(o.partitions, p.Partition)
		}
	}
	switch iso, _ := f.str("isolation"); iso {
	case "", "read_committed":
	case "read_uncommitted":
		o.iso = broker.ReadUncommitted
	default:
		return usagef("consume: --isolation %q is not read_committed or read_uncommitted", iso)
	}
	o.start = func(context.Context, broker.Log, broker.TopicPartition) (int64, error) {
		return broker.OffsetEarliest, nil
	}
	if s, ok := f.str("offset"); ok {
		var off int64
		switch s {
		case "beginning":
			off = broker.OffsetEarliest
		case "end":
			off = broker.OffsetLatest
		default:
			off, err = strconv.ParseInt(s, 10, 64)
			if err != nil || off < 0 {
				return usagef("consume: --offset %q is not an offset, beginning or end", s)
			}
		}
		o.start = func(context.Context, broker.Log, broker.TopicPartition) (int64, error) { return off, nil }
	}
	if _, ok := f.str("from-timestamp"); ok {
		ts, _ := f.int("from-timestamp", 0)
		o.start = func(ctx context.Context, l broker.Log, tp broker.TopicPartition) (int64, error) {
			return l.OffsetForTimestamp(ctx, tp, ts)
		}
	}
	fs, _ := f.str("format")
	if o.format, err = parseFormat(fs); err != nil {
		return err
	}
	return consume(ctx, l, o, out)
}

// consume prints records of the chosen partitions. Without follow it reads
// each partition, in order, up to the end it finds; with follow it reads all
// partitions concurrently and waits for more until ctx ends (which is then
// a normal exit) or count records were printed.
func consume(ctx context.Context, l broker.Log, o consumeOptions, out io.Writer) error {
	w := bufio.NewWriterSize(out, 256<<10)
	defer w.Flush()
	var mu sync.Mutex
	printed := int64(0)
	var line []byte
	// emit prints records and reports whether the count is reached.
	emit := func(recs []broker.Record) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		for i := range recs {
			if o.count > 0 && printed >= o.count {
				return true, nil
			}
			line = o.format(line[:0], o.topic, &recs[i])
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				return true, err
			}
			printed++
		}
		if o.follow {
			if err := w.Flush(); err != nil {
				return true, err
			}
		}
		return o.count > 0 && printed >= o.count, nil
	}
	d, err := l.DescribeTopic(ctx, o.topic)
	if err != nil {
		return err
	}
	readers := make([]broker.Reader, len(o.partitions))
	for i, p := range o.partitions {
		tp := broker.TopicPartition{Topic: o.topic, Partition: p}
		off, err := o.start(ctx, l, tp)
		if err != nil {
			return err
		}
		// An explicit offset beyond the end starts at the end and one below
		// the start (removed by retention) at the start, as kcat does, so
		// consume never fails on a position.
		if pi := d.Partitions[p]; off >= 0 && off > pi.EndOffset {
			off = pi.EndOffset
		} else if off >= 0 && off < pi.StartOffset {
			off = pi.StartOffset
		}
		if readers[i], err = l.NewReader(tp, broker.ReaderOptions{Offset: off, Isolation: o.iso}); err != nil {
			return err
		}
		defer readers[i].Close()
	}
	if !o.follow {
		for _, r := range readers {
			for {
				recs, err := r.Fetch(ctx)
				if err != nil {
					return err
				}
				if len(recs) == 0 {
					break
				}
				done, err := emit(recs)
				if err != nil || done {
					return err
				}
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(readers))
	for _, r := range readers {
		go func() {
			errs <- func() error {
				for {
					recs, err := r.Fetch(ctx)
					if err != nil {
						return err
					}
					if len(recs) == 0 {
						if err := r.Wait(ctx); err != nil {
							return err
						}
						continue
					}
					if done, err := emit(recs); err != nil || done {
						cancel()
						return err
					}
				}
			}()
		}()
	}
	var first error
	for range readers {
		if err := <-errs; err != nil && first == nil && !errors.Is(err, context.Canceled) {
			first = err
		}
		cancel()
	}
	return first
}

// recordFormatter appends one record's text to dst.
type recordFormatter func(dst []byte, topic string, r *broker.Record) []byte

func parseFormat(spec string) (recordFormatter, error) {
	switch spec {
	case "", "%v":
		return func(dst []byte, _ string, r *broker.Record) []byte { return append(dst, r.Value...) }, nil
	case "json":
		return formatJSON, nil
	}
	type piece struct {
		lit  string
		verb byte
	}
	var pieces []piece
	var lit strings.Builder
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		switch {
		case c == '\\' && i+1 < len(spec):
			i++
			switch spec[i] {
			case 'n':
				lit.WriteByte('\n')
			case 't':
				lit.WriteByte('\t')
			case '\\':
				lit.WriteByte('\\')
			default:
				return nil, usagef("consume: --format: unknown escape \\%c", spec[i])
			}
		case c == '%' && i+1 < len(spec):
			i++
			v := spec[i]
			if v == '%' {
				lit.WriteByte('%')
				continue
			}
			if !strings.ContainsRune("tpoTkvh", rune(v)) {
				return nil, usagef("consume: --format: unknown directive %%%c (use %%t %%p %%o %%T %%k %%v %%h)", v)
			}
			pieces = append(pieces, piece{lit: lit.String()}, piece{verb: v})
			lit.Reset()
		case c == '%':
			return nil, usagef("consume: --format ends in a lone %%")
		default:
			lit.WriteByte(c)
		}
	}
	pieces = append(pieces, piece{lit: lit.String()})
	return func(dst []byte, topic string, r *broker.Record) []byte {
		for _, p := range pieces {
			switch p.verb {
			case 0:
				dst = append(dst, p.lit...)
			case 't':
				dst = append(dst, topic...)
			case 'p':
				dst = strconv.AppendInt(dst, int64(r.Partition), 10)
			case 'o':
				dst = strconv.AppendInt(dst, r.Offset, 10)
			case 'T':
				dst = strconv.AppendInt(dst, r.Timestamp, 10)
			case 'k':
				dst = append(dst, r.Key...)
			case 'v':
				dst = append(dst, r.Value...)
			case 'h':
				for i, h := range r.Headers {
					if i > 0 {
						dst = append(dst, ',')
					}
					dst = append(dst, h.Key...)
					dst = append(dst, '=')
					dst = append(dst, h.Value...)
				}
			}
		}
		return dst
	}, nil
}

// jsonRecord is the --format json shape. Keys and values that are not
// UTF-8 text are written as base64 in key_b64/value_b64 instead.
type jsonRecord struct {
	Topic     string            `json:"topic"`
	Partition int32             `json:"partition"`
	Offset    int64             `json:"offset"`
	Timestamp int64             `json:"timestamp"`
	Key       *string           `json:"key"`
	KeyB64    []byte            `json:"key_b64,omitempty"`
	Value     *string           `json:"value"`
	ValueB64  []byte            `json:"value_b64,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
}

func formatJSON(dst []byte, topic string, r *broker.Record) []byte {
	j := jsonRecord{Topic: topic, Partition: r.Partition, Offset: r.Offset, Timestamp: r.Timestamp}
	text := func(b []byte, s **string, b64 *[]byte) {
		if b == nil {
			return
		}
		if utf8.Valid(b) {
			v := string(b)
			*s = &v
		} else {
			*b64 = b
		}
	}
	text(r.Key, &j.Key, &j.KeyB64)
	text(r.Value, &j.Value, &j.ValueB64)
	if len(r.Headers) > 0 {
		j.Headers = map[string]string{}
		for _, h := range r.Headers {
			j.Headers[h.Key] = string(h.Value)
		}
	}
	b, _ := json.Marshal(j)
	return append(dst, b...)
}
