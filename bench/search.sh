#!/usr/bin/env bash
# Text search at scale (issue 17, item 8): starts `truce serve` on an
# existing database and asks GET /api/incidents?q=TEXT&limit=50 for each
# text alone, as a reviewer (staff: descriptions and protected titles
# searched too) and as the public, printing the time to the last byte and
# the total (capped at 10,000, as the API counts), or the status when the
# search was refused.
#
# Usage: bench/search.sh DB [TEXT...]       (needs curl and go, or TRUCE)
#   DB     a SQLite file or a postgres:// URL, e.g. bench/reads.sh's
#          KEEP=dir database (1,000,000 generated ACLED rows)
#   TEXT   texts to search, URL-escaped (default: the set of
#          docs/benchmarks.md, "Issue 17, seventh round": rare, common,
#          every-description, two-character and non-Latin texts)
#   TRUCE=path  the truce binary (default: built from this checkout);
#   PORT=n      the port to serve on (default 18498)
# The first run of a new build on an older database migrates it first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
db=${1:?usage: bench/search.sh DB [TEXT...]}
shift
texts=("$@")
[ ${#texts[@]} -gt 0 ] || texts=(ISIS Douma "Ma%27arat" "%D8%AF%D9%88%D9%85%D8%A7" Duma Manbij Raqqa
	"Turkey%20%282016" "artillery/missile" "front%20line" killed sh)
port=${PORT:-18498}
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-search.XXXXXX")
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
truce=${TRUCE:-}
if [[ -z $truce ]]; then
	(cd "$root" && go build -o "$work/truce" ./cmd/truce)
	truce=$work/truce
fi
user=bench-$RANDOM
token=$(echo "bench search passphrase $RANDOM$RANDOM" | "$truce" user add "$user" -role reviewer -password-stdin -db "$db" 2>/dev/null |
	grep -Eo '[A-Za-z0-9_-]{30,}' | tail -n 1)
[[ -n $token ]] || { echo "search: no API token from truce user add" >&2; exit 1; }
"$truce" serve -db "$db" -addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 600); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
echo "| text | staff: time | total | public: time | total |"
echo "|---|---|---|---|---|"
ask() { # TEXT [AUTH HEADER]: prints "time total-or-status"
	local out
	out=$(curl -s -o "$work/q.json" -w '%{http_code} %{time_total}' ${2:+-H "$2"} "http://127.0.0.1:$port/api/incidents?q=$1&limit=50")
	local code=${out%% *} time=${out#* }
	if [[ $code == 200 ]]; then
		printf '%.3f s | %s' "$time" "$(grep -o '"total": *[0-9]*' "$work/q.json" | grep -o '[0-9]*$')"
	else
		printf '%.3f s | %s' "$time" "refused ($code)"
	fi
}
for q in "${texts[@]}"; do
	echo "| $q | $(ask "$q" "Authorization: Bearer $token") | $(ask "$q") |"
done
