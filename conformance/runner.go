package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/planner"
)

// Outcome is the verdict on one test.
type Outcome string

// The outcomes.
const (
	Pass Outcome = "PASS"
	Fail Outcome = "FAIL"
	Skip Outcome = "SKIP"
)

// Kinds classify results beyond the outcome, so reports can count why
// tests fail or skip.
const (
	// KindRejectedOther: a case expecting an error saw a statement
	// rejected, but with another message.
	KindRejectedOther = "rejected-other-message"
	// KindAccepted: a case expecting an error saw every statement accepted.
	KindAccepted = "accepted"
	// KindRejected: a statement of a case expecting no error was rejected.
	KindRejected = "rejected"
	// KindOutput: the output topics differ from the expected records.
	KindOutput = "output"
	// KindPost: a post-condition does not hold.
	KindPost = "post"
	// KindTimeout: the test ran out of time.
	KindTimeout = "timeout"
	// KindPanic: the test panicked.
	KindPanic = "panic"
	// KindHarness: the runner could not set the test up (a bad case file,
	// a log error).
	KindHarness = "harness"
	// KindUnsupported: the engine reports the feature as not built yet.
	KindUnsupported = "unsupported"
	// KindFormat: the test uses a format not implemented yet.
	KindFormat = "format"
	// KindDisabled: the corpus disables the case.
	KindDisabled = "disabled"
	// KindREST: an RQTT case whose REST responses the runner does not check.
	KindREST = "rest"
)

// Result is the verdict on one test.
type Result struct {
	Name    string  `json:"name"`
	File    string  `json:"file"`
	Case    string  `json:"case"`
	Format  string  `json:"format,omitempty"`
	Outcome Outcome `json:"outcome"`
	Kind    string  `json:"kind,omitempty"`
	Reason  string  `json:"reason,omitempty"`
	// Stateless is true when the statements use no windows, joins or
	// aggregation; CoreFormats when they use only JSON, DELIMITED, KAFKA
	// (and NONE). The rate is over tests with both.
	Stateless   bool  `json:"stateless"`
	CoreFormats bool  `json:"core_formats"`
	Millis      int64 `json:"ms"`
}

// Line is the one-line report of the result.
func (r *Result) Line() string {
	reason := strings.ReplaceAll(r.Reason, "\n", " | ")
	if reason == "" {
		return fmt.Sprintf("%s %s", r.Outcome, r.Name)
	}
	return fmt.Sprintf("%s %s: %s", r.Outcome, r.Name, reason)
}

// Options configure Run.
type Options struct {
	// Open starts an engine per test; OpenEngine is the real one.
	Open Opener
	// Parallel is the number of tests run at once; default GOMAXPROCS.
	Parallel int
	// Timeout bounds one test; default 60s.
	Timeout time.Duration
	// Run, when set, selects tests whose full name it matches.
	Run *regexp.Regexp
	// TempDir is where test directories are made; default /dev/shm when
	// it is writable (the log then never touches a disk), else os.TempDir.
	TempDir string
	// Report, when set, receives every result in test order, as soon as it
	// and all the results before it are known.
	Report func(*Result)
}

// Filter returns the tests the pattern selects (all for a nil pattern).
func Filter(tests []*Test, re *regexp.Regexp) []*Test {
	if re == nil {
		return tests
	}
	var out []*Test
	for _, t := range tests {
		if re.MatchString(t.Name) {
			out = append(out, t)
		}
	}
	return out
}

// Run runs the tests in parallel and returns their results in test order.
// A test that panics or times out is a FAIL; Run itself never panics for a
// test's sake.
func Run(ctx context.Context, tests []*Test, opts Options) []*Result {
	tests = Filter(tests, opts.Run)
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.TempDir == "" {
		opts.TempDir = defaultTempDir()
	}
	results := make([]*Result, len(tests))
	done := make([]chan struct{}, len(tests))
	for i := range done {
		done[i] = make(chan struct{})
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < opts.Parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = runGuarded(ctx, tests[i], opts)
				close(done[i])
			}
		}()
	}
	go func() {
		for i := range tests {
			work <- i
		}
		close(work)
	}()
	for i := range tests {
		<-done[i]
		if opts.Report != nil {
			opts.Report(results[i])
		}
	}
	wg.Wait()
	return results
}

func defaultTempDir() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if f, err := os.CreateTemp("/dev/shm", "sluice-probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return "/dev/shm"
		}
	}
	return os.TempDir()
}

