-- A push query over a table shows deletes as tombstones; WHERE sends one
-- only for a key it output (b never passes, so it gets none).
CREATE TABLE balances (id STRING PRIMARY KEY, amount INT)
  WITH (kafka_topic='balances', value_format='JSON', partitions=1);
SET 'auto.offset.reset'='earliest';
INSERT INTO balances (id, amount) VALUES ('a', 10);
INSERT INTO balances (id, amount) VALUES ('b', -3);
INSERT INTO balances (id, amount) VALUES ('a', -5);
INSERT INTO balances (id, amount) VALUES ('c', 7);
SELECT * FROM balances WHERE amount > 0 EMIT CHANGES LIMIT 3;
SELECT amount FROM balances WHERE amount > 0 EMIT CHANGES LIMIT 3;
OUTPUT JSON;
SELECT * FROM balances WHERE amount > 0 EMIT CHANGES LIMIT 3;
