package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// Every failure of Execute is an *Error with a code; user mistakes are
// never server errors.
func TestExecuteErrorsAreTyped(t *testing.T) {
	env := newTestEnv(t, Config{})
	for _, c := range []struct {
		sql  string
		code int
	}{
		{"SELEC 1;", CodeBadStatement},
		{"CREATE STREAM s (a INT) WITH (kafka_topic='s');", CodeBadStatement},
		{"DROP STREAM nope;", CodeBadStatement},
		{"TERMINATE nope;", CodeBadStatement},
		{"ASSERT TOPIC nope TIMEOUT 0 SECONDS;", CodeAssertionFailed},
		{"SELECT * FROM ${v} EMIT CHANGES;", CodeBadStatement},
	} {
		_, err := env.s.Execute(env.ctx, c.sql)
		var ee *Error
		if !errors.As(err, &ee) {
			t.Errorf("%s: error %v (%T), want *Error", c.sql, err, err)
			continue
		}
		if ee.Code != c.code || ee.Statement == "" || ee.Message == "" {
			t.Errorf("%s: %+v, want code %d with statement and message", c.sql, ee, c.code)
		}
	}
	env.e.Close()
	_, err := env.s.Execute(env.ctx, "SHOW STREAMS;")
	var ee *Error
	if !errors.As(err, &ee) || ee.Code != CodeShuttingDown || !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// A script stops at its first failing statement and returns the results
// of those before it; DEFINE affects only later statements.
func TestExecuteStopsAtFirstError(t *testing.T) {
	env := newTestEnv(t, Config{})
	rs, err := env.s.Execute(env.ctx, `DEFINE a = 'x';
SET 'auto.offset.reset' = 'earliest';
DROP STREAM ${a};
SET 'never' = 'reached';`)
	if len(rs) != 1 || err == nil || !strings.Contains(err.Error(), "X") {
		t.Fatalf("results %v, error %v", rs, err)
	}
	if _, ok := env.s.Overrides()["never"]; ok {
		t.Fatal("statement after the error ran")
	}
}

// DESCRIBE EXTENDED reports live metrics of the queries writing a source.
func TestDescribeExtendedMetrics(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, `SET 'auto.offset.reset' = 'earliest';
CREATE STREAM m_in (k STRING KEY, v INT) WITH (kafka_topic='m_in', value_format='JSON', partitions=2);
INSERT INTO m_in (k, v) VALUES ('a', 1);
INSERT INTO m_in (k, v) VALUES ('b', 2);
INSERT INTO m_in (k, v) VALUES ('c', 3);
CREATE STREAM m_out AS SELECT k, v FROM m_in WHERE v > 1 EMIT CHANGES;`)
	if err := env.e.WaitCaughtUp(env.ctx); err != nil {
		t.Fatal(err)
	}
	rs := mustExec(t, env, "DESCRIBE m_out EXTENDED;")
	d := rs[0].(*SourceDescription)
	if d.Metrics.RecordsIn != 3 || d.Metrics.RecordsOut != 2 || d.Metrics.Commits == 0 || d.Metrics.Lag != 0 {
		t.Fatalf("metrics %+v", d.Metrics)
	}
	if len(d.WriteQueries) != 1 || d.WriteQueries[0].ID != "CSAS_M_OUT_0" {
		t.Fatalf("writers %+v", d.WriteQueries)
	}
	rs = mustExec(t, env, "DESCRIBE m_in EXTENDED;")
	if d := rs[0].(*SourceDescription); len(d.ReadQueries) != 1 {
		t.Fatalf("readers %+v", d.ReadQueries)
	}
	rs = mustExec(t, env, "EXPLAIN CSAS_M_OUT_0;")
	if ex := rs[0].(*Explanation); ex.State != "RUNNING" || !strings.Contains(ex.Plan, "M_IN") {
		t.Fatalf("explain %+v", ex)
	}
}

