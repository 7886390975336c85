#!/usr/bin/env bash
# The target (docs/architecture.md): "SSE: 10,000 concurrent subscribers; one status change reaches
# all of them with p99 under 200 ms; beat nginx+nchan's delivery latency on
# the same machine." Measured within one run on this machine:
#  - jobsyncd: jobsync-bench-sse-fanout opens N streams to /api/events from
#    10 loopback source addresses, waits until all are subscribed, then
#    moves a job from queued to running with a signed webhook delivery,
#    CHANGES times, and times each subscriber's frame from just before the
#    delivery was written (after one untimed warm-up change);
#  - nginx+nchan (Debian's libnginx-mod-nchan, installed here if missing
#    and possible): the same client against an EventSource channel on
#    loopback, publishing with a POST to nchan's publisher location.
#  - jobsyncd on PostgreSQL (a throwaway server on this machine): the same
#    subscribers on one replica, then spread over two replicas sharing the
#    database, the changes always delivered to the first one (so on the
#    second every event comes back through the database).
# jobsyncd (LMDB) and nginx+nchan take turns ROUNDS times (default 3);
# each round prints p50/p99/max over all subscribers and changes and the
# server's memory (PSS) before and after its subscribers connected; then
# the medians: `p99 median of 3: jobsyncd A ms, nchan B ms` and
# `memory per subscriber: jobsyncd X KiB, nchan Y KiB`. The PostgreSQL
# runs follow, once each.
# Usage: bench/sse.sh [subscribers, default 10000]   (CHANGES=10 ROUNDS=3;
#        REPLICAS=0 leaves the PostgreSQL part out)
source "$(dirname "$0")/common.sh"
subscribers=${1:-10000}
changes=${CHANGES:-10}
rounds=${ROUNDS:-3}
sources=10

need_built jobsyncd:jobsyncd \
  bench/jobsync-bench-sse-fanout:jobsync-bench-sse-fanout

# Every stream is a file descriptor on both sides; the servers inherit this.
ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < subscribers + 100 )); then
  echo "open files are limited to $(ulimit -n): too few for $subscribers streams" >&2
  exit 1
fi

# Runs the client against a server, holding it once every stream is
# subscribed to read the server's memory, and again after the last change;
# sets $mem_before and $mem_after (KiB, of the processes given) and
# $cpu_ms, the CPU time the processes spent in between, per change (the
# warm-up change included), in ms.
#   fanout <output file> "<server pids>" <flags...>
fanout() {
  local out=$1 pids=$2 fifo="$work/hold.fifo" client cpu_before
  shift 2
  rm -f "$fifo"
  mkfifo "$fifo"
  mem_before=$(memory_kib $pids)
  "$build/bench/jobsync-bench-sse-fanout" --subscribers "$subscribers" \
    --sources "$sources" --changes "$changes" --hold-fifo "$fifo" "$@" > "$out" &
  client=$!
  await_line() {
    until grep -q "^$1" "$out" 2>/dev/null; do
      kill -0 "$client" 2>/dev/null || break
      sleep 0.1
    done
  }
  go() { kill -0 "$client" 2>/dev/null && timeout 10 bash -c "echo go > '$fifo'" || true; }
  await_line holding
  mem_after=$(memory_kib $pids)
  cpu_before=$(cpu_seconds $pids)
  go
  await_line finished
  cpu_ms=$(awk -v a="$cpu_before" -v b="$(cpu_seconds $pids)" -v n="$((changes + 1))" \
    'BEGIN {printf "%.1f", (b - a) * 1000 / n}')
  go
  wait "$client"
}

# The `all` line's figures: received p50 p99 max first.
figures() { grep '^all ' "$1" | awk '{print $3, $5, $7, $9, $11}'; }

# Memory per subscriber in KiB, from the last fanout().
per_subscriber() {
  awk -v a="$mem_before" -v b="$mem_after" -v n="$subscribers" \
    'BEGIN {printf "%.1f", (b - a) / n}'
}

echo "== SSE fan-out: $subscribers subscribers, $changes changes, $rounds rounds"
print_machine
secret=$(new_webhook_secret)

# nginx with the nchan module, when it is (or can be) installed.
nchan_module=/usr/lib/nginx/modules/ngx_nchan_module.so
if [[ ! -f $nchan_module ]]; then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    libnginx-mod-nchan > "$work/apt.log" 2>&1 || true
fi
with_nchan=false
if [[ -f $nchan_module ]] && command -v nginx > /dev/null; then
  with_nchan=true
  nginx_port=$(free_port)
  mkdir -p "$work/nginx"
  # Two workers, like jobsyncd's two I/O threads; everything nginx writes
  # stays in the temporary folder.
  cat > "$work/nginx/nginx.conf" <<EOF
load_module $nchan_module;
worker_processes 2;
worker_rlimit_nofile $(ulimit -n);
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections $((subscribers + 1000)); }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /sub { nchan_subscriber eventsource; nchan_channel_id bench; }
    location = /pub { nchan_publisher; nchan_channel_id bench; }
  }
}
EOF
else
  echo "  nginx+nchan: not installed and apt-get could not install libnginx-mod-nchan; skipped"
fi