// runGuarded runs one test in its own goroutine so that a panic becomes a
// FAIL with the stack and a test stuck past its timeout is abandoned
// (reported as a FAIL) while the runner goes on.
func runGuarded(ctx context.Context, t *Test, opts Options) *Result {
	start := time.Now()
	res := newResult(t)
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	ch := make(chan *Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				r := newResult(t)
				r.fail(KindPanic, fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
				ch <- r
			}
		}()
		r := newResult(t)
		runTest(ctx, t, opts, r)
		ch <- r
	}()
	select {
	case r := <-ch:
		res = r
	case <-ctx.Done():
		// Give the test a moment to report its own, more precise failure.
		select {
		case r := <-ch:
			res = r
		case <-time.After(2 * time.Second):
			res.fail(KindTimeout, fmt.Sprintf("timed out after %s", opts.Timeout))
		}
	}
	res.Millis = time.Since(start).Milliseconds()
	return res
}

func newResult(t *Test) *Result {
	r := &Result{Name: t.Name, File: t.File.Label(), Case: t.Case.Name, Format: t.Format}
	r.Stateless, r.CoreFormats = classify(t)
	return r
}

func (r *Result) fail(kind, reason string) {
	r.Outcome, r.Kind, r.Reason = Fail, kind, reason
}

func (r *Result) skip(kind, reason string) {
	r.Outcome, r.Kind, r.Reason = Skip, kind, reason
}

// notImplementedFormats are ksqlDB formats Sluice does not have yet; a test
// that needs one is a SKIP.
var notImplementedFormats = []string{"AVRO", "PROTOBUF", "PROTOBUF_NOSR", "JSON_SR"}

// missingFormat returns the first not-yet-implemented format the test uses.
func missingFormat(t *Test) string {
	for _, name := range usedFormats(t) {
		for _, n := range notImplementedFormats {
			if name == n {
				if _, err := format.Lookup(name); err != nil {
					return name
				}
			}
		}
	}
	return ""
}

var formatProp = regexp.MustCompile(`(?i)\b(?:KEY_FORMAT|VALUE_FORMAT|FORMAT)\s*=\s*'([A-Za-z_]+)'`)

// usedFormats lists the formats a test names: its expansion format, the
// formats in WITH clauses, the default-format properties and the formats of
// its pre-declared topics.
func usedFormats(t *Test) []string {
	var out []string
	if t.Format != "" {
		out = append(out, strings.ToUpper(t.Format))
	}
	for _, s := range t.Statements {
		for _, m := range formatProp.FindAllStringSubmatch(s, -1) {
			out = append(out, strings.ToUpper(m[1]))
		}
	}
	for k, v := range t.Properties {
		if strings.HasPrefix(k, "ksql.persistence.default.format.") && v != "" {
			out = append(out, strings.ToUpper(v))
		}
	}
	if d, err := decodeCase(t.Case); err == nil {
		for _, tp := range d.Topics {
			for _, f := range []string{tp.KeyFormat, tp.ValueFormat, tp.Format} {
				if f != "" {
					out = append(out, strings.ToUpper(f))
				}
			}
		}
	}
	return out
}

var (
	joinRe      = regexp.MustCompile(`(?i)\bJOIN\b`)
	windowRe    = regexp.MustCompile(`(?i)\bWINDOW(START|END)?\b|\bWINDOW_TYPE\b`)
	aggregateRe = regexp.MustCompile(`(?i)\bGROUP\s+BY\b|\bHAVING\b`)
)

// aggregateCallRe matches a call of any aggregate function, built-in or
// test-only (an aggregate without GROUP BY is still about aggregation).
var aggregateCallRe = sync.OnceValue(func() *regexp.Regexp {
	names := []string{}
	reg, err := TestFunctions()
	if err != nil {
		return regexp.MustCompile(`$^`)
	}
	for _, f := range reg.Functions() {
		if f.Kind == functions.Aggregate {
			names = append(names, regexp.QuoteMeta(f.Name))
		}
	}
	return regexp.MustCompile(`(?i)\b(?:` + strings.Join(names, "|") + `)\s*\(`)
})

// classify says whether the test is free of windows, joins and
// aggregation, and whether it uses only the core formats. It reads the
// statement text, which is enough for the keywords and calls involved.
func classify(t *Test) (stateless, core bool) {
	stateless = true
	for _, s := range t.Statements {
		if joinRe.MatchString(s) || windowRe.MatchString(s) || aggregateRe.MatchString(s) || aggregateCallRe().MatchString(s) {
			stateless = false
		}
	}
	core = true
	for _, f := range usedFormats(t) {
		switch f {
		case format.JSON, format.Delimited, format.Kafka, format.None:
		default:
			core = false
		}
	}
	return stateless, core
}

