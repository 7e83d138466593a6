package format

import (
	stdjson "encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/buger/jsonparser"
	gojson "github.com/goccy/go-json"
	"github.com/valyala/fastjson"

	"github.com/sluicedb/sluice/types"
)

// JSON hot-path benchmarks on our records. Each decoder fills a
// types.BatchBuilder with the same columns (matched case-insensitively, as
// the engine must), 1024 records per batch; each encoder writes the same
// rows back out. Run per core with:
//
//	go test -run XXX -bench JSON -cpu 1 ./format
//
// b.SetBytes is the record size, so MB/s is input (decode) or output
// (encode) bytes; records/s is reported as a metric.

type benchRecord struct {
	name   string
	record string
	cols   []types.Column
}

var benchRecords = []benchRecord{
	{
		name:   "device",
		record: `{"deviceId":"d-17","temperature":61.2,"humidity":33,"ts":1700000000123}`,
		cols: []types.Column{col("DEVICEID", types.StringType), col("TEMPERATURE", types.DoubleType),
			col("HUMIDITY", types.IntegerType), col("TS", types.TimestampType)},
	},
	{
		name:   "nexmark-bid",
		record: `{"auction":1000,"bidder":2001,"price":12345,"channel":"Google","url":"https://www.nexmark.com/abc/item.htm?query=1","dateTime":1700000000123,"extra":"..."}`,
		cols: []types.Column{col("AUCTION", types.BigintType), col("BIDDER", types.BigintType), col("PRICE", types.BigintType),
			col("CHANNEL", types.StringType), col("URL", types.StringType), col("DATETIME", types.TimestampType), col("EXTRA", types.StringType)},
	},
}

const benchBatch = 1024

