// Package ast holds the abstract syntax tree of Sluice's ksqlDB dialect: plain
// Go types that the planner consumes, a formatter that prints any tree back
// as canonical SQL, and a position-free dump used by golden tests and by the
// parse → format → parse round-trip check.
//
// The tree is produced by package parser. Identifiers are stored after
// ksqlDB's case rules have been applied: unquoted names are upper-cased,
// quoted (backquoted or double-quoted) names are kept as written. The
// formatter quotes a name again whenever printing it bare would change it.
package ast

import "strconv"

// Pos is a 1-based line and column in the statement text, the coordinates
// every user-facing error carries.
type Pos struct {
	Line int
	Col  int
}

// Position returns the position itself; embedding Pos gives every node the
// Node interface.
func (p Pos) Position() Pos { return p }

// String formats the position as line:col.
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

// Node is any element of the tree.
type Node interface {
	Position() Pos
}

// Statement is one SQL statement.
type Statement interface {
	Node
	statementNode()
}

// Expr is an expression.
type Expr interface {
	Node
	exprNode()
}

// TimeUnit is the unit of a duration (window sizes, WITHIN, GRACE PERIOD).
type TimeUnit uint8

// Time units accepted in durations; singular and plural spellings are the
// same unit.
const (
	Milliseconds TimeUnit = iota
	Seconds
	Minutes
	Hours
	Days
)

var timeUnitNames = [...]string{"MILLISECONDS", "SECONDS", "MINUTES", "HOURS", "DAYS"}

// String returns the canonical (plural) spelling.
func (u TimeUnit) String() string {
	if int(u) < len(timeUnitNames) {
		return timeUnitNames[u]
	}
	return "UNIT(" + strconv.Itoa(int(u)) + ")"
}

// Millis is the length of one unit in milliseconds.
func (u TimeUnit) Millis() int64 {
	switch u {
	case Seconds:
		return 1000
	case Minutes:
		return 60 * 1000
	case Hours:
		return 60 * 60 * 1000
	case Days:
		return 24 * 60 * 60 * 1000
	}
	return 1
}

// Duration is an amount of time as written: `10 SECONDS`.
type Duration struct {
	Pos
	Value int64
	Unit  TimeUnit
}

// Millis returns the duration in milliseconds.
func (d Duration) Millis() int64 { return d.Value * d.Unit.Millis() }
