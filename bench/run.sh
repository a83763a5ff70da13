#!/usr/bin/env bash
# One command for the marketplace benchmark (see bench/marketplace.py); extra arguments are passed on.
# Sets up the same .venv as bin/run first (a fresh clone works), so nothing else needs installing by hand.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/setup"
setup_python run
exec "$VENV/bin/python" bench/marketplace.py "$@"
