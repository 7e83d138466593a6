#!/bin/sh
# `make run`: the main job on the embedded default. Loads the edge example
# pipeline (examples/edge) into a data directory, feeds it the sample sensor
# readings, and serves it over ksqlDB's REST API until Ctrl-C. The
# persistent queries run inside the server; open the shell against it from
# another terminal.
#
#   SLUICE=bin/sluice SLUICE_DEMO_DIR=./sluice-demo SLUICE_LISTEN=:8088 scripts/demo.sh
#
# A second run reuses the data directory: the server resumes the queries
# where they stopped.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sluice=${SLUICE:-$root/bin/sluice}
data=${SLUICE_DEMO_DIR:-$root/sluice-demo}
listen=${SLUICE_LISTEN:-:8088}

if [ ! -d "$data" ]; then
  echo "== loading the edge pipeline into $data"
  "$sluice" run "$root/examples/edge/edge.sql" --data-dir "$data" --until-caught-up
  "$sluice" topic produce sensor_readings --key-separator '|' --data-dir "$data" \
    < "$root/examples/edge/readings.txt"
fi

port=${listen##*:}
cat <<TXT
== serving $data on $listen (Ctrl-C stops; queries commit and resume next time)

Open the shell in another terminal:

  $sluice shell --server http://localhost:$port

and try:

  SHOW STREAMS;
  SHOW QUERIES;
  SET 'auto.offset.reset' = 'earliest';
  SELECT * FROM alarms EMIT CHANGES LIMIT 5;
  INSERT INTO sensor_readings (sensor_id, site, kind, temp_c, vibration, battery, ts)
    VALUES ('north-pump-9', 'north', 'pump', 99.5, 1.0, 80, 1767225700000);
  SELECT sensor_id, reason FROM alarms EMIT CHANGES;

pull queries read the tables' state stores (per site and minute, per sensor):

  SELECT * FROM site_minute WHERE site = 'north';
  SELECT * FROM sensor_health WHERE sensor_id IN ('north-pump-1', 'south-pump-3');
  SELECT sensor_id, readings, temp_z FROM sensor_health WHERE ABS(temp_z) > 1;

TXT
exec "$sluice" server --listen "$listen" --data-dir "$data"
