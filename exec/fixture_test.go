package exec

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// The pipeline the runtime tests, the crash test and the benchmarks share:
//
//	CREATE STREAM READINGS (K STRING KEY, ID BIGINT, SENSOR STRING,
//	  TEMP DOUBLE, HUM INTEGER, SITE STRING, STATUS STRING, TS BIGINT)
//	  WITH (KAFKA_TOPIC='readings', KEY_FORMAT='KAFKA', VALUE_FORMAT='JSON');
//	CREATE STREAM HOT AS SELECT K, ID, SENSOR, UCASE(SITE) AS SITE, TEMP
//	  FROM READINGS WHERE TEMP > 20.0;
//
// built by hand, as the planner would lay it out.

var readingCols = []types.Column{
	{Name: "K", Type: types.StringType, Key: true},
	{Name: "ID", Type: types.BigintType},
	{Name: "SENSOR", Type: types.StringType},
	{Name: "TEMP", Type: types.DoubleType},
	{Name: "HUM", Type: types.IntegerType},
	{Name: "SITE", Type: types.StringType},
	{Name: "STATUS", Type: types.StringType},
	{Name: "TS", Type: types.BigintType},
}

var hotCols = []types.Column{
	{Name: "K", Type: types.StringType, Key: true},
	{Name: "ID", Type: types.BigintType},
	{Name: "SENSOR", Type: types.StringType},
	{Name: "SITE", Type: types.StringType},
	{Name: "TEMP", Type: types.DoubleType},
}

// hotSpec returns the query's spec reading topic in and writing out.
func hotSpec(tb testing.TB, id, in, out string, inParts, outParts int) *QuerySpec {
	tb.Helper()
	spec, err := newHotSpec(id, in, out, inParts, outParts)
	if err != nil {
		tb.Fatal(err)
	}
	return spec
}

