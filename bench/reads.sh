#!/usr/bin/env bash
# Reads at scale (issue 17, item 8). Imports ROWS rows of bench/gen-acled.awk
# (default 1,000,000; -no-read: the words do not change what is read back)
# into a fresh SQLite database, or takes an existing one (DB=path), starts
# truce serve on it and, in the same run:
#
#   1. `truce load -get` from CLIENTS clients (default 8) for DURATION
#      (default 10s) as a reviewer (who sees everything) over the filters of
#      GET /api/incidents a user combines: latency percentiles per path;
#   2. the map's GeoJSON for one year (/map/incidents.geojson), timed by
#      curl three times: bytes, features, time to the last byte;
#   3. the dashboard (/) and /api/rulings/summary, three times each;
#   4. with ALONE=1 first: each path alone, five times in a row with curl
#      (the first from a cold cache when the database was just copied).
#
# Each part also prints the server's CPU time (user+sys, from /proc) it
# took, the measure that holds on a machine shared with other work.
#
# Usage: bench/reads.sh                 (needs sqlite3, curl, awk, go)
#   ROWS=N DB=path CLIENTS=N DURATION=10s TRUCE=path KEEP=dir ALONE=1
#   DB may be a postgres:// URL of a database already imported into (then
#   psql counts its incidents, and the load's figures add the CPU time of
#   the PostgreSQL server's processes, which must run on this machine).
#   SERVE_ARGS="..." adds flags to truce serve (-cpuprofile FILE).
#   WARM=N waits N seconds after the server is up: at start it reads the
#   recent incidents for its alerts, which the first figures would measure.
#   NOTEXT=1 leaves the text search (q=) out: one search at a time holds a
#   core for up to ten seconds (refused as too broad at a million), which
#   the other paths' latencies then measure.
#   PUBLIC=1 reads the paths (parts 1 and 4) as the public, who sees the
#   published incidents only (verified, disputed, dismissed), not as a
#   reviewer; LIAISON=P as a liaison officer of party P, who sees those and
#   the incidents P is accused in or reported.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rows=${ROWS:-1000000}
clients=${CLIENTS:-8}
duration=${DURATION:-10s}
port=${PORT:-18495}
if [[ -n ${KEEP:-} ]]; then work=$KEEP; mkdir -p "$work"; else work=$(mktemp -d "${TMPDIR:-/tmp}/truce-reads.XXXXXX"); fi
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null || true
	if [[ -z ${KEEP:-} ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

truce=${TRUCE:-}
if [[ -z $truce ]]; then
	(cd "$root" && go build -o "$work/truce" ./cmd/truce)
	truce=$work/truce
fi
db=${DB:-}
if [[ -z $db ]]; then
	db=$work/reads.db
	echo "generating and importing $rows rows..." >&2
	awk -v n="$rows" -f "$here/gen-acled.awk" > "$work/acled.csv"
	"$truce" agreement load -db "$db" "$root/internal/bundled/data/agreements/syria-coh-2016.yaml" > /dev/null 2>&1
	"$truce" import acled -no-read -db "$db" -errors "$work/errors.jsonl" "$work/acled.csv" > /dev/null 2>&1
fi
case $db in
postgres://* | postgresql://*) incidents=$(psql -Atc 'SELECT count(*) FROM incidents' "$db") ;;
*) incidents=$(sqlite3 "$db" 'SELECT count(*) FROM incidents') ;;
esac
user=bench-$RANDOM
pass="bench reader passphrase $RANDOM$RANDOM"
token=$(echo "$pass" | "$truce" user add "$user" -role reviewer -password-stdin -db "$db" 2>/dev/null | grep -Eo '[A-Za-z0-9_-]{30,}' | tail -n 1)
[[ -n $token ]] || { echo "reads: no API token from truce user add" >&2; exit 1; }
# auth is the header the paths are read with: none for the public.
viewer="a reviewer"
if [[ -n ${LIAISON:-} ]]; then
	token=$(echo "$pass" | "$truce" user add "$user-l" -role liaison -party "$LIAISON" -password-stdin -db "$db" 2>/dev/null | grep -Eo '[A-Za-z0-9_-]{30,}' | tail -n 1)
	[[ -n $token ]] || { echo "reads: no API token for a liaison of $LIAISON" >&2; exit 1; }
	viewer="a liaison of $LIAISON"
fi
auth=(-H "Authorization: Bearer $token")
if [[ -n ${PUBLIC:-} ]]; then auth=(-H "X-Viewer: public"); viewer="the public"; fi

"$truce" serve ${SERVE_ARGS:-} -db "$db" -addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 200); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
sleep "${WARM:-0}"
# After an import the server first hands every notification made (a
# hundred thousand at a million rows) to the outbox, a commit every few
# milliseconds, each changing the data version the kept counts are keyed
# by: every page would count again. Wait for it (up to ten minutes).
backlog='SELECT count(*) FROM notifications n WHERE NOT EXISTS (SELECT 1 FROM delivery_notified d WHERE d.notification_id = n.id)'
for _ in $(seq 300); do
	case $db in
	postgres://* | postgresql://*) left=$(psql -Atc "$backlog" "$db") ;;
	*) left=$(sqlite3 "$db" "$backlog") ;;
	esac
	[[ $left == 0 ]] && break
	echo "reads: $left notifications not yet handed to the outbox; waiting" >&2
	sleep 2
