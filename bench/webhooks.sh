#!/usr/bin/env bash
# DESIGN.md: "Durable webhook ingestion with signature checks: at least 20x
# the one-commit-per-write rate." Measured within one run on this machine:
#  - reference: writes/s of jobsync-bench-commit-per-write, one LMDB
#    transaction and commit (fsync) per write, each write the job, its
#    webhook id and the event counter, in a data folder next to the
#    server's;
#  - jobsyncd: signed deliveries/s (POST /api/webhooks/replicate with a
#    configured secret, each a distinct prediction change, answered after
#    it is on disk) from jobsync-bench-webhook-load at several numbers of
#    concurrent connections, each on a fresh data folder.
# Prints both rates and their ratio (target >= 20).
# Usage: bench/webhooks.sh [seconds per measurement, default 10]
#        CONNECTIONS="16 64 256" bench/webhooks.sh
source "$(dirname "$0")/common.sh"
seconds=${1:-10}
connections=${CONNECTIONS:-"16 64 256"}

need_built jobsyncd:jobsyncd \
  bench/jobsync-bench-commit-per-write:jobsync-bench-commit-per-write \
  bench/jobsync-bench-webhook-load:jobsync-bench-webhook-load

secret=$(new_webhook_secret)

echo "== webhook ingestion, ${seconds} s per measurement"
print_machine
run_client "$work/reference.txt" \
  "$build/bench/jobsync-bench-commit-per-write" "$work/reference" "$seconds"
reference=$(cat "$work/reference.txt")
reference_rate=$(awk '{print $(NF-1)}' <<< "$reference")

results=()
for c in $connections; do
  start_jobsyncd "$work/server-$c" "$work/server-$c.log" \
    --set background.job_status_polling.enabled=false \
    --set "providers.replicate.webhook_secret=$secret"
  run_client "$work/load-$c.txt" "$build/bench/jobsync-bench-webhook-load" \
    --port "$jobsyncd_port" --secret "$secret" --connections "$c" \
    --seconds "$seconds"
  line=$(cat "$work/load-$c.txt")
  # What the answers claim is checked against the store: every accepted
  # delivery of a new prediction created one job.
  stored=$(curl -sf "http://127.0.0.1:$jobsyncd_port/api/cloud/jobs?limit=1" \
             | jq .total)
  stop_jobsyncd
  results+=("$c $stored $line")
done

printf '  %-34s %10.1f writes/s  (%s)\n' "one commit per write (reference)" \
  "$reference_rate" "$reference"
for r in "${results[@]}"; do
  awk -v ref="$reference_rate" '{
    # fields: connections stored "deliveries" n "ok" n "failed" n "seconds" s
    #         "rate" r/s "p50_ms" x "p99_ms" y
    c = $1; stored = $2; ok = $6; failed = $8; rate = $12 + 0
    printf "  jobsyncd, %4d connections         %10.1f deliveries/s  ratio %6.1f (target >= 20)  ok %d failed %d  p50 %.1f ms p99 %.1f ms  jobs stored %d\n",
      c, rate, rate / ref, ok, failed, $14, $16, stored }' <<< "$r"
done
