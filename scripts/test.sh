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
# alloc_dealloc_mismatch: ASan stops jobsyncd at start-up on a "malloc vs
# operator delete" pair inside Debian's asio 1.22 (its recycled handler
# memory, asio/detail/handler_alloc_helpers.hpp, for the HTTP timers);
# glibc frees both alike, so only that check is off.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:alloc_dealloc_mismatch=0}
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" "${ctest_args[@]}"