// statementInfo is what the runner learns from the statements themselves.
type statementInfo struct {
	// sources are the names of the streams and tables the statements
	// create, in order; sinks are those created by ... AS SELECT.
	sources []string
	sinks   []string
	// declared are topics a CREATE statement creates itself (it gives
	// PARTITIONS), which the runner must not create first; named are the
	// other topics CREATE STREAM/TABLE statements read, which the runner
	// creates as ksqlDB's test harness does.
	declared map[string]bool
	named    []string
}

func inspect(stmts []string) statementInfo {
	info := statementInfo{declared: map[string]bool{}}
	for _, s := range stmts {
		st, err := parser.ParseStatement(s)
		if err != nil {
			continue
		}
		switch x := st.(type) {
		case *ast.CreateSource:
			info.sources = append(info.sources, x.Name)
			topic, partitions := "", false
			for _, p := range x.Properties {
				switch p.Name {
				case "KAFKA_TOPIC":
					if lit, ok := p.Value.(*ast.StringLiteral); ok {
						topic = lit.Value
					}
				case "PARTITIONS":
					partitions = true
				}
			}
			if topic == "" {
				topic = x.Name
			}
			if partitions {
				info.declared[topic] = true
			} else {
				info.named = append(info.named, topic)
			}
		case *ast.CreateAsSelect:
			info.sources = append(info.sources, x.Name)
			info.sinks = append(info.sinks, x.Name)
		}
	}
	return info
}

