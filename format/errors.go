package format

import "strconv"

// SchemaError rejects a statement: the format cannot carry the schema or
// the options. Reason is ksqlDB's wording, so users (and the conformance
// corpus) see the message they know.
type SchemaError struct {
	Format string
	Column string
	Reason string
}

// Error implements error.
func (e *SchemaError) Error() string { return "format: " + e.Reason }

// DecodeError is a record that could not be deserialized. The engine writes
// it to the processing log with the record's coordinates and moves on.
type DecodeError struct {
	Format string
	// Column is the column being decoded when it failed, if known.
	Column string
	// Offset is the byte offset in the record where it failed, or -1.
	Offset int
	Msg    string
	Err    error
}

// Error implements error.
func (e *DecodeError) Error() string {
	s := "format: " + lower(e.Format) + ": "
	if e.Column != "" {
		s += "column " + e.Column + ": "
	}
	s += e.Msg
	if e.Offset >= 0 {
		s += " at byte " + strconv.Itoa(e.Offset)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes the cause (often a *types.Error).
func (e *DecodeError) Unwrap() error { return e.Err }

// EncodeError is a row that could not be serialized, which is rare: the
// planner has already validated types, so it means a value did not match
// its column (an engine bug) or a value the format cannot carry (a NaN in
// a decimal, say).
type EncodeError struct {
	Format string
	Column string
	Msg    string
	Err    error
}

// Error implements error.
func (e *EncodeError) Error() string {
	s := "format: " + lower(e.Format) + ": "
	if e.Column != "" {
		s += "column " + e.Column + ": "
	}
	s += e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes the cause.
func (e *EncodeError) Unwrap() error { return e.Err }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
