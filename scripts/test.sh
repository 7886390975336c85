#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test through CTest.
#   scripts/test.sh               Release build, all tests
#   scripts/test.sh --sanitize    the same under ASan+UBSan (build-asan/)
# Extra arguments after -- go to ctest (e.g. -- -R unit_model).
set -euo pipefail
cd "$(dirname "$0")/.."

build_args=()
ctest_args=()
dir=build
while (($#)); do
  case "$1" in
    --sanitize) build_args+=(--sanitize); dir=build-asan ;;
    --) shift; ctest_args=("$@"); break ;;
    *) echo "usage: scripts/test.sh [--sanitize] [-- ctest args]"; exit 2 ;;
  esac
  shift
done
dir=${BUILD_DIR:-$dir}

scripts/setup.sh
BUILD_DIR="$dir" scripts/build.sh "${build_args[@]}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" "${ctest_args[@]}"
