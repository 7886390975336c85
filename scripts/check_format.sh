#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format makes of it
# (.clang-format at the root). Run by CTest as `lint_format`; fix with
#   git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "check_format: clang-format is not installed (scripts/setup.sh installs it)"
  exit 1
fi
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
if ! clang-format --dry-run -Werror "${files[@]}"; then
  echo "check_format: the files above are not formatted; run"
  echo "  git ls-files '*.cpp' '*.hpp' | xargs clang-format -i"
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
