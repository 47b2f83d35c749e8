#!/usr/bin/env bash
# Starts a fresh Simpul (SQLite in a temporary directory, or DATABASE_URL if set), creates the
# witness account the journeys need, and walks every browser journey in headless Chromium.
# Screenshots go to artifacts/journeys/ (git-ignored). Needs chromium, chromium-driver and
# selenium (`apt-get install chromium chromium-driver; pip install selenium`).
#   browser/run-journeys.sh [journey ...]      (SIMPUL_BIN: default .build/debug/simpul)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${SIMPUL_BIN:-.build/debug/simpul}"
PORT="${JOURNEY_PORT:-8089}"
OUT="${JOURNEY_OUT:-artifacts/journeys}"
DATA=$(mktemp -d /tmp/simpul-journeys.XXXXXX)
mkdir -p "$OUT"
export SIMPUL_DATA_DIR="$DATA" SIMPUL_PARTY_NAME=PKS SIMPUL_PUBLIC_URL="http://127.0.0.1:$PORT"
"$BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 0.5
done
PASSWORD=$(sed -n 's/.*Kata sandi *: *//p' "$OUT/server.log" | head -1)
[ -n "$PASSWORD" ] || { echo "no first admin password in the server log"; cat "$OUT/server.log"; exit 1; }
"$BIN" admin create saksi1 --role saksi --unit 36.73.05.1001 --password saksi-rahasia-1 >/dev/null
python3 browser/journeys.py "http://127.0.0.1:$PORT" "$PASSWORD" "$OUT" "$@"
echo "screenshots: $(ls "$OUT"/*.png | wc -l) in $OUT"
