#!/usr/bin/env bash
# Verification benchmark: imports an N-row ACLED file (default 1,000,000;
# every report is one log entry), signs a checkpoint, and times
# `truce verify`, which rebuilds the whole tree from the entries, checks
# every stored hash and recomputes every record's digest. In the same run
# it times sha256sum over the same bytes (the records and the entries as
# stored), the raw SHA-256 throughput of this machine, for comparison.
#
# Usage: bench/verify.sh [ROWS]     (needs sqlite3 and GNU time)
set -euo pipefail
rows=${1:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$root" && go build -o "$work/truce" ./cmd/truce)
awk -v n="$rows" -f "$here/gen-acled.awk" > "$work/acled.csv"
"$work/truce" import acled -db "$work/v.db" -errors "$work/errors.jsonl" "$work/acled.csv" > /dev/null 2>&1
"$work/truce" key generate -name bench.truce/log -o "$work/k.key" > /dev/null
"$work/truce" checkpoint -db "$work/v.db" -key "$work/k.key" > /dev/null 2>&1

entries=$(sqlite3 "$work/v.db" "SELECT size FROM log_state")
/usr/bin/time -f "%e %M" -o "$work/verify.time" "$work/truce" verify -db "$work/v.db" -pub "$work/k.key.pub" > "$work/verify.out" 2>&1
read -r v_s v_kb < "$work/verify.time"

# The same bytes: every record revision as hashed, and every entry.
sqlite3 "$work/v.db" "SELECT original || doc FROM reports; SELECT data FROM log_entries;" > "$work/bytes"
bytes=$(stat -c %s "$work/bytes")
cat "$work/bytes" > /dev/null # warm the page cache, as verify's database is
/usr/bin/time -f "%e" -o "$work/sha.time" sha256sum "$work/bytes" > /dev/null
read -r sha_s < "$work/sha.time"

tail -1 "$work/verify.out"
awk -v e="$entries" -v v_s="$v_s" -v v_kb="$v_kb" -v sha_s="$sha_s" -v bytes="$bytes" 'BEGIN {
	printf "log entries: %d; bytes covered: %.0f MB\n", e, bytes / 1048576
	printf "truce verify: %.1f s (%.0f entries/s), peak memory %.0f MB\n", v_s, e / v_s, v_kb / 1024
	printf "sha256sum of the same bytes: %.2f s (%.0f MB/s)\n", sha_s, bytes / 1048576 / (sha_s > 0 ? sha_s : 0.01)
	printf "ratio verify / sha256sum: %.1f×\n", v_s / (sha_s > 0 ? sha_s : 0.01)
}'
