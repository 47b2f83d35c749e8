#!/usr/bin/env bash
# Load on the main read and write endpoints: wrk -t2 -c64 for 60 s each on loopback, against
# SQLite and PostgreSQL, with MEMBERS active members stored. Prints req/s, p50, p99, errors and
# server memory (RSS) at idle and after each load; exits 1 if any request failed.
#
#   bench/load.sh                       # 60 s per endpoint, 100,000 members, both databases
#   DURATION=10s MEMBERS=20000 SKIP_PG=1 bench/load.sh
#
# Endpoints: GET /api/v1/people?q= (search list, official), GET /api/v1/public/kta/{code}
# (the QR check), POST /api/v1/people (new person, encrypted fields), POST /api/v1/tally/{tps}
# (a witness's C.Hasil). Env: SIMPUL_BIN (release build), DURATION (60s), CONNECTIONS (64),
# MEMBERS (100000), PORT (8093), PGPORT (54334), SKIP_PG. Needs wrk, jq, sqlite3, curl, python3;
# PostgreSQL binaries and root (runuser) for the PostgreSQL half.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SIMPUL_BIN=${SIMPUL_BIN:-$REPO/.build-release/release/simpul}
DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-64}
MEMBERS=${MEMBERS:-100000}
PORT=${PORT:-8093}
PGPORT=${PGPORT:-54334}
SKIP_PG=${SKIP_PG:-0}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
export LC_NUMERIC=C
for tool in wrk jq sqlite3 curl python3; do command -v $tool >/dev/null || { echo "load.sh: $tool missing" >&2; exit 2; }; done
[[ -x $SIMPUL_BIN ]] || { echo "load.sh: no executable at $SIMPUL_BIN" >&2; exit 2; }
WORK=$(mktemp -d /tmp/simpul-load.XXXXXX); chmod 755 "$WORK"; mkdir -p "$WORK/app"
SERVER_PID=""; PG_STARTED=0; FAILED=0
cleanup() {
  [[ -n $SERVER_PID ]] && { kill "$SERVER_PID"; wait "$SERVER_PID"; } 2>/dev/null || true
  [[ $PG_STARTED == 1 ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
simpul() { (cd "$WORK/app" && "$SIMPUL_BIN" "$@"); }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status"; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status"; }
mib() { awk "BEGIN { printf \"%.0f\", $1 / 1024 }"; }

python3 "$HERE/gen_members.py" --rows "$MEMBERS" --out "$WORK/members.csv" >/dev/null
echo "Simpul load — $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores; wrk -t2 -c$CONNECTIONS -d$DURATION; $MEMBERS members; load $(cut -d' ' -f1 /proc/loadavg)"
printf "%-11s %-34s %9s %9s %9s %8s %10s\n" database endpoint "req/s" p50 p99 errors "RSS MiB"

run_db() { # NAME
  local db=$1
  simpul migrate --yes >"$WORK/$db-setup.log" 2>&1
  simpul admin create dpd --role pengurus --unit 36.73 --password rahasia-123 >>"$WORK/$db-setup.log" 2>&1
  simpul import "$WORK/members.csv" --as dpd --status active >>"$WORK/$db-setup.log" 2>&1
  simpul bench-tally setup --stations 50000 --dapils 100 --assign 50000 --out "$WORK/tally.txt" >>"$WORK/$db-setup.log" 2>&1
  if [[ $db == sqlite ]]; then
    sqlite3 "$SIMPUL_DATA_DIR/simpul.sqlite" "SELECT verify_code FROM memberships WHERE verify_code IS NOT NULL LIMIT 20000" >"$WORK/codes.txt"
  else
    psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d simpul -Atc "SELECT verify_code FROM memberships WHERE verify_code IS NOT NULL LIMIT 20000" >"$WORK/codes.txt"
  fi
  (cd "$WORK/app" && exec "$SIMPUL_BIN" serve --hostname 127.0.0.1 --port "$PORT" --log warning) >"$WORK/$db-serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done
  local token; token=$(curl -fsS -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"username":"dpd","password":"rahasia-123"}' | jq -r .token)
  printf "%-11s %-34s %9s %9s %9s %8s %10s\n" "$db" "(idle, after start)" - - - - "$(mib "$(rss_kib)")"
  one() { # LABEL SCRIPT
    local label=$1 script=$2 out="$WORK/wrk.txt"
    TOKEN=$token KTA_CODES=$WORK/codes.txt TALLY_FILE=$WORK/tally.txt \
      wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$HERE/$script" "http://127.0.0.1:$PORT/" >"$out"
    local rps p50 p99 non2xx sock
    rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$out")
    p50=$(awk '$1 == "50%" { print $2 }' "$out"); p99=$(awk '$1 == "99%" { print $2 }' "$out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$out"); non2xx=${non2xx:-0}
    sock=$(awk -F'[ ,]+' '/Socket errors/ { print $4 + $6 + $8 + $10 }' "$out"); sock=${sock:-0}
    printf "%-11s %-34s %9s %9s %9s %8s %10s\n" "$db" "$label" "$rps" "$p50" "$p99" "$((non2xx + sock))" "$(mib "$(rss_kib)")"
    [[ $((non2xx + sock)) == 0 ]] || FAILED=1
  }
  one "GET /api/v1/people?q= (search)" search.lua
  one "GET /api/v1/public/kta/{code}" kta.lua
  one "POST /api/v1/people" people.lua
  one "POST /api/v1/tally/{tps}" tally.lua
  printf "%-11s %-34s %9s %9s %9s %8s %10s\n" "$db" "(peak RSS over the run)" - - - - "$(mib "$(hwm_kib)")"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

export SIMPUL_DATA_DIR=$WORK/sqlite; unset DATABASE_URL
run_db sqlite
if [[ $SKIP_PG != 1 ]]; then
  mkdir -p "$WORK/pgdata"; chown postgres: "$WORK/pgdata"
  runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pgdata" -U postgres --auth=trust >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pgdata" -l "$WORK/pgdata/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK/pgdata -c fsync=off -c max_connections=300" start >/dev/null
  PG_STARTED=1
  psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE DATABASE simpul"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/simpul?sslmode=disable" SIMPUL_DATA_DIR=$WORK/pg
  run_db postgresql
fi
[[ $FAILED == 0 ]] && echo "all requests answered without error" || { echo "SOME REQUESTS FAILED"; exit 1; }
