#!/usr/bin/env bash
# Fault runs: the server or the database dies at a bad moment, and afterwards the data is
# exactly right.
#   faults/run.sh import     kill -9 during a CSV import, then re-run: no partial chunk, exact rows;
#                            the import is big enough (60,000 into an empty list) to build its
#                            secondary indexes at the end, so the kill also leaves them missing
#   faults/run.sh tally      kill -9 during tally ingest: every acknowledged tally is stored
#   faults/run.sh pg-restart PostgreSQL restarted under load: the app recovers on its own
#                            (needs FAULT_PG_URL, e.g. postgres://postgres@127.0.0.1:54329/postgres,
#                            and FAULT_PG_RESTART, a command that restarts that server)
# With no argument: import and tally (SQLite), and pg-restart when FAULT_PG_URL is set.
# SIMPUL_BIN defaults to .build/debug/simpul. Needs sqlite3 and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(pwd)/${SIMPUL_BIN:-.build/debug/simpul}"
ROWS="${FAULT_ROWS:-60000}"
WORK=$(mktemp -d /tmp/simpul-faults.XXXXXX)
SERVER=""
cleanup() { [ -n "$SERVER" ] && { kill -9 "$SERVER"; wait "$SERVER"; } 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAULT RUN FAILED: $*"; exit 1; }
q() { sqlite3 "$WORK/data/simpul.sqlite" "$1"; }

start_server() { # port, log
  "$BIN" serve --hostname 127.0.0.1 --port "$1" >>"$2" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0; sleep 0.25; done
  fail "server did not start (see $2)"
}

import_fault() {
  echo "== kill -9 during an import of $ROWS members"
  export SIMPUL_DATA_DIR="$WORK/data"
  rm -rf "$WORK/data"
  python3 bench/gen_members.py --rows "$ROWS" --out "$WORK/members.csv" --seed 7 >/dev/null
  "$BIN" admin create importir --role pengurus --unit 36.73 --password importir-rahasia >/dev/null 2>&1
  "$BIN" import "$WORK/members.csv" --as importir --status active --chunk 1000 >"$WORK/import1.log" 2>&1 &
  local pid=$!
  # Wait until some chunks are in, then kill in the middle of the write pass.
  for _ in $(seq 1 600); do
    local done_rows; done_rows=$(q "SELECT COALESCE(MAX(processed_rows),0) FROM import_batches" 2>/dev/null || echo 0)
    [ "${done_rows:-0}" -ge 3000 ] && break
    sleep 0.1
  done
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  local members people processed tokens_orphans
  members=$(q "SELECT COUNT(*) FROM memberships")
  people=$(q "SELECT COUNT(*) FROM people")
  processed=$(q "SELECT processed_rows FROM import_batches")
  tokens_orphans=$(q "SELECT COUNT(*) FROM name_tokens t LEFT JOIN people p ON p.id = t.person_id WHERE p.id IS NULL")
  echo "killed with $members memberships, $people people, batch progress $processed"
  [ "$members" -gt 0 ] && [ "$members" -lt "$ROWS" ] || fail "the kill did not land mid-import ($members of $ROWS)"
  [ $((members % 1000)) -eq 0 ] || fail "a partial chunk was written: $members memberships"
  [ "$members" -eq "$people" ] || fail "people without membership: $people people, $members memberships"
  [ "$members" -eq "$processed" ] || fail "batch progress $processed disagrees with $members rows stored"
  [ "$tokens_orphans" -eq 0 ] || fail "$tokens_orphans name tokens without a person"
  local suspended
  suspended=$(q "SELECT COUNT(*) FROM suspended_indexes")
  echo "secondary indexes set aside by the killed import: $suspended"
  [ "$suspended" -gt 0 ] || fail "a bulk import should have recorded the indexes it set aside"
  [ "$(q "SELECT COUNT(*) FROM sqlite_master WHERE name = 'name_tokens_search_idx'")" -eq 0 ] || fail "the search index should be set aside"
  "$BIN" import "$WORK/members.csv" --as importir --status active --chunk 1000 >"$WORK/import2.log" 2>&1 || { cat "$WORK/import2.log"; fail "re-run failed"; }
  members=$(q "SELECT COUNT(*) FROM memberships")
  local distinct numbers
  distinct=$(q "SELECT COUNT(DISTINCT nik_index) FROM people")
  numbers=$(q "SELECT COUNT(DISTINCT number) FROM memberships")
  echo "after the re-run: $members memberships, $distinct distinct NIK, $numbers distinct KTA numbers"
  [ "$members" -eq "$ROWS" ] && [ "$distinct" -eq "$ROWS" ] && [ "$numbers" -eq "$ROWS" ] || fail "expected exactly $ROWS members"
  [ "$(q "SELECT COUNT(*) FROM suspended_indexes")" -eq 0 ] || fail "indexes still set aside after the re-run"
  [ "$(q "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('name_tokens_search_idx', 'name_tokens_person_idx', 'people_phone_idx', 'people_name_idx', 'people_scope_idx', 'memberships_scope_status_idx')")" -eq 6 ] \
    || fail "the secondary indexes were not built again"
  [ "$(q "PRAGMA integrity_check")" = "ok" ] || fail "integrity_check failed"
  echo "import fault: ok"
}

tally_fault() {
  echo "== kill -9 during tally ingest"
  export SIMPUL_DATA_DIR="$WORK/tally"
  rm -rf "$WORK/tally"
  "$BIN" bench-tally setup --stations 5000 --dapils 20 --assign 5000 --out "$WORK/tally.txt" >/dev/null 2>&1
  start_server 8087 "$WORK/tally-server.log"
  python3 - "$WORK/tally.txt" "$WORK/acked.txt" <<'PY' &
import json, sys, threading, urllib.request, urllib.error
lines = open(sys.argv[1]).read().split()
token, stations = lines[0], lines[1:]
acked, lock = [], threading.Lock()
body = {"votersPresent": 200, "validVotes": 190, "invalidVotes": 10, "parties": {"1": 100, "2": 60, "3": 30}}
def worker(k):
    for i in range(k, len(stations), 16):
        data = dict(body, clientRef=f"fault-{i}")
        req = urllib.request.Request(f"http://127.0.0.1:8087/api/v1/tally/{stations[i]}", data=json.dumps(data).encode(),
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status in (200, 201):
                    with lock: acked.append(stations[i])
        except Exception:
            return  # the server is gone
threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
for t in threads: t.start()
for t in threads: t.join()
open(sys.argv[2], "w").write("\n".join(acked))
PY
  local client=$!
  sleep 3
  { kill -9 "$SERVER"; wait "$SERVER"; } 2>/dev/null || true; SERVER=""
  wait "$client" || true
  local acked stored missing
  acked=$(grep -c . "$WORK/acked.txt" || true)
  [ "$acked" -gt 0 ] || fail "no tally was acknowledged before the kill"
  start_server 8087 "$WORK/tally-server.log"   # a restart must open the database cleanly
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  # The statements go through stdin: thousands of acknowledged tallies are more than one
  # command-line argument may hold ("Argument list too long").
  { echo "CREATE TEMP TABLE acked(id TEXT);"
    sed "s/.*/INSERT INTO acked VALUES (upper('&'));/" "$WORK/acked.txt"
    echo "SELECT COUNT(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM tally_submissions s WHERE upper(s.polling_station_id) = a.id);"
  } | sqlite3 "$WORK/tally/simpul.sqlite" > "$WORK/missing.txt"
  missing=$(cat "$WORK/missing.txt")
  stored=$(sqlite3 "$WORK/tally/simpul.sqlite" "SELECT COUNT(*) FROM tally_submissions")
  echo "acknowledged before the kill: $acked; stored: $stored; acknowledged but missing: $missing"
  [ "$missing" -eq 0 ] || fail "$missing acknowledged tallies were lost"
  echo "tally fault: ok"
}

pg_restart_fault() {
  echo "== PostgreSQL restarted under load"
  [ -n "${FAULT_PG_URL:-}" ] && [ -n "${FAULT_PG_RESTART:-}" ] || fail "set FAULT_PG_URL and FAULT_PG_RESTART"
  export DATABASE_URL="$FAULT_PG_URL" SIMPUL_DATA_DIR="$WORK/pg"
  mkdir -p "$WORK/pg"
  start_server 8086 "$WORK/pg-server.log"
  local password token
  password=$(sed -n 's/.*Kata sandi *: *//p' "$WORK/pg-server.log" | head -1)
  [ -n "$password" ] || password="${FAULT_ADMIN_PASSWORD:-}"
  token=$(curl -fs -X POST http://127.0.0.1:8086/api/v1/auth/token -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local pid_before=$SERVER
  python3 - "$token" "$WORK/pg-load.txt" <<'PY' &
import sys, threading, time, urllib.request
token, out = sys.argv[1:3]
stop = time.time() + 20
results, lock = [], threading.Lock()
def worker():
    while time.time() < stop:
        t = time.time()
        try:
            req = urllib.request.Request("http://127.0.0.1:8086/api/v1/people?per=10", headers={"Authorization": "Bearer " + token})
            with urllib.request.urlopen(req, timeout=5) as r: ok = r.status == 200
        except Exception:
            ok = False
        with lock: results.append((t, time.time(), ok))
        time.sleep(0.01)
threads = [threading.Thread(target=worker) for _ in range(8)]
for th in threads: th.start()
for th in threads: th.join()
with open(out, "w") as f:
    for t, end, ok in sorted(results): f.write(f"{t:.3f} {end:.3f} {int(ok)}\n")
PY
  local load=$!
  sleep 5
  local restarted_at; restarted_at=$(date +%s.%N)
  eval "$FAULT_PG_RESTART" >/dev/null
  wait "$load"
  kill -0 "$pid_before" || fail "the app died when PostgreSQL restarted"
  python3 - "$WORK/pg-load.txt" "$restarted_at" <<'PY'
import sys
rows = [(float(t), float(end), ok == "1") for t, end, ok in (l.split() for l in open(sys.argv[1]))]
t0 = float(sys.argv[2])
# A request still in flight when PostgreSQL goes down may fail with it; only requests that
# finished before the restart must all have succeeded.
before = [ok for t, end, ok in rows if end < t0]
after = [(t, ok) for t, end, ok in rows if end >= t0]
failed = [t for t, ok in after if not ok]
last_failure = max(failed) if failed else t0
tail = [ok for t, ok in after if t > last_failure]
print(f"requests: {len(rows)}; before the restart {sum(before)}/{len(before)} ok; "
      f"after it {len(failed)} failed, last failure {last_failure - t0:.1f} s after the restart, then {sum(tail)}/{len(tail)} ok")
assert all(before), "requests failed before the restart"
assert len(tail) >= 50 and all(tail), "the app did not recover without a restart of its own"
assert last_failure - t0 < 10, "recovery took longer than 10 s"
PY
  echo "pg-restart fault: ok"
}

case "${1:-all}" in
  import) import_fault ;;
  tally) tally_fault ;;
  pg-restart) pg_restart_fault ;;
  all) import_fault; tally_fault; [ -z "${FAULT_PG_URL:-}" ] || pg_restart_fault ;;
  *) fail "unknown fault run: $1" ;;
esac
