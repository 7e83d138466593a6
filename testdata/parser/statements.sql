-- Every statement kind of the dialect, one or more forms each.
CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR KEY, pageid STRING)
  WITH (kafka_topic='pageviews', value_format='JSON', partitions=3, replicas=-1);
CREATE OR REPLACE SOURCE STREAM IF NOT EXISTS `Mixed Case` (id INT KEY, h ARRAY<STRUCT<key STRING, value BYTES>> HEADERS, v BYTES HEADER('v'))
  WITH (kafka_topic='mixed', format='JSON', timestamp='ts', timestamp_format='yyyy-MM-dd''T''HH:mm:ss');
CREATE TABLE users (id STRING PRIMARY KEY, regionid STRING, address STRUCT<street VARCHAR, zip INT>, tags MAP<STRING, ARRAY<DECIMAL(10, 2)>>)
  WITH (kafka_topic='users', key_format='KAFKA', value_format='AVRO', wrap_single_value=false);
CREATE SOURCE TABLE t2 WITH (kafka_topic='t2', format='AVRO');
CREATE STREAM enriched WITH (kafka_topic='enriched', partitions=4) AS
  SELECT p.userid AS userid, u.regionid, p.pageid FROM pageviews p LEFT JOIN users u ON p.userid = u.id
  WHERE p.pageid <> 'home' PARTITION BY u.regionid EMIT CHANGES;
CREATE TABLE counts AS SELECT regionid, COUNT(*) AS n, LATEST_BY_OFFSET(pageid) FROM enriched
  WINDOW TUMBLING (SIZE 1 MINUTE, RETENTION 2 DAYS, GRACE PERIOD 10 SECONDS)
  GROUP BY regionid HAVING COUNT(*) > 1 EMIT FINAL;
CREATE TABLE hop AS SELECT k, SUM(v) FROM s WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS) GROUP BY k;
CREATE TABLE sess AS SELECT k, COUNT(*) FROM s WINDOW w SESSION (5 MINUTES, GRACE PERIOD 0 SECONDS) GROUP BY (k, j);
CREATE STREAM j3 AS SELECT * FROM a
  JOIN b WITHIN 10 SECONDS ON a.id = b.id
  FULL OUTER JOIN c WITHIN (1 HOUR, 2 HOURS) GRACE PERIOD 5 MILLISECONDS ON a.id = c.id
  RIGHT JOIN d ON a.id = d.id INNER JOIN e ON a.id = e.id;
INSERT INTO enriched SELECT * FROM other PARTITION BY (a, b);
INSERT INTO enriched WITH (query_id='my_query') SELECT * FROM other;
INSERT INTO pageviews (viewtime, userid, pageid) VALUES (1, 'u1', 'p1');
INSERT INTO pageviews VALUES (-1, NULL, 'x');
SELECT * FROM pageviews EMIT CHANGES LIMIT 10;
SELECT * FROM counts WHERE regionid = 'r1' AND WINDOWSTART >= 1000;
SHOW STREAMS; LIST TABLES EXTENDED; SHOW TOPICS; SHOW ALL TOPICS EXTENDED; LIST QUERIES EXTENDED;
SHOW FUNCTIONS; SHOW TYPES; SHOW PROPERTIES; SHOW VARIABLES; SHOW CONNECTORS; SHOW SINK CONNECTORS;
LIST SOURCE CONNECTORS; SHOW CONNECTOR PLUGINS;
DESCRIBE pageviews; DESCRIBE pageviews EXTENDED; DESCRIBE EXTENDED pageviews; DESCRIBE STREAMS; DESCRIBE TABLES EXTENDED;
DESCRIBE FUNCTION ucase; DESCRIBE CONNECTOR jdbc;
EXPLAIN SELECT * FROM pageviews EMIT CHANGES; EXPLAIN CSAS_ENRICHED_0;
DROP STREAM pageviews; DROP STREAM IF EXISTS pageviews DELETE TOPIC; DROP TABLE users DELETE TOPIC;
DROP TYPE IF EXISTS address; DROP CONNECTOR IF EXISTS jdbc;
CREATE TYPE address AS STRUCT<number INTEGER, street VARCHAR, city VARCHAR>;
CREATE TYPE IF NOT EXISTS empty AS STRUCT<>;
ALTER STREAM pageviews ADD COLUMN extra STRING, ADD more ARRAY<INT>;
ALTER TABLE users ADD COLUMN score DOUBLE;
TERMINATE CSAS_ENRICHED_0; TERMINATE ALL; PAUSE ALL; PAUSE CTAS_X_1; RESUME CTAS_X_1;
PRINT 'pageviews' FROM BEGINNING INTERVAL 2 LIMIT 5; PRINT pageviews; PRINT pv SAMPLE 3;
SET 'auto.offset.reset'='earliest'; UNSET 'auto.offset.reset'; ALTER SYSTEM 'ksql.x'='y';
DEFINE topic = 'pageviews'; UNDEFINE topic;
CREATE STREAM v WITH (kafka_topic='${topic}') AS SELECT * FROM ${source};
ASSERT TOPIC pageviews; ASSERT NOT EXISTS TOPIC 'x-y' WITH (partitions=1) TIMEOUT 3 SECONDS;
ASSERT SCHEMA SUBJECT 'pv-value' ID 4 TIMEOUT 10 SECONDS; ASSERT NOT EXISTS SCHEMA ID 3;
RUN SCRIPT '/tmp/x.sql';
CREATE SOURCE CONNECTOR IF NOT EXISTS jdbc WITH ('connector.class'='io.x.JdbcSource', 'tasks.max'=1);
CREATE SINK CONNECTOR s3 WITH ("topics"='a');
