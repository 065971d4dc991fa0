#!/usr/bin/env bash
# The .deb on a clean Debian 12: debootstrap a minimal bookworm root from Debian's own
# packages, install the package there with apt (its Depends resolved from the archive, as on
# a clerk's machine), launch the app under Xvfb through WebDriver, check the window shows the
# unit set-up page and screenshot it, run the CLI (`--version`, a PDF through the packaged
# libpdfium with no environment variables), set up a unit with a small generated register
# and screenshot the installed app showing it, then remove the package and check that only
# the user's data is left.
#
# Usage: installers/test-deb.sh [PATH.deb]   (default: build one with installers/build-deb.sh --debug)
# Needs root (debootstrap, chroot, mounts). Downloads come from the Debian mirror apt uses;
# they are cached in $VANTHU_CACHE/deb-test so a second run is offline.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$VANTHU_ROOT"
[ "$(id -u)" -eq 0 ] || die "test-deb.sh needs root (debootstrap, chroot)"

deb="${1:-}"
if [ -z "$deb" ]; then
  deb=$(bash installers/build-deb.sh --debug)
fi
[ -f "$deb" ] || die "no such package: $deb"

# The mirror apt uses on this machine (deb822 or one-line sources).
# (Either file may be missing: grep's status must not end the script under pipefail.)
mirror=$({ grep -rhoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true; } \
  | grep -oE 'https?://[^ ]+' | head -1 || true)
mirror="${mirror:-http://deb.debian.org/debian}"

cache="$VANTHU_CACHE/deb-test"
mkdir -p "$cache/debootstrap" "$cache/archives/partial"
work=$(mktemp -d /tmp/vanthu-deb-test.XXXXXX)
root="$work/root"
mounted=()
cleanup() {
  set +e
  [ -n "${driver_pid:-}" ] && kill "$driver_pid" 2>/dev/null
  chroot "$root" /bin/sh -c 'pkill -x Xvfb; pkill -x tauri-driver; pkill -x WebKitWebDriver; pkill -x vanthu-app' 2>/dev/null
  sleep 1
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}"; done
  mounted=()
  # Never delete through a mount that is still there (the host's /dev, the apt cache).
  if grep -q " $work/" /proc/mounts; then
    echo "test-deb: $work still has mounts; not removing it" >&2
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT
mnt() { mount "$@" && mounted+=("${!#}"); }

mount_root() {
  mnt -t proc proc "$root/proc"
  mnt -t sysfs sys "$root/sys"
  mnt --bind /dev "$root/dev"
  mnt -t devpts devpts "$root/dev/pts"
  mnt -t tmpfs shm "$root/dev/shm"
  mnt --bind "$cache/archives" "$root/var/cache/apt/archives"
}
umount_root() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}"; done
  mounted=()
}
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  HOME=/home/vt LANG=C.UTF-8 "$@"; }

# A desktop has a display server, a font and (for this test) the WebDriver of WebKitGTK.
extras=(xvfb xauth webkit2gtk-driver fonts-dejavu-core)
depends=$(dpkg-deb -f "$deb" Depends)

# The clean root with the package's dependencies installed is cached: rebuilding it is
# debootstrap + ~240 packages (4-5 minutes on 2 cores). It is reused only while it would be
# rebuilt identically: same mirror, suite, Depends and extras, and the same archive state
# (the Date of the suite's InRelease, which changes whenever Debian publishes an update).
release_date=$(curl -fsS --max-time 20 "$mirror/dists/bookworm/InRelease" 2>/dev/null \
  | sed -n 's/^Date: //p' | head -1 || true)
key_base=$(printf '%s\n' "$mirror" bookworm minbase "$depends" "${extras[*]}" | sha256sum | cut -c1-16)
mkdir -p "$cache/roots"
if [ -n "$release_date" ]; then
  key="$key_base-$(printf '%s' "$release_date" | sha256sum | cut -c1-16)"
  cached="$cache/roots/$key.tar"
else
  # Mirror unreachable: any root built for these inputs (apt could not build a new one anyway).
  cached=$(ls -t "$cache/roots/$key_base"-*.tar 2>/dev/null | head -1 || true)
  key="$key_base-offline"
fi

cp /etc/resolv.conf "$work/resolv.conf"
if [ -n "$cached" ] && [ -f "$cached" ]; then
  log "clean root from the cache ($(basename "$cached"))"
  t0=$SECONDS
  mkdir -p "$root"
  tar -C "$root" --numeric-owner -xpf "$cached"
  log "root ready in $((SECONDS - t0)) s"
  mount_root