done
[[ $left == 0 ]] || echo "reads: still $left notifications after ten minutes: the counts are not kept, and the figures show it" >&2

ag=syria-coh-2016
paths=(
	"/api/incidents?agreement=$ag&limit=50"
	"/api/incidents?agreement=$ag&verdict=violation&limit=50"
	"/api/incidents?agreement=$ag&party=GOV&limit=50"
	"/api/incidents?agreement=$ag&verdict=violation&party=OPP&limit=50"
	"/api/incidents?admin=SY07&limit=50"
	"/api/incidents?from=2018-03-01&to=2018-04-01&limit=50"
	"/api/incidents?agreement=$ag&verdict=violation&from=2018-01-01&to=2019-01-01&limit=50"
	"/api/incidents?agreement=$ag&verdict=violation&from=2018-03-01&to=2018-04-01&limit=50"
	"/api/incidents?agreement=$ag&party=GOV&from=2018-03-01&to=2018-04-01&limit=50"
	"/api/incidents?state=reported&limit=50&sort=newest"
	"/api/incidents?from=2018-03-01&to=2018-04-01&limit=50&sort=newest"
)
# Douma: a spelling the generated rows never use (the trigram indexes
# answer); Duma: a town named in one incident in twenty, which they do not.
[[ -n ${NOTEXT:-} ]] || paths+=("/api/incidents?q=Douma&limit=50" "/api/incidents?q=Duma&limit=50")
# cpu is the server's CPU time so far (user+sys), in seconds.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/hz}' "/proc/$pid/stat"; }
since() { awk -v a="$1" -v b="$(cpu)" 'BEGIN{printf "%.2f", b-a}'; }
# pgcpu is the CPU time so far of every process named postgres (one that
# ends while cat reads the list is no error: the script runs with pipefail).
pgcpu() { { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v hz="$(getconf CLK_TCK)" '$2 == "(postgres)" {t += $14 + $15} END {printf "%.2f", t/hz}'; }
if [[ -n ${ALONE:-} ]]; then
	echo "each path alone, five times (seconds), and the server's CPU for the five:"
	for p in "${paths[@]}"; do
		c0=$(cpu)
		printf '  %s' "$p"
		for _ in 1 2 3 4 5; do
			curl -s -o /dev/null "${auth[@]}" -w ' %{time_total}' "http://127.0.0.1:$port$p"
		done
		echo "  (cpu $(since "$c0") s)"
	done
fi
get=()
for p in "${paths[@]}"; do get+=(-get "$p"); done
echo "$(nproc) cores; $incidents incidents; $clients clients for $duration, as $viewer"
c0=$(cpu) p0=$(pgcpu)
loadtoken=$token
[[ -z ${PUBLIC:-} ]] || loadtoken=
TRUCE_TOKEN=$loadtoken "$truce" load -url "http://127.0.0.1:$port" -clients "$clients" -duration "$duration" "${get[@]}"
echo "  server cpu: $(since "$c0") s; postgres processes' cpu: $(awk -v a="$p0" -v b="$(pgcpu)" 'BEGIN{printf "%.2f", b-a}') s"

# The map is a page of the web interface: log in as the reviewer.
jar=$work/cookies
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "name=$user" --data-urlencode "password=$pass" "http://127.0.0.1:$port/login"
echo "map GeoJSON for 2018 (three runs):"
for _ in 1 2 3; do
	c0=$(cpu)
	curl -s -b "$jar" -o "$work/map.json" -w '  %{size_download} bytes, first byte %{time_starttransfer} s, last %{time_total} s' \
		"http://127.0.0.1:$port/map/incidents.geojson?from=2018-01-01&to=2019-01-01"
	echo ", server cpu $(since "$c0") s"
done
echo "  features: $(grep -o '"Feature"' "$work/map.json" | wc -l)"
echo "dashboard, as the reviewer (three runs):"
for _ in 1 2 3; do
	c0=$(cpu)
	curl -s -b "$jar" -o "$work/dash.html" -w '  %{http_code}, %{time_total} s' "http://127.0.0.1:$port/"
	echo ", server cpu $(since "$c0") s"
done
echo "/api/rulings/summary?agreement=$ag (three runs):"
for _ in 1 2 3; do
	c0=$(cpu)
	curl -s -H "Authorization: Bearer $token" -o "$work/summary.json" -w '  %{http_code}, %{time_total} s' "http://127.0.0.1:$port/api/rulings/summary?agreement=$ag"
	echo ", server cpu $(since "$c0") s"
done