# The servers take turns, each on a fresh start, so that a change in the
# machine's load during the run touches both.
j99s=() n99s=() jmems=() nmems=() jcpus=() ncpus=()
for round in $(seq 1 "$rounds"); do
  start_jobsyncd "$work/server-$round" "$work/server-$round.log" \
    --set background.job_status_polling.enabled=false \
    --set "providers.replicate.webhook_secret=$secret" \
    --set "events.max_connections=$((subscribers + 100))" \
    --set "events.max_connections_per_address=$((subscribers / sources + 10))"
  fanout "$work/jobsyncd-$round.txt" "$jobsyncd_pid" --port "$jobsyncd_port" \
    --path /api/events --publish webhook --secret "$secret"
  stop_jobsyncd
  jmems+=("$(per_subscriber)")
  jcpus+=("$cpu_ms")
  read -r got p50 p99 max first <<< "$(figures "$work/jobsyncd-$round.txt")"
  j99s+=("$p99")
  printf '  round %d %-12s received %s, first %s ms, p50 %s ms, p99 %s ms, max %s ms; memory %d -> %d KiB; CPU %s ms per change\n' \
    "$round" jobsyncd "$got" "$first" "$p50" "$p99" "$max" "$mem_before" "$mem_after" "$cpu_ms"
  $with_nchan || continue
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
  nginx_pid=$!
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "http://127.0.0.1:$nginx_port/pub" && break
    sleep 0.05
  done
  fanout "$work/nchan-$round.txt" "$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')" \
    --port "$nginx_port" --path /sub --publish nchan --publish-path /pub
  kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true
  nmems+=("$(per_subscriber)")
  ncpus+=("$cpu_ms")
  read -r got p50 p99 max first <<< "$(figures "$work/nchan-$round.txt")"
  n99s+=("$p99")
  printf '  round %d %-12s received %s, first %s ms, p50 %s ms, p99 %s ms, max %s ms; memory %d -> %d KiB; CPU %s ms per change\n' \
    "$round" nginx+nchan "$got" "$first" "$p50" "$p99" "$max" "$mem_before" "$mem_after" "$cpu_ms"
done

read -r j99 j99lo j99hi <<< "$(median_of "${j99s[@]}")"
read -r jmem _ _ <<< "$(median_of "${jmems[@]}")"
read -r jcpu _ _ <<< "$(median_of "${jcpus[@]}")"
if $with_nchan; then
  read -r n99 n99lo n99hi <<< "$(median_of "${n99s[@]}")"
  read -r nmem _ _ <<< "$(median_of "${nmems[@]}")"
  read -r ncpu _ _ <<< "$(median_of "${ncpus[@]}")"
  echo "p99 median of $rounds: jobsyncd $j99 ms, nchan $n99 ms (spread: jobsyncd $j99lo-$j99hi, nchan $n99lo-$n99hi)"
  echo "memory per subscriber: jobsyncd $jmem KiB, nchan $nmem KiB (median of $rounds)"
  echo "CPU per change: jobsyncd $jcpu ms, nchan $ncpu ms (median of $rounds)"
else
  echo "p99 median of $rounds: jobsyncd $j99 ms (spread $j99lo-$j99hi); nchan not measured"
  echo "memory per subscriber: jobsyncd $jmem KiB (median of $rounds)"
  echo "CPU per change: jobsyncd $jcpu ms (median of $rounds)"
fi

# jobsyncd replicas on PostgreSQL: one, then two sharing the database.
replica_flags() {
  # shellcheck disable=SC2046
  echo $(postgres_flags "$1") \
    --set background.job_status_polling.enabled=false \
    --set "providers.replicate.webhook_secret=$secret" \
    --set "events.max_connections=$((subscribers + 100))" \
    --set "events.max_connections_per_address=$((subscribers / sources + 10))"
}
one_replica_out="" two_replicas_out=""
if [[ ${REPLICAS:-1} != 0 ]]; then
  start_postgres
  db=$(new_database sse_one)
  mkdir -p "$work/one"
  # shellcheck disable=SC2046
  start_jobsyncd "$work/one" "$work/one.log" $(replica_flags "$db")
  fanout "$work/one.txt" "$jobsyncd_pid" --port "$jobsyncd_port" \
    --path /api/events --publish webhook --secret "$secret"
  one_replica_out=$(cat "$work/one.txt")
  stop_jobsyncd
  echo "$one_replica_out" | { grep -v -x -e holding -e finished || true; } |
    sed 's/^/  postgres, one replica: /'

  db=$(new_database sse_two)
  mkdir -p "$work/two-a" "$work/two-b"
  # shellcheck disable=SC2046
  start_jobsyncd "$work/two-a" "$work/two-a.log" $(replica_flags "$db")
  first_pid=$jobsyncd_pid first_port=$jobsyncd_port
  # shellcheck disable=SC2046
  start_jobsyncd "$work/two-b" "$work/two-b.log" $(replica_flags "$db")
  until curl -sf "http://127.0.0.1:$jobsyncd_port/readyz" > /dev/null; do
    sleep 0.05
  done
  fanout "$work/two.txt" "$first_pid $jobsyncd_pid" --port "$first_port" \
    --subscribe-ports "$first_port,$jobsyncd_port" --path /api/events \
    --publish webhook --secret "$secret"
  two_replicas_out=$(cat "$work/two.txt")
  stop_jobsyncd
  kill "$first_pid"; wait "$first_pid" 2>/dev/null || true
  echo "$two_replicas_out" | { grep -v -x -e holding -e finished || true; } |
    sed 's/^/  postgres, two replicas: /'
fi


for run in "postgres, 1 replica:$work/one.txt" \
           "postgres, 2 replicas:$work/two.txt"; do
  label=${run%%:*} out=${run#*:}
  [[ -s $out ]] || continue
  read -r got p50 p99 max first <<< "$(figures "$out")"
  printf '  %-22s received %s, first %s ms, p50 %s ms, p99 %s ms, max %s ms\n' \
    "$label" "$got" "$first" "$p50" "$p99" "$max"
done
