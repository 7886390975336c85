#!/usr/bin/env bash
# Builds the Debian package: a Release build in build-package/ (or
# BUILD_DIR), then `cpack -G DEB`. Prints the path of the .deb.
#   scripts/package.sh            build and package
#   scripts/check_package.sh      install it in a clean Debian 12 root
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BUILD_DIR:-build-package}
scripts/setup.sh
BUILD_DIR="$dir" scripts/build.sh "$@"
(cd "$dir" && cpack -G DEB >cpack.log 2>&1) || { cat "$dir/cpack.log"; exit 1; }
deb=$(ls -t "$dir"/jobsync_*.deb | head -1)
echo "$deb"
