package cli

import (
	"context"
	"reflect"
	"testing"
)

// TestCompleter checks completion against names the engine reports, so it
// covers the SHOW/DESCRIBE round trip as well as the matching.
func TestCompleter(t *testing.T) {
	ctx := context.Background()
	b, err := OpenEmbedded(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, st := range []string{
		"CREATE STREAM orders (order_id INT KEY, amount DOUBLE) WITH (kafka_topic='orders', value_format='JSON', partitions=1);",
		"CREATE TABLE owners (owner STRING PRIMARY KEY, since BIGINT) WITH (kafka_topic='owners', value_format='JSON', partitions=1);",
	} {
		if _, err := b.Execute(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	c := newCompleter(b)
	do := func(line string) []string {
		cands, n := c.Do([]rune(line), len([]rune(line)))
		var out []string
		for _, cand := range cands {
			out = append(out, line[len(line)-n:]+string(cand))
		}
		return out
	}
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"SELECT * FROM ORD", []string{"ORDERS "}},
		{"select * from ord", []string{"orders "}},
		{"DESCRIBE ", []string{"ORDERS ", "OWNERS ", "SLUICE_PROCESSING_LOG "}},
		{"SELECT ORDER_", []string{"ORDER_ID "}},
		{"SELECT UCAS", []string{"UCASE "}},
		{"SELECT ", nil},
		{"EMIT CHAN", []string{"CHANGES "}},
		{"SELECT AMOUNT, SIN", []string{"SINCE ", "SIN "}},
	} {
		got := do(tc.line)
		if tc.line == "SELECT AMOUNT, SIN" {
			// SIN is a function if the library has it; SINCE is the
			// column either way.
			if len(got) == 0 || !contains(got, "SINCE ") {
				t.Errorf("%q: got %q, want SINCE among them", tc.line, got)
			}
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
	// A new source shows up after the catalog changed.
	if _, err := b.Execute(ctx, "CREATE STREAM zebra (z INT) WITH (kafka_topic='zebra', value_format='JSON', partitions=1);"); err != nil {
		t.Fatal(err)
	}
	if got := do("FROM ZEB"); got != nil {
		t.Errorf("names are cached until invalidated, got %q", got)
	}
	c.invalidate()
	if got := do("FROM ZEB"); !reflect.DeepEqual(got, []string{"ZEBRA "}) {
		t.Errorf("after invalidate: %q", got)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
