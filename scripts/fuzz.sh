#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan+UBSan) and runs each one for a
# bounded time from its checked-in seed corpus (fuzz/corpus/<target>/). Fails on the first
# crash, leak, sanitizer report or timeout, and prints how to reproduce it.
#
#   scripts/fuzz.sh                      every target, 20 s each
#   scripts/fuzz.sh -t 15                15 s each (what CI uses)
#   scripts/fuzz.sh fuzz_s3_list ...     only these targets
#
# What a run finds stays in build/fuzz/corpus/<target>/ (kept between runs, never committed);
# crash inputs go to build/fuzz/artifacts/. Add a found crash to fuzz/corpus/<target>/ and a
# plain unit test (tests/unit/fuzz_regression_test.cpp) once it is fixed.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

seconds=20
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -t|--time) seconds="${2:?-t needs seconds}"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

readonly k_per_input_timeout_s=10   # one input taking longer is a hang
readonly k_rss_limit_mb=2048
build_dir="$repo_root/build/fuzz"

log() { printf 'fuzz.sh: %s\n' "$*" >&2; }

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

if [[ ${#targets[@]} -eq 0 ]]; then
  for source in fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi

dictionary_for() {
  case "$1" in
    fuzz_s3_*) echo "fuzz/dict/xml.dict" ;;
    *) echo "fuzz/dict/json.dict" ;;
  esac
}

failed=0
for target in "${targets[@]}"; do
  binary="$build_dir/fuzz/$target"
  [[ -x "$binary" ]] || { log "no fuzzer named $target (looked for $binary)"; exit 2; }
  work_corpus="$build_dir/corpus/$target"
  artifacts="$build_dir/artifacts/$target/"
  mkdir -p "$work_corpus" "$artifacts"
  output="$build_dir/$target.log"
  status=0
  "$binary" -max_total_time="$seconds" -timeout="$k_per_input_timeout_s" \
    -rss_limit_mb="$k_rss_limit_mb" -print_final_stats=1 -dict="$(dictionary_for "$target")" \
    -artifact_prefix="$artifacts" "$work_corpus" "fuzz/corpus/$target" >"$output" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$output")
  rate=$(( ${runs:-0} / (seconds > 0 ? seconds : 1) ))
  if [[ $status -eq 0 ]]; then
    log "$target: ok, ${runs:-?} inputs in ${seconds} s (~${rate}/s)"
  else
    failed=1
    log "$target: FAILED (exit $status); last lines of $output:"
    grep -E "ERROR|SUMMARY|property failed|Test unit written|^0x" "$output" | tail -n 8 >&2 || true
    log "reproduce with: $binary <the crash file above>"
  fi
done
exit "$failed"
