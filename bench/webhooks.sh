#!/usr/bin/env bash
# The target (docs/architecture.md): "Durable webhook ingestion with signature checks: at least 20x
# the one-commit-per-write rate." Measured within one run on this machine:
#  - reference: writes/s of jobsync-bench-commit-per-write, one LMDB
#    transaction and commit (fsync) per write, each write the job, its
#    webhook id and the event counter, in a data folder next to the
#    server's;
#  - jobsyncd: signed deliveries/s (POST /api/webhooks/replicate with a
#    configured secret, each a distinct prediction change, answered after
#    it is on disk) from jobsync-bench-webhook-load at several numbers of
#    concurrent connections, each on a fresh data folder.
# Prints both rates and their ratio (target >= 20). Both on LMDB, then
# both on PostgreSQL (a throwaway server on this machine with fsync on, one
# jobsyncd on it, a fresh database per measurement).
# Usage: bench/webhooks.sh [seconds per measurement, default 10]
#        CONNECTIONS="16 64 256" BACKENDS="lmdb postgres" bench/webhooks.sh
source "$(dirname "$0")/common.sh"
seconds=${1:-10}
connections=${CONNECTIONS:-"16 64 256"}
backends=${BACKENDS:-"lmdb postgres"}

need_built jobsyncd:jobsyncd \
  bench/jobsync-bench-commit-per-write:jobsync-bench-commit-per-write \
  bench/jobsync-bench-webhook-load:jobsync-bench-webhook-load

secret=$(new_webhook_secret)

# CPU seconds a process has used so far (user + system).
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"
}

# The number of commits since the store was created: LMDB's last
# transaction id (mdb_stat from lmdb-utils), or PostgreSQL's count of
# committed transactions in the database (which also counts reads and
# jobsyncd's own queries: an upper bound). "?" when neither is known.
commits_of() {
  if [[ $1 == postgresql://* ]]; then
    "$pg_bin/psql" -qtA "$1" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
    return
  fi
  command -v mdb_stat > /dev/null || { echo "?"; return; }
  mdb_stat -e "$1" | awk '/Last transaction ID/ {print $4}'
}

# A store of the current $backend: sets $store (the folder, or the
# database's URL), $dir (jobsyncd's --data-dir) and $flags.
#   new_store <name>
new_store() {
  dir="$work/$backend-$1"
  mkdir -p "$dir"
  store=$dir flags=""
  if [[ $backend == postgres ]]; then
    store=$(new_database "$1")
    flags=$(postgres_flags "$store")
  fi
}

[[ $backends == *postgres* ]] && start_postgres
echo "== webhook ingestion, ${seconds} s per measurement"
print_machine
for backend in $backends; do
  new_store reference
  run_client "$work/reference-$backend.txt" \
    "$build/bench/jobsync-bench-commit-per-write" "$store" "$seconds"
  reference=$(cat "$work/reference-$backend.txt")
  reference_rate=$(awk '{print $(NF-1)}' <<< "$reference")

  results=()
  for c in $connections; do
    new_store "server_$c"
    # shellcheck disable=SC2086
    start_jobsyncd "$dir" "$work/server-$backend-$c.log" $flags \
      --set background.job_status_polling.enabled=false \
      --set "providers.replicate.webhook_secret=$secret"
    commits_before=$(commits_of "$store")
    cpu_before=$(cpu_seconds "$jobsyncd_pid")
    run_client "$work/load-$c.txt" "$build/bench/jobsync-bench-webhook-load" \
      --port "$jobsyncd_port" --secret "$secret" --connections "$c" \
      --seconds "$seconds"
    cpu=$(awk -v a="$cpu_before" -v b="$(cpu_seconds "$jobsyncd_pid")" \
            'BEGIN {printf "%.2f", b - a}')
    # What the answers claim is checked against the store: every accepted
    # delivery of a new prediction created one job.
    stored=$(curl -sf "http://127.0.0.1:$jobsyncd_port/api/cloud/jobs?limit=1" \
               | jq .total)
    stop_jobsyncd
    commits=$(commits_of "$store")
    [[ $commits == "?" ]] || commits=$((commits - commits_before))
    results+=("$c $stored $cpu $commits $(cat "$work/load-$c.txt")")
  done

  echo "  $backend: reference, one commit per write: $reference"
  printf '  %-22s %12s %7s %8s %8s %8s %10s %10s\n' "jobsyncd ($backend)" \
    deliveries/s ratio p50_ms p99_ms commits per_commit cpu_us/del
  for r in "${results[@]}"; do
    awk -v ref="$reference_rate" '{
      # $1 connections, $2 jobs stored, $3 jobsyncd CPU s, $4 commits, then
      # the load line: deliveries n ok n failed n seconds s rate r/s
      # p50_ms x p99_ms y
      c = $1; commits = $4; ok = $8; failed = $10; rate = $14 + 0
      printf "  %4d connections       %12.1f %7.1f %8.1f %8.1f %8s %10s %10.0f   ok %d, failed %d, jobs stored %d\n",
        c, rate, rate / ref, $16, $18, commits,
        (commits + 0 > 0 ? sprintf("%.1f", ok / commits) : "?"),
        (ok > 0 ? $3 * 1e6 / ok : 0), ok, failed, $2 }' <<< "$r"
  done
done
echo "  target: ratio >= 20 (deliveries/s over the reference's writes/s)"
