#!/usr/bin/env bash
# Import benchmark: generates an ACLED-format CSV of N rows (default
# 1,000,000) and, in the same run, times
#   1. the sqlite3 command-line tool's .import of the file into a bare table
#      (no validation, no indexes: the floor for getting rows into SQLite);
#   2. truce import acled, which validates every row, finds its admin1-3
#      units, rules it under the shipped agreement and stores the report,
#      the incident and the ruling, with rejected rows to an errors file.
# It prints wall time, rows/s, peak memory (max RSS) and the ratio.
#
# Usage: bench/import-acled.sh [ROWS]      (needs sqlite3 and GNU time)
set -euo pipefail
rows=${1:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

for tool in sqlite3 /usr/bin/time awk go; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done

echo "building truce..." >&2
(cd "$root" && go build -o "$work/truce" ./cmd/truce)

echo "generating $rows rows..." >&2
awk -v n="$rows" -f "$here/gen-acled.awk" > "$work/acled.csv"
size=$(du -m "$work/acled.csv" | cut -f1)

measure() { # label, command...: prints "seconds maxrss_kb"
	local label=$1; shift
	sync
	/usr/bin/time -f "%e %M" -o "$work/$label.time" "$@" > "$work/$label.out" 2> "$work/$label.err"
	cat "$work/$label.time"
}

read -r sq_s sq_kb < <(measure sqlite3 sqlite3 "$work/bare.db" ".import --csv $work/acled.csv events")
sq_rows=$(sqlite3 "$work/bare.db" "SELECT count(*) FROM events")

"$work/truce" agreement load -db "$work/truce.db" "$root/internal/bundled/data/agreements/syria-coh-2016.yaml" > /dev/null 2>&1
read -r tr_s tr_kb < <(measure truce "$work/truce" import acled -db "$work/truce.db" -errors "$work/errors.jsonl" "$work/acled.csv")
summary=$(grep -m1 " rows: " "$work/truce.out" || true)
rulings=$(sqlite3 "$work/truce.db" "SELECT count(*) FROM rulings")
db_mb=$(du -m "$work/truce.db" | cut -f1)

awk -v rows="$rows" -v size="$size" -v sq_s="$sq_s" -v sq_kb="$sq_kb" -v sq_rows="$sq_rows" \
	-v tr_s="$tr_s" -v tr_kb="$tr_kb" -v rulings="$rulings" -v db_mb="$db_mb" -v summary="$summary" 'BEGIN {
	printf "input: %d rows, %d MB (ACLED columns)\n", rows, size
	printf "| tool | wall time | rows/s | peak memory |\n|---|---|---|---|\n"
	printf "| sqlite3 .import (bare table, %d rows) | %.1f s | %.0f | %.0f MB |\n", sq_rows, sq_s, rows / sq_s, sq_kb / 1024
	printf "| truce import acled (validate, geocode, rule, store) | %.1f s | %.0f | %.0f MB |\n", tr_s, rows / tr_s, tr_kb / 1024
	printf "ratio truce / sqlite3: %.1f×; rulings stored: %d; truce database: %d MB\n", tr_s / sq_s, rulings, db_mb
	printf "truce: %s\n", summary
}'
