-- Errors point at the offending text.
CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);
SELECT nope FROM s EMIT CHANGES LIMIT 1;
SELECT v
  FROM s
  WHERE v => 1 EMIT CHANGES;
CREATE STREAM s (id INT KEY) WITH (kafka_topic='s', value_format='JSON');
DESCRIBE missing;
INSERT INTO s (id, v) VALUES ('x', 1);
RUN SCRIPT 'does-not-exist.sql';
SELECT * FROM s GROUP BY id;
