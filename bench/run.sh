#!/usr/bin/env bash
# One command for the marketplace benchmark (see bench/marketplace.py); extra arguments are passed on.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec .venv/bin/python bench/marketplace.py "$@"
