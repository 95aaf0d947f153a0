#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan+UBSan). For each target it first
# replays every input of its checked-in corpus (fuzz/corpus/<target>/) once, then fuzzes from
# there for a bounded time. Fails on any crash, leak, sanitizer report or timeout, and prints
# how to reproduce it. Targets run `-j` at a time (default 2, one per core).
#
#   scripts/fuzz.sh                      every target, 20 s each
#   scripts/fuzz.sh -t 5                 5 s each (what CI uses, after the full replay)
#   scripts/fuzz.sh -t 0                 replay the corpus only
#   scripts/fuzz.sh fuzz_s3_list ...     only these targets
#
# What a run finds stays in build/fuzz/corpus/<target>/ (kept between runs, never committed);
# crash inputs go to build/fuzz/artifacts/. Add a found crash to fuzz/corpus/<target>/ and a
# plain unit test (tests/unit/fuzz_regression_test.cpp) once it is fixed.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

seconds=20
jobs=2
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -t|--time) seconds="${2:?-t needs seconds}"; shift 2 ;;
    -j|--jobs) jobs="${2:?-j needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
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

# fuzz_one TARGET: replays the checked-in corpus, then fuzzes; prints one line; exit 1 on a find.
fuzz_one() {
  local target="$1" binary="$build_dir/fuzz/$1" status=0 runs rate
  local work_corpus="$build_dir/corpus/$target" artifacts="$build_dir/artifacts/$target/"
  local output="$build_dir/$target.log"
  mkdir -p "$work_corpus" "$artifacts"
  local -a common=(-timeout="$k_per_input_timeout_s" -rss_limit_mb="$k_rss_limit_mb"
                   -artifact_prefix="$artifacts")
  "$binary" "${common[@]}" -runs=0 "fuzz/corpus/$target" >"$output" 2>&1 || status=$?
  if [[ $status -eq 0 && $seconds -gt 0 ]]; then
    "$binary" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -dict="$(dictionary_for "$target")" "$work_corpus" "fuzz/corpus/$target" \
      >>"$output" 2>&1 || status=$?
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$output")
  rate=$(( ${runs:-0} / (seconds > 0 ? seconds : 1) ))
  if [[ $status -eq 0 ]]; then
    log "$target: ok, corpus of $(ls "fuzz/corpus/$target" | wc -l) replayed, ${runs:-0} inputs in ${seconds} s (~${rate}/s)"
    return 0
  fi
  log "$target: FAILED (exit $status); last lines of $output:"
  grep -E "ERROR|SUMMARY|property failed|Test unit written|^0x" "$output" | tail -n 8 >&2 || true
  log "reproduce with: $binary <the crash file above>"
  return 1
}

for target in "${targets[@]}"; do
  [[ -x "$build_dir/fuzz/$target" ]] || { log "no fuzzer named $target (looked for $build_dir/fuzz/$target)"; exit 2; }
done
failed=0
running=0
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done
exit "$failed"
