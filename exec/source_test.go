package exec

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// pushed is a row a push query delivered, with its metadata.
type pushed struct {
	row  []any
	meta types.RowMeta
}

// runPush appends recs to a fresh one-partition topic, runs spec as a push
// query from the beginning until caught up, and returns what it delivered
// and what went to the processing log.
func runPush(t *testing.T, spec *QuerySpec, recs []broker.Record) ([]pushed, []ProcessingError) {
	t.Helper()
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, spec.Source.Topic, 1, broker.DurabilityNone)
	if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: spec.Source.Topic}, recs); err != nil {
		t.Fatal(err)
	}
	plog := &memProcessingLog{}
	rt := NewRuntime(l, RuntimeOptions{ProcessingLog: plog})
	defer rt.Close()
	var mu sync.Mutex
	var out []pushed
	spec.Source.FromBeginning = true
	q, err := rt.StartPush(context.Background(), spec, func(row []any, m types.RowMeta) error {
		mu.Lock()
		out = append(out, pushed{row, m})
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, q)
	stop(t, q)
	return out, plog.all()
}

func sourceSpec(cols []types.Column, keyFormat, valueFormat string) SourceSpec {
	s := types.MustSchema(cols...)
	var key, val []types.Column
	for _, c := range cols {
		switch {
		case c.Key:
			key = append(key, c)
		case !c.Headers:
			val = append(val, c)
		}
	}
	return SourceSpec{
		Topic: "in", Partitions: 1, Schema: s,
		Key:             SerdeSpec{Format: keyFormat, Columns: key},
		Value:           SerdeSpec{Format: valueFormat, Columns: val},
		TimestampColumn: -1,
	}
}

func TestSourceTimestampColumn(t *testing.T) {
	cols := []types.Column{
		{Name: "ID", Type: types.IntegerType, Key: true},
		{Name: "TS", Type: types.BigintType},
		{Name: "EVENT_TIME", Type: types.StringType},
	}
	idKey := func(i int32) []byte { return []byte{0, 0, 0, byte(i)} }
	recs := []broker.Record{
		{Key: idKey(1), Value: []byte(`{"ts":1000,"event_time":"2024-01-02 03:04:05"}`), Timestamp: 5},
		{Key: idKey(2), Value: []byte(`{"ts":null,"event_time":"garbage"}`), Timestamp: 6},
		{Key: idKey(3), Value: []byte(`{"ts":-1,"event_time":"2024-01-02 03:04:06"}`), Timestamp: 7},
	}
	for _, tc := range []struct {
		name     string
		col      int
		format   string
		rowtimes []int64
		errs     int
	}{
		{"record timestamp", -1, "", []int64{5, 6, 7}, 0},
		{"bigint column", 1, "", []int64{1000}, 2},
		{"string column with format", 2, "yyyy-MM-dd HH:mm:ss", []int64{1704164645000, 1704164646000}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := &QuerySpec{ID: "PUSH", Source: sourceSpec(cols, format.Kafka, format.JSON)}
			spec.Source.TimestampColumn, spec.Source.TimestampFormat = tc.col, tc.format
			out, errs := runPush(t, spec, recs)
			var got []int64
			for _, p := range out {
				got = append(got, p.meta.Rowtime)
			}
			if !reflect.DeepEqual(got, tc.rowtimes) || len(errs) != tc.errs {
				t.Fatalf("rowtimes %v, %d errors %v; want %v, %d errors", got, len(errs), errs, tc.rowtimes, tc.errs)
			}
			for _, e := range errs {
				if e.Kind != "deserialization" || e.Topic != "in" || e.Offset < 1 {
					t.Fatalf("processing error %+v", e)
				}
			}
		})
	}
}

