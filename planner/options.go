package planner

import (
	"strings"

	"github.com/sluicedb/sluice/functions"
)

// Options is what a statement is planned with besides the catalog: the
// function library and the ksqlDB properties in effect for the statement
// (server defaults overlaid with the session's SET values), because several
// defaults (formats, offset reset, single-value wrapping) come from them.
type Options struct {
	// Registry resolves function calls; nil means functions.Builtins().
	Registry *functions.Registry
	// Properties are ksqlDB properties by name, for example
	// ksql.persistence.default.format.key (default KAFKA),
	// ksql.persistence.default.format.value (no default: VALUE_FORMAT or
	// FORMAT is then required), ksql.persistence.wrap.single.values and
	// auto.offset.reset (earliest or latest; the default is latest).
	Properties map[string]string
	// QueryID is the id the engine gives the query a statement starts
	// (CSAS_OUTPUT_3, INSERTQUERY_5, transient_...). It becomes the
	// QuerySpec's ID.
	QueryID string
}

// Property names the planner reads from Options.Properties.
const (
	PropDefaultKeyFormat   = "ksql.persistence.default.format.key"
	PropDefaultValueFormat = "ksql.persistence.default.format.value"
	PropWrapSingleValues   = "ksql.persistence.wrap.single.values"
	PropAutoOffsetReset    = "auto.offset.reset"
	// PropTimestampThrowOnInvalid makes a TIMESTAMP column that cannot be
	// read (NULL, negative, unparseable) stop the query instead of sending
	// the record to the processing log.
	PropTimestampThrowOnInvalid = "ksql.timestamp.throw.on.invalid"
)

// registry returns the function registry to resolve calls with.
func (o Options) registry() *functions.Registry {
	if o.Registry != nil {
		return o.Registry
	}
	return functions.Builtins()
}

// property returns a property value, trying the name as given and with the
// "ksql.streams." prefix ksqlDB also accepts for streams settings.
func (o Options) property(name string) (string, bool) {
	if v, ok := o.Properties[name]; ok {
		return v, true
	}
	if v, ok := o.Properties["ksql.streams."+name]; ok {
		return v, true
	}
	return "", false
}

// fromBeginning reports whether queries without committed offsets start at
// the earliest offset.
func (o Options) fromBeginning() bool {
	v, _ := o.property(PropAutoOffsetReset)
	return strings.EqualFold(strings.TrimSpace(v), "earliest")
}

// throwOnInvalidTimestamp is ksql.timestamp.throw.on.invalid (default
// false: skip the record).
func (o Options) throwOnInvalidTimestamp() bool {
	v, _ := o.property(PropTimestampThrowOnInvalid)
	return strings.EqualFold(strings.TrimSpace(v), "true")
}
