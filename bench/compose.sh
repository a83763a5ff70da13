#!/usr/bin/env bash
# docker-compose.yml, run for real: build the app image (Dockerfile), start two web replicas, two workers, beat,
# Postgres + its streaming replica, Redis, the object store and nginx, then check through nginx's published port
# what bench/compose.py lists (health, pages, sign-in and a cart POST with CSRF across the replicas, a photo a
# worker renders into the bucket, the replica in recovery, migrations once), print the table, and tear it all
# down with its volumes. Exits 1 when a check fails.
#
#   bench/compose.sh              # needs a Docker engine and docker-compose (v1.29 from Debian, or v2)
#   bench/compose.sh --keep       # leave it running (http://localhost:$PB_HTTP_PORT/); stop: docker-compose -p pbbench down -v
#   STANDINS=no bench/compose.sh  # use the real upstream images (a machine with registry access)
#
# Without registry access (this machine) the images compose names are local stand-ins built from Debian's packages
# by deploy/standin-images.sh: see deploy/standins/README.md. Secrets are generated for each run; nothing is
# published but nginx's port.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/setup"
KEEP=0; [ "${1:-}" = "--keep" ] && KEEP=1
PROJECT=pbbench
export PB_HTTP_PORT="${PB_HTTP_PORT:-58180}"
# vfs (the storage driver here) copies the whole image for each new container: creating six at once takes minutes.
export COMPOSE_HTTP_TIMEOUT="${COMPOSE_HTTP_TIMEOUT:-600}"

if docker compose version >/dev/null 2>&1; then DC=(docker compose -p "$PROJECT")
elif command -v docker-compose >/dev/null; then DC=(docker-compose -p "$PROJECT")
else die "No docker-compose here (apt-get install docker-compose, or Docker's compose plugin)."; fi
docker info >/dev/null 2>&1 || die "No Docker engine answers (start dockerd; see deploy/standins/README.md)."
if (exec 3<>"/dev/tcp/127.0.0.1/$PB_HTTP_PORT") 2>/dev/null; then die "Port $PB_HTTP_PORT is in use (PB_HTTP_PORT=…)."; fi
"$VENV/bin/python" -c "import PIL, cryptography" 2>/dev/null || setup_python run  # the checks' browser, Pillow

[ "${STANDINS:-yes}" = no ] || deploy/standin-images.sh 2> >(grep -v -i -E 'deprecated|buildx|legacy builder|^ *$' >&2)

export SECRET_KEY="$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
PB_DOCUMENT_KEYS="$("$VENV/bin/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export PB_DOCUMENT_KEYS
export POSTGRES_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')"
export MINIO_ROOT_USER="bench-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export MINIO_ROOT_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')"
export ALLOWED_HOSTS=localhost CSRF_TRUSTED_ORIGINS="http://localhost:$PB_HTTP_PORT"

down() { say "docker-compose down -v"; "${DC[@]}" down -v --remove-orphans >/dev/null 2>&1 || true; }
down
[ "$KEEP" = 1 ] || trap down EXIT

say "Building the app image (Dockerfile)"
"${DC[@]}" build -q 2> >(grep -v -i -E 'deprecated|buildx|legacy builder|^ *$' >&2)
say "docker-compose up -d --scale web=2 --scale worker=2"
started=$(date +%s)
if ! "${DC[@]}" up -d --scale web=2 --scale worker=2; then
  "${DC[@]}" ps; "${DC[@]}" logs --no-color --tail 30
  die "docker-compose up failed (above: the containers and their last log lines)."
fi
for _ in $(seq 1 90); do
  curl -fs -o /dev/null "http://localhost:$PB_HTTP_PORT/healthz" && break
  sleep 2
done
"${DC[@]}" ps
say "Healthy through nginx after $(( $(date +%s) - started )) s"

PB_COMPOSE_URL="http://localhost:$PB_HTTP_PORT" PB_COMPOSE_PROJECT="$PROJECT" PYTHONPATH="$ROOT" \
  "$VENV/bin/python" bench/compose.py