func newHotSpec(id, in, out string, inParts, outParts int) (*QuerySpec, error) {
	src := types.MustSchema(readingCols...)
	dst := types.MustSchema(hotCols...)
	call, err := functions.Builtins().Resolve("UCASE", functions.TypeArgs(types.StringType))
	if err != nil {
		return nil, err
	}
	ucase, err := call.Scalar()
	if err != nil {
		return nil, err
	}
	col := func(i int) Evaluator { return ColumnRef(i) }
	pred := EvalReading([]int{3}, func(row []any) (any, error) {
		t, ok := row[3].(float64)
		if !ok {
			return nil, nil
		}
		return t > 20.0, nil
	})
	upper := EvalReading([]int{5}, func(row []any) (any, error) {
		if row[5] == nil {
			return nil, nil
		}
		return ucase([]any{row[5]})
	})
	return &QuerySpec{
		ID: id,
		Source: SourceSpec{
			Topic: in, Partitions: inParts, Schema: src,
			Key:             SerdeSpec{Format: format.Kafka, Columns: readingCols[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: readingCols[1:]},
			TimestampColumn: -1,
			FromBeginning:   true,
		},
		Operators: []Operator{
			NewFilter(src, pred),
			NewProject(dst, []Evaluator{col(0), col(1), col(2), upper, col(3)}),
		},
		Sink: &SinkSpec{
			Topic: out, Partitions: outParts,
			KeyColumns: []int{0}, ValueColumns: []int{1, 2, 3, 4},
			Key:             SerdeSpec{Format: format.Kafka, Columns: hotCols[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: hotCols[1:]},
			TimestampColumn: -1,
		},
	}, nil
}

// reading is the i-th generated input event: 115 to 122 bytes of JSON, keys
// cycling over 64 sensors, one in eight too cold to pass the filter.
func reading(i int) broker.Record {
	sensor := "sensor-" + strconv.Itoa(i%64)
	temp := 15.5 + float64(i%8)*2.5
	v := fmt.Sprintf(`{"id":%d,"sensor":"%s","temp":%.2f,"hum":%d,"site":"site-%d","status":"nominal","unit":"C","ts":%d}`,
		i, sensor, temp, 30+i%40, i%16, 1700000000000+int64(i))
	return broker.Record{Key: []byte(sensor), Value: []byte(v), Timestamp: 1700000000000 + int64(i)}
}

// hotExpected says whether reading(i) passes the filter.
func hotExpected(i int) bool { return 15.5+float64(i%8)*2.5 > 20.0 }

func openLog(tb testing.TB, dir string) *commitlog.Log {
	tb.Helper()
	l, err := commitlog.Open(dir, commitlog.Options{CleanupInterval: -1})
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// openTestState opens the state DB under dir/state for the rest of the
// test (closed by the test's cleanup).
func openTestState(tb testing.TB, dir string) *state.DB {
	tb.Helper()
	db, err := state.Open(filepath.Join(dir, "state"), state.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func createTopic(tb testing.TB, l broker.Log, name string, parts int, d broker.Durability) {
	tb.Helper()
	if err := l.CreateTopic(context.Background(), name, broker.TopicConfig{Partitions: parts, Durability: d}); err != nil {
		tb.Fatal(err)
	}
}

// produce appends records [from, to) to topic, spreading keys over
// partitions with murmur2 as a Kafka producer would, in appends of up
// to 2,000 records per partition, building at most 100,000 at a time.
func produce(tb testing.TB, l broker.Log, topic string, parts, from, to int) {
	tb.Helper()
	recs := make([]broker.Record, 0, max(0, min(to-from, 100_000)))
	for i := from; i < to; i++ {
		recs = append(recs, reading(i))
		if len(recs) == cap(recs) || i == to-1 {
			appendByKey(tb, l, topic, parts, 2000, recs)
			recs = recs[:0]
		}
	}
}

// appendByKey appends recs to topic, each to the partition of its key,
// keeping their order per partition, in appends of up to batch records.
func appendByKey(tb testing.TB, l broker.Log, topic string, parts, batch int, recs []broker.Record) {
	tb.Helper()
	byPart := make([][]broker.Record, parts)
	flush := func(p int) {
		if len(byPart[p]) == 0 {
			return
		}
		if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: topic, Partition: int32(p)}, byPart[p]); err != nil {
			tb.Fatal(err)
		}
		byPart[p] = byPart[p][:0]
	}
	for _, r := range recs {
		p := int(broker.PartitionForKey(r.Key, parts))
		byPart[p] = append(byPart[p], r)
		if len(byPart[p]) == batch {
			flush(p)
		}
	}
	for p := range byPart {
		flush(p)
	}
}

// outRecord is a committed output record, copied.
type outRecord struct {
	Partition int32
	Offset    int64
	Key       string
	Value     string
	Timestamp int64
	Headers   string
}

// readAll returns every committed record of a topic, per partition in
// offset order.
func readAll(tb testing.TB, l broker.Log, topic string) []outRecord {
	tb.Helper()
	d, err := l.DescribeTopic(context.Background(), topic)
	if err != nil {
		tb.Fatal(err)
	}
	var out []outRecord
	for _, p := range d.Partitions {
		r, err := l.NewReader(broker.TopicPartition{Topic: topic, Partition: p.Partition},
			broker.ReaderOptions{Offset: broker.OffsetEarliest, Isolation: broker.ReadCommitted})
		if err != nil {
			tb.Fatal(err)
		}
		for {
			recs, err := r.Fetch(context.Background())
			if err != nil {
				tb.Fatal(err)
			}
			if len(recs) == 0 {
				break
			}
			for _, rec := range recs {
				var hs []string
				for _, h := range rec.Headers {
					hs = append(hs, fmt.Sprintf("%s=%q", h.Key, h.Value))
				}
				out = append(out, outRecord{rec.Partition, rec.Offset, string(rec.Key), string(rec.Value), rec.Timestamp, strings.Join(hs, ",")})
			}
		}
		r.Close()
	}
	return out
}

// checkHot verifies the output of the hot query over readings [0, n): every
// expected event exactly once, with the right key, value and timestamp,
// and, per key, in input order. It returns the number of records.
func checkHot(tb testing.TB, out []outRecord, n int) {
	tb.Helper()
	seen := map[int64]bool{}
	last := map[string]int64{}
	missing, dups, disorder := 0, 0, 0
	for _, r := range out {
		var v struct {
			ID     int64
			SENSOR string
			SITE   string
			TEMP   float64
		}
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			tb.Fatalf("output value %q: %v", r.Value, err)
		}
		id := v.ID
		if seen[id] {
			dups++
			continue
		}
		seen[id] = true
		if prev, ok := last[r.Key]; ok && prev > id {
			disorder++
		}
		last[r.Key] = id
		i := int(id)
		in := reading(i)
		if r.Key != string(in.Key) || v.SENSOR != string(in.Key) || v.SITE != "SITE-"+strconv.Itoa(i%16) ||
			v.TEMP != 15.5+float64(i%8)*2.5 || r.Timestamp != in.Timestamp {
			tb.Fatalf("output for id %d: key %q value %s ts %d; input key %q value %s ts %d",
				i, r.Key, r.Value, r.Timestamp, in.Key, in.Value, in.Timestamp)
		}
		if !hotExpected(i) {
			tb.Fatalf("id %d should have been filtered out", i)
		}
	}
	for i := 0; i < n; i++ {
		if hotExpected(i) && !seen[int64(i)] {
			missing++
		}
	}
	if missing+dups+disorder > 0 {
		tb.Fatalf("output of %d records: %d missing, %d duplicated, %d out of order per key", len(out), missing, dups, disorder)
	}
}

// memProcessingLog collects processing errors.
type memProcessingLog struct {
	mu   sync.Mutex
	errs []ProcessingError
}

func (l *memProcessingLog) Record(e ProcessingError) {
	l.mu.Lock()
	l.errs = append(l.errs, e)
	l.mu.Unlock()
}

func (l *memProcessingLog) all() []ProcessingError {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ProcessingError(nil), l.errs...)
}
