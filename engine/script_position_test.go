package engine

import (
	"errors"
	"testing"
)

// TestErrorPositionCountsScriptLines: a planner error in a later statement
// of a script prints its line and column across the script, as ksqlDB
// does, while Error.Pos stays relative to the statement for carets.
func TestErrorPositionCountsScriptLines(t *testing.T) {
	env := newTestEnv(t, Config{})
	for _, tc := range []struct {
		script, msg string
		line, col   int
	}{
		{"SELECT nope FROM unknown EMIT CHANGES;", "Line: 1, Col: 18: Source `UNKNOWN` does not exist.", 1, 18},
		{"CREATE STREAM a (k STRING KEY, v INT) WITH (kafka_topic='a', value_format='JSON', partitions=1);\nINSERT INTO a SELECT * FROM unknown;",
			"Line: 2, Col: 29: Source `UNKNOWN` does not exist.", 1, 29},
		{"CREATE STREAM b (k STRING KEY, v INT) WITH (kafka_topic='b', value_format='JSON', partitions=1);\n\n  INSERT INTO b\n  SELECT * FROM unknown;",
			"Line: 4, Col: 17: Source `UNKNOWN` does not exist.", 2, 17},
		{"SET 'auto.offset.reset'='earliest'; SELECT nope FROM unknown EMIT CHANGES;", "Line: 1, Col: 54: Source `UNKNOWN` does not exist.", 1, 18},
	} {
		_, err := env.s.Execute(env.ctx, tc.script)
		var ee *Error
		if !errors.As(err, &ee) {
			t.Fatalf("%q: error %v", tc.script, err)
		}
		if ee.Message != tc.msg || ee.Pos.Line != tc.line || ee.Pos.Col != tc.col {
			t.Errorf("%q:\n got %q at %d:%d\nwant %q at %d:%d", tc.script, ee.Message, ee.Pos.Line, ee.Pos.Col, tc.msg, tc.line, tc.col)
		}
	}
}
