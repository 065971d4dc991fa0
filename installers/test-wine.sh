#!/usr/bin/env bash
# vanthu.exe (cross-built for x86_64-pc-windows-gnu) on Wine, the Windows code paths for real:
# init a unit under %LOCALAPPDATA% (no --data-dir), import the real edXML samples of the
# SDK (shared/corpus/edxml-sdk), extract their attachments into a Windows folder, render and
# extract text from a PDF with pdfium.dll beside the exe (from the pypdfium2 win_amd64 wheel,
# scripts/pdfium-windows.sh), search the register, and sync with a Linux hub on loopback
# (the hub is the Linux `vanthu`, the desktop the Windows one).
#
# Usage: installers/test-wine.sh   (builds with `cargo build --target x86_64-pc-windows-gnu`)
# Env: VANTHU_EXE=path to a prebuilt vanthu.exe; VANTHU_WINE_KEEP=1 keeps the work dir.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$VANTHU_ROOT"

wine=$(command -v wine64 || true)
[ -n "$wine" ] || wine=/usr/lib/wine/wine64
[ -x "$wine" ] || die "wine64 not found (apt-get install wine64)"
LINUX_BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$LINUX_BIN" ] || die "no Linux vanthu at $LINUX_BIN (the hub side)"

exe="${VANTHU_EXE:-}"
if [ -z "$exe" ]; then
  log "cargo build --target x86_64-pc-windows-gnu -p vanthu-cli"
  nice -n 10 cargo build --locked --target x86_64-pc-windows-gnu -p vanthu-cli --bin vanthu
  exe="$CARGO_TARGET_DIR/x86_64-pc-windows-gnu/debug/vanthu.exe"
fi
[ -f "$exe" ] || die "no vanthu.exe at $exe"
[ -f src-tauri/windows/pdfium.dll ] || bash scripts/pdfium-windows.sh

