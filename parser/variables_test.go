package parser

import "testing"

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"topic": "orders", "Fmt": "JSON", "q": "it's"}
	tests := []struct {
		in, want, err string
	}{
		{in: "CREATE STREAM S WITH (KAFKA_TOPIC='${topic}', FORMAT='${FMT}');",
			want: "CREATE STREAM S WITH (KAFKA_TOPIC='orders', FORMAT='JSON');"},
		{in: "SELECT * FROM ${topic};", want: "SELECT * FROM orders;"},
		{in: "SELECT '${q}' FROM T;", want: "SELECT 'it''s' FROM T;"},
		{in: "-- ${undefined}\nSELECT 1 FROM T;", want: "-- ${undefined}\nSELECT 1 FROM T;"},
		{in: "/* ${undefined} */ SELECT 1 FROM T;", want: "/* ${undefined} */ SELECT 1 FROM T;"},
		{in: "SELECT $5, ${ FROM T;", want: "SELECT $5, ${ FROM T;"},
		{in: "SELECT *\nFROM ${nope};", err: "Line: 2, Col: 6: Unknown variable: 'nope'"},
	}
	for _, tt := range tests {
		got, err := Substitute(tt.in, vars)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Substitute(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Substitute(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
