#!/usr/bin/env bash
# Measures two of the performance targets (docs/architecture.md) as ratios or bounds within
# one run on this machine, and prints them:
#  - REST reads: `GET /api/cloud/jobs?limit=50` over 100,000 stored jobs
#    against `GET /healthz` (a handler that does no work) of the same
#    server, same load: target at least 0.5;
#  - start-up with 1,000,000 stored jobs: time until /readyz answers 200,
#    against start-up with an empty store: target under one second.
# Needs wrk (installed here if missing). Usage: bench/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5}

command -v wrk >/dev/null || {
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get install -y -qq wrk >/dev/null
}
[[ -x build/jobsyncd && -x build/bench/jobsync-bench-seed ]] || {
  scripts/setup.sh; scripts/build.sh; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# Starts jobsyncd on a data folder (no provider); sets $port and $server.
start_server() {
  local dir=$1 log=$2
  env -u REPLICATE_API_TOKEN build/jobsyncd --data-dir "$dir" --port 0 \
    --set logging.level=warning > "$log" 2>&1 &
  server=$!
  port=""
  for _ in $(seq 1 1000); do
    port=$(grep -o 'listening on [0-9.]*:[0-9]*' "$log" | sed 's/.*://' || true)
    [[ -n "$port" ]] && return
    sleep 0.005
  done
  echo "jobsyncd did not start" >&2; cat "$log" >&2; exit 1
}

stop_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}

# Sets $elapsed_ms: from starting jobsyncd to its first 200 on /readyz.
startup() {
  local t0
  t0=$(date +%s%N)
  start_server "$1" "$work/startup.log"
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.005; done
  elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  stop_server
}

rps() { wrk -t2 -c64 -d"${duration}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

echo "== REST reads over 100,000 jobs"
build/bench/jobsync-bench-seed "$work/100k" 100000
start_server "$work/100k" "$work/reads.log"
base="http://127.0.0.1:$port"
page_bytes=$(curl -s "$base/api/cloud/jobs?limit=50" | wc -c)
asset_bytes=$(curl -s "$base/assets/app.css" | wc -c)
trivial=$(rps "$base/healthz")
asset=$(rps "$base/assets/app.css")
one=$(rps "$base/api/cloud/jobs?limit=1")
list=$(rps "$base/api/cloud/jobs?limit=50")
filtered=$(rps "$base/api/cloud/jobs?limit=50&status=running")
stop_server
# The asset is a handler that does no work but ships a body; scaled to the
# page's size it shows what the bytes alone cost.
awk -v t="$trivial" -v a="$asset" -v o="$one" -v l="$list" -v f="$filtered" \
    -v pb="$page_bytes" -v ab="$asset_bytes" 'BEGIN {
  printf "  /healthz (no work, tiny body)        %8.0f req/s\n", t
  printf "  /assets/app.css (no work, %6d B)   %8.0f req/s\n", ab, a
  printf "  /api/cloud/jobs?limit=1              %8.0f req/s  ratio to /healthz %.2f (target >= 0.50)\n", o, o / t
  printf "  /api/cloud/jobs?limit=50 (%6d B)   %8.0f req/s  ratio to /healthz %.2f (target >= 0.50)\n", pb, l, l / t
  printf "  ...&status=running                   %8.0f req/s  ratio to /healthz %.2f\n", f, f / t
  printf "  limit=50 against a no-work body of the same size (asset rate x %d/%d): ratio %.2f\n", ab, pb, l / (a * ab / pb) }'

echo "== start-up"
mkdir -p "$work/empty"
startup "$work/empty"
empty=$elapsed_ms
build/bench/jobsync-bench-seed "$work/1m" 1000000
startup "$work/1m"
echo "  empty store:      ${empty} ms to ready"
echo "  1,000,000 jobs:   ${elapsed_ms} ms to ready (target < 1000)"
