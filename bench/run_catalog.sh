#!/usr/bin/env bash
# One command for the catalog benchmark (see bench/catalog.py); extra arguments are passed on.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec .venv/bin/python bench/catalog.py "$@"
