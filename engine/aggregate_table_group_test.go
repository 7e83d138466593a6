package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// tableGroupRow is one output row of the table aggregations below.
type tableGroupRow struct{ N, TOTAL int64 }

// decodeTableGroupRow reads an output value in the format of the test.
func decodeTableGroupRow(t *testing.T, format string, v []byte) tableGroupRow {
	t.Helper()
	var r tableGroupRow
	if format == "JSON" {
		if err := json.Unmarshal(v, &r); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		return r
	}
	parts := strings.Split(string(v), ",")
	if len(parts) != 2 {
		t.Fatalf("%q: want two fields", v)
	}
	var err1, err2 error
	r.N, err1 = strconv.ParseInt(parts[0], 10, 64)
	r.TOTAL, err2 = strconv.ParseInt(parts[1], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatalf("%q: %v", v, err)
	}
	return r
}

// TestTableGroupByPartitions aggregates a 4-partition table by a value
// column, so its changes are regrouped through the repartition stage:
// random updates move rows between groups, tombstones delete them, rows
// that stop passing WHERE leave their group. The engine restarts half-way
// (with its state in memory, rebuilt from the changelogs, and in a state
// directory). The final rows must equal a batch recomputation over the
// table's final rows, and every group's updates must be in one partition.
func TestTableGroupByPartitions(t *testing.T) {
	for _, format := range []string{"JSON", "DELIMITED"} {
		for _, persisted := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/state_dir=%v", format, persisted), func(t *testing.T) {
				seed := time.Now().UnixNano()
				t.Logf("seed %d", seed)
				rng := rand.New(rand.NewPCG(uint64(seed), 7))
				cfg := Config{}
				if persisted {
					cfg.StateDir = t.TempDir()
				}
				env := newTestEnv(t, cfg)
				mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
				formats := "value_format='JSON'" // KAFKA keys
				if format == "DELIMITED" {
					formats = "format='DELIMITED'" // both sides: the repartition topic too
				}
				mustExec(t, env, "CREATE TABLE users (id STRING PRIMARY KEY, region STRING, score INT) WITH (kafka_topic='users', "+formats+", partitions=4);")
				mustExec(t, env, "CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(score) AS total FROM users WHERE score >= 0 GROUP BY region;")
				type user struct {
					region string
					score  int64
				}
				final := map[string]user{}
				ts := int64(1_700_000_000_000)
				write := func(n int) {
					for range n {
						id := fmt.Sprintf("u%d", rng.IntN(40))
						rec := broker.Record{Key: []byte(id), Timestamp: ts}
						ts++
						if rng.IntN(10) == 0 {
							delete(final, id)
						} else {
							u := user{fmt.Sprintf("r%d", rng.IntN(5)), int64(rng.IntN(24) - 3)}
							final[id] = u
							if format == "JSON" {
								rec.Value = fmt.Appendf(nil, `{"REGION":%q,"SCORE":%d}`, u.region, u.score)
							} else {
								rec.Value = fmt.Appendf(nil, "%s,%d", u.region, u.score)
							}
						}
						tp := broker.TopicPartition{Topic: "users", Partition: broker.PartitionForKey(rec.Key, 4)}
						if _, err := env.log.Append(env.ctx, tp, []broker.Record{rec}); err != nil {
							t.Fatal(err)
						}
					}
					if err := env.e.WaitCaughtUp(env.ctx); err != nil {
						t.Fatal(err)
					}
				}
				write(300)
				env.restart()
				write(300)

				recs, err := consumeAll(env.ctx, env.log, "BY_REGION")
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]tableGroupRow{}
				part := map[string]int32{}
				for _, r := range recs {
					k := string(r.Key)
					if p, ok := part[k]; ok && p != r.Partition {
						t.Fatalf("region %s in partitions %d and %d", k, p, r.Partition)
					}
					part[k] = r.Partition
					got[k] = decodeTableGroupRow(t, format, r.Value)
				}
				want := map[string]tableGroupRow{}
				for _, u := range final {
					if u.score < 0 {
						continue
					}
					w := want[u.region]
					w.N++
					w.TOTAL += u.score
					want[u.region] = w
				}
				for k, w := range want {
					if got[k] != w {
						t.Errorf("region %s: %+v, recomputation over the final table %+v", k, got[k], w)
					}
				}
				for k, g := range got {
					if _, ok := want[k]; !ok && g != (tableGroupRow{}) {
						t.Errorf("region %s: %+v, recomputation has no rows", k, g)
					}
				}
			})
		}
	}
}

