#!/usr/bin/env bash
# Verification benchmark. For each size (default 100,000 and 1,000,000
# rows) it imports an N-row ACLED file (bench/gen-acled.awk; every report
# is one log entry; -no-read, as the words do not change what is logged),
# signs a checkpoint and, in the same run, times:
#
#   - `truce verify`, which rebuilds the whole tree from the entries,
#     checks every stored hash, recomputes every record's digest and
#     checks every checkpoint;
#   - `openssl dgst -sha256` over the same bytes (every record revision as
#     hashed, its document unpacked, and every entry as stored, dumped by
#     bench/records beforehand and
#     read from the page cache): the machine's SHA-256 throughput, with
#     the SHA instructions when the CPU has them.
#
# Each is timed by GNU time -v: wall, CPU (user + system) and maximum RSS.
#
# Usage: bench/verify.sh [ROWS...]          (needs sqlite3, openssl, GNU time)
#   TRUCE_BIN=path      time this truce binary instead of building ./cmd/truce
#                       (an older build, for a before/after comparison)
#   TRUCE_BENCH_DIR=dir keep the generated databases in dir and reuse them
#                       (the import of 1,000,000 rows takes about 3 minutes)
set -euo pipefail
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT
keep=${TRUCE_BENCH_DIR:-$work}
mkdir -p "$keep"

(cd "$root" && go build -o "$work/truce" ./cmd/truce && go build -o "$work/records" ./bench/records)
bin=${TRUCE_BIN:-$work/truce}

# timed LABEL ENTRIES BYTES CMD...: runs CMD under GNU time -v and prints
# one table row.
timed() {
	local label=$1 entries=$2 bytes=$3
	shift 3
	/usr/bin/time -v -o "$work/time" "$@" > "$work/out" 2>&1 || { cat "$work/out"; exit 1; }
	awk -F': ' -v label="$label" -v e="$entries" -v bytes="$bytes" '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2] }
		/User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { rss = $2 }
		END { printf "| %s | %d | %.0f | %.2f s | %.2f s | %.0f MB |\n", label, e, bytes / 1048576, wall, user + sys, rss / 1024 }' "$work/time"
}

echo "| $(basename "$bin") at $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?') | entries | MB hashed | wall | CPU (user+sys) | max RSS |"
echo "|---|---|---|---|---|---|"
for rows in "${sizes[@]}"; do
	db=$keep/v$rows.db
	if [ ! -f "$db" ]; then
		awk -v n="$rows" -f "$here/gen-acled.awk" > "$work/acled.csv"
		"$work/truce" import acled -no-read -tz Asia/Damascus -db "$db" -errors "$work/errors.jsonl" "$work/acled.csv" > /dev/null 2>&1
		rm -f "$work/acled.csv"
		"$work/truce" key generate -name bench.truce/log -o "$keep/k$rows.key" > /dev/null 2>&1
		"$work/truce" checkpoint -db "$db" -key "$keep/k$rows.key" > /dev/null 2>&1
	fi
	entries=$(sqlite3 "$db" "SELECT size FROM log_state")
	# The same bytes: every record revision as hashed, and every entry.
	"$work/records" -db "$db" > "$work/bytes"
	bytes=$(stat -c %s "$work/bytes")
	cat "$db" "$work/bytes" > /dev/null # both from the page cache
	timed "truce verify" "$entries" "$bytes" "$bin" verify -db "$db" -pub "$keep/k$rows.key.pub"
	grep -q '^verified' "$work/out" || { cat "$work/out"; exit 1; }
	timed "openssl dgst -sha256" "$entries" "$bytes" openssl dgst -sha256 "$work/bytes"
	rm -f "$work/bytes"
done
