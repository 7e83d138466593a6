package engine

import (
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/types"
)

// Text renders a finished result as plain text, the form headless mode
// logs and the engine's golden tests compare. Streams (RowStream,
// PrintStream) are not drained: their header line is rendered, and the
// caller prints rows with FormatRow as they arrive.
func Text(r Result) string {
	var b strings.Builder
	switch r := r.(type) {
	case *Status:
		b.WriteString(r.Message)
	case *Warning:
		b.WriteString("warning: " + r.Message)
	case *PropertyChange:
		b.WriteString(r.Message)
	case *ScriptResult:
		for i, sub := range r.Results {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(Text(sub))
		}
	case *SourceList:
		if len(r.Descriptions) > 0 {
			for i, d := range r.Descriptions {
				if i > 0 {
					b.WriteString("\n\n")
				}
				b.WriteString(Text(d))
			}
			break
		}
		table(&b, []string{"Name", "Type", "Topic", "Key Format", "Value Format", "Windowed"}, len(r.Sources), func(i int) []string {
			s := r.Sources[i]
			return []string{s.Name, s.Kind, s.Topic, s.KeyFormat, s.ValueFormat, fmt.Sprint(s.IsWindowed)}
		})
	case *QueryList:
		table(&b, []string{"Query ID", "Type", "State", "Sink", "Sink Topic"}, len(r.Queries), func(i int) []string {
			q := r.Queries[i]
			return []string{q.ID, q.Type, q.State, strings.Join(q.Sinks, ","), strings.Join(q.SinkTopics, ",")}
		})
	case *TopicList:
		table(&b, []string{"Topic", "Partitions", "Replicas"}, len(r.Topics), func(i int) []string {
			t := r.Topics[i]
			return []string{t.Name, fmt.Sprint(t.Partitions), fmt.Sprint(t.Replicas)}
		})
	case *FunctionList:
		table(&b, []string{"Name", "Type", "Category"}, len(r.Functions), func(i int) []string {
			f := r.Functions[i]
			return []string{f.Name, f.Type, f.Category}
		})
	case *FunctionDescription:
		b.WriteString(r.Description.Text())
	case *TypeList:
		names := sortedKeys(r.Types)
		table(&b, []string{"Type Name", "Schema"}, len(names), func(i int) []string {
			return []string{names[i], r.Types[names[i]].String()}
		})
	case *PropertyList:
		table(&b, []string{"Property", "Scope", "Value"}, len(r.Properties), func(i int) []string {
			p := r.Properties[i]
			return []string{p.Name, p.Scope, p.Value}
		})
	case *VariableList:
		table(&b, []string{"Variable Name", "Value"}, len(r.Variables), func(i int) []string {
			return []string{r.Variables[i].Name, r.Variables[i].Value}
		})
	case *SourceDescription:
		describeText(&b, r)
	case *Explanation:
		if r.QueryID != "" {
			fmt.Fprintf(&b, "ID: %s\n", r.QueryID)
		}
		fmt.Fprintf(&b, "Query: %s\n", r.QueryStatement)
		if r.State != "" {
			fmt.Fprintf(&b, "State: %s\n", r.State)
		}
		b.WriteString(strings.TrimRight(r.Plan, "\n"))
	case *Rows:
		b.WriteString(columnsHeader(r.Columns))
		for _, row := range r.Rows {
			b.WriteByte('\n')
			b.WriteString(FormatRow(row))
		}
	case *RowStream:
		b.WriteString(columnsHeader(r.Columns))
	case *PrintStream:
		b.WriteString("PRINT " + r.Topic)
	case *AssertResult:
		if r.Exists {
			fmt.Fprintf(&b, "Topic %s exists", r.Topic)
		} else {
			fmt.Fprintf(&b, "Topic %s does not exist", r.Topic)
		}
	default:
		fmt.Fprintf(&b, "%T", r)
	}
	return b.String()
}

// FormatRow renders a row's values as SQL literals separated by " | ".
func FormatRow(row []any) string {
	parts := make([]string, len(row))
	for i, v := range row {
		parts[i] = types.SQLLiteral(v)
	}
	return strings.Join(parts, " | ")
}

func columnsHeader(cols []types.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + " " + c.Type.String()
		if c.Key {
			parts[i] += " KEY"
		}
	}
	return strings.Join(parts, " | ")
}

// table renders rows as " | "-separated columns under a header.
func table(b *strings.Builder, header []string, n int, row func(int) []string) {
	b.WriteString(strings.Join(header, " | "))
	for i := 0; i < n; i++ {
		b.WriteByte('\n')
		b.WriteString(strings.Join(row(i), " | "))
	}
}

func describeText(b *strings.Builder, d *SourceDescription) {
	fmt.Fprintf(b, "Name: %s\nType: %s\n", d.Name, d.Kind)
	if d.IsSource {
		b.WriteString("Read only: true\n")
	}
	fmt.Fprintf(b, "Key format: %s\nValue format: %s\nTopic: %s (partitions: %d, replicas: %d)\n",
		d.KeyFormat, d.ValueFormat, d.Topic, d.Partitions, d.Replicas)
	if d.Timestamp != "" {
		fmt.Fprintf(b, "Timestamp field: %s\n", d.Timestamp)
	}
	if d.Windowed {
		fmt.Fprintf(b, "Window: %s\n", d.WindowType)
	}
	b.WriteString("Field | Type")
	for _, f := range d.Fields {
		t := f.Type
		if f.Role != "" {
			t += " (" + f.Role + ")"
		}
		fmt.Fprintf(b, "\n%s | %s", f.Name, t)
	}
	if !d.Extended {
		return
	}
	b.WriteString("\nQueries that read from this source:")
	for _, q := range d.ReadQueries {
		fmt.Fprintf(b, "\n  %s (%s)", q.ID, q.State)
	}
	b.WriteString("\nQueries that write into this source:")
	for _, q := range d.WriteQueries {
		fmt.Fprintf(b, "\n  %s (%s)", q.ID, q.State)
	}
	m := d.Metrics
	fmt.Fprintf(b, "\nRuntime statistics: messages-in: %d, messages-out: %d, processing-errors: %d, commits: %d, lag: %d, failed-reads-by-readers: %d",
		m.RecordsIn, m.RecordsOut, m.ProcessingErrors, m.Commits, m.Lag, d.ErrorStats)
}
