#!/usr/bin/env bash
# Builds if needed and starts jobsyncd with config/jobsync.yaml and its data
# under ./data. Without REPLICATE_API_TOKEN it starts the bundled Replicate
# emulator (replicate-sim) with demo jobs and points jobsyncd at it: a DEMO,
# clearly not your Replicate account.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x build/jobsyncd || ! -x build/tools/replicate-sim/replicate-sim ]]; then
  scripts/setup.sh
  scripts/build.sh
fi

data_dir=${JOBSYNC_DATA_DIR:-./data}
args=(--config config/jobsync.yaml --data-dir "$data_dir" "$@")

if [[ -z "${REPLICATE_API_TOKEN:-}" ]]; then
  sim_port=${JOBSYNC_DEMO_SIM_PORT:-8091}
  echo "=================================================================="
  echo " DEMO MODE: REPLICATE_API_TOKEN is not set."
  echo " jobsync talks to the bundled Replicate emulator on port $sim_port,"
  echo " which invents training jobs. Set REPLICATE_API_TOKEN to use your"
  echo " Replicate account instead. Demo data goes to $data_dir-demo."
  echo "=================================================================="
  build/tools/replicate-sim/replicate-sim --port "$sim_port" --jobs 12 \
    --speed 5 &
  sim_pid=$!
  trap 'kill $sim_pid 2>/dev/null || true' EXIT
  export REPLICATE_API_TOKEN=r8_sim_token
  export JOBSYNC_PROVIDERS_REPLICATE_API_BASE_URL="http://127.0.0.1:$sim_port/v1"
  # The dashboard shows a DEMO banner.
  export JOBSYNC_WEB_DEMO=true
  args=(--config config/jobsync.yaml --data-dir "$data_dir-demo" "$@")
  build/jobsyncd "${args[@]}"
  exit $?
fi
exec build/jobsyncd "${args[@]}"
