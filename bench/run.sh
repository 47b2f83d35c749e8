#!/usr/bin/env bash
# Membership benchmarks: each figure next to its baseline measured in the same run.
#
#   bench/run.sh                      # 1,000,000 members
#   ROWS=20000 bench/run.sh           # quick run
#   ROWS=20000 SKIP_PG=1 bench/run.sh # without PostgreSQL
#
# 1. import into SQLite:     sqlite3 .import (raw)        vs  simpul import
# 2. import into PostgreSQL: psql COPY … FROM STDIN (raw)  vs  simpul import   (SKIP_PG=1 skips)
# 3. name search latency with ROWS members stored (SQLite), p50/p95/p99 of 200 requests
# 4. card check throughput:  wrk on /api/v1/public/kta/{code}  vs  wrk on /health; server RSS
#    (also on PostgreSQL, right after its import, unless SKIP_PG=1)
#
# Environment: ROWS (1000000), SIMPUL_BIN (the release build), SKIP_PG (0), SEARCHES (200),
# SEARCH_BUDGET (900 s for all searches), IMPORT_TIMEOUT (7200 s per import),
# WRK_DURATION (20s), WRK_CONNECTIONS (64), PORT (8091), PGPORT (54330), KEEP=1 keeps the temp
# directory. Needs python3, sqlite3, curl, jq, wrk; PostgreSQL 15 binaries and root (runuser)
# for step 2. Everything lives in a temp dir under /tmp; only 127.0.0.1 is used.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ROWS=${ROWS:-1000000}
SIMPUL_BIN=${SIMPUL_BIN:-$REPO/.build-release/release/simpul}
SKIP_PG=${SKIP_PG:-0}
SEARCHES=${SEARCHES:-200}
WRK_DURATION=${WRK_DURATION:-20s}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
PORT=${PORT:-8091}
PGPORT=${PGPORT:-54330}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
IMPORT_TIMEOUT=${IMPORT_TIMEOUT:-7200}   # seconds per import, so a pathological run still ends
KEEP=${KEEP:-0}

for tool in python3 sqlite3 curl jq wrk timeout; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done
[[ -x $SIMPUL_BIN ]] || { echo "run.sh: no executable at SIMPUL_BIN=$SIMPUL_BIN" >&2; exit 2; }
SIMPUL_BIN=$(cd "$(dirname "$SIMPUL_BIN")" && pwd)/$(basename "$SIMPUL_BIN")

WORK=$(mktemp -d /tmp/simpul-bench.XXXXXX)
chmod 755 "$WORK"   # the postgres user needs to reach its data directory inside
SERVER_PID=""
PG_STARTED=0
PG_RC=0