// runDecode drives decodeOne over batches of benchBatch records.
func runDecode(b *testing.B, rec benchRecord, decodeOne func(data []byte, bb *types.BatchBuilder, out []*types.ColumnBuilder) error) {
	data := []byte(rec.record)
	bb := types.NewBatchBuilder(nil, types.MustSchema(rec.cols...))
	defer bb.Release()
	out, _ := BuildersFor(bb, rec.cols)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := decodeOne(data, bb, out); err != nil {
			b.Fatal(err)
		}
		bb.AppendMeta(types.RowMeta{})
		if bb.Len() == benchBatch {
			batch, err := bb.NewBatch()
			if err != nil {
				b.Fatal(err)
			}
			batch.Release()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// columnIndex matches a field name to a column the way every decoder here
// must: case-insensitively.
func columnIndex(cols []types.Column, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// appendGeneric appends a value produced by a generic decoder (float64 for
// numbers, string, bool, nil) to a column.
func appendGeneric(cb *types.ColumnBuilder, v any) {
	switch x := v.(type) {
	case nil:
		cb.AppendNull()
	case string:
		cb.AppendString(x)
	case float64:
		switch cb.Type().Kind {
		case types.Double:
			cb.AppendFloat64(x)
		case types.Integer:
			cb.AppendInt32(int32(x))
		case types.Bigint:
			cb.AppendInt64(int64(x))
		case types.TimestampKind:
			cb.AppendTimestamp(types.Timestamp(x))
		}
	case bool:
		cb.AppendBool(x)
	}
}

func appendFromMap(m map[string]any, cols []types.Column, out []*types.ColumnBuilder, seen []bool) {
	clear(seen)
	for k, v := range m {
		if i := columnIndex(cols, k); i >= 0 {
			appendGeneric(out[i], v)
			seen[i] = true
		}
	}
	for i, s := range seen {
		if !s {
			out[i].AppendNull()
		}
	}
}

func BenchmarkJSONDecode(b *testing.B) {
	jsonDecodeCases(func(name string, f func(*testing.B)) { b.Run(name, f) })
}

func jsonDecodeCases(run func(string, func(*testing.B))) {
	for _, rec := range benchRecords {
		run(rec.name+"/sluice", func(b *testing.B) {
			dec, _ := jsonFormat{}.NewDecoder(rec.cols, Options{})
			runDecode(b, rec, func(data []byte, _ *types.BatchBuilder, out []*types.ColumnBuilder) error {
				_, err := dec.DecodeInto(data, out)
				return err
			})
		})
		run(rec.name+"/encoding-json-map", func(b *testing.B) {
			seen := make([]bool, len(rec.cols))
			runDecode(b, rec, func(data []byte, _ *types.BatchBuilder, out []*types.ColumnBuilder) error {
				var m map[string]any
				if err := stdjson.Unmarshal(data, &m); err != nil {
					return err
				}
				appendFromMap(m, rec.cols, out, seen)
				return nil
			})
		})
		run(rec.name+"/encoding-json-struct", func(b *testing.B) {
			// encoding/json's best case: a struct known at compile time
			// (it matches field names case-insensitively by itself).
			runDecode(b, rec, func(data []byte, _ *types.BatchBuilder, out []*types.ColumnBuilder) error {
				return decodeStruct(stdjson.Unmarshal, rec.name, data, out)
			})
		})
		run(rec.name+"/goccy-go-json-map", func(b *testing.B) {
			seen := make([]bool, len(rec.cols))
			runDecode(b, rec, func(data []byte, _ *types.BatchBuilder, out []*types.ColumnBuilder) error {
				var m map[string]any
				if err := gojson.Unmarshal(data, &m); err != nil {
					return err
				}
				appendFromMap(m, rec.cols, out, seen)
				return nil
			})
		})
		run(rec.name+"/fastjson", func(b *testing.B) {
			var p fastjson.Parser
			seen := make([]bool, len(rec.cols))
			runDecode(b, rec, func(data []byte, _ *types.BatchBuilder, out []*types.ColumnBuilder) error {
				v, err := p.ParseBytes(data)
				if err != nil {
					return err
				}
				o, err := v.Object()
				if err != nil {
					return err
				}
				clear(seen)
				o.Visit(func(k []byte, v *fastjson.Value) {
					i := columnIndex(rec.cols, string(k))
					if i < 0 {
						return
					}
					seen[i] = true
					cb := out[i]
					switch cb.Type().Kind {
					case types.String:
						s, _ := v.StringBytes()
						cb.AppendStringBytes(s)
					case types.Double:
						cb.AppendFloat64(v.GetFloat64())
					case types.Integer:
						cb.AppendInt32(int32(v.GetInt()))
					case types.Bigint:
						cb.AppendInt64(v.GetInt64())
					case types.TimestampKind:
						cb.AppendTimestamp(types.Timestamp(v.GetInt64()))
					}
				})
				for i, s := range seen {
					if !s {
						out[i].AppendNull()
					}
				}
				return nil
			})
		})
		run(rec.name+"/jsonparser", func(b *testing.B) {
			seen := make([]bool, len(rec.cols))
			runDecode(b, rec, func(data []byte, _ *types.BatchBuilder, out []*types.ColumnBuilder) error {
				clear(seen)
				err := jsonparser.ObjectEach(data, func(k, v []byte, _ jsonparser.ValueType, _ int) error {
					i := columnIndex(rec.cols, string(k))
					if i < 0 {
						return nil
					}
					seen[i] = true
					cb := out[i]
					switch cb.Type().Kind {
					case types.String:
						s, err := jsonparser.ParseString(v)
						if err != nil {
							return err
						}
						cb.AppendString(s)
					case types.Double:
						f, err := jsonparser.ParseFloat(v)
						if err != nil {
							return err
						}
						cb.AppendFloat64(f)
					case types.Integer:
						n, err := jsonparser.ParseInt(v)
						if err != nil {
							return err
						}
						cb.AppendInt32(int32(n))
					case types.Bigint, types.TimestampKind:
						n, err := jsonparser.ParseInt(v)
						if err != nil {
							return err
						}
						if cb.Type().Kind == types.Bigint {
							cb.AppendInt64(n)
						} else {
							cb.AppendTimestamp(types.Timestamp(n))
						}
					}
					return nil
				})
				for i, s := range seen {
					if !s {
						out[i].AppendNull()
					}
				}
				return err
			})
		})
	}
}

// benchBatchOf decodes benchBatch copies of the record into a batch for the
// encoders to read.
func benchBatchOf(b *testing.B, rec benchRecord) *types.Batch {
	dec, _ := jsonFormat{}.NewDecoder(rec.cols, Options{})
	bb := types.NewBatchBuilder(nil, types.MustSchema(rec.cols...))
	defer bb.Release()
	out, _ := BuildersFor(bb, rec.cols)
	for i := 0; i < benchBatch; i++ {
		if _, err := dec.DecodeInto([]byte(rec.record), out); err != nil {
			b.Fatal(err)
		}
		bb.AppendMeta(types.RowMeta{})
	}
	batch, err := bb.NewBatch()
	if err != nil {
		b.Fatal(err)
	}
	return batch
}

func runEncode(b *testing.B, rec benchRecord, encodeOne func(dst []byte, batch *types.Batch, row int) ([]byte, error)) {
	batch := benchBatchOf(b, rec)
	defer batch.Release()
	var buf []byte
	var err error
	buf, _ = encodeOne(buf, batch, 0)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if buf, err = encodeOne(buf[:0], batch, i%benchBatch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkJSONEncode(b *testing.B) {
	jsonEncodeCases(func(name string, f func(*testing.B)) { b.Run(name, f) })
}

func jsonEncodeCases(run func(string, func(*testing.B))) {
	for _, rec := range benchRecords {
		idx := make([]int, len(rec.cols))
		for i := range idx {
			idx[i] = i
		}
		run(rec.name+"/sluice", func(b *testing.B) {
			enc, _ := jsonFormat{}.NewEncoder(rec.cols, Options{})
			runEncode(b, rec, func(dst []byte, batch *types.Batch, row int) ([]byte, error) {
				return enc.EncodeBatchRow(dst, batch, idx, row)
			})
		})
		// The libraries get a map built from the row view, the generic
		// way to serialize a dynamic schema.
		toMap := func(batch *types.Batch, row int) map[string]any {
			m := make(map[string]any, len(rec.cols))
			for i, c := range rec.cols {
				v := batch.Value(i, row)
				if ts, ok := v.(types.Timestamp); ok {
					v = int64(ts)
				}
				m[c.Name] = v
			}
			return m
		}
		run(rec.name+"/encoding-json-map", func(b *testing.B) {
			runEncode(b, rec, func(dst []byte, batch *types.Batch, row int) ([]byte, error) {
				out, err := stdjson.Marshal(toMap(batch, row))
				return append(dst, out...), err
			})
		})
		run(rec.name+"/encoding-json-struct", func(b *testing.B) {
			runEncode(b, rec, func(dst []byte, batch *types.Batch, row int) ([]byte, error) {
				out, err := stdjson.Marshal(structOf(rec.name, batch, row))
				return append(dst, out...), err
			})
		})
		run(rec.name+"/goccy-go-json-map", func(b *testing.B) {
			runEncode(b, rec, func(dst []byte, batch *types.Batch, row int) ([]byte, error) {
				out, err := gojson.Marshal(toMap(batch, row))
				return append(dst, out...), err
			})
		})
	}
}

// TestBenchDecodersAgree guards the benchmark: every decoder must produce
// the same batch, or the comparison means nothing.
func TestBenchDecodersAgree(t *testing.T) {
	for _, rec := range benchRecords {
		dec, _ := jsonFormat{}.NewDecoder(rec.cols, Options{})
		row, err := dec.DecodeRow([]byte(rec.record), nil)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := stdjson.Unmarshal([]byte(rec.record), &m); err != nil {
			t.Fatal(err)
		}
		for k, v := range m {
			i := columnIndex(rec.cols, k)
			got := types.Format(row[i])
			want := ""
			switch x := v.(type) {
			case string:
				want = x
			case float64:
				if rec.cols[i].Type.Kind == types.TimestampKind {
					want = types.Timestamp(int64(x)).String()
				} else if rec.cols[i].Type.Kind == types.Double {
					want = types.FormatDouble(x)
				} else {
					want = strconv.FormatInt(int64(x), 10)
				}
			}
			if got != want {
				t.Errorf("%s: column %s = %s, encoding/json says %s", rec.name, rec.cols[i].Name, got, want)
			}
		}
		enc, _ := jsonFormat{}.NewEncoder(rec.cols, Options{})
		out, err := enc.EncodeRow(nil, row)
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]any
		if err := stdjson.Unmarshal(out, &back); err != nil || len(back) != len(m) {
			t.Fatalf("%s: encoded %s: %v", rec.name, out, err)
		}
	}
}

func BenchmarkDelimited(b *testing.B) {
	delimitedCases(func(name string, f func(*testing.B)) { b.Run(name, f) })
}

func delimitedCases(run func(string, func(*testing.B))) {
	rec := benchRecords[0]
	line := []byte("d-17,61.2,33,1700000000123")
	run("decode", func(b *testing.B) {
		dec, _ := delimitedFormat{}.NewDecoder(rec.cols, Options{})
		runDecode(b, benchRecord{rec.name, string(line), rec.cols}, func(data []byte, _ *types.BatchBuilder, out []*types.ColumnBuilder) error {
			_, err := dec.DecodeInto(data, out)
			return err
		})
	})
	run("encode", func(b *testing.B) {
		enc, _ := delimitedFormat{}.NewEncoder(rec.cols, Options{})
		idx := []int{0, 1, 2, 3}
		runEncode(b, rec, func(dst []byte, batch *types.Batch, row int) ([]byte, error) {
			return enc.EncodeBatchRow(dst, batch, idx, row)
		})
	})
}

// deviceRec and bidRec are the benchmark records as Go structs, the
// fastest way to use encoding/json when the schema is known when compiling.
type deviceRec struct {
	DeviceID    *string  `json:"DEVICEID"`
	Temperature *float64 `json:"TEMPERATURE"`
	Humidity    *int32   `json:"HUMIDITY"`
	TS          *int64   `json:"TS"`
}

type bidRec struct {
	Auction  *int64  `json:"AUCTION"`
	Bidder   *int64  `json:"BIDDER"`
	Price    *int64  `json:"PRICE"`
	Channel  *string `json:"CHANNEL"`
	URL      *string `json:"URL"`
	DateTime *int64  `json:"DATETIME"`
	Extra    *string `json:"EXTRA"`
}

func appendOpt[T any](cb *types.ColumnBuilder, p *T, f func(T)) {
	if p == nil {
		cb.AppendNull()
		return
	}
	f(*p)
}

func decodeStruct(unmarshal func([]byte, any) error, name string, data []byte, out []*types.ColumnBuilder) error {
	if name == "device" {
		var r deviceRec
		if err := unmarshal(data, &r); err != nil {
			return err
		}
		appendOpt(out[0], r.DeviceID, out[0].AppendString)
		appendOpt(out[1], r.Temperature, out[1].AppendFloat64)
		appendOpt(out[2], r.Humidity, out[2].AppendInt32)
		appendOpt(out[3], r.TS, func(v int64) { out[3].AppendTimestamp(types.Timestamp(v)) })
		return nil
	}
	var r bidRec
	if err := unmarshal(data, &r); err != nil {
		return err
	}
	appendOpt(out[0], r.Auction, out[0].AppendInt64)
	appendOpt(out[1], r.Bidder, out[1].AppendInt64)
	appendOpt(out[2], r.Price, out[2].AppendInt64)
	appendOpt(out[3], r.Channel, out[3].AppendString)
	appendOpt(out[4], r.URL, out[4].AppendString)
	appendOpt(out[5], r.DateTime, func(v int64) { out[5].AppendTimestamp(types.Timestamp(v)) })
	appendOpt(out[6], r.Extra, out[6].AppendString)
	return nil
}

func ptr[T any](v T) *T { return &v }

func structOf(name string, b *types.Batch, row int) any {
	if name == "device" {
		return deviceRec{ptr(b.StringView(0, row)), ptr(b.Float64s(1)[row]), ptr(b.Int32s(2)[row]), ptr(int64(b.TimestampAt(3, row)))}
	}
	return bidRec{ptr(b.Int64s(0)[row]), ptr(b.Int64s(1)[row]), ptr(b.Int64s(2)[row]), ptr(b.StringView(3, row)),
		ptr(b.StringView(4, row)), ptr(int64(b.TimestampAt(5, row))), ptr(b.StringView(6, row))}
}

// BenchmarkRecordDecoder is the whole source path for a Nexmark bid: a
// KAFKA STRING key and a JSON value, decoded atomically into one batch.
func BenchmarkRecordDecoder(b *testing.B) {
	rec := benchRecords[1]
	cols := append([]types.Column{{Name: "K", Type: types.StringType, Key: true}}, rec.cols...)
	bb := types.NewBatchBuilder(nil, types.MustSchema(cols...))
	defer bb.Release()
	d, err := NewRecordDecoder(bb, SourceOptions{KeyFormat: Kafka, ValueFormat: JSON})
	if err != nil {
		b.Fatal(err)
	}
	key, value := []byte("auction-1000"), []byte(rec.record)
	b.SetBytes(int64(len(key) + len(value)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Append(key, value, types.RowMeta{Offset: int64(i)}); err != nil {
			b.Fatal(err)
		}
		if bb.Len() == benchBatch {
			batch, err := bb.NewBatch()
			if err != nil {
				b.Fatal(err)
			}
			batch.Release()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// TestBenchInterleaved runs every JSON and DELIMITED benchmark case in
// rounds, round-robin, and keeps each case's best time. On a shared, busy
// machine this compares decoders far more fairly than running each
// benchmark to completion in turn. Opt in with SLUICE_BENCH_ROUNDS=N
// (e.g. 10); the table goes to the test log.
func TestBenchInterleaved(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv("SLUICE_BENCH_ROUNDS"))
	if rounds <= 0 {
		t.Skip("set SLUICE_BENCH_ROUNDS to run")
	}
	type benchCase struct {
		name  string
		f     func(*testing.B)
		best  float64 // ns/op
		bytes int64
	}
	var cases []*benchCase
	collect := func(prefix string) func(string, func(*testing.B)) {
		return func(name string, f func(*testing.B)) {
			cases = append(cases, &benchCase{name: prefix + name, f: f, best: math.Inf(1)})
		}
	}
	jsonDecodeCases(collect("decode/"))
	jsonEncodeCases(collect("encode/"))
	delimitedCases(collect("delimited/"))
	for r := 0; r < rounds; r++ {
		for _, c := range cases {
			res := testing.Benchmark(c.f)
			if res.N == 0 {
				t.Fatalf("%s failed", c.name)
			}
			if ns := float64(res.T.Nanoseconds()) / float64(res.N); ns < c.best {
				c.best, c.bytes = ns, res.Bytes
			}
		}
	}
	baseline := map[string]float64{}
	for _, c := range cases {
		if strings.HasSuffix(c.name, "/encoding-json-map") {
			baseline[strings.TrimSuffix(c.name, "encoding-json-map")] = c.best
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "best of %d interleaved rounds, GOMAXPROCS=%d\n", rounds, runtime.GOMAXPROCS(0))
	fmt.Fprintf(&out, "%-45s %10s %12s %10s %s\n", "case", "ns/op", "records/s", "MB/s", "vs encoding/json map")
	for _, c := range cases {
		ratio := ""
		if i := strings.LastIndex(c.name, "/"); i >= 0 {
			if base, ok := baseline[c.name[:i+1]]; ok {
				ratio = fmt.Sprintf("%.1fx", base/c.best)
			}
		}
		fmt.Fprintf(&out, "%-45s %10.1f %12.0f %10.1f %s\n", c.name, c.best, 1e9/c.best, float64(c.bytes)*1e3/c.best, ratio)
	}
	t.Log("\n" + out.String())
}
