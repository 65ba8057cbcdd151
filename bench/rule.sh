#!/usr/bin/env bash
# truce rule over a period at scale (issue 17, item 4), against the SQL read
# of the same rows, in one run. On an existing SQLite database (DB=path:
# one that bench/import-again.sh or bench/reads.sh KEEP=dir made, holding the
# shipped agreement), REPS times (default 3), interleaved:
#
#   - sqlite3 reading what truce rule reads: the period's incidents (their
#     documents and report ids), their rulings and the rulings' parties;
#   - truce rule -from FROM -to TO: every incident of the period whose
#     stored ruling was not made from its facts as stored with the key of
#     now (engine, agreement, reference data; migration 0020) is ruled again
#     and compared with it, the others counted from their rulings rows; an
#     unchanged ruling is not written (after an import nothing has changed;
#     the first run of a new build rules every incident again, once, and
#     records what each ruling was made from: run it once before);
#   - with BEFORE=path, that build's truce rule too (an older one, for a
#     before and after in the same run).
#
# Each is timed by GNU time: CPU (user + system), wall and maximum RSS; the
# medians are printed with truce's CPU as a ratio of sqlite3's.
#
# Usage: DB=path bench/rule.sh            (needs sqlite3, GNU time, go)
#   FROM=2018-01-01 TO=2018-12-31 REPS=3 TRUCE=path (default: built from this checkout)
#   BEFORE=path (another build, measured interleaved with the others)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
db=${DB:?DB=path to a database}
from=${FROM:-2018-01-01}
to=${TO:-2018-12-31}
reps=${REPS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-rule.XXXXXX")
trap 'rm -rf "$work"' EXIT
truce=${TRUCE:-}
if [[ -z $truce ]]; then
	(cd "$root" && go build -o "$work/truce" ./cmd/truce)
	truce=$work/truce
fi
end=$(date -u -d "$to + 1 day" +%Y-%m-%d)
# The incidents of the period as truce's store selects them (store.Filter
# From/To: overlapping [from, to], not merged away).
period="merged_into = 0 AND occurred_end > '$from' AND occurred_start < '$end'"
read_sql="SELECT i.id, i.doc, (SELECT group_concat(r.id) FROM reports r WHERE r.incident_id = i.id) FROM incidents i WHERE $period ORDER BY i.occurred_start, i.id;
SELECT incident_id, agreement_id, version, verdict, outcome, doc FROM rulings WHERE incident_id IN (SELECT id FROM incidents WHERE $period);
SELECT incident_id, agreement_id, party FROM ruling_parties WHERE incident_id IN (SELECT id FROM incidents WHERE $period);"

measure() { # key, output, command...: appends "cpu wall rss_mb" to $work/$key
	local key=$1 out=$2; shift 2
	/usr/bin/time -f "%U %S %e %M" -o "$work/t" "$@" > "$out" 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
	tail -n 1 "$work/t" | awk '{printf "%.2f %.2f %.0f\n", $1 + $2, $3, $4 / 1024}' >> "$work/$key"
}
median() { # file, column
	sort -n -k"$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {print v[int((NR + 1) / 2)]}'
}

n=$(sqlite3 "$db" "SELECT count(*) FROM incidents WHERE $period")
for ((r = 1; r <= reps; r++)); do
	# The rows read are thrown away, as truce rule keeps none of them.
	measure sql /dev/null sqlite3 "$db" "$read_sql"
	measure rule /dev/null "$truce" rule -db "$db" -from "$from" -to "$to"
	grep -iE "written|ruled" "$work/err" | sed 's/^time=[^ ]* //' >> "$work/log" || true
	if [[ -n ${BEFORE:-} ]]; then
		measure before /dev/null "$BEFORE" rule -db "$db" -from "$from" -to "$to"
	fi
done
sort "$work/log" | uniq -c || true
base=$(median "$work/sql" 1)
basewall=$(median "$work/sql" 2)
echo "$n incidents in $from..$to, median of $reps, $(nproc) cores"
echo "| run | CPU s | wall s | max RSS MB | CPU / SQL read | wall / SQL read |"
echo "|---|---|---|---|---|---|"
printf '| sqlite3 reading the same rows | %s | %s | %s | 1.0× | 1.0× |\n' "$base" "$basewall" "$(median "$work/sql" 3)"
row() { # key, label
	local cpu wall
	cpu=$(median "$work/$1" 1)
	wall=$(median "$work/$1" 2)
	printf '| %s | %s | %s | %s | %s× | %s× |\n' "$2" "$cpu" "$wall" "$(median "$work/$1" 3)" \
		"$(awk -v a="$cpu" -v b="$base" 'BEGIN {printf "%.2f", a / b}')" "$(awk -v a="$wall" -v b="$basewall" 'BEGIN {printf "%.2f", a / b}')"
}
if [[ -n ${BEFORE:-} ]]; then
	row before "truce rule, $BEFORE"
fi
row rule "truce rule"
