#!/usr/bin/env bash
# SQLite driver benchmark (issue 17): is the pure-Go driver the wall?
# Generates an ACLED-format CSV (bench/gen-acled.awk, as bench/import-acled.sh
# does) for each size and, in one run, interleaved, 3 repetitions, measures
# user+sys CPU, wall time and max RSS of
#   - sqlite3 .import into a bare table (the floor);
#   - bench/goloader (encoding/csv, bare table of TEXT columns, 2,000 rows a
#     transaction, WAL, synchronous FULL) with each driver;
#   - truce import acled with each driver, into a fresh database holding the
#     shipped agreement.
# The drivers, chosen by build tag: modernc.org/sqlite (no tag, the default),
# github.com/mattn/go-sqlite3 (-tags "sqlite_cgo sqlite_fts5", needs a C compiler) and
# github.com/ncruces/go-sqlite3 (-tags sqlite_wasm).
# It prints one markdown table per size: medians of the 3 repetitions, and
# the ratio of each tool's CPU time to sqlite3's.
#
# Usage: bench/import-drivers.sh [ROWS...]   (default 100000 300000; needs
# sqlite3, GNU time, awk, go and gcc)
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 300000)
reps=${REPS:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-drivers.XXXXXX")
trap 'rm -rf "$work"' EXIT

for tool in sqlite3 /usr/bin/time awk go gcc; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done

drivers=(modernc mattn ncruces)
declare -A tag=([modernc]="" [mattn]="sqlite_cgo sqlite_fts5" [ncruces]=sqlite_wasm)
for d in "${drivers[@]}"; do
	echo "building truce and goloader with $d${tag[$d]:+ (-tags ${tag[$d]})}..." >&2
	(cd "$root" && go build -tags "${tag[$d]}" -o "$work/truce-$d" ./cmd/truce &&
		go build -tags "${tag[$d]}" -o "$work/goloader-$d" ./bench/goloader)
	# The binary links the driver it was built for, and no other.
	echo "truce-$d links: $(go version -m "$work/truce-$d" | awk '$1 == "dep" && /sqlite/ { printf "%s %s; ", $2, $3 }')" >&2
done
agreement="$root/internal/bundled/data/agreements/syria-coh-2016.yaml"

tools=(sqlite3 goloader-modernc goloader-mattn goloader-ncruces truce-modernc truce-mattn truce-ncruces)
declare -A label=(
	[sqlite3]="sqlite3 .import (bare table)"
	[goloader-modernc]="Go loader, modernc (default)"
	[goloader-mattn]="Go loader, mattn (cgo)"
	[goloader-ncruces]="Go loader, ncruces (wasm)"
	[truce-modernc]="truce import acled, modernc (default)"
	[truce-mattn]="truce import acled, mattn (-tags sqlite_cgo)"
	[truce-ncruces]="truce import acled, ncruces (-tags sqlite_wasm)"
)

run() { # tool, rows, rep: prepares a fresh database, then measures; appends "tool cpu wall rss_kb" to results
	local t=$1 n=$2 rep=$3 db="$work/$1.db"
	rm -f "$db" "$db-wal" "$db-shm" "$work/errors.jsonl"
	local cmd
	case $t in
	sqlite3) cmd=(sqlite3 "$db" ".import --csv $work/acled.csv events") ;;
	goloader-*) cmd=("$work/$t" -db "$db" "$work/acled.csv") ;;
	truce-*)
		"$work/$t" agreement load -db "$db" "$agreement" > "$work/load.out" 2>&1 ||
			{ echo "bench: $t agreement load failed:" >&2; cat "$work/load.out" >&2; exit 1; }
		cmd=("$work/$t" import acled -db "$db" -errors "$work/errors.jsonl" "$work/acled.csv") ;;
	esac
	sync
	/usr/bin/time -f "%U %S %e %M" -o "$work/time" "${cmd[@]}" > "$work/$t.out" 2> "$work/$t.err" ||
		{ echo "bench: $t failed:" >&2; cat "$work/$t.err" >&2; exit 1; }
	read -r user sys wall kb < "$work/time"
	echo "$t $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') $wall $kb" >> "$work/results-$n"
	# What each stored, checked on the last repetition.
	if [ "$rep" = "$reps" ]; then
		case $t in
		sqlite3 | goloader-*) echo "$t: $(sqlite3 "$db" 'SELECT count(*) FROM events') rows in the bare table" ;;
		truce-*) echo "$t: $(grep -m1 ' rows: ' "$work/$t.out" | sed "s|$work/||" || true); rulings $(sqlite3 "$db" 'SELECT count(*) FROM rulings')" ;;
		esac >> "$work/check-$n"
	fi
	rm -f "$db" "$db-wal" "$db-shm"
}

for n in "${sizes[@]}"; do
	echo "generating $n rows..." >&2
	awk -v n="$n" -f "$here/gen-acled.awk" > "$work/acled.csv"
	size=$(du -m "$work/acled.csv" | cut -f1)
	: > "$work/results-$n"; : > "$work/check-$n"
	start=$(date +%s)
	for rep in $(seq 1 "$reps"); do
		# Interleaved; each repetition starts one tool further on, so that
		# no tool always runs first (or right after the heaviest one).
		k=${#tools[@]}
		for i in $(seq 0 $((k - 1))); do
			t=${tools[$(((i + rep - 1) % k))]}
			echo "  $n rows, repetition $rep: $t" >&2
			run "$t" "$n" "$rep"
		done
	done
	echo
	echo "input: $n rows, $size MB (ACLED columns); $reps repetitions, interleaved; $(date -u +%Y-%m-%d); $(($(date +%s) - start)) s for the whole size"
	echo
	echo "| tool | CPU s (user+sys, median) | wall s (median) | max RSS MB (median) | CPU / sqlite3 |"
	echo "|---|---|---|---|---|"
	base=$(awk '$1 == "sqlite3" { print $2 }' "$work/results-$n" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	for t in "${tools[@]}"; do
		awk -v t="$t" -v label="${label[$t]}" -v base="$base" '
			function median(a, n,   i, j, x) { # insertion sort, then the middle
				for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
				return a[int((n + 1) / 2)]
			}
			$1 == t { n++; cpu[n] = $2; wall[n] = $3; rss[n] = $4 }
			END {
				printf "| %s | %.2f | %.2f | %.0f | %.1f× |\n", label, median(cpu, n), median(wall, n), median(rss, n) / 1024, median(cpu, n) / base
			}' "$work/results-$n"
	done
	echo
	sed 's/^/    /' "$work/check-$n"
	echo
	echo "raw (tool cpu wall rss_kb):" >&2
	cat "$work/results-$n" >&2
done
