#!/usr/bin/env bash
# Print the Lighthouse score table (mobile; performance, accessibility, best practices, SEO) for the home, search,
# product, cart and payment pages, on a small seeded shop served by the test server. Same code as the budget test:
#   bench/lighthouse.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec bin/test tests/proof/test_lighthouse.py -q -s -p no:logging 2> >(grep -v "^Not Found: /robots.txt" >&2)
