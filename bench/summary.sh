#!/usr/bin/env bash
# The ruling summary asked by several readers at once (issue 17, item 8):
# on a fresh server of each build (so that nothing is kept yet, as after a
# write), CLIENTS requests of /api/rulings/summary at once, as a reviewer
# (or a liaison: LIAISON), in rounds interleaved between the builds.
# Prints each request's time to the last byte, the wall time of all and
# the server's CPU over them.
#
# Usage: bench/summary.sh DB AGREEMENT BIN...   (needs curl; DB as truce -db takes it)
#   REPS=n rounds (default 2); CLIENTS (default 8); PORT (default 18497);
#   LIAISON=P asks as a liaison officer of party P.
set -euo pipefail
db=$1 agreement=$2
shift 2
reps=${REPS:-2}
clients=${CLIENTS:-8}
port=${PORT:-18497}
pass="bench summary passphrase $RANDOM$RANDOM"
role=(-role reviewer)
[[ -z ${LIAISON:-} ]] || role=(-role liaison -party "$LIAISON")
token=$(echo "$pass" | "$1" user add "bench-summary-$RANDOM" "${role[@]}" -password-stdin -db "$db" 2>/dev/null | grep -Eo 'truce_[0-9a-f]+' | tail -n 1)
[[ -n $token ]] || { echo "summary: no API token from truce user add" >&2; exit 1; }
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null || true' EXIT
# cpu is the server's user and system time so far, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
for ((r = 1; r <= reps; r++)); do
	for bin in "$@"; do
		"$bin" serve -db "$db" -addr "127.0.0.1:$port" -alerts-every 0 -feed-every 0 -pull-every 0 > /dev/null 2>&1 &
		pid=$!
		for ((i = 0; i < 150; i++)); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
		curl -s -o /dev/null "http://127.0.0.1:$port/healthz" || { echo "summary: $bin serve did not start" >&2; exit 1; }
		c0=$(cpu) t0=$(date +%s.%N)
		reqs=()
		for ((i = 0; i < clients; i++)); do
			curl -s -o /dev/null -w '%{http_code}:%{time_total}\n' -H "Authorization: Bearer $token" \
				"http://127.0.0.1:$port/api/rulings/summary?agreement=$agreement" > "/tmp/summary.$$.$i" &
			reqs+=($!)
		done
		wait "${reqs[@]}"
		t1=$(date +%s.%N) c1=$(cpu)
		printf '%s: %s\n  all %.2f s wall, server CPU %.2f s\n' "$(basename "$bin")" "$(cat /tmp/summary.$$.* | tr '\n' ' ')" \
			"$(echo "$t1 - $t0" | bc)" "$(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)"
		rm -f /tmp/summary.$$.*
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		pid=
	done
done
