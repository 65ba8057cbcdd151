#!/usr/bin/env bash
# Bulk import and the daily sync (issue 17, items 1 and 3), against
# sqlite3's .import, in one run. For each size (default 100000) it
# generates an ACLED-format file (bench/gen-acled.awk) and, REPS times
# (default 3), interleaved, measures CPU (user+sys) and wall of:
#
#   - sqlite3 .import of the file into a bare table (the floor);
#   - for each truce binary: `truce import acled` of the file into a fresh
#     database holding the shipped agreement, then the same import again
#     (nothing changed: every row unchanged).
#
# It prints the median of each and its ratio of CPU to sqlite3's, and the
# size of each database (after a checkpoint of its WAL) per imported row.
#
# Usage: bench/import-again.sh [ROWS...]
#   TRUCE_BINS="name=path[@agreement.yaml] ..."
#                                binaries to compare (default: this checkout,
#                                built), each with the agreement file it reads
#                                (default: this checkout's; an older build may
#                                not read a newer file)
#   REPS=3                       repetitions
set -euo pipefail
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000)
reps=${REPS:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-again.XXXXXX")
trap 'rm -rf "$work"' EXIT
bins=${TRUCE_BINS:-}
if [[ -z $bins ]]; then
	(cd "$root" && go build -o "$work/truce" ./cmd/truce)
	bins="truce=$work/truce"
fi
agreement=$root/internal/bundled/data/agreements/syria-coh-2016.yaml

measure() { # key, command...: appends "cpu wall" to $work/$key
	local key=$1; shift
	# truce import exits 1 when it rejected rows (the generator makes a few bad
	# ones on purpose): that is a result, not a failure of the run.
	/usr/bin/time -f "%U %S %e" -o "$work/t" "$@" > /dev/null 2>&1 || true
	tail -n 1 "$work/t" | awk '{printf "%.2f %.2f\n", $1 + $2, $3}' >> "$work/$key"
}
median() { # file, column
	sort -n -k"$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {print v[int((NR + 1) / 2)]}'
}

for rows in "${sizes[@]}"; do
	awk -v n="$rows" -f "$here/gen-acled.awk" > "$work/acled.csv"
	rm -f "$work"/m-*
	for ((r = 1; r <= reps; r++)); do
		rm -f "$work/bare.db"
		measure m-sqlite3 sqlite3 "$work/bare.db" ".import --csv $work/acled.csv events"
		stat -c %s "$work/bare.db" > "$work/size-sqlite3"
		for b in $bins; do
			name=${b%%=*} bin=${b#*=} ag=$agreement
			if [[ $bin == *@* ]]; then ag=${bin#*@} bin=${bin%%@*}; fi
			rm -f "$work/t.db"*
			"$bin" agreement load -db "$work/t.db" "$ag" > /dev/null 2> "$work/ag.err" || { cat "$work/ag.err" >&2; exit 1; }
			measure "m-$name-import" "$bin" import acled -db "$work/t.db" -errors "$work/e.jsonl" "$work/acled.csv"
			measure "m-$name-again" "$bin" import acled -db "$work/t.db" -errors "$work/e.jsonl" "$work/acled.csv"
			sqlite3 "$work/t.db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
			stat -c %s "$work/t.db" > "$work/size-$name"
		done
	done
	base=$(median "$work/m-sqlite3" 1)
	echo "$rows rows, median of $reps, $(nproc) cores"
	echo "| run | CPU s | wall s | CPU / sqlite3 | database, bytes per row |"
	echo "|---|---|---|---|---|"
	perrow() { awk -v s="$(cat "$work/size-$1")" -v n="$rows" 'BEGIN {printf "%.0f", s / n}'; }
	printf '| sqlite3 .import | %s | %s | 1.0× | %s |\n' "$base" "$(median "$work/m-sqlite3" 2)" "$(perrow sqlite3)"
	for b in $bins; do
		name=${b%%=*}
		for what in import again; do
			cpu=$(median "$work/m-$name-$what" 1)
			printf '| %s %s | %s | %s | %s× | %s |\n' "$name" "$([[ $what == import ]] && echo "import (fresh)" || echo "import again (unchanged)")" \
				"$cpu" "$(median "$work/m-$name-$what" 2)" "$(awk -v a="$cpu" -v b="$base" 'BEGIN {printf "%.1f", a / b}')" "$([[ $what == again ]] && perrow "$name")"
		done
	done
done
