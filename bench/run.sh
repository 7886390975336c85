#!/usr/bin/env bash
# Measures two of the performance targets (docs/architecture.md) within one
# run on this machine, and prints them:
#  - REST reads: `GET /api/cloud/jobs?limit=50` over 100,000 stored jobs
#    against the floor: jobsync-bench-floor (jobsyncd's HTTP server with a
#    handler that does no work) answering the same page's bytes, same load.
#    Three rounds, each measuring both sides in turn; prints the median
#    ratio and its spread. Target at least 0.5.
#  - start-up with 1,000,000 stored jobs: time until /readyz answers 200,
#    against start-up with an empty store: target under one second.
# Needs wrk (installed here if missing).
# Usage: bench/run.sh [seconds per measurement, default 5]   (ROUNDS=3)
source "$(dirname "$0")/common.sh"
duration=${1:-5}
rounds=${ROUNDS:-3}

command -v wrk >/dev/null || {
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get install -y -qq wrk >/dev/null
}
need_built jobsyncd:jobsyncd bench/jobsync-bench-seed:jobsync-bench-seed \
  bench/jobsync-bench-floor:jobsync-bench-floor

# Requests/s of wrk at 64 connections on two threads.
rps() { wrk -t2 -c64 -d"${duration}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

# Sets $elapsed_ms: from starting jobsyncd to its first 200 on /readyz.
startup() {
  local t0
  t0=$(date +%s%N)
  start_jobsyncd "$1" "$work/startup.log"
  until curl -sf "http://127.0.0.1:$jobsyncd_port/readyz" >/dev/null; do sleep 0.005; done
  elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  stop_jobsyncd
}

echo "== REST reads over 100,000 jobs, $rounds rounds of ${duration} s per side"
print_machine
"$build/bench/jobsync-bench-seed" "$work/100k" 100000 > /dev/null
start_jobsyncd "$work/100k" "$work/reads.log"
base="http://127.0.0.1:$jobsyncd_port"
curl -s "$base/api/cloud/jobs?limit=50" > "$work/page.json"
page_bytes=$(wc -c < "$work/page.json")
start_floor "$work/page.json" "$work/floor.log"
floor="http://127.0.0.1:$floor_port/floor/body"
[[ $(curl -s "$floor" | wc -c) == "$page_bytes" ]] || {
  echo "the floor does not serve the page's bytes" >&2; exit 1; }

ratios=() lists=() floors=()
for round in $(seq 1 "$rounds"); do
  l=$(rps "$base/api/cloud/jobs?limit=50")
  f=$(rps "$floor")
  lists+=("$l") floors+=("$f")
  ratios+=("$(awk -v l="$l" -v f="$f" 'BEGIN {printf "%.3f", l / f}')")
  printf '  round %d: limit=50 %8.0f req/s, no-work body %8.0f req/s, ratio %s\n' \
    "$round" "$l" "$f" "${ratios[-1]}"
done
one=$(rps "$base/api/cloud/jobs?limit=1")
filtered=$(rps "$base/api/cloud/jobs?limit=50&status=running")
trivial=$(rps "$base/healthz")
stop_floor
stop_jobsyncd

read -r lm _ _ <<< "$(median_of "${lists[@]}")"
read -r fm _ _ <<< "$(median_of "${floors[@]}")"
read -r rm rlo rhi <<< "$(median_of "${ratios[@]}")"
printf '  limit=50 (%d B)                 median %8.0f req/s\n' "$page_bytes" "$lm"
printf '  no-work body of the same size    median %8.0f req/s\n' "$fm"
printf '  limit=1                                 %8.0f req/s\n' "$one"
printf '  limit=50&status=running                 %8.0f req/s\n' "$filtered"
printf '  /healthz (tiny body)                    %8.0f req/s\n' "$trivial"
echo "list vs no-work body: ratio $rm (median of $rounds; spread $rlo-$rhi; target >= 0.50)"

echo "== start-up"
mkdir -p "$work/empty"
startup "$work/empty"
empty=$elapsed_ms
"$build/bench/jobsync-bench-seed" "$work/1m" 1000000 > /dev/null
startup "$work/1m"
echo "  empty store:      ${empty} ms to ready"
echo "  1,000,000 jobs:   ${elapsed_ms} ms to ready (target < 1000)"
