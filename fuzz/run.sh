#!/usr/bin/env bash
# Builds the libFuzzer targets (swiftc -sanitize=fuzzer,address) and runs each for a
# bounded time: `fuzz/run.sh [seconds per target]` (default 60). Crashes are written to
# fuzz/crashes/ (git-ignored) and make the script fail. Corpus seeds come from fuzz/seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-60}"
OUT=.build/fuzz
mkdir -p "$OUT" fuzz/crashes
CORE=(Sources/SimpulCore/*.swift)

build() { # name, sources…
  local name=$1; shift
  echo "== build $name"
  # The gold linker warns about ASan's local symbols; show its output only when the build fails.
  swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name "Fuzz$name" "$@" -o "$OUT/$name" \
    >"$OUT/$name.build.log" 2>&1 || { cat "$OUT/$name.build.log"; exit 1; }
}
build nik "${CORE[@]}" fuzz/NIKFuzz.swift
build csv "${CORE[@]}" fuzz/CSVImportFuzz.swift

status=0
for target in nik csv; do
  corpus="$OUT/corpus-$target"
  mkdir -p "$corpus"
  cp fuzz/seeds/$target/* "$corpus/" 2>/dev/null || true
  echo "== fuzz $target for ${SECONDS_PER_TARGET}s"
  if ! "$OUT/$target" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 \
       -artifact_prefix=fuzz/crashes/$target- -print_final_stats=1 2>"$OUT/$target.log"; then
    status=1
    tail -40 "$OUT/$target.log"
  else
    grep -E "stat::number_of_executed_runs|stat::new_units_added|cov:" "$OUT/$target.log" | tail -3
  fi
done
exit $status
