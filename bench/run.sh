#!/usr/bin/env bash
# Measures two of the performance targets (docs/architecture.md) as ratios or bounds within
# one run on this machine, and prints them:
#  - REST reads: `GET /api/cloud/jobs?limit=50` over 100,000 stored jobs
#    against the floor: jobsync-bench-floor (jobsyncd's HTTP server with a
#    handler that does no work) answering the same page's bytes, same
#    load. ROUNDS rounds (default 3), each measuring both sides in turn;
#    prints `list vs no-work body: ratio R` with the median ratio and its
#    spread. Target at least 0.5;
#  - start-up with 1,000,000 stored jobs: time until /readyz answers 200,
#    against start-up with an empty store: target under one second.
# Each on LMDB and on PostgreSQL (a throwaway server on this machine, one
# jobsyncd on it): BACKENDS="lmdb" or "postgres" runs one of them.
# Needs wrk (installed here if missing).
# Usage: bench/run.sh [seconds per measurement, default 5]
#        (STARTUP_JOBS=1000000 ROUNDS=3)
source "$(dirname "$0")/common.sh"
duration=${1:-5}
backends=${BACKENDS:-"lmdb postgres"}
startup_jobs=${STARTUP_JOBS:-1000000}
rounds=${ROUNDS:-3}

command -v wrk >/dev/null || {
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get install -y -qq wrk >/dev/null
}
need_built jobsyncd:jobsyncd bench/jobsync-bench-seed:jobsync-bench-seed \
  bench/jobsync-bench-floor:jobsync-bench-floor
[[ $backends == *postgres* ]] && start_postgres

# Where a store of the backend lives and what opens it: sets $store (a
# folder or a database URL, for the seeder), $dir (jobsyncd's --data-dir:
# the store itself on LMDB) and $flags.
#   new_store <backend> <name>
new_store() {
  dir="$work/$1-$2"
  mkdir -p "$dir"
  if [[ $1 == postgres ]]; then
    store=$(new_database "$2")
    flags=$(postgres_flags "$store")
  else
    store=$dir
    flags=""
  fi
}

# Sets $elapsed_ms: from starting jobsyncd to its first 200 on /readyz.
#   startup <data folder> <flags...>
startup() {
  local t0 dir=$1
  shift
  t0=$(date +%s%N)
  # shellcheck disable=SC2068
  start_jobsyncd "$dir" "$work/startup.log" $@
  until curl -sf "http://127.0.0.1:$jobsyncd_port/readyz" >/dev/null; do
    sleep 0.005
  done
  elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  stop_jobsyncd
}

# Requests/s of wrk at 64 connections on two threads.
rps() { wrk -t2 -c64 -d"${duration}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

print_machine
for backend in $backends; do
  echo "== $backend: REST reads over 100,000 jobs"
  new_store "$backend" reads_100k
  "$build/bench/jobsync-bench-seed" "$store" 100000 > /dev/null
  # shellcheck disable=SC2086
  start_jobsyncd "$dir" "$work/reads-$backend.log" $flags \
    --set background.job_status_polling.enabled=false
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
  echo "list vs no-work body: ratio $rm (median of $rounds; spread $rlo-$rhi; target >= 0.50; $backend)"

  echo "== $backend: start-up"
  new_store "$backend" startup_empty
  # shellcheck disable=SC2086
  startup "$dir" $flags
  empty=$elapsed_ms
  new_store "$backend" startup_many
  t0=$(date +%s%N)
  "$build/bench/jobsync-bench-seed" "$store" "$startup_jobs" > /dev/null
  seeded_s=$(( ($(date +%s%N) - t0) / 1000000000 ))
  # shellcheck disable=SC2086
  startup "$dir" $flags
  echo "  empty store:      ${empty} ms to ready"
  echo "  $startup_jobs jobs:   ${elapsed_ms} ms to ready (target < 1000; seeding took ${seeded_s} s)"
done
