#!/bin/sh
# Runs the edge example end to end: declare the pipeline, feed it the
# readings, let it catch up, and print what each derived stream holds.
#
#   examples/edge/run.sh [DATA_DIR]
#
# SLUICE names the binary (default: sluice on PATH). Without DATA_DIR a
# fresh temporary directory is used. Running it again on the same DATA_DIR
# appends the readings once more and processes only those.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sluice=${SLUICE:-sluice}
data=${1:-$(mktemp -d)}

echo "== data directory: $data"
# First run: creates the streams, their topics and the persistent queries.
$sluice run "$here/edge.sql" --data-dir "$data" --until-caught-up
# The sensors publish (one record per line: key|JSON value).
$sluice topic produce sensor_readings --key-separator '|' --data-dir "$data" < "$here/readings.txt"
# Second run: recognises the applied statements, resumes every query from
# its committed position and processes the new readings.
$sluice run "$here/edge.sql" --data-dir "$data" --until-caught-up

for t in alarms site_north site_south sensor_health sluice_processing_log; do
  echo "== $t"
  $sluice topic consume "$t" --format '%k %v' --data-dir "$data"
done
