#!/usr/bin/env bash
# Configures and builds jobsync.
#   scripts/build.sh              Release build in build/
#   scripts/build.sh --sanitize   ASan+UBSan build in build-asan/
# BUILD_DIR overrides the folder; extra arguments go to CMake's configure.
set -euo pipefail
cd "$(dirname "$0")/.."

build_type=Release
sanitize=OFF
default_dir=build
args=()
for a in "$@"; do
  case "$a" in
    --sanitize) sanitize=ON; build_type=RelWithDebInfo; default_dir=build-asan ;;
    *) args+=("$a") ;;
  esac
done
dir=${BUILD_DIR:-$default_dir}
mkdir -p "$dir"

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$build_type" \
  -DJOBSYNC_SANITIZE="$sanitize" "${args[@]}" > "$dir/configure.log" 2>&1 \
  || { cat "$dir/configure.log"; exit 1; }
cmake --build "$dir" -j "$(nproc)"
