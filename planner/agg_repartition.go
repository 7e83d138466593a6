package planner

import (
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// The repartition stage of a GROUP BY other than the key of a source with
// several partitions. Its rows are the source's columns, the GROUP BY
// values (the record key, so that all rows of a group reach one partition
// and one aggregate task), then the row's ROWTIME, ROWPARTITION and
// ROWOFFSET (so aggregate arguments reading them see the source row's
// values, not the repartition record's), and, over a table, the change
// flag (exec.RegroupColumns). The aggregation compiles its pseudo columns
// at the position right after the GROUP BY values, which is where the
// carried ones are.
//
// Formats follow ksqlDB's rule for internal topics, the source's formats
// where they can hold the columns, refined so that a value always reads
// back as itself (repartitionSerde); JSON otherwise.

// repartitionStage is the query that regroups a stream: it reads the
// source (after WHERE, whose operators it takes from qs) and writes every
// row to the internal topic keyed by the GROUP BY values; the record
// timestamp stays ROWTIME.
func (g *aggAnalysis) repartitionStage(a *analysis, qs *exec.QuerySpec, o Options) (*exec.QuerySpec, error) {
	n := len(a.src.Columns)
	cols, keyCols := g.repartitionColumns(a, exec.RegroupColumns[:3])
	var exprs []exec.Evaluator
	for i := range a.src.Columns {
		exprs = append(exprs, exec.ColumnRef(i))
	}
	for _, c := range g.groupC {
		exprs = append(exprs, guarded(c))
	}
	for j := range 3 {
		exprs = append(exprs, exec.ColumnRef(n+j)) // the pseudo columns
	}
	schema, err := types.NewSchema(cols...)
	if err != nil {
		return nil, fmt.Errorf("planner: repartition schema: %w", err)
	}
	ops := append(append([]exec.Operator(nil), qs.Operators...), exec.NewProject(schema, exprs))
	return &exec.QuerySpec{ID: o.QueryID + "_REPARTITION", Source: qs.Source, Operators: ops,
		Sink: g.repartitionSink(a, cols, keyCols, o)}, nil
}

// tableRegroupStage is the query that regroups a table's changes (Kafka
// Streams' KTable.groupBy): it keeps the table's current rows and writes,
// for each change, a subtract record for the old row's group and an add
// record for the new row's group (exec.TableRegroup). WHERE is applied
// there, to both versions, so a row that stops passing is subtracted.
func (g *aggAnalysis) tableRegroupStage(a *analysis, qs *exec.QuerySpec, table *exec.TableInput, o Options) (*exec.QuerySpec, error) {
	cols, keyCols := g.repartitionColumns(a, exec.RegroupColumns)
	schema, err := types.NewSchema(cols...)
	if err != nil {
		return nil, fmt.Errorf("planner: repartition schema: %w", err)
	}
	rs := &exec.RegroupSpec{
		Input: table.Schema, KeyColumns: table.KeyColumns, Where: table.Where, Schema: schema,
		Operator: tableRowsOperator, Changelog: table.Changelog,
	}
	for _, c := range g.groupC {
		rs.GroupBy = append(rs.GroupBy, guarded(c))
	}
	ops := append(append([]exec.Operator(nil), qs.Operators...), exec.NewTableRegroup(rs))
	return &exec.QuerySpec{ID: o.QueryID + "_REPARTITION", Source: qs.Source, Operators: ops,
		Sink: g.repartitionSink(a, cols, keyCols, o)}, nil
}

// tableRowsOperator names the store of a table's current rows kept for a
// GROUP BY over it, as in exec.
const tableRowsOperator = "Aggregate-GroupBy-Source"

// repartitionColumns lays out a repartition row: the source's columns,
// the GROUP BY values (flagged Key, returned also as keyCols), extra.
// Internal names that a source column already has get a suffix.
func (g *aggAnalysis) repartitionColumns(a *analysis, extra []types.Column) (cols, keyCols []types.Column) {
	taken := map[string]bool{}
	for _, c := range a.src.Columns {
		cols = append(cols, types.Column{Name: c.Name, Type: c.Type})
		taken[c.Name] = true
	}
	unique := func(name string) string {
		for taken[name] {
			name += "_"
		}
		taken[name] = true
		return name
	}
	for i, c := range g.groupC {
		kc := types.Column{Name: unique(fmt.Sprintf("KSQL_GROUP_%d", i)), Type: c.typ, Key: true}
		cols = append(cols, kc)
		keyCols = append(keyCols, kc)
	}
	for _, c := range extra {
		cols = append(cols, types.Column{Name: unique(c.Name), Type: c.Type})
	}
	return cols, keyCols
}

// repartitionSink writes rows of cols to the internal topic: the GROUP BY
// values in the key, everything else in the value, one partition per
// source partition.
func (g *aggAnalysis) repartitionSink(a *analysis, cols, keyCols []types.Column, o Options) *exec.SinkSpec {
	n := len(a.src.Columns)
	var values []types.Column
	var valueExact []bool
	sink := &exec.SinkSpec{Topic: repartitionTopic(o), Partitions: a.src.Partitions, TimestampColumn: -1}
	for i, c := range cols {
		if c.Key {
			sink.KeyColumns = append(sink.KeyColumns, i)
			continue
		}
		sink.ValueColumns = append(sink.ValueColumns, i)
		values = append(values, c)
		valueExact = append(valueExact, i >= n || a.src.decodedBy(i, format.Delimited))
	}
	keyExact := make([]bool, len(keyCols))
	for i, c := range g.groupC {
		keyExact[i] = c.isCol && c.col < n && a.src.decodedBy(c.col, format.Delimited)
	}
	keyOpts := a.src.KeyOptions
	keyOpts.Key = true
	sink.Key = repartitionSerde(a.src.KeyFormat, keyOpts, keyCols, keyExact)
	sink.Key.Options.Key = true
	sink.Value = repartitionSerde(a.src.ValueFormat, a.src.ValueOptions, values, valueExact)
	return sink
}

// decodedBy reports whether source column i is read by the format named
// (its key or value format); header columns are read by none.
func (s *Source) decodedBy(i int, name string) bool {
	c := s.Columns[i]
	switch {
	case c.Headers:
		return false
	case c.Key:
		return strings.EqualFold(s.KeyFormat, name)
	}
	return strings.EqualFold(s.ValueFormat, name)
}

// repartitionSerde is the serde of one side of a repartition topic: the
// source's format for that side when it can carry the columns exactly,
// JSON otherwise. "Exactly" is format.Validate's verdict plus one rule:
// DELIMITED reads an empty field as NULL, so it carries STRING and BYTES
// columns only when their values were themselves read from DELIMITED
// (exact[i]), which never yields an empty one. A value of one column
// is never unwrapped: the rows always have several.
func repartitionSerde(name string, opts format.Options, cols []types.Column, exact []bool) exec.SerdeSpec {
	fallback := exec.SerdeSpec{Format: format.JSON, Columns: cols}
	if name == "" || strings.EqualFold(name, format.None) {
		return fallback
	}
	opts.WrapSingleValue = nil
	if format.Validate(name, cols, opts) != nil {
		return fallback
	}
	if strings.EqualFold(name, format.Delimited) {
		for i, c := range cols {
			if (c.Type.Kind == types.String || c.Type.Kind == types.Bytes) && !exact[i] {
				return fallback
			}
		}
	}
	return exec.SerdeSpec{Format: name, Options: opts, Columns: cols}
}

// repartitionTopic names the internal topic of a GROUP BY repartition, as
// ksqlDB does.
func repartitionTopic(o Options) string {
	service := "default_"
	if v, ok := o.Properties["ksql.service.id"]; ok {
		service = v
	}
	return "_confluent-ksql-" + service + "query_" + o.QueryID + "-Aggregate-GroupBy-repartition"
}