else
  log "debootstrap bookworm ($mirror)"
  t0=$SECONDS
  debootstrap --variant=minbase --cache-dir="$cache/debootstrap" bookworm "$root" "$mirror" \
    > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; die "debootstrap failed"; }
  log "root ready in $((SECONDS - t0)) s ($(du -sh "$root" | cut -f1))"
  echo "deb $mirror bookworm main" > "$root/etc/apt/sources.list"
  cp "$work/resolv.conf" "$root/etc/resolv.conf"
  mount_root
  log "apt: the package's Depends and ${extras[*]}"
  t0=$SECONDS
  in_root apt-get update -qq
  # `apt-get satisfy` resolves the Depends field exactly as installing the package would.
  in_root env DEBIAN_FRONTEND=noninteractive apt-get satisfy -y -qq --no-install-recommends \
    "$depends" > "$work/apt.log" 2>&1 \
    || { tail -30 "$work/apt.log"; die "apt could not resolve the package's Depends: $depends"; }
  in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${extras[@]}" >> "$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; die "apt install ${extras[*]}"; }
  in_root apt-get clean
  log "dependencies installed in $((SECONDS - t0)) s ($(du -sh --one-file-system "$root" | cut -f1))"
  if [ -n "$release_date" ]; then
    umount_root
    t0=$SECONDS
    rm -f "$cache/roots/$key_base"-*.tar
    tar -C "$root" --numeric-owner --one-file-system -cf "$cache/roots/$key.tar.part" .
    mv "$cache/roots/$key.tar.part" "$cache/roots/$key.tar"
    log "cached the root in $((SECONDS - t0)) s: $cache/roots/$key.tar"
    mount_root
  fi
fi

cp "$deb" "$root/tmp/vanthu.deb"
log "apt install the package"
t0=$SECONDS
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  /tmp/vanthu.deb > "$work/apt-deb.log" 2>&1 \
  || { tail -30 "$work/apt-deb.log"; die "apt could not install the package"; }
log "installed in $((SECONDS - t0)) s"
pkg=$(dpkg-deb -f "$deb" Package)
in_root dpkg -L "$pkg" > "$work/files"
for f in /usr/bin/vanthu-app /usr/bin/vanthu /usr/lib/vanthu/libpdfium.so /usr/share/applications/vanthu.desktop; do
  grep -qx "$f" "$work/files" || die "the package lacks $f"
done
grep -q '^Name=Văn thư$' "$root/usr/share/applications/vanthu.desktop" || die "desktop entry not named Văn thư"

log "vanthu --version"
version=$(in_root vanthu --version)
echo "$version"
re='^vanthu [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{7,}|unknown), build [0-9]{4}-[0-9]{2}-[0-9]{2}\)$'
[[ "$version" =~ $re ]] || die "unexpected version line: $version"

log "the packaged libpdfium, found without VANTHU_PDFIUM"
mkdir -p "$root/home/vt"
cp "$VANTHU_SHARED/corpus/pdf-render/four-pages.pdf" "$root/home/vt/four-pages.pdf"
info=$(in_root vanthu --json pdf info /home/vt/four-pages.pdf) || die "vanthu pdf info failed"
[ "$(jq -r .pages <<<"$info")" = 4 ] || die "vanthu pdf info: $info"
echo "$info" | head -3

log "the app under Xvfb, driven over WebDriver"
cp "$(command -v tauri-driver)" "$root/usr/local/bin/tauri-driver"
in_root sh -c 'Xvfb :99 -screen 0 1280x800x24 -nolisten tcp >/tmp/xvfb.log 2>&1 &'
port=$((4600 + $$ % 200))
start_driver() {
  in_root env DISPLAY=:99 XDG_RUNTIME_DIR=/tmp tauri-driver --port "$port" --native-port $((port + 1)) \
    >> "$work/driver.log" 2>&1 &
  driver_pid=$!
  for _ in $(seq 100); do
    curl -fsS --max-time 2 "http://127.0.0.1:$port/status" >/dev/null 2>&1 && break
    sleep 0.2
  done
}
wd() { # METHOD PATH [JSON]; bounded: a hung driver must not hang the test
  curl -sS --max-time 90 -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} \
    "http://127.0.0.1:$port$2"
}
# WebKitWebDriver sometimes never answers the first new-session request (also seen in the
# e2e harness): a bounded request, then a fresh driver, at most three times.
session=
for attempt in 1 2 3; do
  start_driver
  session=$(wd POST /session '{"capabilities":{"alwaysMatch":{"tauri:options":{"application":"/usr/bin/vanthu-app"}}}}' \
    | jq -r '.value.sessionId // empty' 2>/dev/null) || true
  [ -n "$session" ] && break
  log "WebDriver gave no session (attempt $attempt); restarting it"
  kill "$driver_pid" 2>/dev/null || true
  chroot "$root" /bin/sh -c 'pkill -x WebKitWebDriver; pkill -x vanthu-app; pkill -x tauri-driver' 2>/dev/null || true
  sleep 2
