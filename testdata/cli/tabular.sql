-- Tabular rendering of the statements an analyst runs most.
CREATE STREAM pageviews (user_id INT KEY, page STRING, dwell DOUBLE, tags ARRAY<STRING>, meta STRUCT<browser STRING, mobile BOOLEAN>)
  WITH (kafka_topic='pageviews', value_format='JSON', partitions=1);
SET 'auto.offset.reset'='earliest';
INSERT INTO pageviews (user_id, page, dwell, tags, meta) VALUES (1, 'home', 1.5, ARRAY['a', 'b'], STRUCT(browser := 'firefox', mobile := false));
INSERT INTO pageviews (user_id, page, dwell, tags, meta) VALUES (2, 'a very long page name that is wider than its column in a push query', 12.25, ARRAY['x'], STRUCT(browser := 'curl', mobile := true));
INSERT INTO pageviews (user_id, page) VALUES (3, NULL);
SHOW STREAMS;
DESCRIBE pageviews;
SELECT user_id, page, dwell, tags, meta FROM pageviews EMIT CHANGES LIMIT 3;
CREATE STREAM long_views AS SELECT user_id, page FROM pageviews WHERE dwell > 10 EMIT CHANGES;
SHOW QUERIES;
DESCRIBE long_views;
EXPLAIN SELECT page FROM pageviews WHERE dwell > 1 EMIT CHANGES;
UNDEFINE nothing;
SHOW VARIABLES;
DESCRIBE FUNCTION ABS;
