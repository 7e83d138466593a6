package conformance

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeCase(t *testing.T) {
	var c Case
	if err := json.Unmarshal([]byte(`{
		"name": "n",
		"statements": ["x"],
		"topics": [{"name": "t", "partitions": 3, "valueFormat": "AVRO"}],
		"inputs": [{"topic": "t", "key": 1, "value": {"A": 1}, "timestamp": 0,
			"headers": [{"KEY": "a", "VALUE": "IQ=="}, {"key": "b", "value": null}]}],
		"outputs": [{"topic": "o", "value": null, "window": {"start": 0, "end": 10, "type": "time"}}],
		"post": {"sources": [
			{"name": "S", "type": "table", "keyFormat": {"format": "KAFKA", "windowType": "SESSION", "windowSize": null}},
			{"name": "T", "type": "stream", "valueFormat": "JSON"}
		], "topics": {"blacklist": ".*-repartition"}}
	}`), &c); err != nil {
		t.Fatal(err)
	}
	d, err := decodeCase(&c)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Topics) != 1 || d.Topics[0].Partitions != 3 || d.Topics[0].ValueFormat != "AVRO" {
		t.Errorf("topics: %+v", d.Topics)
	}
	in := d.Inputs[0]
	if *in.Timestamp != 0 || len(in.Headers) != 2 || string(in.Headers[0].Value) != "!" ||
		in.Headers[1].Key != "b" || in.Headers[1].Value != nil {
		t.Errorf("input: %+v", in)
	}
	out := d.Outputs[0]
	if !isNull(out.Value) || !isNull(out.Key) || out.Timestamp != nil || out.Headers != nil || out.Window.End != 10 {
		t.Errorf("output: %+v", out)
	}
	if d.Post.Sources[0].KeyFormat.WindowType != "SESSION" || d.Post.Sources[1].ValueFormat.Format != "JSON" ||
		d.Post.Topics.Blacklist != ".*-repartition" {
		t.Errorf("post: %+v", d.Post)
	}
	b, err := json.Marshal(in.Headers)
	if err != nil || string(b) != `[{"KEY":"a","VALUE":"IQ=="},{"KEY":"b","VALUE":null}]` {
		t.Errorf("headers marshal back to %s, %v", b, err)
	}

	for _, bad := range []string{
		`{"name": "n", "statements": ["x"], "inputs": [{"value": 1}]}`,
		`{"name": "n", "statements": ["x"], "inputs": [{"topic": "t", "headers": [{"KEY": "a", "VALUE": "%%%"}]}]}`,
		`{"name": "n", "statements": ["x"], "post": {"sources": 3}}`,
	} {
		var c Case
		if err := json.Unmarshal([]byte(bad), &c); err != nil {
			t.Fatal(err)
		}
		if _, err := decodeCase(&c); err == nil || !strings.HasPrefix(err.Error(), "conformance: ") {
			t.Errorf("decodeCase(%s) = %v, want a conformance error", bad, err)
		}
	}
}
