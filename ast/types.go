package ast

// TypeKind tells which shape a Type has.
type TypeKind uint8

// Shapes of a written SQL type.
const (
	// NamedType is a primitive (`INT`, `VARCHAR`, `DECIMAL(4, 2)`) or a custom
	// type registered with CREATE TYPE; the planner resolves the name.
	NamedType TypeKind = iota
	ArrayType
	MapType
	StructType
)

var typeKindNames = [...]string{"NAMED", "ARRAY", "MAP", "STRUCT"}

// String names the shape.
func (k TypeKind) String() string { return typeKindNames[k] }

// Type is a SQL type as written in a statement. It is resolved to a
// types.Type by the planner, which knows the aliases (INT = INTEGER,
// VARCHAR = STRING) and the custom types.
type Type struct {
	Pos
	Kind TypeKind
	// Name is the upper-cased type name of a NamedType (kept as written when
	// quoted, which only custom types can be).
	Name string
	// Params are the parameters of a NamedType, e.g. precision and scale of
	// DECIMAL: integers, or `${var}` before substitution.
	Params []string
	// Elem is the element type of an array or the value type of a map.
	Elem *Type
	// Key is the key type of a map.
	Key *Type
	// Fields are the fields of a struct.
	Fields []TypeField
}

// TypeField is one field of a STRUCT type.
type TypeField struct {
	Pos
	Name string
	Type *Type
}
