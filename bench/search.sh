#!/usr/bin/env bash
# Staff text searches at scale (issue 17, item 8): each search once on a
# fresh server of each build, so that every total is counted (a server
# keeps the totals it counted until the data changes), as a reviewer (or a
# liaison: LIAISON), in rounds interleaved between the builds. Prints each search's time to the
# last byte (seconds) and, for checking that the builds agree, its total.
#
# Usage: bench/search.sh DB BIN...       (needs curl; DB as truce -db takes it)
#   REPS=n rounds (default 3); PORT (default 18496); LIAISON=P searches as
#   a liaison officer of party P instead of a reviewer.
set -euo pipefail
db=$1
shift
reps=${REPS:-3}
port=${PORT:-18496}
searches=(Duma shelling Aleppo killed Homs Darayya
	"Duma&agreement=syria-coh-2016&verdict=violation" "Aleppo&agreement=syria-coh-2016&party=GOV"
	"Duma&state=verified" "Duma&from=2018-03-01&to=2018-04-01" "Duma&from=2018-01-01&to=2019-01-01" "Duma&admin=SY03")
pass="bench search passphrase $RANDOM$RANDOM"
role=(-role reviewer)
[[ -z ${LIAISON:-} ]] || role=(-role liaison -party "$LIAISON")
token=$(echo "$pass" | "$1" user add "bench-search-$RANDOM" "${role[@]}" -password-stdin -db "$db" 2>/dev/null | grep -Eo 'truce_[0-9a-f]+' | tail -n 1)
[[ -n $token ]] || { echo "search: no API token from truce user add" >&2; exit 1; }
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null || true' EXIT
echo "q= ${searches[*]}"
for ((r = 1; r <= reps; r++)); do
	for bin in "$@"; do
		"$bin" serve -db "$db" -addr "127.0.0.1:$port" > /dev/null 2>&1 &
		pid=$!
		for ((i = 0; i < 150; i++)); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
		curl -s -o /dev/null "http://127.0.0.1:$port/healthz" || { echo "search: $bin serve did not start" >&2; exit 1; }
		times=() totals=()
		for q in "${searches[@]}"; do
			out=$(curl -s -H "Authorization: Bearer $token" -w '\n%{time_total}' "http://127.0.0.1:$port/api/incidents?q=$q&limit=50")
			times+=("$(tail -n 1 <<< "$out")")
			totals+=("$(grep -Eo '"total": [0-9]+' <<< "$out" | grep -Eo '[0-9]+' || echo refused)")
		done
		printf '%s: %s\n  totals: %s\n' "$(basename "$bin")" "${times[*]}" "${totals[*]}"
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		pid=
	done
done
