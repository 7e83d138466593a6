#!/usr/bin/env bash
# rest_smoke.sh: an independent client for `sluice server` written with curl
# against the documented wire format (docs/rest.md): it starts a server on a
# free port over a temporary data directory and checks every endpoint,
# error cases included. Exits non-zero on the first failed check.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
bin="$tmp/sluice"
(cd "$root" && go build -o "$bin" ./cmd/sluice)
"$bin" server --listen 127.0.0.1:0 --data-dir "$tmp/data" --max-body-bytes 65536 >"$tmp/out" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT

for _ in $(seq 200); do
  addr=$(sed -n 's/^sluice server listening on \([^ ]*\).*/\1/p' "$tmp/out" 2>/dev/null || true)
  [ -n "$addr" ] && break
  sleep 0.05
done
[ -n "${addr:-}" ] || { echo "server did not start"; cat "$tmp/err"; exit 1; }
base="http://$addr"

fails=0
# check NAME EXPECTED_STATUS PATTERN -- curl args...
check() {
  local name=$1 want=$2 pattern=$3; shift 4
  local body status
  body=$(curl -s -o - -w '\n%{http_code}' "$@")
  status=${body##*$'\n'}
  body=${body%$'\n'*}
  if [ "$status" != "$want" ] || ! grep -q -- "$pattern" <<<"$body"; then
    echo "FAIL $name: status $status (want $want), body: $body"
    fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

ksql() { printf '{"ksql":"%s","streamsProperties":{"auto.offset.reset":"earliest"}}' "$1"; }

check info 200 '"serverStatus":"RUNNING"' -- "$base/info"
check healthcheck 200 '"isHealthy":true' -- "$base/healthcheck"
check create 200 '"commandId":"stream/S/create"' -- -X POST "$base/ksql" -d "$(ksql "CREATE STREAM S (ID INT KEY, NAME STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);")"
check show 200 '"@type":"streams"' -- -X POST "$base/ksql" -d "$(ksql "SHOW STREAMS;")"
check describe 200 '"@type":"sourceDescription"' -- -X POST "$base/ksql" -d "$(ksql "DESCRIBE S;")"
check bad-json 400 '"error_code":40000' -- -X POST "$base/ksql" -d '{"ksql":'
check unknown-statement 400 '"error_code":40001' -- -X POST "$base/ksql" -d "$(ksql "FROB S;")"
check select-to-ksql 400 '"error_code":40002' -- -X POST "$base/ksql" -d "$(ksql "SELECT * FROM S EMIT CHANGES;")"
huge=$(head -c 100000 /dev/zero | tr '\0' 'x')
check huge-body 413 '"error_code":41300' -- -X POST "$base/ksql" --data-binary "{\"ksql\":\"$huge\"}"
check not-found 404 '"error_code":40400' -- "$base/nope"
check status 200 '"status":"SUCCESS"' -- "$base/status/stream/S/create"
check status-all 200 'stream/S/create' -- "$base/status"
check valid-property 200 'true' -- "$base/is_valid_property/auto.offset.reset"
check invalid-property 400 '"error_code":40000' -- "$base/is_valid_property/nope"
check inserts 200 '"seq":2' -- -X POST "$base/inserts-stream" --data-binary $'{"target":"S"}\n{"ID":1,"NAME":"a"}\n{"ID":2,"NAME":"b"}\n{"ID":3,"NAME":"c"}\n'
check insert-error 200 '"status":"error","seq":0' -- -X POST "$base/inserts-stream" --data-binary $'{"target":"S"}\n{"ID":"x"}\n'
check query 200 '"finalMessage":"Limit Reached"' -- -X POST "$base/query" -d "$(ksql "SELECT * FROM S EMIT CHANGES LIMIT 3;")"
check query-stream 200 '\[3,"c"\]' -- -X POST "$base/query-stream" -d '{"sql":"SELECT * FROM S EMIT CHANGES LIMIT 3;","properties":{"auto.offset.reset":"earliest"}}'
check query-stream-h2 200 'columnNames' -- --http2-prior-knowledge -X POST "$base/query-stream" -H 'Accept: application/json' -d '{"sql":"SELECT * FROM S EMIT CHANGES LIMIT 3;","properties":{"auto.offset.reset":"earliest"}}'
check close-unknown 400 '"error_code":40000' -- -X POST "$base/close-query" -d '{"queryId":"nope"}'
check metrics 200 'sluice_rest_rows_sent_total' -- "$base/metrics"

kill -TERM $pid
wait $pid || { echo "FAIL server exit status $?"; fails=$((fails + 1)); }
grep -q 'shutting down' "$tmp/out" || { echo "FAIL no shutdown message"; fails=$((fails + 1)); }
[ $fails -eq 0 ] || { echo "$fails checks failed"; exit 1; }
echo "all checks passed"
