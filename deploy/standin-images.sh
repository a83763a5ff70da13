#!/usr/bin/env bash
# Build the local stand-ins for the images docker-compose.yml and Dockerfile name (postgres:18, redis:7, nginx:1.27,
# minio/minio, minio/mc, python:3.12-slim) when no registry can be reached: see deploy/standins/README.md for what
# each really is. Debian bookworm from a debootstrap rootfs (ROOTFS, made if missing) and Debian's packages; the
# Python 3.12 prefix is copied from the host (PY312, default: the newest pyenv 3.12).
#   deploy/standin-images.sh          # build what is missing
#   deploy/standin-images.sh --force  # rebuild all
# Never run this where the real images can be pulled: it would shadow them with these tags.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
S="$HERE/standins"
ROOTFS="${ROOTFS:-/var/tmp/rootfs}"
FORCE=0; [ "${1:-}" = "--force" ] && FORCE=1
say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
have() { [ "$FORCE" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }

if ! have plazabanten/debian:bookworm; then
  if [ ! -x "$ROOTFS/bin/sh" ]; then
    say "debootstrap bookworm (minbase) into $ROOTFS"
    debootstrap --variant=minbase bookworm "$ROOTFS" http://deb.debian.org/debian >/dev/null
  fi
  say "Importing $ROOTFS as plazabanten/debian:bookworm"
  tar -C "$ROOTFS" --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' -c . \
    | docker import - plazabanten/debian:bookworm >/dev/null
fi

if ! have python:3.12-slim; then
  PY312="${PY312:-$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.* 2>/dev/null | sort -V | tail -1)}"
  [ -x "$PY312/bin/python3.12" ] || { echo "No Python 3.12 prefix to copy (set PY312)" >&2; exit 1; }
  context="$(mktemp -d)"; trap 'rm -rf "$context"' EXIT
  say "python:3.12-slim stand-in from $PY312"
  # The interpreter and its standard library only: no tests, IDLE, Tk, static library, bytecode or site-packages
  # beyond pip (the host's .pth files are the host's business).
  mkdir "$context/prefix"
  tar -C "$PY312" --exclude='lib/python3.12/test' --exclude='lib/python3.12/idlelib' \
    --exclude='lib/python3.12/tkinter' --exclude='lib/python3.12/turtledemo' --exclude='*.a' \
    --exclude='__pycache__' --exclude='lib/python3.12/site-packages/*.pth' -c . | tar -C "$context/prefix" -x
  cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$context/ca-certificates.crt"
  cp "$S/python/Dockerfile" "$context/"
  docker build -q --build-arg PREFIX="$PY312" -t python:3.12-slim "$context" >/dev/null
fi

build() {  # tag… directory
  local dir="${*: -1}" tags=("${@:1:$#-1}") args=()
  have "${tags[0]}" && return 0
  say "${tags[*]} stand-in ($dir)"
  for tag in "${tags[@]}"; do args+=(-t "$tag"); done
  docker build -q "${args[@]}" "$S/$dir" >/dev/null
}
build postgres:18 postgres
build redis:7 redis
build nginx:1.27 nginx
build minio/minio minio/mc s3
docker images --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep -E '^(plazabanten/debian|python|postgres|redis|nginx|minio)'
