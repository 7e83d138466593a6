package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sluicedb/sluice/functions"
)

// TestRESTEngine checks that a REST case really goes over HTTP: statements
// through /ksql (errors come back as REST error bodies with a 4xx status)
// and queries through /query, rows included.
func TestRESTEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reg := functions.NewRegistry()
	if err := reg.AddAll(functions.Builtins()); err != nil {
		t.Fatal(err)
	}
	eng, err := OpenEngine(ctx, EngineConfig{Dir: t.TempDir(), Functions: reg, Now: epoch, REST: true,
		Properties: map[string]string{"auto.offset.reset": "earliest"}})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if _, ok := eng.(*restEngine); !ok {
		t.Fatalf("a REST case got %T, not the REST front", eng)
	}
	for _, stmt := range []string{
		"CREATE STREAM S (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);",
		"INSERT INTO S (ID, V) VALUES (1, 'a');",
		"INSERT INTO S (ID, V) VALUES (2, 'b');",
	} {
		if err := eng.Execute(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	err = eng.Execute(ctx, "CREATE STREAM T AS SELECT * FROM NOPE;")
	var re *restError
	if !errors.As(err, &re) || re.Status/100 != 4 || re.Code == 0 || re.Message == "" {
		t.Fatalf("a bad statement gave %#v (%v), want a REST error body with a 4xx status", re, err)
	}
	rows, err := eng.(Querier).Query(ctx, "SELECT * FROM S EMIT CHANGES LIMIT 2;")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if len(rows.Columns) != 2 || rows.Columns[0].Name != "ID" || rows.Columns[1].Name != "V" {
		t.Fatalf("columns %+v", rows.Columns)
	}
	var got []string
	for {
		row, ok := rows.Next(ctx)
		if !ok {
			break
		}
		got = append(got, row[1].(string))
	}
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("rows %v, want a, b", got)
	}
}
