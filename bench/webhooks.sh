#!/usr/bin/env bash
# Durable webhook ingestion with signature checks, measured within one run
# on this machine, on LMDB and then on PostgreSQL (a throwaway server on
# this machine with fsync on, one jobsyncd on it, a fresh database per
# measurement):
#  - the floor: jobsync-bench-floor (jobsyncd's HTTP server, a POST handler
#    that answers jobsyncd's "received" body without verifying or storing
#    anything), the same client, the same bodies and connections;
#  - jobsyncd: signed deliveries/s (POST /api/webhooks/replicate with a
#    configured secret, each a distinct prediction change, answered after
#    it is on disk) from jobsync-bench-webhook-load at several numbers of
#    concurrent connections, each on a fresh store;
#  - for scale, one commit per write: jobsync-bench-commit-per-write, one
#    transaction and fsync per delivery-shaped write (x_commit), and the
#    same tool with 64 writes per commit: the store's own ceiling for 64
#    connections, with nothing but the writes on the way; once with new
#    jobs of consecutive ids, once with the writes jobsyncd stores for the
#    load at 64 connections (64 predictions in flight, three writes each),
#    and with those writes' ids in the order the predictions start (what
#    they would cost if the store kept each commit's changes together).
#  - a bound, on LMDB: jobsyncd with its folder in memory (a tmpfs), where
#    the commits' flushes to the device cost nothing.
# Prints a table over the numbers of connections, then ROUNDS rounds
# (default 3) at 64 connections, jobsyncd, the floor and jobsyncd in memory
# in turn, and the line `webhooks vs no-work POST at 64 connections: ratio
# R` with the median ratio, its spread and the CPU per delivery. Target:
# ratio >= 0.5.
# Usage: bench/webhooks.sh [seconds per measurement, default 10]
#        CONNECTIONS="16 64 256" BACKENDS="lmdb postgres" ROUNDS=3 bench/webhooks.sh
source "$(dirname "$0")/common.sh"
seconds=${1:-10}
connections=${CONNECTIONS:-"16 64 256"}
backends=${BACKENDS:-"lmdb postgres"}
rounds=${ROUNDS:-3}

need_built jobsyncd:jobsyncd \
  bench/jobsync-bench-commit-per-write:jobsync-bench-commit-per-write \
  bench/jobsync-bench-webhook-load:jobsync-bench-webhook-load \
  bench/jobsync-bench-floor:jobsync-bench-floor

secret=$(new_webhook_secret)

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
# database's URL), $dir (jobsyncd's --data-dir) and $flags. An LMDB folder
# is made under $store_root when it is set (the RAM folder), else in $work.
#   new_store <name>
new_store() {
  dir="${store_root:-$work}/$backend-$1"
  mkdir -p "$dir"
  store=$dir flags=""
  if [[ $backend == postgres ]]; then
    store=$(new_database "$1")
    flags=$(postgres_flags "$store")
  fi
}

# Bytes a process has handed to write(2), pwrite(2) and writev(2) so far
# (`wchar`): for jobsyncd, the pages and meta pages its LMDB commits wrote
# to the data file (its sockets are written with sendmsg(2), which is not
# counted). `write_bytes` (what the kernel charges the process for dirtying
# pages) read 4 to 5 times as much on the development VM (about 99 KiB
# against 22 KiB per delivery), more than LMDB hands to pwrite, so it is not
# used. "?" when the kernel does not say.
disk_bytes() {
  awk '/^wchar:/ {print $2; found = 1} END {if (!found) print "?"}' \
    "/proc/$1/io" 2>/dev/null || echo "?"
}

# The registry's writer time so far, from jobsyncd's /metrics: "busy
# commit" in seconds (jobsync_store_writer_busy_seconds_total: running,
# committing and answering its transactions; of that,
# jobsync_store_commit_seconds_total: in the store's commit).
writer_seconds() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk '
    $1 == "jobsync_store_writer_busy_seconds_total" {busy = $2}
    $1 == "jobsync_store_commit_seconds_total" {commit = $2}
    END {print busy + 0, commit + 0}'
}

# Seconds of something over N deliveries, in microseconds each.
#   us_each <seconds> <deliveries>
us_each() {
  awk -v x="$1" -v n="$2" 'BEGIN {printf "%.1f", (n > 0 ? x * 1e6 / n : 0)}'
}

# The writer's busy seconds as a percentage of the load's seconds.
#   busy_share <busy seconds> <load seconds>
busy_share() {
  awk -v b="$1" -v s="$2" 'BEGIN {printf "%.0f", (s > 0 ? 100 * b / s : 0)}'
}

