#!/usr/bin/env bash
# Load benchmark: report submissions over the HTTP API from many concurrent
# clients, on SQLite and on PostgreSQL, in one run. For each engine it
# starts truce serve on a fresh database holding the shipped agreement and
# runs `truce load`, which prints throughput and latency percentiles of
# acknowledged (durable) submissions; then the CPU time (user+sys) per
# acknowledged submission of the server, of its PostgreSQL backends (read
# from /proc, so with the server on this machine) and of the load
# generator, which on a shared machine compare better than throughput.
#
# Usage: bench/load.sh [CLIENTS] [DURATION]     (default 32 clients, 10s)
# PostgreSQL: TRUCE_BENCH_POSTGRES=postgres://user:pass@host:port/db, a
# database the benchmark may empty; without it, the PostgreSQL run is
# skipped.
# To compare builds, interleaved: TRUCE_BINS="name=path ..." (default: one
# build of this tree) and REPS=n rounds (default 1). ENGINES=postgres (or
# sqlite) runs one engine only. SERVE_ARGS="..." adds flags to truce serve
# (-cpuprofile FILE: each server writes over the last one's).
set -euo pipefail
clients=${1:-32}
duration=${2:-10s}
reps=${REPS:-1}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-load.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

bins=${TRUCE_BINS:-}
if [ -z "$bins" ]; then
	(cd "$root" && go build -o "$work/truce" ./cmd/truce)
	bins="truce=$work/truce"
fi
export TRUCE_SUBMIT_TOKEN=bench-$RANDOM$RANDOM
tck=$(getconf CLK_TCK)

cpu() { awk '{print $14+$15}' "/proc/$1/stat"; } # clock ticks, user+sys
backends=""                                         # pgrep pattern of the database's backends
if [ -n "${TRUCE_BENCH_POSTGRES:-}" ]; then
	u=${TRUCE_BENCH_POSTGRES#*://}
	u=${u%%\?*}
	backends=" ${u%%[:@]*} ${u##*/} "
fi
pgcpu() {
	local t=0 p
	[ -n "$backends" ] || { echo 0; return; }
	for p in $(pgrep -f "$backends" || true); do
		[ -r "/proc/$p/stat" ] && t=$((t + $(cpu "$p")))
	done
	echo "$t"
}
per() { echo "$1 $2" | awk -v t="$tck" '{ printf "%.3f", ($2 > 0 ? $1 * 1000 / t / $2 : 0) }'; }

run() { # name, binary, engine, db, port
	local name=$1 bin=$2 engine=$3 db=$4 port=$5
	"$bin" agreement load -db "$db" "$root/internal/bundled/data/agreements/syria-coh-2016.yaml" > /dev/null 2>&1
	"$bin" serve ${SERVE_ARGS:-} -db "$db" -addr "127.0.0.1:$port" > "$work/$engine.log" 2>&1 &
	local spid=$!
	pids+=($spid)
	for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
	local s0 p0 out n lg
	s0=$(cpu "$spid")
	p0=$(pgcpu)
	out=$(/usr/bin/time -f "loadgen-cpu %U %S" "$bin" load -url "http://127.0.0.1:$port" -clients "$clients" -duration "$duration" 2>&1)
	local s1 p1
	s1=$(cpu "$spid")
	p1=$(pgcpu)
	kill "$spid"
	wait "$spid" 2> /dev/null || true
	lg=$(echo "$out" | awk '/^loadgen-cpu/ { printf "%d", ($2 + $3) * '"$tck"' }')
	out=$(echo "$out" | grep -v '^loadgen-cpu')
	n=$(echo "$out" | sed -n 's/.*: \([0-9]*\) submissions acknowledged.*/\1/p')
	printf '%-10s %-8s %s\n' "$engine" "$name" "$out"
	printf '%-10s %-8s CPU per submission: server %s ms, PostgreSQL backends %s ms, load generator %s ms\n' "$engine" "$name" \
		"$(per $((s1 - s0)) "${n:-0}")" "$(per $((p1 - p0)) "${n:-0}")" "$(per "${lg:-0}" "${n:-0}")"
}

engines=${ENGINES:-sqlite postgres}
echo "$(nproc) cores; $clients clients for $duration per engine"
for r in $(seq "$reps"); do
	[[ " $engines " == *" sqlite "* ]] || break
	for b in $bins; do
		rm -f "$work/load.db"*
		run "${b%%=*}" "${b#*=}" sqlite "$work/load.db" 18480
	done
done
if [[ " $engines " != *" postgres "* ]]; then
	:
elif [ -n "${TRUCE_BENCH_POSTGRES:-}" ]; then
	for r in $(seq "$reps"); do
		for b in $bins; do
			PGOPTIONS=--client-min-messages=warning psql -q "$TRUCE_BENCH_POSTGRES" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' > /dev/null
			run "${b%%=*}" "${b#*=}" postgres "$TRUCE_BENCH_POSTGRES" 18481
		done
	done
else
	echo "postgres   skipped: set TRUCE_BENCH_POSTGRES"
fi