cleanup() {
    local rc=$?
    [[ -n ${HELLO_PID:-} ]] && kill "$HELLO_PID" 2>/dev/null
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $PG_STARTED == 1 ]]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ $KEEP == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
# f EXPR: float arithmetic, printed with the given format (default %.2f)
f() { awk "BEGIN { printf \"${2:-%.2f}\", $1 }"; }
# thousands separators for an integer
n() { echo "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }
export LC_NUMERIC=C
# 1-minute load average and the other processes using CPU: this is a shared 2-core machine.
load() { cut -d' ' -f1 /proc/loadavg; }
others() { top -b -n 2 -d 0.5 -w 200 | awk '/^top -/ { block++ } block == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 >= 20 { printf "%s%s %s%%", sep, $12, $9; sep=", " }' | head -c 200; }
verdict() { if [[ $1 == 1 ]]; then echo PASS; else echo FAIL; fi; }
ge() { awk "BEGIN { exit !($1 >= $2) }" && echo 1 || echo 0; }
le() { awk "BEGIN { exit !($1 <= $2) }" && echo 1 || echo 0; }
mib() { f "$1 / 1024" "%.0f"; }

SUMMARY=()
record() { SUMMARY+=("$1"); }

wrk_run() {  # wrk_run NAME URL [script]: prints req/s and p99 into $WORK/wrk-NAME.txt
    local name=$1 url=$2; shift 2
    KTA_CODES=${CODES:-} timeout 300 wrk -t2 -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --timeout 10s --latency "$@" "$url" >"$WORK/wrk-$name.txt"
}
wrk_field() { # wrk_field NAME → "req/s p99 non2xx errors"
    local file=$WORK/wrk-$1.txt
    local rps p99 non2xx errs
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$file")
    p99=$(awk '$1 == "99%" { print $2 }' "$file")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$file"); non2xx=${non2xx:-0}
    errs=$(awk '/Socket errors/ { sub(/.*Socket errors: /, ""); print }' "$file"); errs=${errs:-none}
    echo "$rps|$p99|$non2xx|$errs"
}

# simpul CMD… in a data dir: runs from $WORK/app so nothing lands in the caller's cwd.
mkdir -p "$WORK/app"
simpul() { (cd "$WORK/app" && "$SIMPUL_BIN" "$@"); }

# Parse "Diperiksa: T baris, V valid, E salah." and "Diimpor: N baru, M sudah ada; X s = R baris/detik."
# (one read of the file: rows are checked on their way to the database).
parse_import() {
    local log=$1
    CHECKED=$(sed -n 's/^Diperiksa: \([0-9]*\) baris.*/\1/p' "$log" | tail -1)
    IMPORTED=$(sed -n 's/^Diimpor: \([0-9]*\) baru.*/\1/p' "$log" | tail -1)
    EXISTING=$(sed -n 's/^Diimpor: [0-9]* baru, \([0-9]*\) sudah ada.*/\1/p' "$log" | tail -1)
    APP_TOTAL_S=$(sed -n 's/^Diimpor: .*; \([0-9.]*\) s = .*/\1/p' "$log" | tail -1)
    APP_RATE=$(sed -n 's/^Diimpor: .* = \([0-9]*\) baris\/detik.*/\1/p' "$log" | tail -1)
    [[ -n $IMPORTED && -n $CHECKED && -n $APP_TOTAL_S ]] || { echo "could not read the import's output:" >&2; cat "$log" >&2; exit 1; }
}

# Sets up a fresh Simpul database (env for the target already exported) with user dpd.
prepare_simpul() {
    local log=$1
    simpul migrate --yes >"$log" 2>&1
    simpul admin create dpd --role pengurus --unit 36.73 --password rahasia-123 >>"$log" 2>&1
}

echo "Simpul membership benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "  binary : $SIMPUL_BIN"
echo "  machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2/1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "  temp   : $WORK"
echo "  load   : $(load) (1 min); busy processes: $(others)"
echo

# ---------------------------------------------------------------------------------------------
CSV=$WORK/members.csv
t0=$(now)
python3 "$HERE/gen_members.py" --rows "$ROWS" --out "$CSV"
GEN_S=$(f "$(now) - $t0")
N=$(( $(wc -l <"$CSV") - 1 ))
SIZE_MB=$(f "$(stat -c %s "$CSV") / 1048576" "%.1f")
echo "Generated $(n "$N") members ($SIZE_MB MB) in $GEN_S s"
echo

# ---------------------------------------------------------------------------------------------
echo "== 1. Import into SQLite (load $(load))"
RAW_DB=$WORK/raw.sqlite
t0=$(now)
timeout "$IMPORT_TIMEOUT" sqlite3 "$RAW_DB" ".mode csv" ".import $CSV members_raw"
RAW_S=$(f "$(now) - $t0" "%.3f")
RAW_N=$(sqlite3 "$RAW_DB" "select count(*) from members_raw")
RAW_RATE=$(f "$RAW_N / $RAW_S" "%.0f")

export SIMPUL_DATA_DIR=$WORK/sqlite-data
unset DATABASE_URL
prepare_simpul "$WORK/sqlite-setup.log"
t0=$(now)
timeout "$IMPORT_TIMEOUT" bash -c 'cd "$1/app" && exec "$2" import "$3" --as dpd --status active' _ "$WORK" "$SIMPUL_BIN" "$CSV" \
    >"$WORK/sqlite-import.log" 2>&1 || { cat "$WORK/sqlite-import.log" >&2; exit 1; }
APP_S=$(f "$(now) - $t0" "%.3f")
parse_import "$WORK/sqlite-import.log"
SQ_IMPORTED=$IMPORTED
APP_RATE_WALL=$(f "$IMPORTED / $APP_S" "%.0f")
SHARE=$(f "100 * $APP_RATE_WALL / $RAW_RATE" "%.0f")
SQ_OK=$(( $(ge "$APP_RATE_WALL" 30000) & $(ge "$SHARE" 40) ))
DB_MB=$(f "$(stat -c %s "$SIMPUL_DATA_DIR/simpul.sqlite") / 1048576" "%.0f")
WAL_MB=$(f "$( (stat -c %s "$SIMPUL_DATA_DIR/simpul.sqlite-wal" 2>/dev/null || echo 0) ) / 1048576" "%.0f")
RAW_MB=$(f "$(stat -c %s "$RAW_DB") / 1048576" "%.0f")
printf "  %-34s %8s s  %10s rows/s  (%s MB file)\n" "sqlite3 .import (raw baseline)" "$RAW_S" "$(n "$RAW_RATE")" "$RAW_MB"
printf "  %-34s %8s s  %10s rows/s  = %s%% of raw  (%s MB file + %s MB WAL)\n" "simpul import --status active" "$APP_S" "$(n "$APP_RATE_WALL")" "$SHARE" "$DB_MB" "$WAL_MB"
echo "    inside simpul: one pass (check + write) $APP_TOTAL_S s (app says $(n "$APP_RATE") rows/s);" \
     "startup+exit $(f "$APP_S - $APP_TOTAL_S") s; $(n "$IMPORTED") new, $(n "$EXISTING") existing"
echo "  target ≥ 30,000 rows/s and ≥ 40% of raw: $(verdict $SQ_OK)"
record "import SQLite|$(n "$APP_RATE_WALL") rows/s ($SHARE% of raw)|sqlite3 .import $(n "$RAW_RATE") rows/s|≥ 30,000 rows/s and ≥ 40% of raw|$(verdict $SQ_OK)"
record "import SQLite, phases|check + write $APP_TOTAL_S s + start/exit $(f "$APP_S - $APP_TOTAL_S") s|raw $RAW_S s total||"
rm -f "$RAW_DB"
echo

# ---------------------------------------------------------------------------------------------
if [[ $SKIP_PG == 1 ]]; then
    echo "== 2. Import into PostgreSQL: skipped (SKIP_PG=1)"
    record "import PostgreSQL|skipped|||"
else
    echo "== 2. Import into PostgreSQL (load $(load))"
    [[ -x $PGBIN/initdb ]] || { echo "run.sh: no PostgreSQL binaries at PGBIN=$PGBIN" >&2; exit 2; }
    PGDATA=$WORK/pgdata
    mkdir -p "$PGDATA" && chown postgres: "$PGDATA"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale >"$WORK/initdb.log" 2>&1
    PG_STARTED=1
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA -c fsync=off" start >/dev/null
    PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE raw" -c "CREATE DATABASE simpul"
    "${PSQL[@]}" -d raw -c "CREATE TABLE members_raw (nama_lengkap text, nik text, tempat_lahir text, tanggal_lahir text,
        jenis_kelamin text, alamat text, rt text, rw text, kode_kelurahan text, no_hp text, pekerjaan text, status_perkawinan text)"
    t0=$(now)
    timeout "$IMPORT_TIMEOUT" "${PSQL[@]}" -d raw -c "COPY members_raw FROM STDIN CSV HEADER" <"$CSV"
    PG_RAW_S=$(f "$(now) - $t0" "%.3f")
    PG_RAW_N=$("${PSQL[@]}" -d raw -Atc "select count(*) from members_raw")
    PG_RAW_RATE=$(f "$PG_RAW_N / $PG_RAW_S" "%.0f")

    (
        export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/simpul?sslmode=disable"
        export SIMPUL_DATA_DIR=$WORK/pg-data   # the data key only
        prepare_simpul "$WORK/pg-setup.log"
    )
    t0=$(now)
    PG_RC=0
    DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/simpul?sslmode=disable" SIMPUL_DATA_DIR=$WORK/pg-data \
        timeout "$IMPORT_TIMEOUT" bash -c 'cd "$1/app" && exec "$2" import "$3" --as dpd --status active' _ "$WORK" "$SIMPUL_BIN" "$CSV" \
        >"$WORK/pg-import.log" 2>&1 || PG_RC=$?
    PG_APP_S=$(f "$(now) - $t0" "%.3f")
