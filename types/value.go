package types

import "math/big"

// Decimal is an exact DECIMAL value: Unscaled × 10^-Scale. The precision
// belongs to the column's type, not to the value. A Decimal is immutable;
// Unscaled is never nil for a valid value and must not be modified.
type Decimal struct {
	Unscaled *big.Int
	Scale    int32
}

// Date is a DATE: days since 1970-01-01 (negative before it).
type Date int32

// Time is a TIME of day: milliseconds since midnight, in [0, 86_400_000).
type Time int32

// Timestamp is a TIMESTAMP: milliseconds since the Unix epoch, UTC.
type Timestamp int64

// Map is a MAP value. Entries keep their insertion order, which is the
// order formats write them in; keys are unique (by SQL equality).
type Map struct {
	Keys   []any
	Values []any
}

// Struct is a STRUCT value: one value per field of Type, by position.
type Struct struct {
	Type   *Type
	Values []any
}

// Get returns the value of the named field and whether the field exists.
func (s *Struct) Get(name string) (any, bool) {
	i := s.Type.FieldIndex(name)
	if i < 0 {
		return nil, false
	}
	return s.Values[i], true
}