func mustExec(t *testing.T, env *testEnv, sql string) []Result {
	t.Helper()
	rs, err := env.s.Execute(env.ctx, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rs
}

// Sessions are independent and the engine serialises catalog changes:
// concurrent sessions creating, listing and dropping keep the catalog and
// the command topic consistent (run with -race).
func TestConcurrentSessions(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE STREAM src (k STRING KEY, v INT) WITH (kafka_topic='src', value_format='JSON', partitions=1);")
	const workers, rounds = 4, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := env.e.NewSession()
			s.Execute(env.ctx, fmt.Sprintf("SET 'x' = '%d';", w))
			for r := 0; r < rounds; r++ {
				name := fmt.Sprintf("d_%d_%d", w, r)
				sql := fmt.Sprintf("CREATE STREAM %s AS SELECT * FROM src EMIT CHANGES; SHOW QUERIES; DESCRIBE %s EXTENDED;", name, name)
				if _, err := s.Execute(env.ctx, sql); err != nil {
					errs <- err
				}
				if r%2 == 0 {
					if _, err := s.Execute(env.ctx, "INSERT INTO src (k, v) VALUES ('k', 1);"); err != nil {
						errs <- err
					}
				}
				if s.Overrides()["x"] != fmt.Sprint(w) {
					errs <- fmt.Errorf("session %d sees another session's property", w)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(env.e.Catalog().Queries()); n != workers*rounds {
		t.Fatalf("%d queries, want %d", n, workers*rounds)
	}
	ids := map[string]bool{}
	for _, q := range env.e.Catalog().Queries() {
		ids[q.ID] = true
	}
	env.restart()
	for _, q := range env.e.Catalog().Queries() {
		if !ids[q.ID] {
			t.Fatalf("query %s appeared on restart", q.ID)
		}
	}
	if n := len(env.e.Catalog().Queries()); n != workers*rounds {
		t.Fatalf("after restart %d queries, want %d", n, workers*rounds)
	}
	ctx, cancel := context.WithTimeout(env.ctx, 30*time.Second)
	defer cancel()
	if err := env.e.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
}

// A crash in the middle of an INSERT VALUES leaves a transaction open in
// the command topic. The next engine must abort it when it starts, or the
// commands it appends after it would be invisible to the replay after that.
func TestOpenAbortsDanglingInsertTransaction(t *testing.T) {
	env := newTestEnv(t, Config{})
	env.e.Close()
	env.e = nil
	ctx := env.ctx
	p, err := env.log.NewProducer(ctx, broker.ProducerOptions{TransactionalID: insertTxnID})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Append(ctx, broker.TopicPartition{Topic: CommandTopic}, []broker.Record{{Value: []byte(`{"statement":"INSERT INTO x VALUES (1);","kind":"data"}`)}}); err != nil {
		t.Fatal(err)
	}
	// The "crashed" producer is abandoned with its transaction open.
	env.open()
	mustExec(t, env, "CREATE STREAM after_crash (a INT) WITH (kafka_topic='after_crash', value_format='JSON', partitions=1);")
	env.restart()
	if _, ok := env.e.Catalog().Source("AFTER_CRASH"); !ok {
		t.Fatal("the statement applied after the crash was lost on restart")
	}
}

// A push query's stream ends when the caller closes it and when the engine
// closes, and neither waits for rows that will never come.
func TestPushQueryEnds(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE STREAM p (k STRING KEY, v INT) WITH (kafka_topic='p', value_format='JSON', partitions=2);")
	rs := mustExec(t, env, "SELECT * FROM p EMIT CHANGES;")
	first := rs[0].(*RowStream)
	rs = mustExec(t, env, "SELECT k FROM p WHERE v > 1 EMIT CHANGES;")
	second := rs[0].(*RowStream)
	mustExec(t, env, "INSERT INTO p (k, v) VALUES ('a', 2);")
	ctx, cancel := context.WithTimeout(env.ctx, 20*time.Second)
	defer cancel()
	row, ok := second.Next(ctx)
	if !ok || len(row) != 1 || row[0] != "a" {
		t.Fatalf("row %v %v (%v)", row, ok, second.Err())
	}
	rs = mustExec(t, env, "SHOW QUERIES;")
	if ql := rs[0].(*QueryList); len(ql.Queries) != 2 || ql.Queries[0].Type != "PUSH" || ql.Queries[0].State != "RUNNING" {
		t.Fatalf("SHOW QUERIES %+v", ql.Queries)
	}
	first.Close()
	first.Close() // twice is fine
	mustExec(t, env, "TERMINATE "+second.QueryID+";")
	if _, ok := second.Next(ctx); ok {
		t.Fatal("row after TERMINATE")
	}
	rs = mustExec(t, env, "SHOW QUERIES;")
	if ql := rs[0].(*QueryList); len(ql.Queries) != 0 {
		t.Fatalf("after Close and TERMINATE: %+v", ql.Queries)
	}
	rs = mustExec(t, env, "SELECT k FROM p EMIT CHANGES;")
	second = rs[0].(*RowStream)
	if _, ok := first.Next(ctx); ok {
		t.Fatal("row after Close")
	}
	done := make(chan bool)
	go func() {
		_, ok := second.Next(ctx)
		done <- ok
	}()
	env.e.Close()
	select {
	case ok := <-done:
		if ok {
			t.Fatal("row after the engine closed")
		}
	case <-ctx.Done():
		t.Fatal("Next did not return when the engine closed")
	}
}

// A command that no longer applies is logged and skipped on replay; the
// rest of the deployment comes up.
func TestReplaySkipsCommandsThatNoLongerApply(t *testing.T) {
	var logged []string
	var mu sync.Mutex
	env := newTestEnv(t, Config{Logf: func(f string, a ...any) {
		mu.Lock()
		logged = append(logged, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	mustExec(t, env, "CREATE STREAM keep (a INT) WITH (kafka_topic='keep', value_format='JSON', partitions=1);")
	if _, err := env.e.cmds.append(env.ctx, command{Statement: "CREATE STREAM broken (a INT) WITH (kafka_topic='nowhere', value_format='JSON');", Kind: kindCatalog}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.e.cmds.append(env.ctx, command{Statement: "THIS IS NOT SQL", Kind: kindCatalog}); err != nil {
		t.Fatal(err)
	}
	env.restart()
	if _, ok := env.e.Catalog().Source("KEEP"); !ok {
		t.Fatal("KEEP lost")
	}
	if _, ok := env.e.Catalog().Source("BROKEN"); ok {
		t.Fatal("BROKEN applied although its topic does not exist")
	}
	mu.Lock()
	defer mu.Unlock()
	if n := len(logged); n < 2 {
		t.Fatalf("logged %q", logged)
	}
}

// Set and Define are SET and DEFINE for values that come with a request.
func TestSessionSetDefine(t *testing.T) {
	env := newTestEnv(t, Config{})
	if err := env.s.Set("auto.offset.reset", "sideways"); err == nil {
		t.Fatal("bad value accepted")
	}
	if err := env.s.Set("auto.offset.reset", "earliest"); err != nil {
		t.Fatal(err)
	}
	env.s.Define("Topic", "t1")
	mustExec(t, env, "CREATE STREAM s (a INT) WITH (kafka_topic='${topic}', value_format='JSON', partitions=1);")
	src, _ := env.e.Catalog().Source("S")
	if src.Topic != "t1" || env.s.Properties()["auto.offset.reset"] != "earliest" {
		t.Fatalf("topic %q, properties %v", src.Topic, env.s.Overrides())
	}
}

// Close returns even when a push query's reader stopped reading and the
// query is blocked on its full buffer.
func TestCloseWithStalledPushQuery(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE STREAM st (k STRING KEY, v INT) WITH (kafka_topic='st', value_format='JSON', partitions=1);")
	l := env.log
	var recs []broker.Record
	for i := 0; i < 3*pushBuffer; i++ {
		recs = append(recs, broker.Record{Key: []byte("k"), Value: []byte(fmt.Sprintf(`{"V":%d}`, i))})
	}
	if _, err := l.Append(env.ctx, broker.TopicPartition{Topic: "st"}, recs); err != nil {
		t.Fatal(err)
	}
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	rs := mustExec(t, env, "SELECT * FROM st EMIT CHANGES;")
	stream := rs[0].(*RowStream)
	if _, ok := stream.Next(env.ctx); !ok { // it runs, then nobody reads
		t.Fatal(stream.Err())
	}
	done := make(chan error, 1)
	go func() { done <- env.e.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close hangs on a stalled push query")
	}
}

// A panic inside planning (here: a function whose result type panics)
// becomes a server error for that statement; the engine keeps working.
func TestPanicIsAServerError(t *testing.T) {
	reg := functions.NewRegistry()
	if err := reg.AddAll(functions.Builtins()); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(&functions.Function{Name: "BOOM", Kind: functions.Scalar, Description: "panics when typed",
		Signatures: []*functions.Signature{{
			Params:     []functions.Param{{Name: "x", Type: functions.Of(types.IntegerType)}},
			ReturnFunc: func([]*types.Type) (*types.Type, error) { panic("boom") },
			Eval:       func(args []any) (any, error) { return nil, nil },
		}}}); err != nil {
		t.Fatal(err)
	}
	var logs []string
	env := newTestEnv(t, Config{Functions: reg, Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }})
	mustExec(t, env, "CREATE STREAM b (a INT) WITH (kafka_topic='b', value_format='JSON', partitions=1);")
	_, err := env.s.Execute(env.ctx, "CREATE STREAM c AS SELECT BOOM(a) AS x FROM b EMIT CHANGES;")
	var ee *Error
	if !errors.As(err, &ee) || ee.Code != CodeServerError || !strings.Contains(ee.Message, "boom") {
		t.Fatalf("error %v", err)
	}
	mustExec(t, env, "SHOW STREAMS;")

	// A panic in the engine's own statement code is caught at the
	// statement boundary too (a nil statement stands in for a bug).
	_, err = env.s.safeDispatch(env.ctx, (*ast.DescribeSource)(nil), "DESCRIBE x;", nil)
	if !errors.As(err, &ee) || ee.Code != CodeServerError || len(logs) == 0 {
		t.Fatalf("error %v, logs %q", err, logs)
	}
	mustExec(t, env, "SHOW STREAMS;")
}
