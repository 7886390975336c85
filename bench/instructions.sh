#!/usr/bin/env bash
# Instructions per signed durable webhook delivery, against the floor's
# per no-work POST: a figure the machine's load does not move. Rates on a
# shared VM swing 15% from one minute to the next, which hides a change of
# a few percent to the CPU a delivery costs; counted instructions repeat to
# 0.1%. Each server runs under valgrind's callgrind with instrumentation
# switched on once it listens, under jobsync-bench-webhook-load at
# CONNECTIONS (default 8) for the given seconds: jobsyncd on a fresh LMDB
# folder (each delivery verified, merged, committed and answered), then the
# floor (jobsyncd's HTTP server answering the same POSTs without work,
# floor_server.cpp). Only user-space instructions count: the kernel's part
# (sockets, the commits' writes and flushes) is not in the figure, and
# valgrind runs one thread at a time, so commits group fewer deliveries
# than at full speed. For comparing builds, not for the target's ratio of
# rates (bench/webhooks.sh).
# Prints `instructions per request: jobsyncd N, no-work POST M, ratio R`
# (R = M / N, higher is better, as the rate ratios are) and, with
# PROFILE=1, keeps callgrind's files for callgrind_annotate.
# Usage: bench/instructions.sh [seconds, default 8]
source "$(dirname "$0")/common.sh"
seconds=${1:-8}
connections=${CONNECTIONS:-8}

need_built jobsyncd:jobsyncd \
  bench/jobsync-bench-webhook-load:jobsync-bench-webhook-load \
  bench/jobsync-bench-floor:jobsync-bench-floor

if ! command -v valgrind > /dev/null; then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind \
    > "$work/apt-valgrind.log" 2>&1
fi

secret=$(new_webhook_secret)
echo '{}' > "$work/floor-body.json"

# Switches counting on in a server started under callgrind, runs the load
# against it and stops it (callgrind writes its file at exit); sets
# $requests and $instructions. Not in a subshell: only the shell that
# started the server can wait for it.
#   count_requests <pid> <port> <callgrind file> <name>
count_requests() {
  local pid=$1 port=$2 out=$3 name=$4
  callgrind_control -i on "$pid" > /dev/null 2>&1
  run_client "$work/load-$name.txt" "$build/bench/jobsync-bench-webhook-load" \
    --port "$port" --secret "$secret" --connections "$connections" \
    --seconds "$seconds"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  requests=$(awk '{print $4}' "$work/load-$name.txt")
  instructions=$(awk '/^(summary|totals):/ {print $2; exit}' "$out")
}

print_machine
run_under=(valgrind --tool=callgrind --instr-atstart=no)

mkdir -p "$work/lmdb"
run_under+=(--callgrind-out-file="$work/jobsyncd.callgrind")
start_jobsyncd "$work/lmdb" "$work/jobsyncd.log" \
  --set background.job_status_polling.enabled=false \
  --set "providers.replicate.webhook_secret=$secret"
count_requests "$jobsyncd_pid" "$jobsyncd_port" "$work/jobsyncd.callgrind" \
  jobsyncd
deliveries=$requests jobsyncd_ir=$instructions

run_under[-1]=--callgrind-out-file="$work/floor.callgrind"
start_floor "$work/floor-body.json" "$work/floor.log"
count_requests "$floor_pid" "$floor_port" "$work/floor.callgrind" floor
posts=$requests floor_ir=$instructions

if [[ -z $jobsyncd_ir || -z $floor_ir || ${deliveries:-0} -eq 0 \
      || ${posts:-0} -eq 0 ]]; then
  echo "no count: see $work (kept)" >&2
  trap - EXIT
  exit 1
fi
awk -v d="$deliveries" -v di="$jobsyncd_ir" -v p="$posts" -v pi="$floor_ir" \
    -v c="$connections" 'BEGIN {
  printf "  jobsyncd: %d deliveries, %.0f instructions each; no-work POST: %d requests, %.0f each (%d connections, under callgrind)\n", d, di / d, p, pi / p, c
  printf "instructions per request: jobsyncd %.0f, no-work POST %.0f, ratio %.3f\n", di / d, pi / p, (pi / p) / (di / d) }'
if [[ -n ${PROFILE:-} ]]; then
  keep=$(mktemp -d "${TMPDIR:-/tmp}/jobsync-instructions.XXXXXX")
  cp "$work/jobsyncd.callgrind" "$work/floor.callgrind" "$keep/"
  echo "  profiles: $keep (callgrind_annotate --inclusive=yes <file>)"
fi
