#!/usr/bin/env bash
# Electoral benchmarks, each figure with its comparison measured in the same run:
#
# 1. seat engine: Sainte-Laguë for 2,700 dapil × 18 parties, votes needed for the next
#    seat in every dapil, cheapest plan for +10 seats (simpul-bench, pure SimpulCore)
# 2. tally ingest on SQLite through the API: wrk POST /api/v1/tally/{tps} (64 connections,
#    loopback) vs wrk GET /health on the same server; then the stored totals are checked
#    against the accepted submissions
# 3. roll-up + seat projection over 820,000 TPS on PostgreSQL (simpul bench-tally rollup)
#
#   bench/electoral.sh                 # full run
#   SKIP_PG=1 bench/electoral.sh       # without PostgreSQL (step 3)
#
# Environment: SIMPUL_BIN, BENCH_BIN (release builds), STATIONS (820000), DAPILS (2700),
# INGEST_STATIONS (100000), WRK_DURATION (20s), WRK_CONNECTIONS (64), PORT (8092),
# PGPORT (54331), SKIP_PG, KEEP. Needs wrk, sqlite3, curl; PostgreSQL binaries and root
# (runuser) for step 3. Everything lives in a temp dir under /tmp; only 127.0.0.1 is used.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SIMPUL_BIN=${SIMPUL_BIN:-$REPO/.build-release/release/simpul}
BENCH_BIN=${BENCH_BIN:-$REPO/.build-release/release/simpul-bench}
STATIONS=${STATIONS:-820000}
DAPILS=${DAPILS:-2700}
INGEST_STATIONS=${INGEST_STATIONS:-100000}
WRK_DURATION=${WRK_DURATION:-20s}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
PORT=${PORT:-8092}
PGPORT=${PGPORT:-54331}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
SKIP_PG=${SKIP_PG:-0}
KEEP=${KEEP:-0}

