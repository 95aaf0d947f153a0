#!/usr/bin/env bash
# Installs what building and testing widget-consumer needs, and checks what it cannot install.
# Idempotent: when everything is already there it changes nothing and touches no network.
# Prints one line per missing thing; exits non-zero when something needed is still missing.
# `install_deps.sh --print-python` only prints the python that the integration tests use.
# `install_deps.sh --build-only` installs only what building the binaries needs (the container
# image's build stage uses it).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

readonly build_packages=(
  cmake ninja-build g++ pkg-config libcurl4-openssl-dev libssl-dev nlohmann-json3-dev
  libpugixml-dev libspdlog-dev libfmt-dev libcli11-dev libcpp-httplib-dev ccache
)
readonly apt_packages=(
  "${build_packages[@]}" libgtest-dev googletest libbenchmark-dev
  # clang 14 and its runtimes for scripts/fuzz.sh; Java for DynamoDB Local; ab, wrk and time for
  # bench/; openssl makes the TLS test's self-signed certificate
  clang libclang-rt-14-dev openjdk-17-jre-headless apache2-utils time wrk openssl
  # scripts/container_test.sh builds and runs the image with podman on runc, from a base image
  # made with debootstrap
  podman runc debootstrap
)

log() { printf 'install_deps: %s\n' "$*" >&2; }

# Runs a command as root: directly when we are root, through sudo when it exists.
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    log "not root and no sudo: cannot run '$*'"
    return 1
  fi
}

# missing_apt_packages PACKAGE...: the ones not installed, one a line.
missing_apt_packages() {
  local pkg status
  for pkg in "$@"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == "install ok installed" ]] || printf '%s\n' "$pkg"
  done
}

# install_apt_packages PACKAGE...
install_apt_packages() {
  local missing
  mapfile -t missing < <(missing_apt_packages "$@")
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "Debian packages: all present"
    return 0
  fi
  log "Debian packages missing: ${missing[*]}; installing"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# node_modules is "outdated" when package.json or the lock file is newer than npm's own marker.
install_npm_packages() {
  local dir="$repo_root/tests"
  [[ -f "$dir/package.json" ]] || return 0
  if ! command -v npm >/dev/null 2>&1; then
    log "MISSING: npm (needed for $dir/package.json)"
    return 1
  fi
  local marker="$dir/node_modules/.package-lock.json"
  if [[ -f "$marker" && "$marker" -nt "$dir/package.json" \
        && ( ! -f "$dir/package-lock.json" || "$marker" -nt "$dir/package-lock.json" ) ]]; then
    log "npm packages in tests/: up to date"
    return 0
  fi
  log "npm packages in tests/: installing"
  if [[ -f "$dir/package-lock.json" ]]; then
    npm ci --prefix "$dir" --no-audit --no-fund
  else
    npm install --prefix "$dir" --no-audit --no-fund
  fi
}

# The integration tests need a Python with boto3 and moto's server. They come with the machine
# (pyenv); they cannot be installed here, so we only check and say clearly what is missing.
find_test_python() {
  local candidate
  for candidate in "${WC_PYTHON:-}" "$(command -v python3 || true)" /root/.pyenv/shims/python3; do
    [[ -n "$candidate" && -x "$candidate" ]] || continue
    # Print the real interpreter, not a pyenv shim, so that its pid is the server's pid.
    if "$candidate" -c 'import boto3, sys; print(sys.executable)' 2>/dev/null; then
      return 0
    fi
  done
  return 1
}

check_test_tools() {
  local ok=0 python
  if python="$(find_test_python)"; then
    log "python with boto3: $python"
    if ! "$python" -c 'import moto.server' >/dev/null 2>&1 && ! command -v moto_server >/dev/null 2>&1 \
       && [[ ! -x /root/.pyenv/shims/moto_server ]]; then
      log "MISSING: moto server (neither '$python -m moto.server' nor moto_server works)"
      ok=1
    fi
  else
    log "MISSING: a python3 that can 'import boto3' (tried \$WC_PYTHON, python3 on PATH, /root/.pyenv/shims/python3)"
    ok=1
  fi
  return "$ok"
}

main() {
  if [[ "${1:-}" == "--print-python" ]]; then
    find_test_python
    return
  fi
  if [[ "${1:-}" == "--build-only" ]]; then
    install_apt_packages "${build_packages[@]}"
    return
  fi
  local status=0
  install_apt_packages "${apt_packages[@]}" || status=1
  install_npm_packages || status=1
  check_test_tools || status=1
  if [[ $status -ne 0 ]]; then
    log "some dependencies are missing (see above)"
  fi
  return "$status"
}

main "$@"
