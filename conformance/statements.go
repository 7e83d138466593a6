package conformance

import (
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser"
)

// statementInfo is what the runner learns from the statements themselves.
type statementInfo struct {
	// sources are the names of the streams and tables the statements
	// create, in order; sinks are those created by ... AS SELECT.
	sources []string
	sinks   []string
	// declared are topics a CREATE statement creates itself (it gives
	// PARTITIONS), which the runner must not create first; named are the
	// other topics CREATE STREAM/TABLE statements read, which the runner
	// creates as ksqlDB's test harness does.
	declared map[string]bool
	named    []string
}

func inspect(stmts []string) statementInfo {
	info := statementInfo{declared: map[string]bool{}}
	for _, s := range stmts {
		st, err := parser.ParseStatement(s)
		if err != nil {
			continue
		}
		switch x := st.(type) {
		case *ast.CreateSource:
			info.sources = append(info.sources, x.Name)
			topic, partitions := "", false
			for _, p := range x.Properties {
				switch p.Name {
				case "KAFKA_TOPIC":
					if lit, ok := p.Value.(*ast.StringLiteral); ok {
						topic = lit.Value
					}
				case "PARTITIONS":
					partitions = true
				}
			}
			if topic == "" {
				topic = x.Name
			}
			if partitions {
				info.declared[topic] = true
			} else {
				info.named = append(info.named, topic)
			}
		case *ast.CreateAsSelect:
			info.sources = append(info.sources, x.Name)
			info.sinks = append(info.sinks, x.Name)
		}
	}
	return info
}

// isSelect reports whether a statement is a query, which the REST harness
// sends to /query rather than /ksql.
func isSelect(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= 7 && strings.EqualFold(s[:7], "SELECT ")
}