for tool in wrk sqlite3 curl timeout; do
    command -v "$tool" >/dev/null || { echo "electoral.sh: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done
for bin in "$SIMPUL_BIN" "$BENCH_BIN"; do
    [[ -x $bin ]] || { echo "electoral.sh: no executable at $bin (swift build -c release --scratch-path .build-release)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/simpul-electoral.XXXXXX)
chmod 755 "$WORK"
SERVER_PID=""
PG_STARTED=0
cleanup() {
    local rc=$?
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
    if [[ $PG_STARTED == 1 ]]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ $KEEP == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export LC_NUMERIC=C
now() { date +%s.%N; }
f() { awk "BEGIN { printf \"${2:-%.2f}\", $1 }"; }
load() { cut -d' ' -f1 /proc/loadavg; }
ge() { awk "BEGIN { exit !($1 >= $2) }" && echo PASS || echo FAIL; }
le() { awk "BEGIN { exit !($1 <= $2) }" && echo PASS || echo FAIL; }
SUMMARY=()
record() { SUMMARY+=("$1"); }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load $(load)"

echo "== 1. Seat engine (simpul-bench $DAPILS dapil × 18 partai)"
"$BENCH_BIN" "$DAPILS" 18 | tee "$WORK/seats.txt" | sed 's/^/  /'
ALLOC=$(awk -F'median ' '/alokasi/ { split($2, a, " "); print a[1] }' "$WORK/seats.txt")
NEXT=$(awk -F'median ' '/kursi berikutnya/ { split($2, a, " "); print a[1] }' "$WORK/seats.txt")
PLAN=$(awk -F'median ' '/rencana/ { split($2, a, " "); print a[1] }' "$WORK/seats.txt")
record "seat allocation, $DAPILS dapil × 18 parties|$ALLOC ms|votes-needed in every dapil $NEXT ms; plan +10 seats $PLAN ms||"

echo "== 2. Tally ingest on SQLite through the API (load $(load))"
mkdir -p "$WORK/app"
export SIMPUL_DATA_DIR=$WORK/data SIMPUL_DATA_KEY=$(head -c 32 /dev/urandom | base64)
START=$(now)
(cd "$WORK/app" && "$SIMPUL_BIN" bench-tally setup --stations "$INGEST_STATIONS" --dapils 300 --assign "$INGEST_STATIONS" --out "$WORK/tally.txt" --log warning) | sed 's/^/  /'
echo "  setup $(f "$(now) - $START") s"
(cd "$WORK/app" && exec "$SIMPUL_BIN" serve --hostname 127.0.0.1 --port "$PORT" --log warning) >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
BASE=http://127.0.0.1:$PORT
for i in $(seq 600); do curl -fsS "$BASE/health" >/dev/null 2>&1 && break; sleep 0.1
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }; done
wrk_field() { # NAME → "req/s|p99|non2xx|errors"
    local file=$WORK/wrk-$1.txt rps p99 non errs
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$file")
    p99=$(awk '$1 == "99%" { print $2 }' "$file")
    non=$(awk '/Non-2xx/ { print $NF }' "$file"); non=${non:-0}
    errs=$(awk '/Socket errors/ { sub(/.*Socket errors: /, ""); print }' "$file"); errs=${errs:-none}
    echo "$rps|$p99|$non|$errs"
}
timeout 60 wrk -t2 -c"$WRK_CONNECTIONS" -d3s "$BASE/health" >/dev/null
timeout 300 wrk -t2 -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --timeout 10s --latency "$BASE/health" >"$WORK/wrk-health.txt"
TALLY_FILE=$WORK/tally.txt timeout 300 wrk -t2 -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --timeout 10s --latency \
    -s "$HERE/tally.lua" "$BASE/" >"$WORK/wrk-tally.txt"
IFS='|' read -r H_RPS H_P99 H_NON H_ERR <<<"$(wrk_field health)"
IFS='|' read -r T_RPS T_P99 T_NON T_ERR <<<"$(wrk_field tally)"
RSS=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
DB=$WORK/data/simpul.sqlite
[[ -f $DB ]] || DB=$(ls "$WORK"/data/*.sqlite* | head -1)
read -r ACCEPTED DUPS <<<"$(sqlite3 "$DB" "SELECT SUM(status='accepted'), SUM(status='duplicate') FROM tally_submissions" | tr '|' ' ')"
SUMVOTES=$(sqlite3 "$DB" "SELECT COALESCE(SUM(votes),0) FROM tally_totals WHERE candidate=''")
EXPECTED=$(( ${ACCEPTED:-0} * 190 ))
CONSISTENT=$([[ $SUMVOTES == "$EXPECTED" ]] && echo yes || echo NO)
echo "  tallies: $T_RPS req/s, p99 $T_P99, non-2xx $T_NON, socket errors $T_ERR; /health $H_RPS req/s, p99 $H_P99; RSS $RSS MiB"
echo "  stored: $ACCEPTED accepted + ${DUPS:-0} resends; kelurahan totals $SUMVOTES votes = 190 × accepted ($CONSISTENT)"
record "tally ingest, SQLite API (wrk -c$WRK_CONNECTIONS)|$T_RPS req/s, p99 $T_P99, non-2xx $T_NON|/health $H_RPS req/s, p99 $H_P99|≥ 2,000/s|$(ge "${T_RPS:-0}" 2000)"
record "tally totals consistent|$SUMVOTES votes in totals|190 × $ACCEPTED accepted|equal|$([[ $CONSISTENT == yes ]] && echo PASS || echo FAIL)"

if [[ $SKIP_PG != 1 ]]; then
    echo "== 3. Roll-up over $STATIONS TPS on PostgreSQL (load $(load))"
    PGDATA=$WORK/pgdata
    mkdir -p "$PGDATA" && chown postgres: "$PGDATA"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale >"$WORK/initdb.log" 2>&1
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA -c fsync=off" start >/dev/null
    PG_STARTED=1
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres?sslmode=disable"
    START=$(now)
    (cd "$WORK/app" && "$SIMPUL_BIN" bench-tally setup --stations "$STATIONS" --dapils "$DAPILS" --reported --log warning) | sed 's/^/  /'
    echo "  setup $(f "$(now) - $START") s"
    psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "VACUUM ANALYZE" postgres
    (cd "$WORK/app" && "$SIMPUL_BIN" bench-tally rollup --runs 5 --log warning) | tee "$WORK/rollup.txt" | sed 's/^/  /'
    MEDIAN=$(awk '/rollup_ms/ { for (i = 1; i <= NF; i++) if ($i == "median") print $(i + 1) }' "$WORK/rollup.txt")
    COUNT=$(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc "SELECT COUNT(*) FROM polling_stations" postgres)
    START=$(now)
    psql -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc "SELECT dapil_id, status, COUNT(*) FROM polling_stations GROUP BY 1, 2" postgres >/dev/null
    RAW_MS=$(f "($(now) - $START) * 1000" "%.0f")
    record "roll-up + projection, $COUNT TPS (PostgreSQL)|$MEDIAN ms median of 5|raw psql GROUP BY over the TPS: $RAW_MS ms|≤ 1,000 ms|$(le "${MEDIAN:-99999}" 1000)"
    unset DATABASE_URL
fi

echo
echo "| measure | result | comparison (same run) | target | verdict |"
echo "|---|---|---|---|---|"
for row in "${SUMMARY[@]}"; do echo "| ${row//|/ | } |"; done
