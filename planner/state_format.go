package planner

import (
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// msgIntermediateType is ksqlDB's refusal of an aggregate whose state the
// source's value format cannot hold.
const msgIntermediateType = "One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format."

// checkStateFormat applies ksqlDB's rule for aggregation state: the state
// of every aggregate call is written to the aggregation's store and
// changelog in the value format of the source, so a call whose state type
// that format cannot represent (a STRUCT, ARRAY or MAP under DELIMITED,
// say AVG or COLLECT_LIST) makes the whole query invalid. Each state is
// checked as a column of its own: the source's columns are in its format
// already, and whether a format takes several columns is another rule.
func checkStateFormat(src *Source, calls []*aggCall) error {
	opts := src.ValueOptions
	opts.Key = false
	for _, c := range calls {
		st := c.call.StateType()
		if st == nil {
			continue
		}
		if err := format.Validate(src.ValueFormat, []types.Column{{Name: "STATE", Type: st}}, opts); err != nil {
			return errNoPos("%s", msgIntermediateType)
		}
	}
	return nil
}
