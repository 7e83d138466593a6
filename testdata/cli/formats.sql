-- The same results as JSON lines, then CSV.
CREATE STREAM s (id INT KEY, name STRING, amount DECIMAL(10, 2), m MAP<STRING, INT>) WITH (kafka_topic='s', value_format='JSON', partitions=1);
SET 'auto.offset.reset'='earliest';
INSERT INTO s (id, name, amount, m) VALUES (1, 'alice, "the first"', 10.50, MAP('x' := 1, 'y' := 2));
INSERT INTO s (id, name, amount) VALUES (2, NULL, 0.01);
OUTPUT JSON
SELECT * FROM s EMIT CHANGES LIMIT 2;
SHOW STREAMS;
DESCRIBE s;
output csv;
SELECT * FROM s EMIT CHANGES LIMIT 2;
SHOW STREAMS;
OUTPUT TABULAR
OUTPUT