# One measurement of jobsyncd at C connections on a fresh store of the
# current $backend; prints "C jobs-stored cpu-seconds commits <load line>
# disk-bytes client-cpu-seconds writer-busy-seconds commit-seconds"
# (disk-bytes: what jobsyncd wrote to its files meanwhile; on PostgreSQL
# the database writes, so it says little there; the writer's seconds: see
# writer_seconds, during the load).
#   measure_jobsyncd <connections> <name>
measure_jobsyncd() {
  local c=$1 commits_before cpu_before cpu stored commits disk_before disk
  local client_cpu writer_before writer
  new_store "server_$2"
  # shellcheck disable=SC2086
  start_jobsyncd "$dir" "$work/server-$backend-$2.log" $flags \
    --set background.job_status_polling.enabled=false \
    --set "providers.replicate.webhook_secret=$secret"
  commits_before=$(commits_of "$store")
  cpu_before=$(cpu_seconds "$jobsyncd_pid")
  disk_before=$(disk_bytes "$jobsyncd_pid")
  writer_before=$(writer_seconds "$jobsyncd_port")
  client_cpu=$(client_cpu_seconds "$work/load-$2.txt" \
    "$build/bench/jobsync-bench-webhook-load" \
    --port "$jobsyncd_port" --secret "$secret" --connections "$c" \
    --seconds "$seconds")
  cpu=$(awk -v a="$cpu_before" -v b="$(cpu_seconds "$jobsyncd_pid")" \
          'BEGIN {printf "%.2f", b - a}')
  disk=$(awk -v a="$disk_before" -v b="$(disk_bytes "$jobsyncd_pid")" \
           'BEGIN {print (a == "?" || b == "?") ? "?" : b - a}')
  writer=$(awk -v a="$writer_before" -v b="$(writer_seconds "$jobsyncd_port")" \
             'BEGIN {split(a, x, " "); split(b, y, " ")
                     printf "%.4f %.4f", y[1] - x[1], y[2] - x[2]}')
  # What the answers claim is checked against the store: every accepted
  # delivery of a new prediction created one job.
  stored=$(curl -sf "http://127.0.0.1:$jobsyncd_port/api/cloud/jobs?limit=1" \
             | jq .total)
  stop_jobsyncd
  commits=$(commits_of "$store")
  [[ $commits == "?" ]] || commits=$((commits - commits_before))
  echo "$c $stored $cpu $commits $(cat "$work/load-$2.txt") $disk $client_cpu $writer"
}

# The rate in a line of jobsync-bench-commit-per-write ("... <rate> writes/s...").
rate_of() {
  awk '{for (i = 2; i <= NF; i++) if ($i ~ /^writes\/s/) {print $(i - 1) + 0; exit}}' <<< "$1"
}

# One measurement of the floor at C connections; prints
# "requests/s cpu_us/request".
measure_floor() {
  local c=$1 cpu_before cpu
  start_floor "$work/floor-body.json" "$work/floor.log"
  cpu_before=$(cpu_seconds "$floor_pid")
  run_client "$work/floor-load.txt" "$build/bench/jobsync-bench-webhook-load" \
    --port "$floor_port" --secret "$secret" --connections "$c" \
    --seconds "$seconds"
  cpu=$(awk -v a="$cpu_before" -v b="$(cpu_seconds "$floor_pid")" \
          'BEGIN {printf "%.2f", b - a}')
  stop_floor
  awk -v cpu="$cpu" '{ ok = $4
    printf "%s %.1f", $10 + 0, (ok > 0 ? cpu * 1e6 / ok : 0) }' \
    "$work/floor-load.txt"
}
# (The floor answers from its code; the file is only its GET body.)
echo '{}' > "$work/floor-body.json"

