package conformance

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestExpand(t *testing.T) {
	var c Case
	if err := json.Unmarshal([]byte(`{
		"name": "n",
		"format": ["JSON", "AVRO"],
		"config": ["true", "false"],
		"properties": {"ksql.flag": "{CONFIG}", "n": 3, "b": true},
		"statements": ["CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='{FORMAT}');"]
	}`), &c); err != nil {
		t.Fatal(err)
	}
	f := &File{Path: "/x/qtt/stem.json", Stem: "stem", Cases: []*Case{&c}}
	tests := Expand([]*File{f})
	var names []string
	for _, tt := range tests {
		names = append(names, tt.Name)
	}
	want := []string{
		"stem - n - JSON - ksql.flag=true", "stem - n - JSON - ksql.flag=false",
		"stem - n - AVRO - ksql.flag=true", "stem - n - AVRO - ksql.flag=false",
	}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("names = %q, want %q", names, want)
	}
	last := tests[3]
	if got := last.Statements[0]; got != "CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='AVRO');" {
		t.Errorf("statement = %q", got)
	}
	wantProps := map[string]string{"ksql.flag": "false", "n": "3", "b": "true"}
	if !reflect.DeepEqual(last.Properties, wantProps) {
		t.Errorf("properties = %v, want %v", last.Properties, wantProps)
	}
	if got := last.SortedProperties(); got[0][0] != "b" || got[2][0] != "n" {
		t.Errorf("sorted properties = %v", got)
	}
	if f.Label() != "qtt/stem.json" {
		t.Errorf("label = %q", f.Label())
	}

	plain := ExpandCase(f, &Case{Name: "p", Statements: []string{"x"}})
	if len(plain) != 1 || plain[0].Name != "stem - p" || plain[0].Properties != nil {
		t.Errorf("case without lists: %+v", plain[0])
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		format          string
		stmts           []string
		stateless, core bool
	}{
		{"", []string{"CREATE STREAM O AS SELECT * FROM I WHERE A > 1;"}, true, true},
		{"", []string{"CREATE TABLE O AS SELECT A, COUNT(*) FROM I GROUP BY A;"}, false, true},
		{"", []string{"CREATE STREAM O AS SELECT * FROM I JOIN T ON I.A = T.A;"}, false, true},
		{"", []string{"CREATE STREAM O AS SELECT COUNT(*) FROM I;"}, false, true},
		{"", []string{"CREATE STREAM O AS SELECT test_udaf(A) FROM I;"}, false, true},
		{"", []string{"CREATE STREAM O AS SELECT ABS(A) AS COUNTER FROM I;"}, true, true},
		{"", []string{"CREATE TABLE O AS SELECT A, COUNT(*) FROM I WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY A;"}, false, true},
		{"AVRO", []string{"CREATE STREAM O AS SELECT * FROM I;"}, true, false},
		{"", []string{"CREATE STREAM I (A INT) WITH (kafka_topic='t', value_format='DELIMITED', key_format='KAFKA');"}, true, true},
		{"", []string{"CREATE STREAM I (A INT) WITH (kafka_topic='t', format='PROTOBUF');"}, true, false},
	}
	for _, tt := range tests {
		c := &Case{Name: "c", Statements: tt.stmts}
		test := ExpandCase(&File{Stem: "f"}, c)[0]
		test.Format = tt.format
		stateless, core := classify(test)
		if stateless != tt.stateless || core != tt.core {
			t.Errorf("classify(%q, %q) = %v, %v; want %v, %v", tt.format, tt.stmts, stateless, core, tt.stateless, tt.core)
		}
	}
}

func TestMissingFormat(t *testing.T) {
	c := &Case{Name: "c", Statements: []string{"CREATE STREAM I (A INT) WITH (kafka_topic='t', value_format='AVRO');"}}
	test := ExpandCase(&File{Stem: "f"}, c)[0]
	if got := missingFormat(test); got != "AVRO" {
		t.Errorf("missingFormat = %q, want AVRO", got)
	}
	c.Statements = []string{"CREATE STREAM I (A INT) WITH (kafka_topic='t', value_format='FOO');"}
	test = ExpandCase(&File{Stem: "f"}, c)[0]
	if got := missingFormat(test); got != "" {
		t.Errorf("an unknown format is the engine's to reject, not a SKIP; got %q", got)
	}
}

func TestInspectStatements(t *testing.T) {
	info := inspect([]string{
		"CREATE STREAM A (ID INT KEY) WITH (kafka_topic='a', value_format='JSON');",
		"CREATE STREAM B (ID INT KEY) WITH (kafka_topic='b', value_format='JSON', partitions=4);",
		"CREATE STREAM C AS SELECT * FROM A;",
		"not sql at all",
	})
	if !reflect.DeepEqual(info.sources, []string{"A", "B", "C"}) || !reflect.DeepEqual(info.sinks, []string{"C"}) {
		t.Errorf("sources %v, sinks %v", info.sources, info.sinks)
	}
	if !info.declared["b"] || info.declared["a"] || !reflect.DeepEqual(info.named, []string{"a"}) {
		t.Errorf("declared %v, named %v", info.declared, info.named)
	}
}