done
[ -n "$session" ] || { cat "$work/driver.log"; die "WebDriver could not start the app"; }
title=$(wd GET "/session/$session/title" | jq -r .value)
[ "$title" = "Văn thư" ] || die "window title is '$title'"
found=
for _ in $(seq 150); do
  if wd POST "/session/$session/execute/sync" \
    '{"script":"return document.querySelector(\"input[name=unitCode]\") !== null","args":[]}' \
    | jq -e '.value == true' >/dev/null; then
    found=1
    break
  fi
  sleep 0.2
done
if [ -z "$found" ]; then
  # What the window shows instead, and what the app and the driver said.
  wd POST "/session/$session/execute/sync" '{"script":"return document.body.innerText","args":[]}' | jq -r .value >&2 || true
  wd GET "/session/$session/screenshot" | jq -r .value | base64 -d > "$work/deb-failed.png" 2>/dev/null || true
  mkdir -p "$CARGO_TARGET_DIR/screenshots" && cp "$work/deb-failed.png" "$CARGO_TARGET_DIR/screenshots/" 2>/dev/null || true
  tail -40 "$work/driver.log" >&2
  die "the unit set-up page did not appear"
fi
text=$(wd POST "/session/$session/execute/sync" '{"script":"return document.body.innerText","args":[]}' | jq -r .value)
grep -q "đơn vị" <<<"$text" || die "the set-up page does not ask for the unit: $text"
# Let the first frame paint before capturing it.
wd POST "/session/$session/execute/async" \
  '{"script":"const done = arguments[0]; document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(1))))","args":[]}' >/dev/null
wd GET "/session/$session/screenshot" | jq -r .value | base64 -d > "$work/deb-first-run.png"
[ "$(head -c 8 "$work/deb-first-run.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || die "screenshot is not a PNG"
# Beside the e2e screenshots (build output); ./scripts/screenshots copies them to docs/.
shots="${VANTHU_SCREENSHOT_DIR:-$CARGO_TARGET_DIR/screenshots}"
mkdir -p "$shots"
cp "$work/deb-first-run.png" "$shots/deb-first-run.png"
log "screenshot: $shots/deb-first-run.png"
wd DELETE "/session/$session" >/dev/null || true

log "user data: a unit with a register, then the installed app on it"
in_root sh -c 'mkdir -p /home/vt/.local/share && vanthu init --agency-code 000.00.00.H34 --agency-name "Sở Nội vụ" >/dev/null' \
  || die "vanthu init failed in the installed system"
[ -f "$root/home/vt/.local/share/vanthu/vanthu.db" ] || die "vanthu init wrote no register"
in_root vanthu dev gen-demo --count 60 --seed 7 >/dev/null || die "vanthu dev gen-demo failed in the installed system"
session=$(wd POST /session '{"capabilities":{"alwaysMatch":{"tauri:options":{"application":"/usr/bin/vanthu-app"}}}}' \
  | jq -r '.value.sessionId // empty')
[ -n "$session" ] || { cat "$work/driver.log"; die "WebDriver could not start the app a second time"; }
rows=0
for _ in $(seq 150); do
  rows=$(wd POST "/session/$session/execute/sync" \
    '{"script":"return document.querySelectorAll(\".incoming-row\").length","args":[]}' | jq -r '.value // 0')
  [ "$rows" -gt 5 ] && break
  sleep 0.2
done
[ "$rows" -gt 5 ] || die "the installed app shows no incoming register rows ($rows)"
wd POST "/session/$session/execute/async" \
  '{"script":"const done = arguments[0]; document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(1))))","args":[]}' >/dev/null
wd GET "/session/$session/screenshot" | jq -r .value | base64 -d > "$shots/deb-incoming.png"
[ "$(head -c 8 "$shots/deb-incoming.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || die "screenshot is not a PNG"
log "screenshot: $shots/deb-incoming.png ($rows rows shown)"
wd DELETE "/session/$session" >/dev/null || true
kill "$driver_pid" 2>/dev/null; wait "$driver_pid" 2>/dev/null || true
driver_pid=
in_root sh -c 'pkill -x vanthu-app; pkill -x WebKitWebDriver; pkill -x Xvfb' || true

log "remove the package"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$pkg" > "$work/purge.log" 2>&1 \
  || { cat "$work/purge.log"; die "apt purge failed"; }
left=()
while read -r f; do
  [ -e "$root$f" ] && [ ! -d "$root$f" ] && left+=("$f")
done < "$work/files"
for d in /usr/lib/vanthu; do [ -e "$root$d" ] && left+=("$d"); done
[ ${#left[@]} -eq 0 ] || die "left after purge: ${left[*]}"
[ -f "$root/home/vt/.local/share/vanthu/vanthu.db" ] || die "purge removed the user's data"
in_root sh -c 'command -v vanthu vanthu-app' && die "binaries still on PATH after purge"
log "deb test passed: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
