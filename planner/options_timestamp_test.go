package planner

import (
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser"
)

// TestThrowOnInvalidTimestamp: ksql.timestamp.throw.on.invalid reaches the
// source spec, so that exec stops the query on an unreadable timestamp
// instead of skipping the record.
func TestThrowOnInvalidTimestamp(t *testing.T) {
	cat := newMemCatalog()
	st, err := parser.ParseStatement("CREATE STREAM s (k STRING KEY, ts STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1, timestamp='ts', timestamp_format='yyyy-MM-dd');")
	if err != nil {
		t.Fatal(err)
	}
	src, err := AnalyzeCreateSource(st.(*ast.CreateSource), cat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cat.add(src)
	q, err := parser.ParseStatement("SELECT * FROM s EMIT CHANGES;")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		props map[string]string
		want  bool
	}{
		{nil, false},
		{map[string]string{PropTimestampThrowOnInvalid: "true"}, true},
		{map[string]string{PropTimestampThrowOnInvalid: " TRUE "}, true},
		{map[string]string{PropTimestampThrowOnInvalid: "false"}, false},
	} {
		p, err := PlanQuery(q.(*ast.QueryStatement).Query, cat, Options{Properties: tc.props, QueryID: "Q"})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Spec.Source.ThrowOnInvalidTimestamp; got != tc.want {
			t.Errorf("properties %v: ThrowOnInvalidTimestamp %v, want %v", tc.props, got, tc.want)
		}
	}
}
