package ast

// NullLiteral is NULL.
type NullLiteral struct{ Pos }

// BooleanLiteral is TRUE or FALSE.
type BooleanLiteral struct {
	Pos
	Value bool
}

// IntegerLiteral is an integer that fits in a BIGINT; it is an INTEGER when
// it fits in 32 bits. A leading minus sign is folded into the literal.
type IntegerLiteral struct {
	Pos
	Value int64
}

// DecimalLiteral is a number with a fraction and no exponent, an exact
// DECIMAL whose precision and scale come from the digits as written, so the
// text is kept (`-2.50` is DECIMAL(3, 2)).
type DecimalLiteral struct {
	Pos
	Text string
}

// DoubleLiteral is a number with an exponent.
type DoubleLiteral struct {
	Pos
	Value float64
}

// StringLiteral is a single-quoted string (quotes already unescaped).
type StringLiteral struct {
	Pos
	Value string
}

// VariableRef is a `${name}` left in literal position (substitution did not
// run, as in `sluice fmt`).
type VariableRef struct {
	Pos
	Name string
}

// ColumnRef is a column, optionally qualified by a source name or alias.
// Inside a lambda body it may also name a lambda parameter.
type ColumnRef struct {
	Pos
	Source string
	Name   string
}

// Dereference is struct field access `base->field`.
type Dereference struct {
	Pos
	Base  Expr
	Field string
}

// Subscript is `base[index]` on an array (1-based, negative from the end)
// or a map.
type Subscript struct {
	Pos
	Base  Expr
	Index Expr
}

// FunctionCall is a scalar, aggregate or table function call. Star is set
// for `COUNT(*)`.
type FunctionCall struct {
	Pos
	Name string
	Args []Expr
	Star bool
}

// Lambda is a lambda argument `x => body` or `(x, y) => body`.
type Lambda struct {
	Pos
	Params []string
	Body   Expr
}

// Cast is CAST(expr AS type).
type Cast struct {
	Pos
	Expr Expr
	Type *Type
}

// WhenClause is one WHEN ... THEN ... of a CASE.
type WhenClause struct {
	Pos
	Condition Expr
	Result    Expr
}

// Case is a searched CASE (Operand nil) or a simple CASE.
type Case struct {
	Pos
	Operand Expr
	Whens   []*WhenClause
	Else    Expr
}

// ArrayConstructor is ARRAY[e1, e2, ...].
type ArrayConstructor struct {
	Pos
	Elems []Expr
}

// MapEntry is one `key := value` of a MAP constructor.
type MapEntry struct {
	Key   Expr
	Value Expr
}

// MapConstructor is MAP(k1 := v1, ...).
type MapConstructor struct {
	Pos
	Entries []MapEntry
}

// StructFieldValue is one `name := value` of a STRUCT constructor.
type StructFieldValue struct {
	Name  string
	Value Expr
}

// StructConstructor is STRUCT(name := value, ...).
type StructConstructor struct {
	Pos
	Fields []StructFieldValue
}

// UnaryOp is a prefix arithmetic operator.
type UnaryOp uint8

// Prefix operators.
const (
	UnaryMinus UnaryOp = iota
	UnaryPlus
)

// String returns the operator as written.
func (o UnaryOp) String() string {
	if o == UnaryPlus {
		return "+"
	}
	return "-"
}

// Unary is -expr or +expr.
type Unary struct {
	Pos
	Op   UnaryOp
	Expr Expr
}

// BinaryOp is an infix operator.
type BinaryOp uint8

// Infix operators, grouped by precedence class.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
	OpMod
	OpConcat
	OpEq
	OpNeq
	OpLt
	OpLte
	OpGt
	OpGte
	OpAnd
	OpOr
)

var binaryOpNames = [...]string{"+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=", "AND", "OR"}

// String returns the operator as written in SQL.
func (o BinaryOp) String() string { return binaryOpNames[o] }

// IsComparison reports whether the operator compares its operands.
func (o BinaryOp) IsComparison() bool { return o >= OpEq && o <= OpGte }

// IsArithmetic reports whether the operator is +, -, *, / or %.
func (o BinaryOp) IsArithmetic() bool { return o <= OpMod }

// Binary is an arithmetic, concatenation, comparison or logical operation.
type Binary struct {
	Pos
	Op    BinaryOp
	Left  Expr
	Right Expr
}

// Not is NOT expr.
type Not struct {
	Pos
	Expr Expr
}

// Between is expr [NOT] BETWEEN low AND high.
type Between struct {
	Pos
	Expr Expr
	Low  Expr
	High Expr
	Not  bool
}

// In is expr [NOT] IN (list).
type In struct {
	Pos
	Expr Expr
	List []Expr
	Not  bool
}

// Like is expr [NOT] LIKE pattern [ESCAPE 'c'].
type Like struct {
	Pos
	Expr    Expr
	Pattern Expr
	Escape  *string
	Not     bool
}

// IsNull is expr IS [NOT] NULL.
type IsNull struct {
	Pos
	Expr Expr
	Not  bool
}

// IsDistinctFrom is left IS [NOT] DISTINCT FROM right.
type IsDistinctFrom struct {
	Pos
	Left  Expr
	Right Expr
	Not   bool
}

func (*NullLiteral) exprNode()       {}
func (*BooleanLiteral) exprNode()    {}
func (*IntegerLiteral) exprNode()    {}
func (*DecimalLiteral) exprNode()    {}
func (*DoubleLiteral) exprNode()     {}
func (*StringLiteral) exprNode()     {}
func (*VariableRef) exprNode()       {}
func (*ColumnRef) exprNode()         {}
func (*Dereference) exprNode()       {}
func (*Subscript) exprNode()         {}
func (*FunctionCall) exprNode()      {}
func (*Lambda) exprNode()            {}
func (*Cast) exprNode()              {}
func (*Case) exprNode()              {}
func (*ArrayConstructor) exprNode()  {}
func (*MapConstructor) exprNode()    {}
func (*StructConstructor) exprNode() {}
func (*Unary) exprNode()             {}
func (*Binary) exprNode()            {}
func (*Not) exprNode()               {}
func (*Between) exprNode()           {}
func (*In) exprNode()                {}
func (*Like) exprNode()              {}
func (*IsNull) exprNode()            {}
func (*IsDistinctFrom) exprNode()    {}
