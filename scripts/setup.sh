#!/usr/bin/env bash
# Installs every Debian package jobsync needs to build and test, and the npm
# packages of the browser and SSE conformance tests. Idempotent: quiet when
# everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config clang-format
  libcaf-dev librestinio-dev libasio-dev libfmt-dev libhttp-parser-dev
  rapidjson-dev liblmdb-dev lmdb-utils libboost-test-dev libyaml-cpp-dev
  libcurl4-openssl-dev libssl-dev
  libpq-dev postgresql
  nodejs npm
  chromium
  # The Debian package (scripts/package.sh, CTest package_install): CPack's
  # DEB generator needs `file` for its shared-library dependencies.
  debootstrap file
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# A node/npm from elsewhere (nvm, the machine image) is as good as Debian's.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]}"

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core 1.61 (tests/node) needs Node.js 18 or newer, and
# @stoplight/spectral-cli 6.16 18.18 or newer: Debian 12's own nodejs is
# 18.20.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 18 || (a === 18 && b >= 18) ? 0 : 1)'; then
  echo "setup: $(command -v node) is Node.js $(node --version); the tests" \
       "need 18.18 or newer (Debian 12's nodejs package is 18.20)" >&2
  exit 1
fi

# Node packages of the test suites, pinned by package-lock.json.
if [[ -f tests/node/package.json ]]; then
  if [[ ! -d tests/node/node_modules ]] \
     || [[ tests/node/package-lock.json -nt tests/node/node_modules ]]; then
    echo "setup: installing node packages for the tests"
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
