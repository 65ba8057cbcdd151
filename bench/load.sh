#!/usr/bin/env bash
# Load benchmark: report submissions over the HTTP API from many concurrent
# clients, on SQLite and on PostgreSQL, in one run. For each engine it
# starts truce serve on a fresh database holding the shipped agreement and
# runs `truce load`, which prints throughput and latency percentiles of
# acknowledged (durable) submissions.
#
# Usage: bench/load.sh [CLIENTS] [DURATION]     (default 32 clients, 10s)
# PostgreSQL: TRUCE_BENCH_POSTGRES=postgres://user:pass@host:port/db, a
# database the benchmark may empty; without it, the PostgreSQL run is
# skipped.
set -euo pipefail
clients=${1:-32}
duration=${2:-10s}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-load.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

(cd "$root" && go build -o "$work/truce" ./cmd/truce)
export TRUCE_SUBMIT_TOKEN=bench-$RANDOM$RANDOM

run() { # engine, db, port
	local engine=$1 db=$2 port=$3
	"$work/truce" agreement load -db "$db" "$root/internal/bundled/data/agreements/syria-coh-2016.yaml" > /dev/null 2>&1
	"$work/truce" serve -db "$db" -addr "127.0.0.1:$port" > "$work/$engine.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
	printf '%-10s ' "$engine"
	"$work/truce" load -url "http://127.0.0.1:$port" -clients "$clients" -duration "$duration"
	kill "${pids[-1]}"
}

echo "$(nproc) cores; $clients clients for $duration per engine"
run sqlite "$work/load.db" 18480
if [ -n "${TRUCE_BENCH_POSTGRES:-}" ]; then
	PGOPTIONS=--client-min-messages=warning psql -q "$TRUCE_BENCH_POSTGRES" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' > /dev/null
	run postgres "$TRUCE_BENCH_POSTGRES" 18481
else
	echo "postgres   skipped: set TRUCE_BENCH_POSTGRES"
fi
