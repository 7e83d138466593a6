#!/bin/sh
# Round trip of N (default 1,000,000) 100-byte lines through the sluice
# binary: `sluice topic produce` from a file, then `sluice topic consume` to
# a file, timing each and checking the output equals the input.
#
#   scripts/topic_roundtrip.sh [N]
set -eu
n=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/sluice" "$root/cmd/sluice"
awk -v n="$n" 'BEGIN { pad = sprintf("%85s", ""); gsub(/ /, "x", pad); for (i = 0; i < n; i++) printf "record-%07d-%s\n", i, pad }' > "$work/in.txt"
export SLUICE_DATA_DIR="$work/data"
"$work/sluice" topic create roundtrip >/dev/null
now() { date +%s.%N; }
t0=$(now)
"$work/sluice" topic produce roundtrip < "$work/in.txt"
t1=$(now)
"$work/sluice" topic consume roundtrip > "$work/out.txt"
t2=$(now)
cmp -s "$work/in.txt" "$work/out.txt" || { echo "roundtrip: output differs from input" >&2; exit 1; }
awk -v n="$n" -v b="$(wc -c < "$work/in.txt")" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
	printf "records %d (%.1f MB): produce %.2fs (%.0f rec/s), consume %.2fs (%.0f rec/s), total %.2fs\n",
		n, b / 1e6, t1 - t0, n / (t1 - t0), t2 - t1, n / (t2 - t1), t2 - t0 }'
