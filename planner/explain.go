package planner

import (
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/types"
)

// explain renders the logical plan as an indented tree, sink at the top
// (the way ksqlDB and go-mysql-server print plans), then the physical
// topology exec will run.
func explain(p *QueryPlan) string {
	var b strings.Builder
	b.WriteString("Logical plan:\n")
	depth := 0
	for n := p.Root; n != nil; n = n.Input {
		ind := strings.Repeat("  ", depth+1)
		fmt.Fprintf(&b, "%s> %s", ind, strings.ToUpper(n.Op))
		if n.Detail != "" {
			b.WriteString(" " + n.Detail)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "%s    schema: %s\n", ind, columnsText(n.Schema))
		depth++
	}
	if p.Spec == nil {
		return b.String()
	}
	s := p.Spec
	id := s.ID
	if id == "" {
		id = "(unassigned)"
	}
	fmt.Fprintf(&b, "\nTopology: query %s, one task per input partition\n", id)
	fmt.Fprintf(&b, "  source: topic %s, %s, key %s, value %s, %s\n", s.Source.Topic, partitionsText(s.Source.Partitions),
		serdeText(s.Source.Key), serdeText(s.Source.Value), sourceTimeText(s.Source))
	if len(s.Source.HeaderColumns) > 0 {
		var hs []string
		for i, c := range s.Source.Schema.Columns {
			if k, ok := s.Source.HeaderColumns[i]; ok {
				if k == "" {
					hs = append(hs, c.Name+"=all")
				} else {
					hs = append(hs, fmt.Sprintf("%s=header('%s')", c.Name, k))
				}
			}
		}
		fmt.Fprintf(&b, "  headers: %s\n", strings.Join(hs, ", "))
	}
	ops := make([]string, len(s.Operators))
	for i, op := range s.Operators {
		ops[i] = operatorName(op)
	}
	fmt.Fprintf(&b, "  operators: %s\n", strings.Join(ops, " -> "))
	if s.Sink != nil {
		ts := "timestamp ROWTIME"
		if s.Sink.TimestampColumn >= 0 {
			ts = "timestamp " + s.OutputSchema().Columns[s.Sink.TimestampColumn].Name
		}
		fmt.Fprintf(&b, "  sink: topic %s, %s, key %s, value %s, %s\n", s.Sink.Topic, partitionsText(s.Sink.Partitions),
			serdeText(s.Sink.Key), serdeText(s.Sink.Value), ts)
	} else {
		b.WriteString("  output: rows to the caller")
		if s.Limit > 0 {
			fmt.Fprintf(&b, ", limit %d", s.Limit)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func partitionsText(n int) string {
	switch n {
	case 0:
		return "partitions of the existing topic"
	case 1:
		return "1 partition"
	}
	return fmt.Sprintf("%d partitions", n)
}

func serdeText(s exec.SerdeSpec) string {
	var opts []string
	if s.Options.Delimiter != "" {
		opts = append(opts, "delimiter "+s.Options.Delimiter)
	}
	if s.Options.WrapSingleValue != nil {
		opts = append(opts, fmt.Sprintf("wrap_single_value %t", *s.Options.WrapSingleValue))
	}
	out := s.Format + "(" + columnsText(unflag(s.Columns)) + ")"
	if len(opts) > 0 {
		out += " [" + strings.Join(opts, ", ") + "]"
	}
	return out
}

// unflag drops the key flag: the serde's side already says it.
func unflag(cols []types.Column) []types.Column {
	out := make([]types.Column, len(cols))
	for i, c := range cols {
		out[i] = types.Column{Name: c.Name, Type: c.Type}
	}
	return out
}

func sourceTimeText(s exec.SourceSpec) string {
	if s.TimestampColumn < 0 {
		return "timestamp ROWTIME"
	}
	out := "timestamp " + s.Schema.Columns[s.TimestampColumn].Name
	if s.TimestampFormat != "" {
		out += " format '" + s.TimestampFormat + "'"
	}
	return out
}

func operatorName(op exec.Operator) string {
	switch op.(type) {
	case *exec.Filter:
		return "Filter"
	case *exec.TableFilter:
		return "TableFilter"
	case *exec.DropNullKeys:
		return "DropNullKeys"
	case *exec.Aggregate:
		return "Aggregate"
	case *exec.Project:
		return "Project"
	case *exec.FlatMap:
		return "FlatMap"
	}
	return fmt.Sprintf("%T", op)
}
