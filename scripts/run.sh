#!/usr/bin/env bash
# Starts jobsyncd with config/jobsync.yaml, building it first if needed.
# Without REPLICATE_API_TOKEN it is a DEMO against the bundled Replicate
# emulator (replicate-sim), with its data in ./data-demo; with the token it
# talks to Replicate. `scripts/run.sh --help` tells more.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
Usage: scripts/run.sh [--sim-port N] [jobsyncd flags...]

Starts jobsyncd (building it first when build/jobsyncd is missing) with
config/jobsync.yaml.

  With REPLICATE_API_TOKEN set: jobsync talks to your Replicate account;
  data goes to storage.path (./data unless configured otherwise).

  Without it: a DEMO. The bundled emulator (replicate-sim) is started with
  invented training jobs, jobsync is pointed at it, and the dashboard shows
  a DEMO banner. Data goes to ./data-demo, so a demo never mixes with your
  real jobs; JOBSYNC_STORAGE_PATH or --data-dir choose another folder.

Options of this script:
  --sim-port N   port of the demo's emulator; 0 (the default) picks a free
                 one. Ignored when REPLICATE_API_TOKEN is set.
  -h, --help     this text; starts nothing.

Every other argument goes to jobsyncd, e.g. --port 9000, --host 0.0.0.0,
--data-dir DIR, --config FILE (after config/jobsync.yaml), --set KEY=VALUE.
Every configuration key can also be set as JOBSYNC_<KEY PATH>
(JOBSYNC_SERVER_PORT=9000, JOBSYNC_STORAGE_PATH=/srv/jobsync); see
config/jobsync.yaml and `build/jobsyncd --help`.

Environment read by this script itself:
  REPLICATE_API_TOKEN   your Replicate token; unset or empty: demo
  BUILD_DIR             the build folder (build)
EOF
}

sim_port=0
args=()
while (($#)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --sim-port)
      [[ $# -ge 2 ]] || { echo "run.sh: --sim-port needs a value" >&2; exit 2; }
      sim_port=$2; shift ;;
    --sim-port=*) sim_port=${1#--sim-port=} ;;
    *) args+=("$1") ;;
  esac
  shift
done
[[ "$sim_port" =~ ^[0-9]+$ ]] \
  || { echo "run.sh: --sim-port expects a port number, got '$sim_port'" >&2; exit 2; }

dir=${BUILD_DIR:-build}
jobsyncd=$dir/jobsyncd
sim=$dir/tools/replicate-sim/replicate-sim
if [[ ! -x "$jobsyncd" || ! -x "$sim" ]]; then
  scripts/setup.sh
  BUILD_DIR="$dir" scripts/build.sh
fi

config=(--config config/jobsync.yaml)

if [[ -n "${REPLICATE_API_TOKEN:-}" ]]; then
  exec "$jobsyncd" "${config[@]}" "${args[@]}"
fi

# The demo. The emulator's own output goes to a log file so that the only
# "listening on" line here is jobsyncd's.
export JOBSYNC_STORAGE_PATH=${JOBSYNC_STORAGE_PATH:-./data-demo}
data_dir=$JOBSYNC_STORAGE_PATH
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --data-dir) data_dir=${args[i + 1]:-$data_dir} ;;
    --data-dir=*) data_dir=${args[i]#--data-dir=} ;;
  esac
done
sim_log=$(mktemp -t jobsync-demo-sim.XXXXXX)
"$sim" --port "$sim_port" --jobs 12 --speed 5 > "$sim_log" 2>&1 &
sim_pid=$!
jobsyncd_pid=
stop_all() {
  if [[ -n "$jobsyncd_pid" ]]; then
    kill -TERM "$jobsyncd_pid" 2>/dev/null || true
    wait "$jobsyncd_pid" 2>/dev/null || true
  fi
  kill -TERM "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
  rm -f "$sim_log"
}
trap stop_all EXIT

# The emulator prints "listening on <host>:<port>" once it accepts.
sim_url=
for _ in $(seq 300); do
  line=$(grep -m1 '^listening on ' "$sim_log" || true)
  if [[ -n "$line" ]]; then
    sim_url="http://127.0.0.1:${line##*:}/v1"
    break
  fi
  kill -0 "$sim_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$sim_url" ]]; then
  echo "run.sh: the demo emulator did not start:" >&2
  cat "$sim_log" >&2
  exit 1
fi

echo "=================================================================="
echo " DEMO MODE: REPLICATE_API_TOKEN is not set."
echo " jobsync talks to the bundled Replicate emulator at"
echo " $sim_url, which invents training jobs."
echo " Set REPLICATE_API_TOKEN to use your Replicate account instead."
echo " Demo data goes to $data_dir."
echo "=================================================================="
export REPLICATE_API_TOKEN=r8_sim_token
export JOBSYNC_PROVIDERS_REPLICATE_API_BASE_URL=$sim_url
# The dashboard shows a DEMO banner.
export JOBSYNC_WEB_DEMO=true

"$jobsyncd" "${config[@]}" "${args[@]}" &
jobsyncd_pid=$!
# SIGTERM or SIGINT to this script stops jobsyncd, which shuts down in
# order; the EXIT trap then stops the emulator.
trap 'kill -TERM "$jobsyncd_pid" 2>/dev/null' TERM INT
status=0
wait "$jobsyncd_pid" || status=$?
# A trapped signal ends `wait` early: wait for jobsyncd's own exit.
while kill -0 "$jobsyncd_pid" 2>/dev/null; do
  wait "$jobsyncd_pid" && status=0 || status=$?
done
jobsyncd_pid=
exit "$status"
