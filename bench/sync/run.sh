#!/usr/bin/env bash
# Sync benchmark: N packages of ~SIZE bytes from agency A to agency B through the reference
# hub on loopback (SQLite hub). Measures end-to-end time (A starts syncing → B holds all N),
# peak RSS of the hub and of each client, and compares with the same bytes copied file by
# file on the same disk (cp + sync), the floor for any store-and-forward design.
# With RTT_MS set (e.g. RTT_MS=50) it measures a line with latency instead: the desktops talk
# to the hub through latency_proxy.py, A uploads N packages (`sync --once`), then B downloads,
# acknowledges them and sends its automatic 01s (`sync --once`), each phase timed on its own
# and compared with the same phases on plain loopback in the same run (N defaults to 200
# small packages there). Without N or SIZE the default 10k run is followed by the RTT_MS=50 run.
# Usage: bench/sync/run.sh   (VANTHU_BIN from ./scripts/bench; N, SIZE, STORE, RTT_MS overridable)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/release/vanthu}"
RTT_MS="${RTT_MS:-}"
[ -n "${N:-}${SIZE:-}" ] && N_GIVEN=1
if [ -n "$RTT_MS" ]; then
  N="${N:-200}"
  SIZE="${SIZE:-3000}"
else
  N="${N:-10000}"
  SIZE="${SIZE:-50000}"
