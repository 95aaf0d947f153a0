#!/usr/bin/env bash
# The whole job on one machine with no cloud and no server: installs what is missing, builds,
# generates requests into requests/ with widget-producer, and consumes them into widget-store/
# with widget-consumer (logs in logs/, rejected requests in dead-letters/).
#
#   scripts/run_local.sh [COUNT]      default 1000 requests
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

count="${1:-1000}"
scripts/install_deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
build/release/widget-producer --requests-dir requests --count "$count"
build/release/widget-consumer --idle-timeout 2
echo "run_local.sh: widgets are in widget-store/widgets/, the log in logs/$(date -u +%F).log"
