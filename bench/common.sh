# Shared by bench/run.sh, bench/webhooks.sh, bench/sse.sh and
# bench/polling.sh (sourced, not run): builds what is missing, makes a
# temporary folder that goes away on exit together with every process the
# bench started, and starts jobsyncd, replicate-sim and a throwaway
# PostgreSQL server on free ports.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${BUILD_DIR:-build}

# Builds the given CMake targets when their binaries are missing.
#   need_built jobsyncd:jobsyncd bench/jobsync-bench-seed:jobsync-bench-seed
need_built() {
  local missing=() pair
  for pair in "$@"; do
    [[ -x "$build/${pair%%:*}" ]] || missing+=("${pair##*:}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return
  [[ -f "$build/CMakeCache.txt" ]] || BUILD_DIR="$build" scripts/build.sh
  cmake --build "$build" -j "$(nproc)" --target "${missing[@]}"
}

# The data folders live on the same file system as the project (not a
# tmpfs), so fsync costs what it costs for a real data folder.
work=$(mktemp -d "${TMPDIR:-/tmp}/jobsync-bench.XXXXXX")
# Other folders a bench made (new_ram_folder's), removed with $work.
extra_folders=()
cleanup() {
  local pids
  pids=$(jobs -p)
  [[ -n "$pids" ]] && kill $pids 2>/dev/null || true
  wait 2>/dev/null || true
  stop_postgres
  rm -rf "$work" "${extra_folders[@]}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sets $ram to a new folder in memory (on a tmpfs, /dev/shm), where a
# flush to the device costs nothing, or to "" when there is no such file
# system. For bounds only: the benches' stores live on the disk otherwise.
new_ram_folder() {
  ram=""
  [[ -d /dev/shm && -w /dev/shm ]] || return 0
  [[ $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs ]] || return 0
  ram=$(mktemp -d /dev/shm/jobsync-bench.XXXXXX) || { ram=""; return 0; }
  extra_folders+=("$ram")
}

# Prints a free loopback port below the kernel's ephemeral range: a port
# the kernel handed out (bind to 0) can be taken as the source port of one
# of a bench client's 10,000 connections before the server that should
# listen on it starts (nginx then failed with "Address already in use").
free_port() {
  python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(1000):
    port = random.randrange(10000, low)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
PY
}

# Runs a bench client in the background and waits for it, writing its
# output to a file: bash runs traps only between commands, so a client in
# the foreground would delay Ctrl-C until it ended, and cleanup() could not
# stop it.
#   run_client <output file> <command...>
run_client() {
  local out=$1
  shift
  "$@" > "$out" &
  wait $!
}

# Runs a client like run_client; prints the CPU seconds (user and system)
# it used.
#   client_cpu_seconds <output file> <command...>
client_cpu_seconds() {
  local out=$1 TIMEFORMAT='%U %S'
  shift
  { time "$@" > "$out"; } 2> "$out.cpu"
  awk 'END {print $1 + $2}' "$out.cpu"
}

# Waits up to 10 s for "listening on <addr>:<port>" in a log; prints the port.
port_from_log() {
  local log=$1 port=""
  for _ in $(seq 1 2000); do
    port=$(grep -o 'listening on [0-9.]*:[0-9]*' "$log" 2>/dev/null \
             | head -1 | sed 's/.*://' || true)
    [[ -n "$port" ]] && { echo "$port"; return; }
    sleep 0.005
  done
  echo "no 'listening on' line in $log:" >&2
  cat "$log" >&2
  return 1
}

# A command the servers below run under (bench/instructions.sh: valgrind);
# empty for the others.
run_under=()

# Starts jobsyncd on a data folder with more flags; sets $jobsyncd_port and
# $jobsyncd_pid. It never talks to the real Replicate: unless a flag says
# otherwise, its provider points at a closed loopback port.
start_jobsyncd() {
  local dir=$1 log=$2
  shift 2
  env -u REPLICATE_API_TOKEN -u REPLICATE_WEBHOOK_SECRET \
    "${run_under[@]}" "$build/jobsyncd" --data-dir "$dir" --port 0 \
    --set logging.level=warning \
    --set providers.replicate.api_base_url=http://127.0.0.1:9/v1 \
    "$@" > "$log" 2>&1 &
  jobsyncd_pid=$!
  jobsyncd_port=$(port_from_log "$log")
}

stop_jobsyncd() {
  kill "$jobsyncd_pid" 2>/dev/null || true
  wait "$jobsyncd_pid" 2>/dev/null || true
}

# One line on what else the machine was doing: every figure here is
# measured on shared cores, and a busy machine moves them a lot.
print_machine() {
  echo "  machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) before the run"
}

# A fresh Standard Webhooks secret: whsec_ and 32 random bytes in base64.
new_webhook_secret() {
  echo "whsec_$(head -c 32 /dev/urandom | base64)"
}

# Starts jobsync-bench-floor (jobsyncd's HTTP server, handlers that do no
# work; floor_server.cpp) serving a body file; sets $floor_port, $floor_pid.
start_floor() {
  local body_file=$1 log=$2
  "${run_under[@]}" "$build/bench/jobsync-bench-floor" \
    --body-file "$body_file" > "$log" 2>&1 &
  floor_pid=$!
  floor_port=$(port_from_log "$log")
}

stop_floor() {
  kill "$floor_pid" 2>/dev/null || true
  wait "$floor_pid" 2>/dev/null || true
}

# The median of three or more numbers, and their spread (lowest, highest):
#   median_of 0.41 0.38 0.44  ->  "0.41 0.38 0.44"
median_of() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    printf "%s %s %s", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

# CPU seconds the processes given have used so far (user + system).
cpu_seconds() {
  local pid
  for pid in "$@"; do cat "/proc/$pid/stat"; done |
    awk -v hz="$(getconf CLK_TCK)" '{t += $14 + $15} END {printf "%.2f", t / hz}'
}

# Memory of processes in KiB: the sum of their proportional set sizes
# (PSS: resident memory, pages shared between the processes counted once
# across them), so nginx's master and workers, which share memory, are
# not counted twice. For one process it is its resident memory.
memory_kib() {
  local pid total=0
  for pid in "$@"; do
    total=$(( total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup") ))
  done
  echo "$total"
}

# -- PostgreSQL (storage.backend: postgres) ----------------------------------

# Starts a throwaway PostgreSQL server from Debian's postgresql package
# (installed here when missing) in the temporary folder, on a free loopback
# port, as the user postgres when run as root. Unlike the tests' server it
# keeps fsync on: a commit costs what it costs on a real database. Sets
# $pg_port; new_database makes the databases.
pg_bin="" pg_data="" pg_as=()
start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [[ -z $pg_bin ]]; then
    local sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql \
      > "$work/apt-postgresql.log" 2>&1
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  mkdir -p "$work/pg"
  if [[ $(id -u) -eq 0 ]]; then
    chmod o+x "$work"
    chown postgres "$work/pg"
    pg_as=(runuser -u postgres --)
  fi
  "${pg_as[@]}" "$pg_bin/initdb" -D "$work/pg/data" -U jobsync -E UTF8 \
    --no-locale --auth=trust > "$work/pg/initdb.log"
  local attempt
  for attempt in 1 2 3 4 5; do
    pg_port=$(free_port)
    if "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -w -t 60 \
         -l "$work/pg/server.log" -o "-c listen_addresses=127.0.0.1 \
         -c port=$pg_port -c unix_socket_directories=$work/pg \
         -c max_connections=200" start > /dev/null; then
      pg_data="$work/pg/data"
      return
    fi
  done
  echo "PostgreSQL did not start:" >&2
  cat "$work/pg/server.log" >&2
  return 1
}

stop_postgres() {
  [[ -n $pg_data ]] || return 0
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop \
    > /dev/null 2>&1 || true
  pg_data=""
}

# Creates an empty database; prints its URL.
new_database() {
  "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U jobsync -d postgres \
    -c "CREATE DATABASE $1" > /dev/null
  echo "postgresql://jobsync@127.0.0.1:$pg_port/$1"
}

# The flags that put a jobsyncd on a database.
postgres_flags() {
  echo "--set storage.backend=postgres --set storage.postgres.url=$1"
}
