#!/usr/bin/env bash
# Measures two of the performance targets (docs/architecture.md) as ratios or bounds within
# one run on this machine, and prints them:
#  - REST reads: `GET /api/cloud/jobs?limit=50` over 100,000 stored jobs
#    against `GET /healthz` (a handler that does no work) of the same
#    server, same load: target at least 0.5;
#  - start-up with 1,000,000 stored jobs: time until /readyz answers 200,
#    against start-up with an empty store: target under one second.
# Each on LMDB and on PostgreSQL (a throwaway server on this machine, one
# jobsyncd on it): BACKENDS="lmdb" or "postgres" runs one of them.
# Needs wrk (installed here if missing).
# Usage: bench/run.sh [seconds]   (STARTUP_JOBS=1000000)
source "$(dirname "$0")/common.sh"
duration=${1:-5}
backends=${BACKENDS:-"lmdb postgres"}
startup_jobs=${STARTUP_JOBS:-1000000}

command -v wrk >/dev/null || {
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get install -y -qq wrk >/dev/null
}
need_built jobsyncd:jobsyncd bench/jobsync-bench-seed:jobsync-bench-seed
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
  page_bytes=$(curl -s "$base/api/cloud/jobs?limit=50" | wc -c)
  asset_bytes=$(curl -s "$base/assets/app.css" | wc -c)
  trivial=$(rps "$base/healthz")
  asset=$(rps "$base/assets/app.css")
  one=$(rps "$base/api/cloud/jobs?limit=1")
  list=$(rps "$base/api/cloud/jobs?limit=50")
  filtered=$(rps "$base/api/cloud/jobs?limit=50&status=running")
  stop_jobsyncd
  # The asset is a handler that does no work but ships a body; scaled to
  # the page's size it shows what the bytes alone cost.
  awk -v t="$trivial" -v a="$asset" -v o="$one" -v l="$list" -v f="$filtered" \
      -v pb="$page_bytes" -v ab="$asset_bytes" 'BEGIN {
    printf "  /healthz (no work, tiny body)        %8.0f req/s\n", t
    printf "  /assets/app.css (no work, %6d B)   %8.0f req/s\n", ab, a
    printf "  /api/cloud/jobs?limit=1              %8.0f req/s  ratio to /healthz %.2f (target >= 0.50)\n", o, o / t
    printf "  /api/cloud/jobs?limit=50 (%6d B)   %8.0f req/s  ratio to /healthz %.2f (target >= 0.50)\n", pb, l, l / t
    printf "  ...&status=running                   %8.0f req/s  ratio to /healthz %.2f\n", f, f / t
    printf "  limit=50 against a no-work body of the same size (asset rate x %d/%d): ratio %.2f\n", ab, pb, l / (a * ab / pb) }'

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
