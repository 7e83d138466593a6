-- Edge scenario: a forward site's sensors publish raw readings; the node
-- keeps two kinds of derived streams that are worth sending over a thin
-- link: alarms (readings outside their safe range) and one routed stream
-- per site, so each can be replicated or retained on its own terms.
--
-- Run it with `sluice run examples/edge/edge.sql --data-dir DIR`, or end to
-- end with examples/edge/run.sh.

DEFINE max_temp = '85.0';
DEFINE max_vibration = '7.5';

-- Derived streams start from the beginning of their inputs, so readings
-- produced before the queries start are processed too.
SET 'auto.offset.reset' = 'earliest';

-- Raw readings as the sensors publish them: the sensor id is the record
-- key, the value a JSON object.
CREATE STREAM sensor_readings (
  sensor_id STRING KEY,
  site      STRING,
  kind      STRING,
  temp_c    DOUBLE,
  vibration DOUBLE,
  battery   INT,
  ts        BIGINT
) WITH (
  kafka_topic = 'sensor_readings',
  value_format = 'JSON',
  partitions = 2,
  timestamp = 'ts'
);

-- Alarms: anything too hot, shaking too hard, or running out of battery,
-- with the reason spelled out for the operator.
CREATE STREAM alarms WITH (kafka_topic = 'alarms') AS
  SELECT
    sensor_id,
    site,
    temp_c,
    vibration,
    battery,
    CASE
      WHEN temp_c > ${max_temp} THEN 'OVERHEAT'
      WHEN vibration > ${max_vibration} THEN 'VIBRATION'
      ELSE 'LOW_BATTERY'
    END AS reason
  FROM sensor_readings
  WHERE temp_c > ${max_temp} OR vibration > ${max_vibration} OR battery < 10
  EMIT CHANGES;

-- One routed stream per site: the readings of that site only, trimmed to
-- what the site's consumers need.
CREATE STREAM site_north WITH (kafka_topic = 'site_north') AS
  SELECT sensor_id, kind, temp_c, vibration, ts
  FROM sensor_readings
  WHERE site = 'north'
  EMIT CHANGES;

CREATE STREAM site_south WITH (kafka_topic = 'site_south') AS
  SELECT sensor_id, kind, temp_c, vibration, ts
  FROM sensor_readings
  WHERE site = 'south'
  EMIT CHANGES;

-- Per site and minute of event time: how many readings, the mean
-- temperature and the peak vibration. A window closes for late readings 10
-- seconds after its end. Pull queries read it from the state store:
--   SELECT * FROM site_minute WHERE site = 'north';
CREATE TABLE site_minute WITH (kafka_topic = 'site_minute') AS
  SELECT
    site,
    COUNT(*)       AS readings,
    AVG(temp_c)    AS avg_temp_c,
    MAX(vibration) AS max_vibration
  FROM sensor_readings
  WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS)
  GROUP BY site
  EMIT CHANGES;

-- Per sensor: its latest temperature, how unusual that reading is against
-- the sensor's own history (z-score), and its lowest battery level.
--   SELECT * FROM sensor_health WHERE sensor_id = 'north-pump-1';
CREATE TABLE sensor_health WITH (kafka_topic = 'sensor_health') AS
  SELECT
    sensor_id,
    COUNT(*)                 AS readings,
    LATEST_BY_OFFSET(temp_c) AS temp_c,
    ZSCORE(temp_c)           AS temp_z,
    MIN(battery)             AS min_battery
  FROM sensor_readings
  GROUP BY sensor_id
  EMIT CHANGES;
