#!/usr/bin/env bash
# Installs the Debian package in a clean Debian 12 root and checks it:
#  - apt resolves its dependencies from Debian alone;
#  - the unit passes `systemd-analyze verify`;
#  - jobsyncd started as the unit starts it (the packaged configuration,
#    the state folder /var/lib/jobsync, an unprivileged user) serves
#    /readyz, and stops cleanly on SIGTERM;
#  - the configuration is a conffile, and a purge removes the state.
# Needs root (debootstrap, chroot) and Debian's mirror. The bare root is
# built once and kept in JOBSYNC_DEBIAN_ROOT (default
# /var/tmp/jobsync-bookworm); every run works on a fresh copy of it.
#   scripts/check_package.sh                 build with package.sh, check
#   scripts/check_package.sh FILE.deb        check that package
#   scripts/check_package.sh --build-dir D   package the build in D, check
#                                            (CTest's package_install)
# Exit code 77 (CTest: skipped) when not run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "check_package: needs root for debootstrap and chroot; skipped"
  exit 77
fi

case "${1:-}" in
  --build-dir)
    (cd "$2" && cpack -G DEB >cpack.log 2>&1) || { cat "$2/cpack.log"; exit 1; }
    deb=$(ls -t "$2"/jobsync_*.deb | head -1) ;;
  "") deb=$(scripts/package.sh | tail -1) ;;
  *) deb=$1 ;;
esac
base=${JOBSYNC_DEBIAN_ROOT:-/var/tmp/jobsync-bookworm}
mirror=${JOBSYNC_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [[ ! -x "$base/usr/bin/apt-get" ]]; then
  command -v debootstrap >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  echo "check_package: building a Debian 12 root in $base (once)"
  rm -rf "$base"
  debootstrap --variant=minbase bookworm "$base" "$mirror" >"$base.log" 2>&1 \
    || { tail -20 "$base.log"; exit 1; }
fi

root=$(mktemp -d /var/tmp/jobsync-check.XXXXXX)
cleanup() {
  [[ -n "${pid:-}" ]] && kill -9 "$pid" 2>/dev/null || true
  umount -l "$root/dev/pts" 2>/dev/null || true
  umount -l "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
cp -a "$base/." "$root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mkdir -p "$root/dev/pts"
mount -t devpts devpts "$root/dev/pts"
cp "$deb" "$root/tmp/jobsync.deb"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

echo "check_package: installing $(basename "$deb") with apt"
in_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -qq \
  --no-install-recommends /tmp/jobsync.deb systemd procps curl >/dev/null
in_root dpkg -s jobsync | grep -E '^(Status|Version|Depends):'
grep -qx /etc/jobsync/jobsync.yaml "$root/var/lib/dpkg/info/jobsync.conffiles"
echo "check_package: /etc/jobsync/jobsync.yaml is a conffile"

in_root systemd-analyze verify /lib/systemd/system/jobsyncd.service
echo "check_package: systemd-analyze verify: clean"

# As the unit runs it: DynamicUser owns StateDirectory=/var/lib/jobsync.
mkdir -p "$root/var/lib/jobsync"
chown nobody:nogroup "$root/var/lib/jobsync"
chmod 0750 "$root/var/lib/jobsync"
log="$root/tmp/jobsyncd.log"
# Created first: the loop below may read it before the shell that starts
# jobsyncd has opened it (and a failed read ends this script under set -e).
: >"$log"
chroot "$root" env -i PATH=/usr/bin:/bin \
  setpriv --reuid=nobody --regid=nogroup --clear-groups \
  /usr/bin/jobsyncd --config /etc/jobsync/jobsync.yaml \
  --data-dir /var/lib/jobsync --port 0 >"$log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/^listening on [^:]*:\([0-9]*\)$/\1/p' "$log")
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { cat "$log"; echo "check_package: no port"; exit 1; }
ready=""
for _ in $(seq 1 300); do
  if ready=$(in_root curl -fsS "http://127.0.0.1:$port/readyz" 2>/dev/null); then
    break
  fi
  sleep 0.1
done
[[ -n "$ready" ]] || { cat "$log"; echo "check_package: /readyz never 200"; exit 1; }
echo "check_package: GET /readyz -> $ready"
[[ -f "$root/var/lib/jobsync/data.mdb" ]]
echo "check_package: the store is in /var/lib/jobsync, owned by $(stat -c %U "$root/var/lib/jobsync/data.mdb")"
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
pid=""
[[ $rc -eq 0 ]] || { cat "$log"; echo "check_package: exit code $rc"; exit 1; }
echo "check_package: SIGTERM -> exit 0"

DEBIAN_FRONTEND=noninteractive in_root apt-get purge -y -qq jobsync >/dev/null
[[ ! -e "$root/var/lib/jobsync" && ! -e "$root/etc/jobsync/jobsync.yaml" ]]
echo "check_package: purge removed the state and the configuration"
echo "check_package: OK"