fi
if [[ $SKIP_PG != 1 && $PG_RC != 0 ]]; then
    # The failing statement is logged with every bind: show the first lines and the server's message only.
    PG_MSG=$(grep -o 'message: [^,]*' "$WORK/pg-import.log" | head -1 || true)
    PG_DONE=$("${PSQL[@]}" -d simpul -Atc "select count(*) from memberships" 2>/dev/null || echo "?")
    printf "  %-34s %8s s  %10s rows/s\n" "psql COPY FROM STDIN (raw baseline)" "$PG_RAW_S" "$(n "$PG_RAW_RATE")"
    printf "  %-34s FAILED after %s s (exit %s), %s memberships stored\n" "simpul import --status active" "$PG_APP_S" "$PG_RC" "$PG_DONE"
    grep -v '^\[ WARNING \]' "$WORK/pg-import.log" | cut -c1-200 | head -5 | sed 's/^/    /'
    [[ -n $PG_MSG ]] && echo "    server said: $PG_MSG"
    record "import PostgreSQL|FAILED (exit $PG_RC: ${PG_MSG:-see log})|psql COPY $(n "$PG_RAW_RATE") rows/s|(none; reported)|FAIL"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    PG_STARTED=0
elif [[ $SKIP_PG != 1 ]]; then
    parse_import "$WORK/pg-import.log"
    PG_APP_RATE=$(f "$IMPORTED / $PG_APP_S" "%.0f")
    PG_SHARE=$(f "100 * $PG_APP_RATE / $PG_RAW_RATE" "%.0f")
    PG_MB=$("${PSQL[@]}" -d simpul -Atc "select pg_database_size('simpul') / 1048576")
    printf "  %-34s %8s s  %10s rows/s\n" "psql COPY FROM STDIN (raw baseline)" "$PG_RAW_S" "$(n "$PG_RAW_RATE")"
    printf "  %-34s %8s s  %10s rows/s  = %s%% of raw  (%s MB database)\n" "simpul import --status active" "$PG_APP_S" "$(n "$PG_APP_RATE")" "$PG_SHARE" "$PG_MB"
    echo "    inside simpul: one pass (check + write) $APP_TOTAL_S s (app says $(n "$APP_RATE") rows/s);" \
         "startup+exit $(f "$PG_APP_S - $APP_TOTAL_S") s; $(n "$IMPORTED") new, $(n "$EXISTING") existing"
    record "import PostgreSQL|$(n "$PG_APP_RATE") rows/s ($PG_SHARE% of raw)|psql COPY $(n "$PG_RAW_RATE") rows/s|(none; reported)|–"
    record "import PostgreSQL, phases|check + write $APP_TOTAL_S s + start/exit $(f "$PG_APP_S - $APP_TOTAL_S") s|raw $PG_RAW_S s total||"
    # The card check on PostgreSQL too: PostgresNIO answers on the event loop, where SQLite
    # needs a trip to its thread pool and back for every query.
    CODES=$WORK/pg-codes.txt
    "${PSQL[@]}" -d simpul -Atc "select verify_code from memberships where verify_code is not null limit 1000" >"$CODES"
    (cd "$WORK/app" && DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/simpul?sslmode=disable" SIMPUL_DATA_DIR=$WORK/pg-data \
        exec "$SIMPUL_BIN" serve --hostname 127.0.0.1 --port "$PORT" --log warning) >"$WORK/pg-serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 600); do curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/health" 2>/dev/null && break; sleep 0.1; done
    curl -fsS --max-time 10 "http://127.0.0.1:$PORT/api/v1/public/kta/$(head -1 "$CODES")" | jq -e '.valid == true' >/dev/null \
        || { echo "a stored code does not check as valid on PostgreSQL" >&2; exit 1; }
    KTA_CODES=$CODES timeout 60 wrk -t2 -c"$WRK_CONNECTIONS" -d3s -s "$HERE/kta.lua" "http://127.0.0.1:$PORT/" >/dev/null
    wrk_run pg-kta "http://127.0.0.1:$PORT/" -s "$HERE/kta.lua"
    wrk_run pg-health "http://127.0.0.1:$PORT/health"
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    IFS='|' read -r PK_RPS PK_P99 PK_NON PK_ERR <<<"$(wrk_field pg-kta)"
    IFS='|' read -r PH_RPS PH_P99 PH_NON PH_ERR <<<"$(wrk_field pg-health)"
    printf "  %-40s %8s req/s  p99 %-9s non-2xx %s, socket errors: %s\n" "PostgreSQL: GET /health" "$(n "$PH_RPS")" "$PH_P99" "$PH_NON" "$PH_ERR"
    printf "  %-40s %8s req/s  p99 %-9s non-2xx %s, socket errors: %s\n" "PostgreSQL: GET /api/v1/public/kta/{code}" "$(n "$PK_RPS")" "$PK_P99" "$PK_NON" "$PK_ERR"
    echo "  target ≥ 5,000 req/s: $(verdict "$(ge "$PK_RPS" 5000)")"
    record "card check on PostgreSQL (wrk -c$WRK_CONNECTIONS, PostgreSQL on the same 2 cores)|$(n "$PK_RPS") req/s, p99 $PK_P99|/health $(n "$PH_RPS") req/s, p99 $PH_P99|≥ 5,000 req/s|$(verdict "$(ge "$PK_RPS" 5000)")"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    PG_STARTED=0
    rm -rf "$PGDATA"
