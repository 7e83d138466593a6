-- Run by client.sql through RUN SCRIPT.
CREATE STREAM clicks (id INT KEY, url STRING) WITH (kafka_topic='clicks', value_format='JSON', partitions=1);
DEFINE who = 'script';
INSERT INTO clicks (id, url) VALUES (1, '${who}');
