// Package functions is Sluice's function library: the registry of scalar,
// aggregate and table functions that SQL queries call, their signatures and
// documentation (SHOW FUNCTIONS, DESCRIBE FUNCTION), overload resolution
// with ksqlDB's implicit-cast rules, and the implementations themselves.
//
// Implementations work on the row representation of values fixed by package
// types (nil, bool, int32, int64, float64, types.Decimal, string, []byte,
// types.Date, types.Time, types.Timestamp, []any, *types.Map,
// *types.Struct). The executor lifts them over columnar batches.
//
// A function never panics on bad data: a value-level failure is returned as
// an error, which the engine routes to the processing log before emitting
// NULL, so one bad record never stops a query.
//
// The shipped library is Builtins(). Tests and the conformance runner that
// need extra functions (ksqlDB's own test UDFs) build a registry with
// NewRegistry, copy the built-ins in with AddAll and Register their own:
// test-only functions never reach the shipped registry.
package functions
