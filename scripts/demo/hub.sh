#!/usr/bin/env bash
# Starts the local reference hub for the demo (127.0.0.1 only), registers the demo unit on it once,
# points the demo data dir's sync settings at it and runs one sync round. Leaves the hub running in
# the background; its pid is in $VANTHU_CACHE/demo-hub.pid.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
: "${VANTHU_DATA_DIR:?set VANTHU_DATA_DIR (scripts/dev does)}"
port="${VANTHU_DEMO_HUB_PORT:-8640}"
hub_db="$VANTHU_CACHE/demo-hub.sqlite"
secret_file="$VANTHU_CACHE/demo-hub.secret"
pid_file="$VANTHU_CACHE/demo-hub.pid"
code=000.00.00.H34

if [ ! -s "$secret_file" ]; then
  vanthu hub add-agency "$code" --name "UBND tỉnh Kon Tum" --db "$hub_db" --json \
    | jq -r '.secret // empty' > "$secret_file.tmp"
  if [ -s "$secret_file.tmp" ]; then mv "$secret_file.tmp" "$secret_file"; else rm -f "$secret_file.tmp"; fi
fi
if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  nohup vanthu hub serve --listen "127.0.0.1:$port" --db "$hub_db" >"$VANTHU_CACHE/demo-hub.log" 2>&1 &
  echo $! > "$pid_file"
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
fi
log "hub: http://127.0.0.1:$port (log: $VANTHU_CACHE/demo-hub.log)"
if [ -s "$secret_file" ]; then
  export VANTHU_SECRET_STORE=file
  vanthu sync setup --hub "http://127.0.0.1:$port" --agency "$code" --name "UBND tỉnh Kon Tum" \
    --secret-file "$secret_file" >/dev/null
  vanthu sync --once || log "sync round failed (the demo goes on offline)"
else
  log "could not read the demo agency's secret; the demo runs offline"
fi