func TestSourceHeadersAndNullValues(t *testing.T) {
	hdrType := types.ArrayOf(types.StructOf(
		types.Field{Name: "KEY", Type: types.StringType},
		types.Field{Name: "VALUE", Type: types.BytesType}))
	cols := []types.Column{
		{Name: "K", Type: types.StringType, Key: true},
		{Name: "V", Type: types.BigintType},
		{Name: "ALL_HEADERS", Type: hdrType, Headers: true},
		{Name: "TRACE", Type: types.BytesType, Headers: true},
	}
	spec := &QuerySpec{ID: "PUSH", Source: sourceSpec(cols, format.Kafka, format.JSON)}
	spec.Source.HeaderColumns = map[int]string{2: "", 3: "trace"}
	recs := []broker.Record{
		{Key: []byte("a"), Value: []byte(`{"v":1}`), Headers: []broker.Header{{Key: "trace", Value: []byte("t1")}, {Key: "trace", Value: []byte("t2")}}},
		{Key: []byte("b"), Value: nil},
		{Key: nil, Value: []byte(`{"v":3}`), Headers: []broker.Header{{Key: "nothing", Value: nil}}},
		{Key: []byte("d"), Value: []byte(`{"v":`)},
	}
	out, errs := runPush(t, spec, recs)
	if len(out) != 3 || len(errs) != 1 || errs[0].Offset != 3 {
		t.Fatalf("%d rows, errors %+v; want 3 rows and the truncated record at offset 3", len(out), errs)
	}
	hdr := func(k, v string) any {
		return &types.Struct{Type: hdrType.Elem, Values: []any{k, []byte(v)}}
	}
	want := []pushed{
		{[]any{"a", int64(1), []any{hdr("trace", "t1"), hdr("trace", "t2")}, []byte("t2")}, types.RowMeta{Key: []byte("a")}},
		{[]any{"b", nil, []any{}, nil}, types.RowMeta{Key: []byte("b"), Offset: 1, Change: types.Delete}},
		{[]any{nil, int64(3), []any{&types.Struct{Type: hdrType.Elem, Values: []any{"nothing", nil}}}, nil}, types.RowMeta{Offset: 2}},
	}
	for i := range want {
		got := out[i]
		got.meta.Rowtime = 0
		if !reflect.DeepEqual(got.row, want[i].row) || !reflect.DeepEqual(got.meta, want[i].meta) {
			t.Errorf("row %d: %#v %#v\nwant %#v %#v", i, got.row, got.meta, want[i].row, want[i].meta)
			if len(got.row) > 2 {
				if l, ok := got.row[2].([]any); ok && len(l) > 0 {
					t.Logf("header struct: %#v", l[0])
				}
			}
		}
	}
}

// TestSinkRecords checks what the sink writes: null values for deleted
// rows, keyless records on the input partition's number, the TIMESTAMP
// column as the record timestamp, input headers forwarded, and expression errors as NULL plus a
// processing log entry.
func TestSinkRecords(t *testing.T) {
	cols := []types.Column{
		{Name: "K", Type: types.StringType, Key: true},
		{Name: "V", Type: types.BigintType},
	}
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "in", 2, broker.DurabilityNone)
	createTopic(t, l, "out", 2, broker.DurabilityNone)
	for p, recs := range [][]broker.Record{
		{{Key: []byte("a"), Value: []byte(`{"v":10}`), Timestamp: 1, Headers: []broker.Header{{Key: "h", Value: []byte("x")}, {Key: "n"}}},
			{Key: []byte("b"), Value: nil, Timestamp: 2}},
		{{Key: nil, Value: []byte(`{"v":0}`), Timestamp: 3}},
	} {
		if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "in", Partition: int32(p)}, recs); err != nil {
			t.Fatal(err)
		}
	}
	src := sourceSpec(cols, format.Kafka, format.JSON)
	src.Partitions, src.FromBeginning = 2, true
	outSchema := types.MustSchema(
		types.Column{Name: "K", Type: types.StringType, Key: true},
		types.Column{Name: "INV", Type: types.BigintType},
		types.Column{Name: "T", Type: types.BigintType})
	inverse := EvalReading([]int{1}, func(row []any) (any, error) {
		v, ok := row[1].(int64)
		if !ok {
			return nil, nil
		}
		if v == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		return 100 / v, nil
	})
	rowtimePlus := EvalReading([]int{2}, func(row []any) (any, error) { return row[2].(int64) + 1000, nil })
	spec := &QuerySpec{
		ID: "CSAS", Source: src,
		Operators: []Operator{NewProject(outSchema, []Evaluator{ColumnRef(0), inverse, rowtimePlus})},
		Sink: &SinkSpec{
			Topic: "out", Partitions: 2, KeyColumns: []int{0}, ValueColumns: []int{1},
			Key:             SerdeSpec{Format: format.Kafka, Columns: outSchema.Columns[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: outSchema.Columns[1:2]},
			TimestampColumn: 2,
		},
	}
	plog := &memProcessingLog{}
	rt := NewRuntime(l, RuntimeOptions{ProcessingLog: plog})
	defer rt.Close()
	q, err := rt.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, q)
	stop(t, q)
	got := map[string]outRecord{}
	for _, r := range readAll(t, l, "out") {
		got[r.Key+"|"+r.Value] = r
	}
	part := func(k string) int32 { return broker.PartitionForKey([]byte(k), 2) }
	want := []outRecord{
		{Partition: part("a"), Key: "a", Value: `{"INV":10}`, Timestamp: 1001, Headers: `h="x",n=""`},
		{Partition: part("b"), Key: "b", Value: "", Timestamp: 1002},
		{Partition: 1, Key: "", Value: `{"INV":null}`, Timestamp: 1003},
	}
	if len(got) != len(want) {
		t.Fatalf("output %+v", got)
	}
	for _, w := range want {
		g, ok := got[w.Key+"|"+w.Value]
		if !ok || g.Partition != w.Partition || g.Timestamp != w.Timestamp || g.Headers != w.Headers {
			t.Errorf("want %+v, got %+v (all: %+v)", w, g, got)
		}
	}
	errs := plog.all()
	if len(errs) != 1 || errs[0].Kind != "expression" || errs[0].Partition != 1 || errs[0].Offset != 0 {
		t.Fatalf("processing log %+v", errs)
	}
}

