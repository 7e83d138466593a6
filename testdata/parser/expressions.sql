-- Expressions: literals, operators, precedence, predicates, constructors.
SELECT 1, -1, 2147483648, -9223372036854775808, 1.50, -0.5, .25, 1E3, -2.5e-3, 'it''s', TRUE, false, NULL
FROM s;
SELECT a + b * c, (a + b) * c, a - (b - c), a - b - c, -(-a), - -1, +a, a % 2, a / -b, 'x' || 'y' || z
FROM s;
SELECT NOT a AND b OR c, NOT (a AND b), a OR b AND c, (a OR b) AND c, NOT NOT a FROM s;
SELECT a = b, a <> b, a != b, a < b, a <= b, a > b, a >= b, (a = b) = c FROM s;
SELECT x BETWEEN 1 AND 10, x NOT BETWEEN a + 1 AND b, x IN (1, 2, 3), x NOT IN ('a'), x LIKE 'a%',
  x NOT LIKE 'a!%' ESCAPE '!', x IS NULL, x IS NOT NULL, x IS DISTINCT FROM y, x IS NOT DISTINCT FROM NULL
FROM s;
SELECT CASE WHEN a > 1 THEN 'big' WHEN a < 0 THEN 'neg' ELSE 'small' END,
  CASE a WHEN 1 THEN 'one' END, CAST(a AS DECIMAL(4, 2)), CAST(m AS MAP<STRING, ARRAY<INT>>),
  CAST(s AS STRUCT<`a b` INT, c STRUCT<d BOOLEAN>>), CAST(x AS address)
FROM s;
SELECT arr[1], arr[-1][2], m['k'], s->f->g, s->arr[1]->h, ARRAY[1, 2, 3], ARRAY[], MAP('a' := 1, 'b' := 2),
  STRUCT(a := 1, `B` := 'x'), s->*, t.s->*
FROM s;
SELECT COUNT(*), count(x), FOO.BAR, `lower`, "quoted ""x""", TRANSFORM(arr, x => x + 1),
  REDUCE(arr, 0, (s, x) => s + x), TRANSFORM(m, (k, v) => UCASE(k), (k, v) => v * 2), FILTER(a, e => e IS NOT NULL)
FROM s AS t;
SELECT `FROM`, `select` AS `as`, key, size, type, timestamp, date, time FROM `TABLE`;
SELECT ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART, WINDOWEND FROM s WHERE a > ${threshold};