// runTest runs one test into r.
func runTest(ctx context.Context, t *Test, opts Options, r *Result) {
	c := t.Case
	switch {
	case !c.IsEnabled():
		r.skip(KindDisabled, "disabled in the corpus")
		return
	case len(c.Responses) > 0:
		r.skip(KindREST, "REST responses (RQTT) are not checked yet")
		return
	}
	if f := missingFormat(t); f != "" {
		r.skip(KindFormat, "format "+f+" is not implemented yet")
		return
	}
	d, err := decodeCase(c)
	if err != nil {
		r.fail(KindHarness, err.Error())
		return
	}
	want := c.Expected()

	dir, err := os.MkdirTemp(opts.TempDir, "sluice-conformance-")
	if err != nil {
		r.fail(KindHarness, err.Error())
		return
	}
	defer os.RemoveAll(dir)
	reg, err := TestFunctions()
	if err != nil {
		r.fail(KindHarness, err.Error())
		return
	}
	props := map[string]string{"auto.offset.reset": "earliest"}
	for k, v := range t.Properties {
		props[k] = v
	}
	eng, err := opts.Open(ctx, EngineConfig{Dir: dir, Functions: reg, Properties: props, Now: epoch})
	if err != nil {
		r.fail(KindHarness, "open engine: "+err.Error())
		return
	}
	defer eng.Close()
	log := eng.Log()
	info := inspect(t.Statements)

	// Topics: the pre-declared ones, then those the inputs name (unless a
	// statement creates them with its own PARTITIONS).
	created := map[string]bool{}
	for _, tp := range d.Topics {
		if err := createTopic(ctx, log, tp.Name, tp.Partitions); err != nil {
			r.fail(KindHarness, err.Error())
			return
		}
		created[tp.Name] = true
	}
	topics := info.named
	for _, in := range d.Inputs {
		topics = append(topics, in.Topic)
	}
	for _, name := range topics {
		if created[name] || info.declared[name] {
			continue
		}
		if err := createTopic(ctx, log, name, 1); err != nil {
			r.fail(KindHarness, err.Error())
			return
		}
		created[name] = true
	}

	lines := 0
	rest := c.RestError != nil
	for i, s := range t.Statements {
		// ksqlDB's harness joins the statements with newlines and parses
		// them as one script, so positions in its messages count lines from
		// the first statement; leading newlines reproduce that. The REST
		// harness (RQTT) sends each SELECT as a request of its own.
		text := strings.Repeat("\n", lines) + s
		if rest && isSelect(s) {
			text = s
		} else {
			lines += strings.Count(s, "\n") + 1
		}
		err := eng.Execute(ctx, text)
		if err == nil {
			continue
		}
		msg := ErrorMessage(err)
		switch {
		case ctx.Err() != nil:
			r.fail(KindTimeout, fmt.Sprintf("statement %d: %v (per-test timeout %s)", i+1, ctx.Err(), opts.Timeout))
		case want != nil && want.Message != "" && strings.Contains(msg, want.Message):
			r.Outcome = Pass
		case IsUnsupported(err):
			r.skip(KindUnsupported, oneLine(msg))
		case want != nil && want.Message == "":
			r.Outcome = Pass
			r.Reason = "rejected (the case gives only an exception type): " + oneLine(msg)
		case want != nil:
			r.fail(KindRejectedOther, fmt.Sprintf("statement %d rejected with another message: %s; want %q", i+1, oneLine(msg), want.Message))
		default:
			r.fail(KindRejected, fmt.Sprintf("statement %d rejected: %s", i+1, oneLine(msg)))
		}
		return
	}
	if want != nil {
		r.fail(KindAccepted, fmt.Sprintf("every statement was accepted; want an error containing %q", want.Message))
		return
	}

	serdes := map[string]*topicSerde{}
	serdeFor := func(topic string) *topicSerde {
		if s, ok := serdes[topic]; ok {
			return s
		}
		s := &topicSerde{src: sourceOnTopic(eng, info.sources, topic)}
		serdes[topic] = s
		return s
	}
	partitions := map[string]int{}
	for i, in := range d.Inputs {
		// ksqlDB's test driver processes each record before the next is
		// piped, so records that different queries write to one topic come
		// out in input order. Waiting for the queries to catch up whenever
		// the input topic changes keeps that order across topics.
		if i > 0 && in.Topic != d.Inputs[i-1].Topic {
			if err := eng.WaitCaughtUp(ctx); err != nil {
				r.fail(KindTimeout, fmt.Sprintf("input %d: queries did not catch up: %v", i, err))
				return
			}
		}
		rec, err := inputRecord(serdeFor(in.Topic), in)
		if err != nil {
			r.fail(KindHarness, fmt.Sprintf("input %d: %v", i, err))
			return
		}
		n, ok := partitions[in.Topic]
		if !ok {
			desc, err := log.DescribeTopic(ctx, in.Topic)
			if err != nil {
				r.fail(KindHarness, fmt.Sprintf("input %d: %v", i, err))
				return
			}
			n = len(desc.Partitions)
			partitions[in.Topic] = n
		}
		tp := broker.TopicPartition{Topic: in.Topic, Partition: partitionFor(rec.Key, n)}
		if _, err := log.Append(ctx, tp, []broker.Record{rec}); err != nil {
			r.fail(KindHarness, fmt.Sprintf("input %d: %v", i, err))
			return
		}
	}
	if err := eng.WaitCaughtUp(ctx); err != nil {
		if ctx.Err() != nil {
			r.fail(KindTimeout, "queries did not catch up: "+err.Error())
		} else {
			r.fail(KindOutput, "queries did not catch up: "+err.Error())
		}
		return
	}

	if reason := checkOutputs(ctx, eng, info, d, serdeFor); reason != "" {
		r.fail(KindOutput, reason)
		return
	}
	if d.Post != nil {
		if reason := checkPost(ctx, eng, d.Post); reason != "" {
			r.fail(KindPost, reason)
			return
		}
	}
	r.Outcome = Pass
}

// isSelect reports whether a statement is a query, which the REST harness
// sends to /query rather than /ksql.
func isSelect(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= 7 && strings.EqualFold(s[:7], "SELECT ")
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " | ") }

func createTopic(ctx context.Context, log broker.Log, name string, partitions int) error {
	if partitions <= 0 {
		partitions = 1
	}
	err := log.CreateTopic(ctx, name, broker.TopicConfig{Partitions: partitions, Durability: broker.DurabilityNone})
	if errors.Is(err, broker.ErrTopicExists) {
		return nil
	}
	return err
}

// sourceOnTopic returns the first source, in statement order, stored in
// topic; its formats are the topic's.
func sourceOnTopic(eng Engine, names []string, topic string) *planner.Source {
	for _, n := range names {
		src, ok := eng.Source(n)
		if !ok {
			src, ok = eng.Source(strings.ToUpper(n))
		}
		if ok && src.Topic == topic {
			return src
		}
	}
	return nil
}