// TestWaitCaughtUpFailsWhenStopped: WaitCaughtUp does not hang on a query
// that ends.
func TestWaitCaughtUpFailsWhenStopped(t *testing.T) {
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "hot", 1, broker.DurabilityNone)
	rt := NewRuntime(l, RuntimeOptions{})
	defer rt.Close()
	q, err := rt.Start(context.Background(), hotSpec(t, "Q", "readings", "hot", 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	q.Pause()
	produce(t, l, "readings", 1, 0, 10)
	errc := make(chan error, 1)
	go func() { errc <- q.WaitCaughtUp(context.Background()) }()
	stop(t, q)
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("WaitCaughtUp succeeded on a query stopped before catching up")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WaitCaughtUp hung")
	}
}

// TestThrowOnInvalidTimestamp: with ksql.timestamp.throw.on.invalid the
// query stops on a bad timestamp, with Kafka Streams' message.
func TestThrowOnInvalidTimestamp(t *testing.T) {
	cols := []types.Column{{Name: "ID", Type: types.BigintType}, {Name: "TS", Type: types.StringType}}
	l := openLog(t, t.TempDir())
	defer l.Close()
	createTopic(t, l, "in", 1, broker.DurabilityNone)
	if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "in"},
		[]broker.Record{{Value: []byte(`{"id":2,"ts":"!!!!"}`)}}); err != nil {
		t.Fatal(err)
	}
	spec := &QuerySpec{ID: "PUSH", Source: sourceSpec(cols, format.Kafka, format.JSON)}
	spec.Source.TimestampColumn, spec.Source.TimestampFormat = 1, "yy-MM-dd HH:mm:ssX"
	spec.Source.ThrowOnInvalidTimestamp, spec.Source.FromBeginning = true, true
	rt := NewRuntime(l, RuntimeOptions{})
	defer rt.Close()
	q, err := rt.StartPush(context.Background(), spec, func([]any, types.RowMeta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-q.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("query kept running")
	}
	if err := q.Err(); !errors.Is(err, ErrInvalidTimestamp) ||
		!strings.Contains(err.Error(), "Fatal user code error in TimestampExtractor callback for record") || q.State() != StateError {
		t.Fatalf("state %s, err %v", q.State(), err)
	}
}

// TestSinkDropsInvalidTimestamps: a NULL or negative TIMESTAMP column
// value drops the row into the processing log.
func TestSinkDropsInvalidTimestamps(t *testing.T) {
	s := types.MustSchema(types.Column{Name: "ID", Type: types.BigintType}, types.Column{Name: "TS", Type: types.BigintType})
	bb := types.NewBatchBuilder(nil, s)
	for i, ts := range []any{int64(5), int64(-2), nil, int64(0)} {
		if err := bb.AppendRow(types.RowMeta{Offset: int64(i)}, []any{int64(i), ts}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	plog := &memProcessingLog{}
	tc := &TaskContext{QueryID: "Q", Topic: "in", Log: plog}
	free := make(chan *outBuf, 1)
	free <- &outBuf{parts: make([][]broker.Record, 1)}
	sk, err := newSink(&SinkSpec{Topic: "out", Partitions: 1, ValueColumns: []int{0},
		Value: SerdeSpec{Format: format.JSON, Columns: s.Columns[:1]}, TimestampColumn: 1}, s, tc, free)
	if err != nil {
		t.Fatal(err)
	}
	n, err := sk.add(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	buf := sk.take()
	var ts []int64
	for _, r := range buf.parts[0] {
		ts = append(ts, r.Timestamp)
	}
	errs := plog.all()
	if n != 2 || !reflect.DeepEqual(ts, []int64{5, 0}) || len(errs) != 2 || errs[0].Offset != 1 || errs[1].Offset != 2 ||
		errs[0].Kind != "serialization" {
		t.Fatalf("added %d, timestamps %v, processing log %+v", n, ts, errs)
	}
}
