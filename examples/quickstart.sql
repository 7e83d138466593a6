-- Sluice quick start: an edge node on a vessel watches its engine sensors.
-- `make run` prints these statements in canonical form (sluice fmt); later
-- releases run them with `sluice run examples/quickstart.sql`.

DEFINE site = 'vessel-7';

-- Raw readings as the sensors publish them.
CREATE STREAM readings (
  sensor_id   STRING KEY,
  temperature DOUBLE,
  rpm         INT,
  ts          BIGINT
) WITH (kafka_topic='readings', value_format='JSON', partitions=2, timestamp='ts');

-- Alarms: hot engines, tagged with the site.
CREATE STREAM alarms WITH (kafka_topic='alarms') AS
  SELECT sensor_id, temperature, rpm, '${site}' AS site
  FROM readings
  WHERE temperature > 90.0 OR rpm NOT BETWEEN 600 AND 2400
  EMIT CHANGES;

-- One-minute averages per sensor, with a z-score style spread.
CREATE TABLE engine_minute AS
  SELECT sensor_id, COUNT(*) AS n, AVG(temperature) AS avg_temp, MAX(rpm) AS max_rpm
  FROM readings
  WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS)
  GROUP BY sensor_id
  EMIT CHANGES;
