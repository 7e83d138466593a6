package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/engine"
)

// describeSource lays out DESCRIBE as ksqlDB's CLI does: the name and
// formats as pairs, the fields as a table, and for EXTENDED the queries
// touching the source and its runtime statistics.
func describeSource(d *engine.SourceDescription) *Doc {
	pairs := [][2]string{{"Name", d.Name}, {"Type", d.Kind}}
	if d.IsSource {
		pairs = append(pairs, [2]string{"Read only", "true"})
	}
	pairs = append(pairs,
		[2]string{"Key format", d.KeyFormat},
		[2]string{"Value format", d.ValueFormat},
		[2]string{"Kafka topic", fmt.Sprintf("%s (partitions: %d, replication: %d)", d.Topic, d.Partitions, d.Replicas)})
	if d.Timestamp != "" {
		pairs = append(pairs, [2]string{"Timestamp field", d.Timestamp})
	}
	if d.Windowed {
		pairs = append(pairs, [2]string{"Window type", d.WindowType})
	}
	if d.SourceStatement != "" && d.Extended {
		pairs = append(pairs, [2]string{"Statement", d.SourceStatement})
	}
	fields := &Table{Columns: []string{"Field", "Type"}}
	for _, f := range d.Fields {
		t := f.Type
		if f.Role != "" {
			t += " (" + strings.ToLower(f.Role) + ")"
		}
		fields.Rows = append(fields.Rows, []string{f.Name, t})
	}
	doc := &Doc{Statement: d.Statement, Sections: []Section{{Pairs: pairs}, {Table: fields}}}
	if !d.Extended {
		return doc
	}
	for _, part := range []struct {
		heading string
		qs      []engine.QueryInfo
	}{{"Queries that read from this " + strings.ToUpper(d.Kind), d.ReadQueries}, {"Queries that write from this " + strings.ToUpper(d.Kind), d.WriteQueries}} {
		t := &Table{Columns: []string{"Query ID", "Status", "Query String"}}
		for _, q := range part.qs {
			t.Rows = append(t.Rows, []string{q.ID, q.State, q.Statement})
		}
		doc.Sections = append(doc.Sections, Section{Heading: part.heading, Table: t})
	}
	m := d.Metrics
	doc.Sections = append(doc.Sections, Section{Heading: "Runtime statistics", Pairs: [][2]string{
		{"messages-in", strconv.FormatInt(m.RecordsIn, 10)},
		{"messages-out", strconv.FormatInt(m.RecordsOut, 10)},
		{"processing-errors", strconv.FormatInt(m.ProcessingErrors, 10)},
		{"failed-reads-by-readers", strconv.FormatInt(d.ErrorStats, 10)},
		{"commits", strconv.FormatInt(m.Commits, 10)},
		{"lag", strconv.FormatInt(m.Lag, 10)},
	}})
	return doc
}

// describeFunction lays out DESCRIBE FUNCTION: the function's facts, then
// one block per signature.
func describeFunction(st string, r *engine.FunctionDescription) *Doc {
	d := r.Description
	pairs := [][2]string{{"Name", d.Name}, {"Author", d.Author}, {"Overview", d.Overview}, {"Type", d.Type}, {"Category", d.Category}}
	if d.Deprecated != "" {
		pairs = append(pairs, [2]string{"Deprecated", d.Deprecated})
	}
	doc := &Doc{Statement: st, Sections: []Section{{Pairs: trimEmpty(pairs)}}}
	for _, v := range d.Variations {
		vp := [][2]string{{"Variation", v.Signature}, {"Returns", v.ReturnType}, {"Description", v.Description}}
		for _, a := range v.Arguments {
			desc := a.Type
			if a.Variadic {
				desc += "..."
			}
			if a.Description != "" {
				desc += "  " + a.Description
			}
			vp = append(vp, [2]string{a.Name, desc})
		}
		doc.Sections = append(doc.Sections, Section{Pairs: trimEmpty(vp)})
	}
	return doc
}

// explain lays out EXPLAIN: the query's facts, then its plan as text.
func explain(r *engine.Explanation) *Doc {
	pairs := [][2]string{{"ID", r.QueryID}, {"Query", r.QueryStatement}, {"Status", r.State}}
	doc := &Doc{Statement: r.Statement, Sections: []Section{{Pairs: trimEmpty(pairs)}}}
	if r.Plan != "" {
		doc.Sections = append(doc.Sections, Section{Heading: "Execution plan", Text: strings.TrimRight(r.Plan, "\n")})
	}
	if r.State != "" {
		m := r.Metrics
		doc.Sections = append(doc.Sections, Section{Heading: "Runtime statistics", Pairs: [][2]string{
			{"messages-in", strconv.FormatInt(m.RecordsIn, 10)},
			{"messages-out", strconv.FormatInt(m.RecordsOut, 10)},
			{"processing-errors", strconv.FormatInt(m.ProcessingErrors, 10)},
			{"lag", strconv.FormatInt(m.Lag, 10)},
		}})
	}
	return doc
}

// trimEmpty drops pairs without a value, which would only be noise.
func trimEmpty(pairs [][2]string) [][2]string {
	out := pairs[:0]
	for _, p := range pairs {
		if p[1] != "" {
			out = append(out, p)
		}
	}
	return out
}