// TestTableGroupByChanges checks the records a change of a 4-partition
// table makes, through the repartition stage: an update within a group is
// one update of it (the subtract does not show), a move subtracts from the
// old group then adds to the new one, a tombstone only subtracts; pull
// queries read the result; TERMINATE drops the stage's store of current
// rows with its changelog.
func TestTableGroupByChanges(t *testing.T) {
	env := newTestEnv(t, Config{StateDir: t.TempDir()})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE TABLE users (id STRING PRIMARY KEY, region STRING, score INT) WITH (kafka_topic='users', value_format='JSON', partitions=4);")
	mustExec(t, env, "CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(score) AS total FROM users GROUP BY region;")
	var want []string
	step := func(id, value string, expect ...string) {
		t.Helper()
		rec := broker.Record{Key: []byte(id), Timestamp: 1_700_000_000_000}
		if value != "" {
			rec.Value = []byte(value)
		}
		tp := broker.TopicPartition{Topic: "users", Partition: broker.PartitionForKey(rec.Key, 4)}
		if _, err := env.log.Append(env.ctx, tp, []broker.Record{rec}); err != nil {
			t.Fatal(err)
		}
		if err := env.e.WaitCaughtUp(env.ctx); err != nil {
			t.Fatal(err)
		}
		want = append(want, expect...)
	}
	step("u1", `{"REGION":"east","SCORE":5}`, "east 1 5")
	step("u1", `{"REGION":"east","SCORE":7}`, "east 1 7")
	step("u2", `{"REGION":"east","SCORE":1}`, "east 2 8")
	step("u1", `{"REGION":"west","SCORE":7}`, "east 1 1", "west 1 7")
	step("u2", "", "east 0 0")
	recs, err := consumeAll(env.ctx, env.log, "BY_REGION")
	if err != nil {
		t.Fatal(err)
	}
	// Records of one region are in order; regions may be in different
	// partitions, so compare per region.
	byRegion := func(rows []string) map[string][]string {
		m := map[string][]string{}
		for _, r := range rows {
			k, _, _ := strings.Cut(r, " ")
			m[k] = append(m[k], r)
		}
		return m
	}
	var got []string
	for _, r := range recs {
		v := decodeTableGroupRow(t, "JSON", r.Value)
		got = append(got, fmt.Sprintf("%s %d %d", r.Key, v.N, v.TOTAL))
	}
	if g, w := byRegion(got), byRegion(want); fmt.Sprint(g) != fmt.Sprint(w) {
		t.Fatalf("updates\n%v\nwant\n%v", g, w)
	}
	// Pull queries read the aggregation's state, wherever the group lives.
	if got, want := sortedText(pullRows(t, env, "SELECT * FROM by_region;").Rows), "[east 0 0]\n[west 1 7]"; got != want {
		t.Fatalf("pull query: %s, want %s", got, want)
	}
	if got, want := sortedText(pullRows(t, env, "SELECT n FROM by_region WHERE region = 'west';").Rows), "[1]"; got != want {
		t.Fatalf("pull lookup: %s, want %s", got, want)
	}
	rows := "_confluent-ksql-default_query_CTAS_BY_REGION_0-Aggregate-GroupBy-Source-changelog"
	if _, err := env.log.DescribeTopic(env.ctx, rows); err != nil {
		t.Fatalf("changelog of the current rows: %v", err)
	}
	groups := []string{"CTAS_BY_REGION_0", "CTAS_BY_REGION_0_REPARTITION"}
	for _, g := range groups {
		if offs, err := env.log.CommittedOffsets(env.ctx, g); err != nil || len(offs) == 0 {
			t.Fatalf("consumer group %s before TERMINATE: %v %v", g, offs, err)
		}
	}
	mustExec(t, env, "TERMINATE CTAS_BY_REGION_0;")
	if _, err := env.log.DescribeTopic(env.ctx, rows); !errors.Is(err, broker.ErrUnknownTopic) {
		t.Fatalf("changelog of the current rows after TERMINATE: %v", err)
	}
	// The query's and the stage's consumer groups are gone too.
	for _, g := range groups {
		if offs, err := env.log.CommittedOffsets(env.ctx, g); err != nil || len(offs) != 0 {
			t.Fatalf("consumer group %s after TERMINATE: %v %v", g, offs, err)
		}
	}
}

// TestTableGroupByPseudoColumns aggregates ROWTIME, ROWPARTITION and
// ROWOFFSET over a table with 1 and with 4 partitions: a retraction must
// subtract the values its row was added with (the row's own, carried
// through the repartition topic or kept with the row), so the sums equal
// a recomputation over the final rows' source records, whichever the
// layout.
func TestTableGroupByPseudoColumns(t *testing.T) {
	for _, parts := range []int32{1, 4} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			env := newTestEnv(t, Config{})
			mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
			mustExec(t, env, fmt.Sprintf("CREATE TABLE users (id STRING PRIMARY KEY, region STRING) WITH (kafka_topic='users', value_format='JSON', partitions=%d);", parts))
			mustExec(t, env, "CREATE TABLE by_region AS SELECT region, SUM(ROWTIME) AS t, SUM(ROWPARTITION) AS p, SUM(ROWOFFSET) AS o FROM users GROUP BY region;")
			type source struct {
				region  string
				t, p, o int64
			}
			final := map[string]source{}
			for i := range 200 {
				id := fmt.Sprintf("u%d", (i*7)%23)
				rec := broker.Record{Key: []byte(id), Timestamp: 1_700_000_000_000 + int64(i)}
				region := fmt.Sprintf("r%d", (i*5)%3)
				if i%9 != 8 {
					rec.Value = fmt.Appendf(nil, `{"REGION":%q}`, region)
				}
				tp := broker.TopicPartition{Topic: "users", Partition: broker.PartitionForKey(rec.Key, int(parts))}
				off, err := env.log.Append(env.ctx, tp, []broker.Record{rec})
				if err != nil {
					t.Fatal(err)
				}
				if rec.Value == nil {
					delete(final, id)
				} else {
					final[id] = source{region, rec.Timestamp, int64(tp.Partition), off}
				}
			}
			if err := env.e.WaitCaughtUp(env.ctx); err != nil {
				t.Fatal(err)
			}
			recs, err := consumeAll(env.ctx, env.log, "BY_REGION")
			if err != nil {
				t.Fatal(err)
			}
			type sums struct{ T, P, O int64 }
			got := map[string]sums{}
			for _, r := range recs {
				var v sums
				if err := json.Unmarshal(r.Value, &v); err != nil {
					t.Fatalf("%q: %v", r.Value, err)
				}
				got[string(r.Key)] = v
			}
			want := map[string]sums{}
			for _, s := range final {
				w := want[s.region]
				w.T, w.P, w.O = w.T+s.t, w.P+s.p, w.O+s.o
				want[s.region] = w
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("region %s: %+v, recomputation over the final rows %+v", k, got[k], w)
				}
			}
		})
	}
}