fi
# registry: A and B hold registers, so the queues live in vanthu.db (what the app and a unit's
# CLI use); file: register-less data dirs with the queues in sync.sqlite (a relay).
STORE="${STORE:-registry}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN (run ./scripts/bench sync)"
WORK="$(mktemp -d /tmp/vanthu-bench-sync.XXXXXX)"
HUB_PID=""
PROXY_PID=""
cleanup() {
  [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
export VANTHU_SECRET_STORE=file
now() { date +%s.%N; }

log "generating $N packages of ~$SIZE bytes"
python3 - "$WORK/pkgs" "$N" "$SIZE" <<'PY'
import base64, os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d)
for i in range(n):
    body = base64.encodebytes(os.urandom(size * 3 // 4)).decode()
    with open(f"{d}/{i:05}.edxml", "w") as f:
        f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<edXML><Subject>Văn bản {i}</Subject><Data>{body}</Data></edXML>\n')
PY

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --json hub add-agency 000.00.00.H34 --name "UBND Tỉnh Kon Tum" --db "$WORK/hub.sqlite" | jq -r .secret > "$WORK/a.secret"
"$BIN" --json hub add-agency 000.01.20.H34 --name "Sở Nội vụ" --db "$WORK/hub.sqlite" | jq -r .secret > "$WORK/b.secret"
"$BIN" hub serve --listen "127.0.0.1:$PORT" --db "$WORK/hub.sqlite" > "$WORK/hub.out" 2> "$WORK/hub.log" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ -n "$RTT_MS" ]; then
  PPORT=$(free_port)
  python3 "$(dirname "$0")/latency_proxy.py" "$PPORT" "$PORT" "$RTT_MS" > "$WORK/proxy.out" 2>&1 &
  PROXY_PID=$!
  for _ in $(seq 1 100); do grep -q listening "$WORK/proxy.out" 2>/dev/null && break; sleep 0.1; done
  # One pair of agencies per line, so neither run sees the other's packages or statuses.
  phases() { # tag hub-url → "upload_s download_s"
    local tag=$1 url=$2 a="$WORK/$1-a" b="$WORK/$1-b" ca="000.00.$3.H34" cb="000.01.$3.H34"
    "$BIN" --json hub add-agency "$ca" --name "Đơn vị gửi $tag" --db "$WORK/hub.sqlite" | jq -r .secret > "$a.secret"
    "$BIN" --json hub add-agency "$cb" --name "Đơn vị nhận $tag" --db "$WORK/hub.sqlite" | jq -r .secret > "$b.secret"
    "$BIN" --data-dir "$a" init --agency-code "$ca" --agency-name "Đơn vị gửi $tag" > /dev/null
    "$BIN" --data-dir "$b" init --agency-code "$cb" --agency-name "Đơn vị nhận $tag" > /dev/null
    "$BIN" --data-dir "$a" sync setup --hub "$url" --agency "$ca" --secret-file "$a.secret" > /dev/null
    "$BIN" --data-dir "$b" sync setup --hub "$url" --agency "$cb" --secret-file "$b.secret" > /dev/null
    (cd "$WORK/pkgs" && ls | xargs -n 2000 "$BIN" --data-dir "$a" sync send --to "$cb" > /dev/null)
    local t up down
    t=$(now); "$BIN" --data-dir "$a" sync --once > /dev/null 2> "$a.err" || { cat "$a.err" >&2; die "$tag: upload failed"; }
    up=$(echo "$(now) - $t" | bc)
    t=$(now); "$BIN" --data-dir "$b" sync --once > /dev/null 2> "$b.err" || { cat "$b.err" >&2; die "$tag: download failed"; }
    down=$(echo "$(now) - $t" | bc)
    local got dups statuses
    got=$(sqlite3 "$b/vanthu.db" "SELECT COUNT(*) FROM sync_received WHERE kind='edoc'")
    dups=$(sqlite3 "$b/vanthu.db" "SELECT COUNT(*) - COUNT(DISTINCT message_id) FROM sync_received")
    statuses=$(sqlite3 "$b/vanthu.db" "SELECT COUNT(*) FROM sync_outbox WHERE op='status' AND state='sent'")
    [ "$got" -eq "$N" ] || die "$tag: B received $got of $N"
    [ "$dups" -eq 0 ] || die "$tag: $dups duplicates at B"
    [ "$statuses" -eq "$N" ] || die "$tag: B sent $statuses of $N automatic 01s"
    echo "$up $down"
  }
  log "loopback: $N packages up, then down"
  read -r up0 down0 < <(phases loopback "http://127.0.0.1:$PORT" 01)
  log "through the proxy (RTT $RTT_MS ms): $N packages up, then down"
  read -r up1 down1 < <(phases line "http://127.0.0.1:$PPORT" 02)
  printf '\n| %d packages × ~%d B | loopback | RTT %s ms (latency_proxy.py) | ratio |\n|---|---:|---:|---:|\n' "$N" "$SIZE" "$RTT_MS"
  printf '| upload (A: sync --once) | %.2f s | %.2f s | %.1f× |\n' "$up0" "$up1" "$(echo "$up1 / $up0" | bc -l)"
  printf '| download + ack + 01s (B: sync --once) | %.2f s | %.2f s | %.1f× |\n' "$down0" "$down1" "$(echo "$down1 / $down0" | bc -l)"
  printf '| round trips per package (line − loopback) / RTT | %.2f up, %.2f down |\n' \
    "$(echo "($up1 - $up0) * 1000 / $RTT_MS / $N" | bc -l)" "$(echo "($down1 - $down0) * 1000 / $RTT_MS / $N" | bc -l)"
  exit 0
fi

if [ "$STORE" = registry ]; then
  "$BIN" --data-dir "$WORK/a" init --agency-code 000.00.00.H34 --agency-name "UBND Tỉnh Kon Tum" > /dev/null
  "$BIN" --data-dir "$WORK/b" init --agency-code 000.01.20.H34 --agency-name "Sở Nội vụ" > /dev/null
  count_sql() { sqlite3 "$WORK/b/vanthu.db" "$1" 2>/dev/null; }
  INBOX=sync_received
else
  count_sql() { sqlite3 "$WORK/b/sync.sqlite" "$1" 2>/dev/null; }
  INBOX=inbox
fi
"$BIN" --data-dir "$WORK/a" sync setup --hub "http://127.0.0.1:$PORT" --agency 000.00.00.H34 --secret-file "$WORK/a.secret" > /dev/null
"$BIN" --data-dir "$WORK/b" sync setup --hub "http://127.0.0.1:$PORT" --agency 000.01.20.H34 --secret-file "$WORK/b.secret" > /dev/null

log "queueing at A"
t=$(now)
(cd "$WORK/pkgs" && ls | xargs -n 2000 "$BIN" --data-dir "$WORK/a" sync send --to 000.01.20.H34 > /dev/null)
queue_s=$(echo "$(now) - $t" | bc)

log "sync A → hub → B"
# B runs as the app would (daemon); the clock stops when B's inbox holds all N packages.
t0=$(now)
/usr/bin/time -f "%M %U %S" -o "$WORK/a.rss" "$BIN" --data-dir "$WORK/a" sync --once 2> "$WORK/a.err" &
A_PID=$!
/usr/bin/time -f "%M %U %S" -o "$WORK/b.rss" "$BIN" --data-dir "$WORK/b" sync --daemon --interval 1 2> "$WORK/b.err" &
B_TIME_PID=$!
received=0
for _ in $(seq 1 3000); do   # ≤ 600 s
  received=$(count_sql "SELECT COUNT(*) FROM $INBOX WHERE kind='edoc'" || echo 0)
  received=${received:-0}
  [ "$received" -ge "$N" ] && break
  sleep 0.2
done
t1=$(now)
wait "$A_PID"
B_PID=$(pgrep -P "$B_TIME_PID" || true)
if [ -n "$B_PID" ]; then
  kill -TERM "$B_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$B_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$B_PID" 2>/dev/null || true
fi
wait "$B_TIME_PID" || true
e2e_s=$(echo "$t1 - $t0" | bc)
read -r a_rss a_user a_sys < <(tail -1 "$WORK/a.rss")
read -r b_rss b_user b_sys < <(tail -1 "$WORK/b.rss")
hub_rss=$(awk '/VmHWM/ {print $2}' "/proc/$HUB_PID/status")
# The hub's CPU so far (user + system, clock ticks → s): where the 2 cores went.
hub_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$HUB_PID/stat")
[ "$received" -eq "$N" ] || die "B received $received of $N"
dups=$(count_sql "SELECT COUNT(*) - COUNT(DISTINCT message_id) FROM $INBOX")
[ "$dups" -eq 0 ] || die "$dups duplicates at B"

log "peer: cp of the same files, one by one, + sync"
mkdir -p "$WORK/copy"
# Flush what the run left dirty first, so the peer's own sync times only its own copy.
sync
t=$(now)
cp -r "$WORK/pkgs" "$WORK/copy/" && sync
cp_s=$(echo "$(now) - $t" | bc)
bytes=$(du -sb "$WORK/pkgs" | cut -f1)

printf '\n| metric | value |\n|---|---|\n'
printf '| packages | %d × ~%d B (%s MB total), queues: %s |\n' "$N" "$SIZE" "$((bytes / 1000000))" "$STORE"
printf '| queueing at A (vanthu sync send) | %.1f s |\n' "$queue_s"
printf '| end to end A → hub → B | %.1f s (%.0f packages/s, %.1f MB/s) |\n' "$e2e_s" "$(echo "$N / $e2e_s" | bc -l)" "$(echo "$bytes / 1000000 / $e2e_s" | bc -l)"
printf '| peer: cp -r + sync of the same files | %.2f s |\n' "$cp_s"
printf '| ratio end-to-end / cp | %.1f× |\n' "$(echo "$e2e_s / $cp_s" | bc -l)"
printf '| peak RSS hub | %d MiB |\n' "$((hub_rss / 1024))"
printf '| peak RSS client A (upload) | %d MiB |\n' "$((a_rss / 1024))"
printf '| peak RSS client B (download) | %d MiB |\n' "$((b_rss / 1024))"
printf '| CPU s (user+sys) hub / A / B | %s / %.1f / %.1f |\n' "$hub_cpu" "$(echo "$a_user + $a_sys" | bc -l)" "$(echo "$b_user + $b_sys" | bc -l)"

# Both figures of bench/RESULTS.md from one `./scripts/bench sync`: the line with latency too,
# unless this was a sized run of its own (N or SIZE given).
if [ -z "${N_GIVEN:-}" ]; then
  log "the same exchange over a 50 ms round trip"
  RTT_MS=50 N= SIZE= bash "$0"
fi
