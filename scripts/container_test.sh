#!/usr/bin/env bash
# Builds the widget-consumer container image from the Dockerfile and smoke-tests it against moto
# (S3 -> S3 and SQS -> DynamoDB): the widgets stored, the JSON log lines on stdout, /readyz and
# /metrics reached from outside the container. CI runs it after scripts/test.sh.
#
#   scripts/container_test.sh               base image (cached), image build, smoke test
#   scripts/container_test.sh --build-only  base image and image build only
#
# No registry is reachable here, so the Debian base images are made locally: a debootstrap
# minbase bookworm root from the mirror apt uses, trimmed, imported into podman and tagged as
# debian:bookworm and debian:bookworm-slim. Its tar is cached (WC_CONTAINER_CACHE, default
# /var/cache/widget-consumer; delete the tar to refresh it), so later runs import it in about a
# second, and podman's layer cache and a ccache mount make a rebuild cheap.
#
# Environment: WC_IMAGE (default localhost/widget-consumer:test), WC_CONTAINER_CACHE,
# WC_MOTO_ENDPOINT (a running moto; otherwise the smoke test starts its own), WC_PYTHON.
# Needs root (podman, debootstrap) and the Debian packages podman, runc and debootstrap
# (scripts/install_deps.sh installs them).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# runc instead of crun, and ulimits root may set on this machine (see the file).
export CONTAINERS_CONF="$repo_root/scripts/container/containers.conf"

readonly image="${WC_IMAGE:-localhost/widget-consumer:test}"
readonly cache_dir="${WC_CONTAINER_CACHE:-/var/cache/widget-consumer}"
readonly base_tar="$cache_dir/debian-bookworm-minbase.tar"
readonly base_slim="docker.io/library/debian:bookworm-slim"
readonly base_full="docker.io/library/debian:bookworm"

log() { printf 'container_test: [%3d s] %s\n' "$SECONDS" "$*" >&2; }

# The Debian mirror apt uses on this machine (deb822 or one-line sources), else Debian's CDN.
apt_mirror() {
  local mirror=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    mirror="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
    mirror="$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)"
  fi
  printf '%s\n' "${mirror:-http://deb.debian.org/debian}"
}

# A minbase bookworm root as the official images have it: apt sources with updates and security,
# no documentation installed later (dpkg path excludes), no package caches or lists.
make_base_tar() {
  local mirror root
  mirror="$(apt_mirror)"
  root="$(mktemp -d /var/tmp/wc-bookworm-root.XXXXXX)"
  # shellcheck disable=SC2064  # the path is fixed now
  trap "rm -rf '$root' '$root.log' '$base_tar.tmp'" EXIT
  log "debootstrap --variant=minbase bookworm from $mirror (takes a minute or two, once)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
    tail -n 30 "$root.log" >&2
    rm -rf "$root" "$root.log"
    return 1
  }
  rm -f "$root.log" "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$root/etc/dpkg/dpkg.cfg.d/excludes" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
         "$root"/var/log/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  mkdir -p "$cache_dir"
  tar --numeric-owner -C "$root" -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"
  rm -rf "$root"
  trap - EXIT
  log "base root cached as $base_tar ($(du -h "$base_tar" | cut -f1))"
}

ensure_base_images() {
  if podman image exists "$base_slim" && podman image exists "$base_full"; then
    return 0
  fi
  [[ -f "$base_tar" ]] || make_base_tar
  log "importing $base_tar as $base_slim and $base_full"
  podman import --quiet "$base_tar" "$base_slim" >/dev/null
  podman tag "$base_slim" "$base_full"
}

# The build's output (apt and compiler progress) goes to a file, shown when the build fails.
build_image() {
  local build_log="${TMPDIR:-/tmp}/widget-consumer-image-build.log"
  log "building $image (output in $build_log)"
  if ! podman build --pull=never --network host --tag "$image" --file Dockerfile . \
         >"$build_log" 2>&1; then
    tail -n 60 "$build_log" >&2
    log "the image build failed; its whole output is in $build_log"
    return 1
  fi
  log "build steps taken from the cache: $(grep -c '^--> Using cache' "$build_log" || true)"
  log "image $image: $(podman image inspect --format '{{.Size}}' "$image" |
                       awk '{printf "%.1f MB", $1 / 1e6}')"
  # Every source change leaves the previous image and build stage behind, untagged; the
  # recent ones are the layer cache, the old ones only fill the disk.
  podman image prune --force --filter until=168h >/dev/null
}

check_tools() {
  local tool missing=()
  for tool in podman runc debootstrap; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "missing: ${missing[*]} (scripts/install_deps.sh installs them)"
    return 1
  fi
}

main() {
  check_tools
  ensure_base_images
  if [[ "${1:-}" == "--base-only" ]]; then return 0; fi
  build_image
  if [[ "${1:-}" == "--build-only" ]]; then return 0; fi
  local python
  python="${WC_PYTHON:-$(scripts/install_deps.sh --print-python)}"
  log "smoke test of $image"
  (cd tests/container && WC_IMAGE="$image" PYTHONDONTWRITEBYTECODE=1 \
     "$python" -m unittest -v test_image </dev/null)
  log "passed"
}

main "$@"
