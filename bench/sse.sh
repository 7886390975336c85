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
# Prints p50/p99/max over all subscribers and changes for each.
# Usage: bench/sse.sh [subscribers, default 10000]   (CHANGES=10; REPLICAS=0
#        leaves the PostgreSQL part out)
source "$(dirname "$0")/common.sh"
subscribers=${1:-10000}
changes=${CHANGES:-10}
sources=10

need_built jobsyncd:jobsyncd \
  bench/jobsync-bench-sse-fanout:jobsync-bench-sse-fanout

# Every stream is a file descriptor on both sides; the servers inherit this.
ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < subscribers + 100 )); then
  echo "open files are limited to $(ulimit -n): too few for $subscribers streams" >&2
  exit 1
fi

# Runs the client with the given server's flags, its output to a file.
#   fanout <output file> <flags...>
fanout() {
  local out=$1
  shift
  run_client "$out" "$build/bench/jobsync-bench-sse-fanout" \
    --subscribers "$subscribers" --sources "$sources" --changes "$changes" "$@"
}

echo "== SSE fan-out: $subscribers subscribers, $changes changes"
print_machine
secret=$(new_webhook_secret)
start_jobsyncd "$work/server" "$work/server.log" \
  --set background.job_status_polling.enabled=false \
  --set "providers.replicate.webhook_secret=$secret" \
  --set "events.max_connections=$((subscribers + 100))" \
  --set "events.max_connections_per_address=$((subscribers / sources + 10))"
fanout "$work/jobsyncd.txt" --port "$jobsyncd_port" --path /api/events \
  --publish webhook --secret "$secret"
jobsyncd_out=$(cat "$work/jobsyncd.txt")
stop_jobsyncd
echo "$jobsyncd_out" | sed 's/^/  jobsyncd: /'

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
  fanout "$work/one.txt" --port "$jobsyncd_port" --path /api/events \
    --publish webhook --secret "$secret"
  one_replica_out=$(cat "$work/one.txt")
  stop_jobsyncd
  echo "$one_replica_out" | sed 's/^/  postgres, one replica: /'

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
  fanout "$work/two.txt" --port "$first_port" \
    --subscribe-ports "$first_port,$jobsyncd_port" --path /api/events \
    --publish webhook --secret "$secret"
  two_replicas_out=$(cat "$work/two.txt")
  stop_jobsyncd
  kill "$first_pid"; wait "$first_pid" 2>/dev/null || true
  echo "$two_replicas_out" | sed 's/^/  postgres, two replicas: /'
fi

# nginx with the nchan module, when it is (or can be) installed.
nchan_out=""
nchan_module=/usr/lib/nginx/modules/ngx_nchan_module.so
if [[ ! -f $nchan_module ]]; then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    libnginx-mod-nchan > "$work/apt.log" 2>&1 || true
fi
if [[ -f $nchan_module ]] && command -v nginx > /dev/null; then
  nginx_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
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
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
  nginx_pid=$!
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "http://127.0.0.1:$nginx_port/pub" && break
    sleep 0.05
  done
  fanout "$work/nchan.txt" --port "$nginx_port" --path /sub \
    --publish nchan --publish-path /pub
  nchan_out=$(cat "$work/nchan.txt")
  kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true
  echo "$nchan_out" | sed 's/^/  nginx+nchan: /'
else
  echo "  nginx+nchan: not installed and apt-get could not install libnginx-mod-nchan; skipped"
fi

# The table: the `all` lines, and the targets.
figures() { grep '^all ' <<< "$1" | awk '{print $3, $5, $7, $9, $11}'; }
read -r jgot j50 j99 jmax jfirst <<< "$(figures "$jobsyncd_out")"
printf '  %-22s %12s %8s %8s %8s %8s\n' server received first_ms p50_ms p99_ms max_ms
printf '  %-22s %12s %8s %8s %8s %8s   p99 under 200 ms: %s\n' 'jobsyncd, LMDB' "$jgot" \
  "$jfirst" "$j50" "$j99" "$jmax" \
  "$(awk -v p="$j99" 'BEGIN {print (p < 200 ? "yes" : "no")}')"
if [[ -n $nchan_out ]]; then
  read -r ngot n50 n99 nmax nfirst <<< "$(figures "$nchan_out")"
  printf '  %-22s %12s %8s %8s %8s %8s   jobsyncd (LMDB) beats it at p99: %s\n' \
    nginx+nchan "$ngot" "$nfirst" "$n50" "$n99" "$nmax" \
    "$(awk -v j="$j99" -v n="$n99" 'BEGIN {print (j < n ? "yes" : "no")}')"
fi
for run in "postgres, 1 replica:$one_replica_out" \
           "postgres, 2 replicas:$two_replicas_out"; do
  label=${run%%:*} out=${run#*:}
  [[ -n $out ]] || continue
  read -r got p50 p99 max first <<< "$(figures "$out")"
  printf '  %-22s %12s %8s %8s %8s %8s\n' "$label" "$got" "$first" "$p50" \
    "$p99" "$max"
done
