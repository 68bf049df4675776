#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (ASan + libFuzzer, release) and runs each one in turn for
# SECONDS (default 30) from its seed corpus Fuzz/Corpus/<target>/, one process at a time.
#   Scripts/fuzz.sh [SECONDS] [TARGET...]       e.g. Scripts/fuzz.sh 1200 FuzzPNG FuzzJPEG
# Environment: FUZZ_RUNS=N also stops a target after N executions (the campaign used 1000000);
# FUZZ_WORK=DIR is the scratch folder (default Fuzz/.build/fuzz-work, outside git) for the inputs
# libFuzzer discovers, its logs and any crashing input (the committed seeds are never written).
# Prints one line per target (executions, exec/s, result); exits 1 if any target crashed, leaked,
# timed out or ran out of memory, naming the input it kept.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-30}"
shift $(( $# > 0 ? 1 : 0 ))
ALL=(FuzzPNG FuzzJPEG FuzzSafetensors FuzzTorchZip FuzzTorchLegacy FuzzPickle FuzzNCNN FuzzNumPy
     FuzzManifest FuzzRecipe)
[[ $# -gt 0 ]] && TARGETS=("$@") || TARGETS=("${ALL[@]}")
WORK="${FUZZ_WORK:-Fuzz/.build/fuzz-work}"
SCRATCH=Fuzz/.build/fuzz
FLAGS=(-c release --package-path Fuzz --scratch-path "$SCRATCH"
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)

mkdir -p "$WORK"
build_start=$(date +%s)
if ! swift build "${FLAGS[@]}" >"$WORK/build.log" 2>&1; then
  tail -20 "$WORK/build.log"; echo "fuzz build failed (log: $WORK/build.log)"; exit 1
fi
BIN="$(swift build "${FLAGS[@]}" --show-bin-path)"
echo "fuzz build: $(( $(date +%s) - build_start )) s"

# libFuzzer reports traps itself (with the ASan stack) when the Swift runtime's backtracer is off.
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
status=0
printf '%-16s %12s %9s %7s %8s  %s\n' target executions exec/s time corpus result
for t in "${TARGETS[@]}"; do
  dir="$WORK/$t"
  mkdir -p "$dir/corpus"
  rm -f "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* "$dir"/slow-unit-*
  extra=()
  [[ -n "${FUZZ_RUNS:-}" ]] && extra+=(-runs="$FUZZ_RUNS")
  start=$(date +%s)
  "$BIN/$t" "$dir/corpus" "Fuzz/Corpus/$t" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=4096 \
    -malloc_limit_mb=4096 -timeout=20 -print_final_stats=1 -artifact_prefix="$dir/" "${extra[@]}" \
    >"$dir/log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  corpus=$(find "$dir/corpus" "Fuzz/Corpus/$t" -type f | wc -l)
  artifact=$(ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | head -1)
  if [[ $rc -eq 0 && -z "$artifact" ]]; then
    result=ok
  else
    status=1
    kind=$(grep -m1 -o 'ERROR: [A-Za-z]*: [a-z-]*\|ERROR: libFuzzer: [a-z-]*' "$dir/log" || true)
    result="FAILED (exit $rc${kind:+, $kind}) input kept: ${artifact:-none}, log: $dir/log"
  fi
  printf '%-16s %12s %9s %6ss %8s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "$elapsed" "$corpus" "$result"
done
exit $status
