#!/usr/bin/env bash
# Builds tests/fuzz as libFuzzer targets with clang, ASan and UBSan in
# build-fuzz/, and runs each for a while on a scratch copy of its seeds.
# A crash leaves its input in build-fuzz/findings/<target>/ and stops.
#   scripts/fuzz.sh [seconds per target, default 60] [target ...]
# Targets: replicate_body webhook_signature log_progress request_text
#          stored_values trainer_event (default: all). Not part of scripts/test.sh: the
# everyday build replays every target's seeds and mutations under CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(replicate_body webhook_signature
                                       log_progress request_text stored_values
                                       trainer_event)

scripts/setup.sh
command -v clang++ > /dev/null || {
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get install -y -qq clang > /dev/null
}

dir=${BUILD_DIR:-build-fuzz}
mkdir -p "$dir"
CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DJOBSYNC_FUZZ=ON > "$dir/configure.log" 2>&1 \
  || { cat "$dir/configure.log"; exit 1; }
cmake --build "$dir" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

# Undefined behaviour stops a run like a crash, except what the
# suppressions file lists (third-party headers, each with its reason).
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/fuzz/ubsan.supp"

for t in "${targets[@]}"; do
  work="$dir/corpus/$t"
  findings="$dir/findings/$t"
  mkdir -p "$work" "$findings"
  cp -n tests/fuzz/corpus/"$t"/* "$work"/ 2> /dev/null || true
  [[ $t == replicate_body ]] && cp -n tests/unit/providers/replicate/fixtures/* "$work"/
  echo "== $t: ${seconds} s"
  "$dir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$findings/" "$work" 2>&1 | tail -n 12
done
