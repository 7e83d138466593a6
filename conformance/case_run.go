package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/planner"
)

// runTest runs one test into r.
func runTest(ctx context.Context, t *Test, opts Options, r *Result) {
	c := t.Case
	switch {
	case !c.IsEnabled():
		r.skip(KindDisabled, "disabled in the corpus")
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
	responses, err := decodeResponses(c.Responses)
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
	restCase := len(t.Case.Responses) > 0 || t.Case.RestError != nil
	eng, err := opts.Open(ctx, EngineConfig{Dir: dir, Functions: reg, Properties: props, Now: epoch, REST: restCase})
	if err != nil {
		r.fail(KindHarness, "open engine: "+err.Error())
		return
	}
	defer eng.Close()
	log := eng.Log()
	info := inspect(t.Statements)
	querier, _ := eng.(Querier)
	if len(responses) > 0 && querier == nil {
		r.skip(KindREST, "the engine runs no transient queries, which REST responses need")
		return
	}

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

	// judge records the verdict on a rejected statement (i counts from 0).
	judge := func(i int, err error) {
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
	}

	// The SELECTs of a case with REST responses run after the other
	// statements (and usually after the inputs), as ksqlDB's REST harness
	// sends them.
	var selects []int
	lines := 0
	rest := c.RestError != nil || len(responses) > 0
	for i, s := range t.Statements {
		// ksqlDB's harness joins the statements with newlines and parses
		// them as one script, so positions in its messages count lines from
		// the first statement; leading newlines reproduce that. The REST
		// harness (RQTT) sends each SELECT as a request of its own.
		if rest && isSelect(s) && querier != nil {
			selects = append(selects, i)
			continue
		}
		text := strings.Repeat("\n", lines) + s
		if rest && isSelect(s) {
			text = s
		} else {
			lines += strings.Count(s, "\n") + 1
		}
		if err := eng.Execute(ctx, text); err != nil {
			judge(i, err)
			return
		}
	}
	queries := map[int]*Rows{}
	defer func() {
		for _, q := range queries {
			q.Close()
		}
	}()
	startQueries := func() bool {
		for _, i := range selects {
			q, err := querier.Query(ctx, t.Statements[i])
			if err != nil {
				judge(i, err)
				return false
			}
			queries[i] = q
		}
		return true
	}
	if want != nil {
		if !startQueries() {
			return
		}
		if len(d.Inputs) == 0 {
			r.fail(KindAccepted, fmt.Sprintf("every statement was accepted; want an error containing %q", want.Message))
			return
		}
		// The exception may come from a query processing the inputs
		// (ksql.timestamp.throw.on.invalid): the case passes when a query
		// stops with it.
	}
	// queryFailed judges a failure to catch up in a case that expects an
	// exception: a query stopped with the expected message passes it.
	queryFailed := func(err error) bool {
		if want == nil {
			return false
		}
		if err != nil && ctx.Err() == nil && strings.Contains(err.Error(), want.Message) {
			r.Outcome = Pass
			r.Reason = "a query stopped with the expected error: " + oneLine(err.Error())
		} else if err == nil {
			r.fail(KindAccepted, fmt.Sprintf("every statement was accepted and every query caught up; want an error containing %q", want.Message))
		} else {
			r.fail(KindAccepted, fmt.Sprintf("every statement was accepted; the queries stopped with another error: %s; want an error containing %q", oneLine(err.Error()), want.Message))
		}
		return true
	}
	if c.InputConditions != nil && c.InputConditions.WaitForActivePushQuery && !startQueries() {
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
				if queryFailed(err) {
					return
				}
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
	if err := eng.WaitCaughtUp(ctx); err != nil || want != nil {
		if queryFailed(err) {
			return
		}
		if ctx.Err() != nil {
			r.fail(KindTimeout, "queries did not catch up: "+err.Error())
		} else {
			r.fail(KindOutput, "queries did not catch up: "+err.Error())
		}
		return
	}
	if len(selects) > 0 && len(queries) == 0 && !startQueries() {
		return
	}
	ordered := c.OutputConditions != nil && c.OutputConditions.VerifyOrder
	for _, i := range selects {
		if i >= len(responses) || responses[i] == nil {
			continue
		}
		if reason := checkQuery(ctx, i+1, queries[i], responses[i], ordered); reason != "" {
			r.fail(KindOutput, reason)
			return
		}
	}

	if reason := checkOutputs(ctx, eng, info, d, rest, serdeFor); reason != "" {
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
// QTT case expecting no output at all, the topics of the streams and tables
// the statements derive) and compares. A REST case (rest) checks only the
// topics its outputs name, as ksqlDB's REST harness does: its cases often
// give none and check the query responses instead.
func checkOutputs(ctx context.Context, eng Engine, info statementInfo, d *Decoded, rest bool, serdeFor func(string) *topicSerde) string {
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
	if len(d.Outputs) == 0 && !rest {
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
