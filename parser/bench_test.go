package parser

import "testing"

// A mid-sized CSAS: a join, a filter, a projection with functions, CASE
// and a struct dereference.
const benchCSAS = `CREATE STREAM enriched_orders WITH (kafka_topic='enriched_orders', partitions=6, value_format='JSON') AS
SELECT o.order_id, o.customer_id, UCASE(c.name) AS customer, o.amount * 1.2 AS gross,
       CASE WHEN o.amount > 100 THEN 'large' WHEN o.amount > 10 THEN 'medium' ELSE 'small' END AS size,
       c.address->city AS city, TIMESTAMPTOSTRING(o.ROWTIME, 'yyyy-MM-dd HH:mm:ss') AS ts
FROM orders o
LEFT JOIN customers c ON o.customer_id = c.id
WHERE o.amount > 0 AND o.status IN ('NEW', 'PAID') AND c.name IS NOT NULL
PARTITION BY o.customer_id
EMIT CHANGES;`

// BenchmarkParseCSAS measures statements parsed per second (SLL path).
func BenchmarkParseCSAS(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseStatement(benchCSAS); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
}

// BenchmarkParseError measures the two-stage path taken by invalid input.
func BenchmarkParseError(b *testing.B) {
	bad := benchCSAS[:len(benchCSAS)-20] + " WHERE x = ;"
	for i := 0; i < b.N; i++ {
		if _, err := ParseStatement(bad); err == nil {
			b.Fatal("expected an error")
		}
	}
}
