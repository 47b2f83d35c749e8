#!/usr/bin/env bash
# Every benchmark the issues name, in one command, each figure printed next to its baseline
# from the same run:
#   bench/all.sh                  # 1,000,000 members (Banten scale), 820,000 TPS, 60 s loads
#   ROWS=100000 bench/all.sh      # a quicker run
# 1. membership (bench/run.sh): import vs sqlite3 .import and psql COPY, name search p95,
#    card check vs /health, RSS
# 2. electoral (bench/electoral.sh): seat engine 2,700 dapil × 18 parties, tally ingest vs
#    /health, roll-up over 820,000 TPS on PostgreSQL
# 3. load (bench/load.sh): 60 s of wrk -c64 on search, card check, new person and tally, on
#    SQLite and PostgreSQL, zero errors required, RSS idle and under load
# Builds the release binaries first if they are missing. SKIP_PG=1 leaves PostgreSQL out.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
if [[ ! -x $REPO/.build-release/release/simpul || ! -x $REPO/.build-release/release/simpul-bench ]]; then
  (cd "$REPO" && swift build -c release --scratch-path .build-release)
fi
export ROWS=${ROWS:-1000000}
export MEMBERS=${MEMBERS:-$ROWS}
rc=0
"$HERE/run.sh" || rc=1
"$HERE/electoral.sh" || rc=1
"$HERE/load.sh" || rc=1
exit $rc