work=$(mktemp -d /tmp/vanthu-wine.XXXXXX)
HUB_PID=""
cleanup() {
  [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null
  WINEPREFIX="$work/prefix" timeout 20 "$(dirname "$wine")/wineserver" -k 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "${VANTHU_WINE_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
# The program folder as a clerk has it after the installer: vanthu.exe with pdfium.dll beside it.
mkdir -p "$work/app"
cp "$exe" "$work/app/vanthu.exe"
cp src-tauri/windows/pdfium.dll "$work/app/pdfium.dll"
# MinGW's runtime DLLs, if the build links them dynamically (it does not by default).
for dll in libwinpthread-1.dll libgcc_s_seh-1.dll libstdc++-6.dll; do
  f=$(x86_64-w64-mingw32-gcc -print-file-name="$dll" 2>/dev/null || true)
  if [ -f "$f" ] && x86_64-w64-mingw32-objdump -p "$exe" | grep -qi "DLL Name: $dll"; then cp "$f" "$work/app/"; fi
done

log "wine prefix"
t0=$SECONDS
timeout 300 "$wine" wineboot -i > "$work/wineboot.log" 2>&1 || { cat "$work/wineboot.log"; die "wineboot failed"; }
log "prefix ready in $((SECONDS - t0)) s"
# Wine 8 (Debian 12) lacks bcryptprimitives.dll, which Rust's std imports (ProcessPrng) and
# every Windows 10+ has: a test-only shim beside the exe (installers/wine/bcryptprimitives.c).
if [ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
  x86_64-w64-mingw32-gcc -O2 -shared -s -o "$work/app/bcryptprimitives.dll" \
    installers/wine/bcryptprimitives.c installers/wine/bcryptprimitives.def -ladvapi32
  log "Wine $("$wine" --version 2>/dev/null || true) has no bcryptprimitives.dll: using the test shim"
fi
# Windows paths of Linux files: Wine maps / to Z:.
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }
# Runs vanthu.exe; no --data-dir, so the register goes where Windows users get it.
# Wine passes the Linux environment through: VANTHU_PDFIUM (set by scripts/lib.sh) names the
# Linux library, and the exe must find pdfium.dll beside itself as an installed one does.
V() { timeout 120 env -u VANTHU_PDFIUM -u VANTHU_DATA_DIR -u VANTHU_SECRET_STORE "$wine" "$work/app/vanthu.exe" "$@"; }

passed=0
ok() { passed=$((passed + 1)); log "ok: $*"; }

data_win=$(V data-dir | tr -d '\r')
echo "data dir: $data_win"
[[ "$data_win" == *'\AppData\Local\vanthu' ]] || die "data dir not under %LOCALAPPDATA%: $data_win"
ok "data dir under %LOCALAPPDATA%"

V --version | tr -d '\r' | tee "$work/version"
grep -qE '^vanthu [0-9.]+ \(commit [0-9a-f]+, build [0-9-]{10}\)' "$work/version" || die "version line"

V init --agency-code 000.01.20.H34 --agency-name "Sở Nội vụ tỉnh Kon Tum" > /dev/null
data_unix=$(find "$WINEPREFIX/drive_c/users" -path '*AppData/Local/vanthu/vanthu.db' | head -1)
[ -n "$data_unix" ] || die "init wrote no register under AppData\\Local"
ok "init a unit"

# The SDK's samples include a malformed one and a duplicate: the Windows build must accept and
# refuse exactly what the Linux build does.
"$LINUX_BIN" --data-dir "$work/linux-ref" init --agency-code 000.01.20.H34 --agency-name "Sở Nội vụ tỉnh Kon Tum" > /dev/null
n=0
for f in "$VANTHU_SHARED"/corpus/edxml-sdk/*.edxml; do
  lin=ok win=ok
  "$LINUX_BIN" --data-dir "$work/linux-ref" incoming import "$f" > /dev/null 2>&1 || lin=refused
  V incoming import "$(winpath "$f")" > "$work/import-$n.out" 2>&1 || win=refused
  [ "$lin" = "$win" ] || { cat "$work/import-$n.out"; die "$(basename "$f"): Linux $lin, Windows $win"; }
  n=$((n + 1))
done
count=$(V --json list | tr -d '\r' | jq '.hits | length')
want=$("$LINUX_BIN" --data-dir "$work/linux-ref" --json list | jq '.hits | length')
[ "$count" -eq "$want" ] && [ "$count" -ge 1 ] || die "the register holds $count documents, Linux $want"
ok "imported the $n edXML samples of the SDK as Linux does ($count registered)"

# Attachment names from the packages, written into a Windows folder.
V edxml extract "$(winpath "$VANTHU_SHARED/corpus/edxml-sdk/edoc_new.edxml")" -o "$(winpath "$work/extracted")" > /dev/null
ls "$work/extracted" | tee "$work/extracted.list"
[ -f "$work/extracted/header.json" ] || die "edxml extract wrote no header.json"
[ "$(wc -l < "$work/extracted.list")" -ge 2 ] || die "edxml extract wrote no attachment"
ok "extracted attachments"

pdf="$VANTHU_SHARED/corpus/pdf-render/four-pages.pdf"
V --json pdf info "$(winpath "$pdf")" | tr -d '\r' > "$work/info.json"
[ "$(jq .pages "$work/info.json")" = 4 ] || die "pdf info through pdfium.dll: $(cat "$work/info.json")"
V pdf render "$(winpath "$pdf")" --page 2 --width 400 -o "$(winpath "$work/page2.png")" > /dev/null
[ "$(head -c 8 "$work/page2.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || die "render did not write a PNG"
python3 - "$work/page2.png" <<'PY' || die "rendered page is not 400 px wide"
import struct, sys
with open(sys.argv[1], "rb") as f:
    head = f.read(24)
w, h = struct.unpack(">II", head[16:24])
sys.exit(0 if w == 400 and h > 0 else 1)
PY
V pdf text "$(winpath "$pdf")" --page 1 | tr -d '\r' > "$work/page1.txt"
"$LINUX_BIN" pdf text "$pdf" --page 1 > "$work/page1.linux.txt"
[ -s "$work/page1.txt" ] || die "no text extracted on Windows"
cmp -s "$work/page1.txt" "$work/page1.linux.txt" || die "Windows and Linux extract different text"
ok "pdfium.dll: info, render, text (same text as Linux)"

subject=$(V --json list | tr -d '\r' | jq -r '.hits[0].subject')
word=$(printf '%s' "$subject" | tr -s ' ' '\n' | awk 'length($0) >= 4' | head -1)
[ -n "$word" ] || die "no word to search for in '$subject'"
hits=$(V --json search "$word" | tr -d '\r' | jq '.hits | length')
[ "$hits" -ge 1 ] || die "search for '$word' found nothing"
ok "search '$word': $hits hit(s)"

# Sync: a Linux hub on loopback; the Windows desktop receives what a Linux unit sends it.
export VANTHU_SECRET_STORE=file
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$LINUX_BIN" --json hub add-agency 000.01.20.H34 --name "Sở Nội vụ" --db "$work/hub.sqlite" | jq -r .secret > "$work/b.secret"
# The hub accepts a package only from the agency its From names: each well-formed sample is
# sent by a Linux unit registered under its own From/OrganId (the malformed one is left out).
declare -A senders=()
m=0
for f in "$VANTHU_SHARED"/corpus/edxml-sdk/*.edxml; do
  org=$("$LINUX_BIN" --json edxml inspect "$f" 2>/dev/null | jq -r '.from.organ_id // empty') || continue
  [ -n "$org" ] || continue
  if [ -z "${senders[$org]:-}" ]; then
    "$LINUX_BIN" --json hub add-agency "$org" --name "Nơi gửi $org" --db "$work/hub.sqlite" | jq -r .secret > "$work/$org.secret"
    senders[$org]="$work/send-$org"
  fi
  cp "$f" "$work/send-$org.$m.edxml"
  m=$((m + 1))
done
[ "$m" -ge 1 ] || die "no well-formed sample to send"
"$LINUX_BIN" hub serve --listen "127.0.0.1:$PORT" --db "$work/hub.sqlite" > "$work/hub.out" 2> "$work/hub.log" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q listening "$work/hub.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$work/hub.out" || die "hub did not start: $(cat "$work/hub.log")"
# The Linux units keep their secrets in files (no Secret Service here); V drops that setting:
# the Windows side stores its secret in the Credential Manager (keyring windows-native).
V sync setup --hub "http://127.0.0.1:$PORT" --agency 000.01.20.H34 \
  --secret-file "$(winpath "$work/b.secret")" > "$work/setup.out" 2>&1 || { cat "$work/setup.out"; die "sync setup"; }
tr -d '\r' < "$work/setup.out"
grep -q "keyring" "$work/setup.out" || die "sync setup did not say where the secret went"
for org in "${!senders[@]}"; do
  dir="${senders[$org]}"
  "$LINUX_BIN" --data-dir "$dir" sync setup --hub "http://127.0.0.1:$PORT" --agency "$org" --secret-file "$work/$org.secret" > /dev/null
  "$LINUX_BIN" --data-dir "$dir" sync send --to 000.01.20.H34 "$work/send-$org".*.edxml > /dev/null
  timeout 60 "$LINUX_BIN" --data-dir "$dir" sync --once 2> "$work/send-$org.err"
  grep -q "bị từ chối 0," "$work/send-$org.err" || die "the hub refused what $org sent: $(cat "$work/send-$org.err")"
done
n=$m
V sync --once > "$work/b.out" 2> "$work/b.err" || { cat "$work/b.err"; die "sync on Windows failed"; }
tr -d '\r' < "$work/b.err" | tail -2
grep -q "nhận $n," "$work/b.err" || die "the Windows desktop did not receive $n: $(cat "$work/b.err")"
got=$(V --json sync list | tr -d '\r' | jq '[.received[] | select(.kind=="edoc")] | length')
[ "$got" -eq "$n" ] || die "the Windows desktop holds $got packages, expected $n"
ok "sync with a Linux hub: received $n packages"

echo "test-wine: $passed passed, 0 failed"
