package types

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// The columnar form. Operators pass micro-batches of rows as Arrow record
// batches: one Arrow array per column, typed from the SQL type, plus the
// per-row metadata every record carries (rowtime, partition, offset, key
// bytes, change kind), kept in plain Go slices beside the arrays because no
// operator ever wants them as Arrow. The SQL → Arrow mapping is fixed so
// results can leave as Arrow IPC for pandas, polars and DuckDB:
//
//	BOOLEAN      bool            DATE       date32
//	INTEGER      int32           TIME       time32[ms]
//	BIGINT       int64           TIMESTAMP  timestamp[ms, UTC]
//	DOUBLE       float64         ARRAY<T>   list<T>
//	DECIMAL(p,s) decimal128(p,s) MAP<K,V>   map<K,V>
//	STRING       utf8            STRUCT     struct
//	BYTES        binary          NULL       null

// Column is one named, SQL-typed column of a batch schema.
type Column struct {
	Name string
	Type *Type
	// Key marks a key column (`K STRING KEY`); formats use it to decide
	// which columns come from the record key and which from the value.
	Key bool
	// Headers marks a column populated from record headers.
	Headers bool
}

// Schema is an ordered list of columns with its Arrow equivalent, built
// once and shared by every batch of a stream.
type Schema struct {
	Columns []Column
	arrow   *arrow.Schema
	index   map[string]int
}

// NewSchema builds a schema. Column names must be unique (exactly, as
// identifiers are already normalised by the parser) and every type must
// map to Arrow.
func NewSchema(cols ...Column) (*Schema, error) {
	fields := make([]arrow.Field, len(cols))
	index := make(map[string]int, len(cols))
	for i, c := range cols {
		if c.Name == "" {
			return nil, errorf(CodeUnsupportedCast, "column %d has no name", i)
		}
		if _, dup := index[c.Name]; dup {
			return nil, errorf(CodeUnsupportedCast, "duplicate column %q", c.Name)
		}
		index[c.Name] = i
		dt, err := ArrowType(c.Type)
		if err != nil {
			return nil, err
		}
		fields[i] = arrow.Field{Name: c.Name, Type: dt, Nullable: true}
	}
	return &Schema{Columns: cols, arrow: arrow.NewSchema(fields, nil), index: index}, nil
}

// MustSchema is NewSchema for fixed schemas in tests and benchmarks.
func MustSchema(cols ...Column) *Schema {
	s, err := NewSchema(cols...)
	if err != nil {
		panic(err)
	}
	return s
}

// Arrow returns the Arrow schema.
func (s *Schema) Arrow() *arrow.Schema { return s.arrow }

// Len returns the number of columns.
func (s *Schema) Len() int { return len(s.Columns) }

// Index returns the position of the named column, or -1.
func (s *Schema) Index(name string) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	return -1
}

// String prints the schema as ksqlDB describes one: `K STRING KEY, V INTEGER`.
func (s *Schema) String() string {
	var b strings.Builder
	for i, c := range s.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name)
		b.WriteByte(' ')
		b.WriteString(c.Type.String())
		if c.Key {
			b.WriteString(" KEY")
		}
		if c.Headers {
			b.WriteString(" HEADERS")
		}
	}
	return b.String()
}

// ArrowType maps a SQL type to its Arrow data type.
func ArrowType(t *Type) (arrow.DataType, error) {
	if t == nil {
		return nil, errorf(CodeUnsupportedCast, "missing type")
	}
	switch t.Kind {
	case Null:
		return arrow.Null, nil
	case Boolean:
		return arrow.FixedWidthTypes.Boolean, nil
	case Integer:
		return arrow.PrimitiveTypes.Int32, nil
	case Bigint:
		return arrow.PrimitiveTypes.Int64, nil
	case Double:
		return arrow.PrimitiveTypes.Float64, nil
	case DecimalKind:
		if err := ValidateDecimal(t.Precision, t.Scale); err != nil {
			return nil, err
		}
		return &arrow.Decimal128Type{Precision: int32(t.Precision), Scale: int32(t.Scale)}, nil
	case String:
		return arrow.BinaryTypes.String, nil
	case Bytes:
		return arrow.BinaryTypes.Binary, nil
	case DateKind:
		return arrow.FixedWidthTypes.Date32, nil
	case TimeKind:
		return arrow.FixedWidthTypes.Time32ms, nil
	case TimestampKind:
		return arrow.FixedWidthTypes.Timestamp_ms, nil
	case Array:
		e, err := ArrowType(t.Elem)
		if err != nil {
			return nil, err
		}
		return arrow.ListOf(e), nil
	case MapKind:
		k, err := ArrowType(t.Key)
		if err != nil {
			return nil, err
		}
		v, err := ArrowType(t.Elem)
		if err != nil {
			return nil, err
		}
		return arrow.MapOf(k, v), nil
	case StructKind:
		fs := make([]arrow.Field, len(t.Fields))
		for i, f := range t.Fields {
			dt, err := ArrowType(f.Type)
			if err != nil {
				return nil, err
			}
			fs[i] = arrow.Field{Name: f.Name, Type: dt, Nullable: true}
		}
		return arrow.StructOf(fs...), nil
	}
	return nil, errorf(CodeUnsupportedCast, "no Arrow type for %s", t)
}
