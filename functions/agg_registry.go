package functions

import (
	"fmt"

	"github.com/sluicedb/sluice/types"
)

func errorfN(name string, n int64) error {
	return fmt.Errorf("functions: %s: N must be positive, got %d", name, n)
}

// numericAgg declares one variant per numeric type whose result has the
// argument's type (DECIMAL keeps precision and scale).
func numericAgg(description string, f AggregateFactory, param string) []*Signature {
	var sigs []*Signature
	for _, t := range []*Pattern{PInt, PBigint, PDouble} {
		sigs = append(sigs, asig(t, description+" ("+t.String()+")", 0, f, p(param, t)))
	}
	dec := asig(nil, description+" (DECIMAL, same precision and scale)", 0, f, p(param, PDecimal))
	dec.ReturnFunc = sameAsArg(0)
	return append(sigs, dec)
}

func aggregateFunctions() []*Function {
	countStar := func(star bool) AggregateFactory {
		return simple(func() Accumulator { return &countAcc{star: star} })
	}
	collect := func(dup bool) AggregateFactory {
		return func(ctx AggregateContext) (func() Accumulator, error) {
			limit := orDefault(ctx.Config.CollectSetLimit, defaultCollectLimit)
			if dup {
				limit = orDefault(ctx.Config.CollectListLimit, defaultCollectLimit)
			}
			return func() Accumulator { return &listAcc{dup: dup, limit: limit} }, nil
		}
	}
	topk := func(distinct bool) AggregateFactory {
		return func(ctx AggregateContext) (func() Accumulator, error) {
			k, _ := asInt64(ctx.Literals[0])
			if k <= 0 {
				return nil, fmt.Errorf("functions: TOPK: k must be positive, got %d", k)
			}
			return func() Accumulator { return &topkAcc{k: int(k), distinct: distinct} }, nil
		}
	}
	topkSigs := func(name string, distinct bool) []*Signature {
		var sigs []*Signature
		for _, t := range []*Pattern{PInt, PBigint, PDouble, PDecimal, PString, PBytes, PDate, PTime, PTimestamp} {
			s := asig(ArrayP(t), "Top k "+t.String()+" values, largest first.", 1, topk(distinct), p("val", t), p("k", PInt))
			if t == PDecimal {
				s.Returns = nil
				s.ReturnFunc = func(args []*types.Type) (*types.Type, error) { return types.ArrayOf(args[0]), nil }
			}
			sigs = append(sigs, s)
		}
		return sigs
	}
	stddevSigs := func(variance bool) []*Signature {
		f := simple(func() Accumulator { return &stddevAcc{variance: variance} })
		what := "Sample standard deviation"
		if variance {
			what = "Sample variance (as ksqlDB's STDDEV_SAMP computes)"
		}
		var sigs []*Signature
		for _, t := range []*Pattern{PInt, PBigint, PDouble} {
			sigs = append(sigs, asig(PDouble, what+" of "+t.String()+" values.", 0, f, p("val", t)))
		}
		return sigs
	}
	avg := simple(func() Accumulator { return &avgAcc{} })
	var avgSigs []*Signature
	for _, t := range []*Pattern{PInt, PBigint, PDouble, PDecimal} {
		avgSigs = append(avgSigs, asig(PDouble, "Average of "+t.String()+" values.", 0, avg, p("val", t)))
	}
	minmax := func(dir int) []*Signature {
		f := simple(func() Accumulator { return &extremeAcc{dir: dir} })
		var sigs []*Signature
		for _, t := range []*Pattern{PInt, PBigint, PDouble, PDecimal, PString, PBytes, PDate, PTime, PTimestamp, PBoolean} {
			s := asig(t, t.String()+" values.", 0, f, p("val", t))
			if t == PDecimal {
				s.Returns, s.ReturnFunc = nil, sameAsArg(0)
			}
			sigs = append(sigs, s)
		}
		return sigs
	}
	var sumListSigs []*Signature
	for _, t := range []*Pattern{PInt, PBigint, PDouble} {
		sumListSigs = append(sumListSigs, asig(t, "Sums the elements of "+t.String()+" arrays.", 0, sumFactory(true), p("list", ArrayP(t))))
	}
	stddevSamp := aggregate("STDDEV_SAMP", "Returns what ksqlDB's STDDEV_SAMP returns: the sample variance of a column (use STDDEV_SAMPLE for the standard deviation); 0 with fewer than two values.", stddevSigs(true)...)
	return []*Function{
		aggregate("COUNT", "Counts rows (COUNT(*)) or the rows where the column is not NULL.",
			asig(PBigint, "COUNT(*): all rows.", 0, countStar(true)),
			asig(PBigint, "Rows where the column is not NULL.", 0, countStar(false), p("val", T))),
		aggregate("SUM", "Sums a column; NULLs are ignored and an empty sum is 0.", numericAgg("Sum", sumFactory(false), "val")...),
		aggregate("SUM_LIST", "Sums the elements of an array column across rows.", sumListSigs...),
		aggregate("AVG", "Returns the average of a column as a DOUBLE; NULLs are ignored.", avgSigs...),
		aggregate("MIN", "Returns the smallest non-NULL value of a column.", minmax(-1)...),
		aggregate("MAX", "Returns the largest non-NULL value of a column.", minmax(1)...),
		aggregate("ATTR", "Returns the column's value if every non-NULL row has the same one, else NULL.",
			asig(T, "The common value.", 0, simple(func() Accumulator { return &attrAcc{} }), p("val", T))),
		aggregate("COUNT_DISTINCT", "Returns the approximate number of distinct non-NULL values (exact up to 1024, HyperLogLog beyond).",
			asig(PBigint, "Distinct count.", 0, simple(func() Accumulator { return &countDistinctAcc{} }), p("val", T))),
		aggregate("COLLECT_LIST", "Returns an array of the column's values in arrival order, up to 1000 entries.",
			asig(ArrayP(T), "Collects values.", 0, collect(true), p("val", T))),
		aggregate("COLLECT_SET", "Returns an array of the column's distinct values in arrival order, up to 1000 entries.",
			asig(ArrayP(T), "Collects distinct values.", 0, collect(false), p("val", T))),
		aggregate("HISTOGRAM", "Returns a map from each distinct string value to its number of occurrences, up to 1000 distinct values.",
			asig(MapP(PString, PBigint), "Counts values.", 0, func(ctx AggregateContext) (func() Accumulator, error) {
				limit := orDefault(ctx.Config.HistogramLimit, defaultCollectLimit)
				return func() Accumulator { return &histogramAcc{limit: limit, counts: map[string]int64{}} }, nil
			}, p("val", PString))),
		aggregate("TOPK", "Returns the k largest values of a column, largest first, duplicates included.", topkSigs("TOPK", false)...),
		aggregate("TOPKDISTINCT", "Returns the k largest distinct values of a column, largest first.", topkSigs("TOPKDISTINCT", true)...),
		offsetFunction("EARLIEST_BY_OFFSET", false),
		offsetFunction("LATEST_BY_OFFSET", true),
		stddevSamp,
		aggregate("STDDEV_SAMPLE", "Returns the sample standard deviation of a column; 0 with fewer than two values.", stddevSigs(false)...),
		aggregate("CORRELATION", "Returns Pearson's correlation coefficient of two columns; NaN with fewer than two rows or constant input.",
			asig(PDouble, "Correlation of x and y.", 0, simple(func() Accumulator { return &corrAcc{} }), p("x", PDouble), p("y", PDouble))),
	}
}
