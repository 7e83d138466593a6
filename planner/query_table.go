package planner

import (
	"github.com/sluicedb/sluice/ast"
)

// resultKind checks that a non-aggregating CREATE ... AS SELECT names the
// kind its query produces, as ksqlDB does: a query over a stream produces a
// stream, one over a table produces a table (its changelog, keyed by the
// table's primary key). Joins are still refused with "not yet supported".
func resultKind(s *ast.CreateAsSelect, cat Catalog) error {
	q := s.Query
	if len(q.From.Joins) > 0 {
		if s.Kind == ast.TableSource {
			return errorf(s.Pos, "CREATE TABLE AS SELECT with JOIN is not yet supported (joins arrive with the stateful operators)")
		}
		return nil // rejectStateful reports the join
	}
	src, ok := cat.Source(q.From.Left.Name)
	if !ok {
		return nil // analyzeSelect reports the missing source
	}
	if s.Kind == ast.TableSource && src.Kind == ast.StreamSource {
		return errorf(s.Pos, "Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.")
	}
	return nil
}

// tableResultKind is the check of a CREATE STREAM ... AS SELECT over a
// table, made after the select is analysed (so that, as in ksqlDB, errors
// in the query itself, such as a table function on a table, come first).
func tableResultKind(s *ast.CreateAsSelect, a *analysis) error {
	if s.Kind == ast.StreamSource && a.src.Kind == ast.TableSource {
		return errorf(s.Pos, "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.")
	}
	return nil
}