fi
echo

# ---------------------------------------------------------------------------------------------
echo "== 3. Name search latency, $(n "$SQ_IMPORTED") members stored (SQLite; load $(load))"
unset DATABASE_URL
export SIMPUL_DATA_DIR=$WORK/sqlite-data
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "run.sh: port $PORT is already in use" >&2; exit 1; fi
(cd "$WORK/app" && exec "$SIMPUL_BIN" serve --hostname 127.0.0.1 --port "$PORT" --log warning) >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
BASE=http://127.0.0.1:$PORT
for i in $(seq 600); do
    curl -fsS -o /dev/null --max-time 2 "$BASE/health" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "simpul serve exited:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
    [[ $i == 600 ]] && { echo "simpul serve did not answer within 60 s" >&2; exit 1; }
    sleep 0.1
done
rss() { ps -o rss= -p "$SERVER_PID" | tr -d ' '; }
RSS_START=$(rss)
TOKEN=$(curl -fsS --max-time 30 -X POST "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"username":"dpd","password":"rahasia-123"}' | jq -r .token)
[[ $TOKEN == smp_* ]] || { echo "no token" >&2; exit 1; }
SEARCH_BUDGET=${SEARCH_BUDGET:-900}
timeout $((SEARCH_BUDGET + 300)) python3 "$HERE/search_latency.py" --port "$PORT" --token "$TOKEN" --count "$SEARCHES" \
    --budget "$SEARCH_BUDGET" | tee "$WORK/search.txt" | sed 's/^/  /'
P50=$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' "$WORK/search.txt")
P95=$(sed -n 's/.*p95_ms=\([0-9.]*\).*/\1/p' "$WORK/search.txt")
P99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' "$WORK/search.txt")
DONE=$(sed -n 's/^searches=\([0-9]*\).*/\1/p' "$WORK/search.txt")
SERR=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' "$WORK/search.txt")
SEARCH_OK=$(le "$P95" 50)
echo "  target p95 ≤ 50 ms: $(verdict $SEARCH_OK)"
record "name search ($DONE requests, $SERR errors)|p50 $P50 ms, p95 $P95 ms, p99 $P99 ms|–|p95 ≤ 50 ms|$(verdict $SEARCH_OK)"
echo

# ---------------------------------------------------------------------------------------------
echo "== 4. Card check throughput (wrk -t2 -c$WRK_CONNECTIONS -d$WRK_DURATION), same server (load $(load))"
CODES=$WORK/codes.txt
sqlite3 "$SIMPUL_DATA_DIR/simpul.sqlite" "select verify_code from memberships where verify_code is not null limit 1000" >"$CODES"
NCODES=$(wc -l <"$CODES")
[[ $NCODES -gt 0 ]] || { echo "no verify codes stored" >&2; exit 1; }
# Sanity: a stored code is a valid card, an unknown one is not.
curl -fsS --max-time 10 "$BASE/api/v1/public/kta/$(head -1 "$CODES")" | jq -e '.valid == true' >/dev/null \
    || { echo "a stored code does not check as valid" >&2; exit 1; }
RSS_IDLE=$(rss)
# a short warm-up of both routes, not counted
KTA_CODES=$CODES timeout 60 wrk -t2 -c"$WRK_CONNECTIONS" -d3s -s "$HERE/kta.lua" "$BASE/" >/dev/null
timeout 60 wrk -t2 -c"$WRK_CONNECTIONS" -d3s "$BASE/health" >/dev/null
wrk_run health "$BASE/health"
RSS_AFTER_HEALTH=$(rss)
wrk_run kta "$BASE/" -s "$HERE/kta.lua"
RSS_AFTER=$(rss)
# The framework's own ceiling on this machine: a plain Vapor hello-world from the same binary
# (`simpul bench-hello`: no database, no Simpul middleware), run while the server idles.
HELLO_PORT=$((PORT + 1))
(cd "$WORK/app" && exec "$SIMPUL_BIN" bench-hello --port "$HELLO_PORT" --log warning) >"$WORK/hello.log" 2>&1 &
HELLO_PID=$!
for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$HELLO_PORT/hello" && break; sleep 0.1; done
timeout 60 wrk -t2 -c"$WRK_CONNECTIONS" -d3s "http://127.0.0.1:$HELLO_PORT/hello" >/dev/null
wrk_run hello "http://127.0.0.1:$HELLO_PORT/hello"
kill "$HELLO_PID" 2>/dev/null; wait "$HELLO_PID" 2>/dev/null || true
IFS='|' read -r H_RPS H_P99 H_NON H_ERR <<<"$(wrk_field health)"
IFS='|' read -r K_RPS K_P99 K_NON K_ERR <<<"$(wrk_field kta)"
IFS='|' read -r V_RPS V_P99 V_NON V_ERR <<<"$(wrk_field hello)"
KTA_OK=$(ge "$K_RPS" 5000)
printf "  %-40s %8s req/s  p99 %-9s non-2xx %s, socket errors: %s\n" "plain Vapor hello-world (bench-hello)" "$(n "$V_RPS")" "$V_P99" "$V_NON" "$V_ERR"
printf "  %-40s %8s req/s  p99 %-9s non-2xx %s, socket errors: %s\n" "GET /health (baseline: route + SELECT 1)" "$(n "$H_RPS")" "$H_P99" "$H_NON" "$H_ERR"
printf "  %-40s %8s req/s  p99 %-9s non-2xx %s, socket errors: %s  = %s%% of /health\n" "GET /api/v1/public/kta/{code} ($NCODES codes)" "$(n "$K_RPS")" "$K_P99" "$K_NON" "$K_ERR" "$(f "100 * $K_RPS / $H_RPS" "%.0f")"
echo "  target ≥ 5,000 req/s: $(verdict $KTA_OK)"
echo "  server RSS: $(mib "$RSS_START") MiB after start, $(mib "$RSS_IDLE") MiB idle before load (after searches)," \
     "$(mib "$RSS_AFTER_HEALTH") MiB after /health load, $(mib "$RSS_AFTER") MiB after card load"
record "card check (wrk -c$WRK_CONNECTIONS)|$(n "$K_RPS") req/s, p99 $K_P99|/health $(n "$H_RPS") req/s, p99 $H_P99; plain Vapor hello-world $(n "$V_RPS") req/s|≥ 5,000 req/s|$(verdict $KTA_OK)"
record "server RSS|$(mib "$RSS_IDLE") MiB idle → $(mib "$RSS_AFTER") MiB after load|$(mib "$RSS_START") MiB right after start||"
grep -v '^\s*$' "$WORK/serve.log" | grep -iv 'password\|kata sandi' | tail -5 | sed 's/^/  serve log: /' || true
echo

# ---------------------------------------------------------------------------------------------
echo "== Summary ($(n "$N") members; load at the end $(load); busy processes: $(others))"
echo "| measure | Simpul | baseline, same run | target | result |"
echo "|---|---|---|---|---|"
for line in "${SUMMARY[@]}"; do echo "| ${line//|/ | } |"; done
