#!/usr/bin/env bash
# Rulings on real files (issue 13; docs/rulings.md "On real files"): builds
# truce from this checkout and, for each of
#   1. the shared UCDP GED file ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv
#      (16,566 rows), and
#   2. ROWS rows (default 20,000) of bench/gen-acled.awk,
# makes a fresh SQLite database, loads the bundled agreement, imports the
# file, and prints the import summary (rows rejected, unresolved names), the
# ruling table for 2016-12-30 to 2019-12-31, the share of incidents left
# undetermined for actor_identity (from truce rule -json), and what those
# incidents fail to identify (from truce rule -incidents).
#
# Usage: bench/rulings.sh [SHARED_DATA_DIR]
#   SHARED_DATA_DIR  the shared data folder (default: ../shared/data relative
#                    to the repository root)
#   ROWS=N           rows of generated ACLED data (default 20000)
#   TRUCE=PATH       use this truce binary instead of building one
#   KEEP=DIR         keep the databases and outputs in DIR
#
# It needs bash, awk, go (unless TRUCE is set) and nothing from the network:
# the build runs with GOPROXY=off, so a missing module fails instead of being
# downloaded. bench/gen-acled.awk draws from awk's rand() with a fixed seed;
# the file differs between awk implementations (mawk, gawk), so the script
# prints the awk and the file's SHA-256 for comparison with the docs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=${1:-$root/../shared/data}
rows=${ROWS:-20000}
from=2016-12-30
to=2019-12-31
agreement=$root/internal/bundled/data/agreements/syria-coh-2016.yaml

[[ -d $shared ]] || { echo "rulings: no shared data folder at $shared (pass it as the first argument)" >&2; exit 1; }
shared=$(cd "$shared" && pwd)
ucdp=$shared/ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv
[[ -f $ucdp ]] || { echo "rulings: no UCDP file at $ucdp (pass the shared data folder)" >&2; exit 1; }
[[ -f $agreement ]] || { echo "rulings: no agreement file at $agreement" >&2; exit 1; }

if [[ -n ${KEEP:-} ]]; then
	work=$KEEP
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/truce-rulings.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi

truce=${TRUCE:-}
if [[ -z $truce ]]; then
	command -v go >/dev/null || { echo "rulings: go is required (or set TRUCE to a truce binary)" >&2; exit 1; }
	echo "building truce..." >&2
	(cd "$root" && GOPROXY=off GOFLAGS=-mod=readonly go build -o "$work/truce" ./cmd/truce)
	truce=$work/truce
fi

echo "generating $rows ACLED rows..." >&2
awk -v n="$rows" -f "$here/gen-acled.awk" > "$work/acled.csv"
awk_name=$(awk -W version 2>/dev/null | head -n 1 || true)
[[ -n $awk_name ]] || awk_name=$(awk --version 2>/dev/null | head -n 1 || true)
if command -v sha256sum >/dev/null; then
	acled_sum=$(sha256sum "$work/acled.csv" | cut -d' ' -f1)
else
	acled_sum=$(shasum -a 256 "$work/acled.csv" | cut -d' ' -f1)
fi

# outcome JSON-FILE KEY: the count of one outcome in truce rule -json's
# "outcomes" object (0 if absent).
outcome() {
	awk -v key="\"$2\":" '
		/^  "outcomes": \{/ { inside = 1; next }
		inside && /^  \}/ { inside = 0 }
		inside && index($0, key) { gsub(/[^0-9]/, "", $NF); n = $NF }
		END { print n + 0 }' "$1"
}

# measure LABEL FORMAT FILE
measure() {
	local label=$1 format=$2 file=$3 db=$work/$1.db json total ai
	rm -f "$db" "$db-wal" "$db-shm" "$db.key"
	"$truce" agreement load -db "$db" "$agreement" > "$work/$label.load.out" 2> "$work/$label.load.err"
	"$truce" import "$format" -db "$db" -errors "$work/$label.rejected.jsonl" "$file" \
		> "$work/$label.import.out" 2> "$work/$label.import.err"
	"$truce" rule -db "$db" -from "$from" -to "$to" > "$work/$label.rule.txt" 2> "$work/$label.rule.err"
	"$truce" rule -db "$db" -from "$from" -to "$to" -json > "$work/$label.rule.json" 2> "$work/$label.json.err"
	"$truce" rule -db "$db" -from "$from" -to "$to" -incidents > "$work/$label.incidents.txt" 2> "$work/$label.incidents.err"
	json=$work/$label.rule.json
	total=$(awk '/^  "total":/ { gsub(/[^0-9]/, ""); print; exit }' "$json")
	ai=$(outcome "$json" "undetermined: actor_identity")

	echo "=== $label: truce import $format $(basename "$file")"
	echo
	echo "import (rejected rows listed in $label.rejected.jsonl):"
	grep -v '^  rejected: \|^  … and ' "$work/$label.import.out" | sed 's/^/  /'
	echo
	sed -n '/^Rulings under/,/^By party/p' "$work/$label.rule.txt" | sed '$d'
	awk -v ai="$ai" -v total="$total" 'BEGIN {
		printf "undetermined: actor_identity: %d of %d incidents = %.2f%% (target: under 5%%)\n", ai, total, total ? 100 * ai / total : 0
	}'
	echo
	echo "undetermined: actor_identity, by what is not identified (from -incidents):"
	{ grep -o ' is not identified: .*' "$work/$label.incidents.txt" || true; } \
		| sed -e 's/^ is not identified: //' -e 's/\. .*$//' -e 's/\.$//' \
		| sort | uniq -c | sort -rn | sed 's/^/  /'
	[[ $ai -gt 0 ]] || echo "  (none)"
	echo
	echo "undetermined, by reason:"
	awk '/^  "outcomes": \{/ { inside = 1; next }
		inside && /^  \}/ { inside = 0 }
		inside && /"undetermined: / { line = $0; gsub(/^ *"|",? *$/, "", line); sub(/": /, "\t", line); print line }' "$json" \
		| sort -t "$(printf '\t')" -k2,2nr | awk -F '\t' '{ printf "  %6d  %s\n", $2, $1 }'
	echo
}

rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo "not a git checkout")
echo "truce: ${TRUCE:-built from $root ($rev)}"
echo "period: $from to $to; agreement: $agreement"
echo "ACLED file: $rows rows of bench/gen-acled.awk, generated by ${awk_name:-awk}, sha256 $acled_sum"
echo
measure ucdp ucdp "$ucdp"
measure acled acled "$work/acled.csv"
