#!/usr/bin/env bash
# The photo pipeline benchmark (see bench/images.py); extra arguments are passed on.
# Sets up the same .venv, services and migrations as bin/run first (a fresh clone works).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/setup"
setup_python run
setup_database
migrate
exec "$VENV/bin/python" bench/images.py "$@"
