package cli

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Interrupting a script (Ctrl-C in `-f` mode cancels the context) stops
// the running push query and the rest of the script, with status 130.
func TestRunFileInterrupted(t *testing.T) {
	b, err := OpenEmbedded(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var out lockedBuffer
	sh := New(Options{Backend: b, Out: &out, Err: &out})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	script := `CREATE STREAM s (id INT KEY) WITH (kafka_topic='s', value_format='JSON', partitions=1);
SET 'auto.offset.reset'='earliest';
INSERT INTO s (id) VALUES (7);
SELECT * FROM s EMIT CHANGES;
CREATE STREAM after_interrupt (id INT KEY) WITH (kafka_topic='t', value_format='JSON', partitions=1);
`
	done := make(chan int, 1)
	go func() { done <- sh.RunFile(ctx, strings.NewReader(script)) }()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(out.String(), "|7 ") {
		select {
		case <-deadline:
			t.Fatalf("row never shown:\n%s", out.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 130 {
			t.Errorf("exit status %d, want 130", code)
		}
	case <-deadline:
		t.Fatal("RunFile did not return after the interrupt")
	}
	res, err := b.Execute(context.Background(), "SHOW STREAMS;")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range res[0].(*Table).Rows {
		if row[0] == "AFTER_INTERRUPT" {
			t.Error("the statement after the interrupted query ran")
		}
	}
}

// `exit` ends a script early with status 0.
func TestRunFileExit(t *testing.T) {
	b, err := OpenEmbedded(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var out lockedBuffer
	sh := New(Options{Backend: b, Out: &out, Err: &out})
	code := sh.RunFile(context.Background(), strings.NewReader("SHOW STREAMS;\nexit\nSHOW NONSENSE;\n"))
	if code != 0 || strings.Contains(out.String(), "NONSENSE") || !strings.Contains(out.String(), "Stream Name") {
		t.Errorf("exit status %d, output:\n%s", code, out.String())
	}
}