// inputRecord serializes one input record.
func inputRecord(s *topicSerde, in Record) (broker.Record, error) {
	var rec broker.Record
	var err error
	if rec.Key, err = s.key().encode(in.Key); err != nil {
		return rec, fmt.Errorf("key: %w", err)
	}
	if in.Window != nil && s.src != nil && s.src.Window != nil {
		rec.Key = appendWindow(rec.Key, in.Window)
	}
	if rec.Value, err = s.value().encode(in.Value); err != nil {
		return rec, fmt.Errorf("value: %w", err)
	}
	if in.Timestamp != nil {
		rec.Timestamp = *in.Timestamp
	}
	for _, h := range in.Headers {
		rec.Headers = append(rec.Headers, broker.Header{Key: h.Key, Value: h.Value})
	}
	return rec, nil
}

// checkOutputs reads every topic the expected outputs name (and, for a
// case expecting no output at all, the topics of the streams and tables the
// statements derive) and compares.
func checkOutputs(ctx context.Context, eng Engine, info statementInfo, d *Decoded, serdeFor func(string) *topicSerde) string {
	var order []string
	byTopic := map[string][]expected{}
	for i, o := range d.Outputs {
		e, err := parseExpected(o)
		if err != nil {
			return fmt.Sprintf("output %d: %v", i, err)
		}
		if _, ok := byTopic[o.Topic]; !ok {
			order = append(order, o.Topic)
		}
		byTopic[o.Topic] = append(byTopic[o.Topic], e)
	}
	if len(d.Outputs) == 0 {
		for _, n := range info.sinks {
			if src := sourceOnTopicName(eng, n); src != nil {
				if _, ok := byTopic[src.Topic]; !ok {
					order = append(order, src.Topic)
					byTopic[src.Topic] = nil
				}
			}
		}
	}
	for _, topic := range order {
		s := serdeFor(topic)
		got, partitions, err := readTopic(ctx, eng.Log(), topic, s)
		if err != nil {
			return fmt.Sprintf("topic %s: %v", topic, err)
		}
		if d := compareTopic(topic, byTopic[topic], got, partitions <= 1, s.key().shape(), s.value().shape()); d != "" {
			return d
		}
	}
	return ""
}

func sourceOnTopicName(eng Engine, name string) *planner.Source {
	if src, ok := eng.Source(name); ok {
		return src
	}
	if src, ok := eng.Source(strings.ToUpper(name)); ok {
		return src
	}
	return nil
}

// readTopic reads a whole topic, committed records only, partition by
// partition, and decodes each record.
func readTopic(ctx context.Context, log broker.Log, topic string, s *topicSerde) ([]actual, int, error) {
	desc, err := log.DescribeTopic(ctx, topic)
	if err != nil {
		return nil, 0, err
	}
	var out []actual
	for _, p := range desc.Partitions {
		rd, err := log.NewReader(broker.TopicPartition{Topic: topic, Partition: p.Partition},
			broker.ReaderOptions{Offset: broker.OffsetEarliest, Isolation: broker.ReadCommitted})
		if err != nil {
			return nil, 0, err
		}
		for {
			recs, err := rd.Fetch(ctx)
			if err != nil {
				rd.Close()
				return nil, 0, err
			}
			if len(recs) == 0 {
				break
			}
			for _, rec := range recs {
				a, err := decodeRecord(s, rec)
				if err != nil {
					rd.Close()
					return nil, 0, fmt.Errorf("partition %d offset %d: %v", rec.Partition, rec.Offset, err)
				}
				out = append(out, a)
			}
		}
		rd.Close()
	}
	return out, len(desc.Partitions), nil
}

func decodeRecord(s *topicSerde, rec broker.Record) (actual, error) {
	a := actual{Timestamp: rec.Timestamp, Partition: rec.Partition, Offset: rec.Offset}
	key := rec.Key
	if s.src != nil && s.src.Window != nil && key != nil {
		var err error
		if key, a.Window, err = splitWindow(key, s.src.Window); err != nil {
			return a, err
		}
	}
	var err error
	if a.Key, err = s.key().decode(key); err != nil {
		return a, fmt.Errorf("key %q: %v", key, err)
	}
	if a.Value, err = s.value().decode(rec.Value); err != nil {
		return a, fmt.Errorf("value %q: %v", rec.Value, err)
	}
	for _, h := range rec.Headers {
		var v []byte
		if h.Value != nil {
			v = append([]byte{}, h.Value...)
		}
		a.Headers = append(a.Headers, Header{Key: h.Key, Value: v})
	}
	return a, nil
}