[[ $backends == *postgres* ]] && start_postgres
echo "== webhook ingestion, ${seconds} s per measurement"
print_machine
for backend in $backends; do
  new_store reference
  run_client "$work/reference-$backend.txt" \
    "$build/bench/jobsync-bench-commit-per-write" "$store" "$seconds"
  reference=$(cat "$work/reference-$backend.txt")
  reference_rate=$(rate_of "$reference")
  # The store alone at group commit's best for 64 connections: every
  # commit carries 64 delivery-shaped writes (new jobs with consecutive
  # ids, so each commit dirties few pages), with no HTTP, signature or
  # merge on the way: what the disk and the store allow.
  new_store ceiling
  run_client "$work/ceiling-$backend.txt" \
    "$build/bench/jobsync-bench-commit-per-write" "$store" "$seconds" 64
  ceiling=$(cat "$work/ceiling-$backend.txt")
  # The same, with the load's own writes: what the store allows for the
  # deliveries jobsyncd is given, however little the rest of it cost.
  new_store shaped
  run_client "$work/shaped-$backend.txt" \
    "$build/bench/jobsync-bench-commit-per-write" "$store" "$seconds" 64 64
  shaped=$(cat "$work/shaped-$backend.txt")
  new_store ordered
  run_client "$work/ordered-$backend.txt" \
    "$build/bench/jobsync-bench-commit-per-write" "$store" "$seconds" 64 64 ordered
  ordered=$(cat "$work/ordered-$backend.txt")

  results=()
  for c in $connections; do
    results+=("$(measure_jobsyncd "$c" "$c")")
  done

  echo "  $backend: reference, one commit per write: $reference"
  echo "  $backend: the store alone, 64 writes per commit: $ceiling"
  echo "  $backend: the store alone, the load's writes, 64 per commit: $shaped"
  echo "  $backend: the same, ids in the order predictions start: $ordered"
  printf '  %-22s %12s %7s %8s %8s %8s %10s %10s %11s\n' "jobsyncd ($backend)" \
    deliveries/s x_commit p50_ms p99_ms commits per_commit cpu_us/del disk_KiB/del
  for r in "${results[@]}"; do
    awk -v ref="$reference_rate" '{
      # $1 connections, $2 jobs stored, $3 jobsyncd CPU s, $4 commits, then
      # the load line: deliveries n ok n failed n seconds s rate r/s
      # p50_ms x p99_ms y; then $19 the bytes written to the disk
      c = $1; commits = $4; ok = $8; failed = $10; rate = $14 + 0
      printf "  %4d connections       %12.1f %7.1f %8.1f %8.1f %8s %10s %10.0f %11s   ok %d, failed %d, jobs stored %d\n",
        c, rate, rate / ref, $16, $18, commits,
        (commits + 0 > 0 ? sprintf("%.1f", ok / commits) : "?"),
        (ok > 0 ? $3 * 1e6 / ok : 0),
        ($19 != "?" && ok > 0 ? sprintf("%.1f", $19 / 1024 / ok) : "?"),
        ok, failed, $2 }' <<< "$r"
  done

  echo "  $backend: at 64 connections, against the floor, $rounds rounds"
  ratios=() cpus=() floor_rates=() floor_cpus=() disks=() cpu_bounds=()
  ram_ratios=() busy_shares=() busy_uss=() commit_uss=() writer_bounds=()
  # On LMDB each round also runs jobsyncd with its folder in memory, where
  # a commit's flushes cost nothing: how far the ratio could go on this
  # machine's CPU with a free disk.
  ram=""
  [[ $backend == lmdb ]] && new_ram_folder
  for round in $(seq 1 "$rounds"); do
    r=$(measure_jobsyncd 64 "round_$round")
    read -r floor_rate floor_cpu <<< "$(measure_floor 64)"
    in_ram=""
    if [[ -n $ram ]]; then
      read -r ram_rate ram_load_s ram_busy <<< "$(store_root=$ram measure_jobsyncd 64 "ram_$round" \
        | awk '{print $14 + 0, $12 + 0, $21}')"
      # Memory, not disk: each round's folder goes once measured.
      rm -rf "$ram/$backend-server_ram_$round"
      ram_ratios+=("$(awk -v a="$ram_rate" -v b="$floor_rate" 'BEGIN {printf "%.3f", a / b}')")
      in_ram=$(printf '; store in RAM %.1f deliveries/s, ratio %s (writer busy %s%%)' "$ram_rate" "${ram_ratios[-1]}" "$(busy_share "$ram_busy" "$ram_load_s")")
    fi
    read -r rate ok cpu disk client_cpu load_s busy commit <<< \
      "$(awk '{print $14 + 0, $8, $3, $19, $20, $12 + 0, $21, $22}' <<< "$r")"
    ratios+=("$(awk -v a="$rate" -v b="$floor_rate" 'BEGIN {printf "%.3f", a / b}')")
    cpus+=("$(us_each "$cpu" "$ok")")
    floor_rates+=("$floor_rate")
    floor_cpus+=("$floor_cpu")
    disks+=("$(awk -v d="$disk" -v n="$ok" 'BEGIN {print (d == "?" || n == 0) ? "?" : sprintf("%.1f", d / 1024 / n)}')")
    # The most deliveries a second this machine's cores could carry at the
    # CPU each one took (jobsyncd's and the client's), however short the
    # commits: over the floor's rate, the ratio's ceiling.
    cpu_bounds+=("$(awk -v c="$cpu" -v k="$client_cpu" -v n="$ok" -v cores="$(nproc)" -v f="$floor_rate" \
      'BEGIN {printf "%.3f", (n > 0 && c + k > 0 ? cores / ((c + k) / n) / f : 0)}')")
    # The registry's writer runs one transaction at a time: its time per
    # delivery (running, committing, answering) bounds the rate by itself
    # once it is busy all the time.
    busy_shares+=("$(busy_share "$busy" "$load_s")")
    busy_uss+=("$(us_each "$busy" "$ok")")
    commit_uss+=("$(us_each "$commit" "$ok")")
    writer_bounds+=("$(awk -v b="$busy" -v n="$ok" -v f="$floor_rate" 'BEGIN {printf "%.3f", (b > 0 ? n / b / f : 0)}')")
    printf '  round %d: jobsyncd %8.1f deliveries/s (%s us CPU, %s KiB to disk each; client %.1f us each; writer busy %s%% of the run, %s us each, %s of them in the commit), no-work POST %8.1f req/s (%s us CPU each), ratio %s (CPU ceiling %s, writer bound %s)%s\n' \
      "$round" "$rate" "${cpus[-1]}" "${disks[-1]}" \
      "$(us_each "$client_cpu" "$ok")" \
      "${busy_shares[-1]}" "${busy_uss[-1]}" "${commit_uss[-1]}" \
      "$floor_rate" "$floor_cpu" "${ratios[-1]}" "${cpu_bounds[-1]}" "${writer_bounds[-1]}" "$in_ram"
  done
  read -r rm rlo rhi <<< "$(median_of "${ratios[@]}")"
  read -r cm _ _ <<< "$(median_of "${cpus[@]}")"
  read -r fcm _ _ <<< "$(median_of "${floor_cpus[@]}")"
  dm="?"
  [[ ${disks[0]} == "?" ]] || read -r dm _ _ <<< "$(median_of "${disks[@]}")"
  read -r bm _ _ <<< "$(median_of "${cpu_bounds[@]}")"
  read -r wsm _ _ <<< "$(median_of "${busy_shares[@]}")"
  read -r wum _ _ <<< "$(median_of "${busy_uss[@]}")"
  read -r wcm _ _ <<< "$(median_of "${commit_uss[@]}")"
  read -r wbm _ _ <<< "$(median_of "${writer_bounds[@]}")"
  read -r fm _ _ <<< "$(median_of "${floor_rates[@]}")"
  store_bound=$(awk -v a="$(rate_of "$shaped")" -v b="$fm" 'BEGIN {printf "%.3f", a / b}')
  ordered_bound=$(awk -v a="$(rate_of "$ordered")" -v b="$fm" 'BEGIN {printf "%.3f", a / b}')
  ram_bound=""
  if [[ ${#ram_ratios[@]} -gt 0 ]]; then
    read -r am alo ahi <<< "$(median_of "${ram_ratios[@]}")"
    ram_bound="; with the store in RAM $am ($alo-$ahi)"
  fi
  echo "webhooks vs no-work POST at 64 connections: ratio $rm (median of $rounds; spread $rlo-$rhi; target >= 0.50; $backend); CPU per delivery $cm us (no-work POST $fcm us); $dm KiB written to disk per delivery; CPU ceiling on $(nproc) cores $bm; writer busy $wsm% of the run, $wum us per delivery ($wcm in the commit), bound $wbm; the store alone with the load's writes $store_bound ($ordered_bound with ids in start order)$ram_bound"
done
echo "  (CPU ceiling: $(nproc) cores over the CPU of one delivery, jobsyncd's and the"
echo "   client's, as a ratio of the no-work POST's rate: no commit could be"
echo "   short enough for more)"
echo "  (writer: the registry, which runs one transaction at a time; its busy"
echo "   time (running, committing, answering) per delivery, the part in the"
echo "   store's commit, and the ratio it bounds the rate at if it were busy"
echo "   all the time, from jobsyncd's jobsync_store_* counters during the load)"
echo "  (the store alone with the load's writes: its writes/s, 64 to a commit, as a"
echo "   ratio of the no-work POST's median rate: the most the store's layout"
echo "   allows for these deliveries on this disk, with nothing else to do;"
echo "   in brackets, the same writes with ids that sort in start order)"
echo "  (with the store in RAM: the same jobsyncd with its LMDB folder on a tmpfs,"
echo "   where the commits' flushes to the device cost nothing, over the same"
echo "   round's no-work POST; median and spread: how far the ratio could go on"
echo "   this machine's CPU if the disk were free. Not a way to run jobsyncd)"
echo "  (x_commit: deliveries/s over one commit per write's writes/s, for scale)"
