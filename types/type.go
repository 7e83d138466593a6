// Package types owns Sluice's SQL type system and the Go representation of
// SQL values: the scalar and nested types of the ksqlDB dialect, their
// canonical SQL spelling, and the rules (widening, casts, comparison) that
// the planner, the function library and the serialization formats share.
//
// A value of a SQL type is held in a Go `any` with exactly one concrete Go
// type per SQL type, so every layer can switch on it without guessing:
//
//	SQL type        Go type
//	(any) NULL      nil
//	BOOLEAN         bool
//	INTEGER         int32
//	BIGINT          int64
//	DOUBLE          float64
//	DECIMAL(p,s)    Decimal
//	STRING          string
//	BYTES           []byte
//	DATE            Date
//	TIME            Time
//	TIMESTAMP       Timestamp
//	ARRAY<T>        []any
//	MAP<K,V>        *Map
//	STRUCT<...>     *Struct
//
// Row-at-a-time code (functions, formats) uses this representation; the
// columnar batch form over Arrow converts to and from it.
package types

import (
	"strconv"
	"strings"
)

// Kind enumerates the SQL types.
type Kind uint8

// The kinds of SQL type. Null is the type of an untyped NULL literal before
// the planner gives it a type from its context.
const (
	Null Kind = iota
	Boolean
	Integer
	Bigint
	Double
	DecimalKind
	String
	Bytes
	DateKind
	TimeKind
	TimestampKind
	Array
	MapKind
	StructKind
)

var kindNames = [...]string{
	Null:          "NULL",
	Boolean:       "BOOLEAN",
	Integer:       "INTEGER",
	Bigint:        "BIGINT",
	Double:        "DOUBLE",
	DecimalKind:   "DECIMAL",
	String:        "STRING",
	Bytes:         "BYTES",
	DateKind:      "DATE",
	TimeKind:      "TIME",
	TimestampKind: "TIMESTAMP",
	Array:         "ARRAY",
	MapKind:       "MAP",
	StructKind:    "STRUCT",
}

// String returns the SQL name of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "KIND(" + strconv.Itoa(int(k)) + ")"
}

// Type is a SQL type. Types are immutable once built and may be shared;
// compare them with Equal, not ==.
type Type struct {
	Kind Kind
	// Precision and Scale describe DECIMAL(Precision, Scale).
	Precision, Scale int
	// Elem is the element type of an ARRAY and the value type of a MAP.
	Elem *Type
	// Key is the key type of a MAP.
	Key *Type
	// Fields are the fields of a STRUCT, in declaration order.
	Fields []Field
}

// Field is one named field of a STRUCT type. Names are stored as written
// after identifier normalisation (unquoted names upper-cased).
type Field struct {
	Name string
	Type *Type
}

// Shared instances of the parameterless types.
var (
	NullType      = &Type{Kind: Null}
	BooleanType   = &Type{Kind: Boolean}
	IntegerType   = &Type{Kind: Integer}
	BigintType    = &Type{Kind: Bigint}
	DoubleType    = &Type{Kind: Double}
	StringType    = &Type{Kind: String}
	BytesType     = &Type{Kind: Bytes}
	DateType      = &Type{Kind: DateKind}
	TimeType      = &Type{Kind: TimeKind}
	TimestampType = &Type{Kind: TimestampKind}
)

// DecimalOf returns DECIMAL(precision, scale).
func DecimalOf(precision, scale int) *Type {
	return &Type{Kind: DecimalKind, Precision: precision, Scale: scale}
}

// ArrayOf returns ARRAY<elem>.
func ArrayOf(elem *Type) *Type { return &Type{Kind: Array, Elem: elem} }

// MapOf returns MAP<key, value>.
func MapOf(key, value *Type) *Type { return &Type{Kind: MapKind, Key: key, Elem: value} }

// StructOf returns STRUCT<fields...>.
func StructOf(fields ...Field) *Type { return &Type{Kind: StructKind, Fields: fields} }

// String returns the canonical SQL spelling of the type, as ksqlDB prints it
// in schemas: `DECIMAL(4, 2)`, `ARRAY<STRING>`, `STRUCT<`A` INTEGER>`.
func (t *Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t *Type) write(b *strings.Builder) {
	if t == nil {
		b.WriteString("NULL")
		return
	}
	switch t.Kind {
	case DecimalKind:
		b.WriteString("DECIMAL(")
		b.WriteString(strconv.Itoa(t.Precision))
		b.WriteString(", ")
		b.WriteString(strconv.Itoa(t.Scale))
		b.WriteByte(')')
	case Array:
		b.WriteString("ARRAY<")
		t.Elem.write(b)
		b.WriteByte('>')
	case MapKind:
		b.WriteString("MAP<")
		t.Key.write(b)
		b.WriteString(", ")
		t.Elem.write(b)
		b.WriteByte('>')
	case StructKind:
		b.WriteString("STRUCT<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('`')
			b.WriteString(strings.ReplaceAll(f.Name, "`", "``"))
			b.WriteString("` ")
			f.Type.write(b)
		}
		b.WriteByte('>')
	default:
		b.WriteString(t.Kind.String())
	}
}

// Equal reports whether two types are the same SQL type. Struct field names
// are compared exactly.
func (t *Type) Equal(o *Type) bool {
	if t == o {
		return true
	}
	if t == nil || o == nil || t.Kind != o.Kind {
		return false
	}
	switch t.Kind {
	case DecimalKind:
		return t.Precision == o.Precision && t.Scale == o.Scale
	case Array:
		return t.Elem.Equal(o.Elem)
	case MapKind:
		return t.Key.Equal(o.Key) && t.Elem.Equal(o.Elem)
	case StructKind:
		if len(t.Fields) != len(o.Fields) {
			return false
		}
		for i := range t.Fields {
			if t.Fields[i].Name != o.Fields[i].Name || !t.Fields[i].Type.Equal(o.Fields[i].Type) {
				return false
			}
		}
		return true
	}
	return true
}

// IsNumeric reports whether the type is INTEGER, BIGINT, DECIMAL or DOUBLE.
func (t *Type) IsNumeric() bool {
	switch t.Kind {
	case Integer, Bigint, DecimalKind, Double:
		return true
	}
	return false
}

// FieldIndex returns the index of the struct field with the given name, or -1.
func (t *Type) FieldIndex(name string) int {
	for i, f := range t.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}
