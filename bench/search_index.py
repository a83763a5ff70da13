"""The search index (catalog/search_index.py) on a bench database: how long it takes to read and how much memory it
takes, then the bench's search URLs (bench/marketplace.py SEARCH_WORDS × FACETS) answered through it and through
SQL alone (PB_SEARCH_INDEX off) in one process, alternately: the pages must be the same (and the counts, where the
SQL search counts every match), and the time of each is printed (best of --reps; in-process, no HTTP).

    .venv/bin/python bench/search_index.py [--db plazabanten_bench] [--reps 3]

Needs the embedded Postgres (python -m plazabanten.embedded start) and a seeded bench database (bench/run.sh).
Exits 1 when a page differs.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def resident_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="plazabanten_bench")
    parser.add_argument("--reps", type=int, default=3)
    options = parser.parse_args()
    os.environ.update({"DATABASE_URL": f"postgres://postgres@127.0.0.1:54329/{options.db}",
                       "DJANGO_SETTINGS_MODULE": "plazabanten.settings.test", "PB_CATALOG_CACHE_SECONDS": "0"})
    import django

    django.setup()
    from django.conf import settings
    from django.http import QueryDict

    from bench.marketplace import FACETS, SEARCH_WORDS
    from catalog import search_index, selectors
    from catalog.forms import ProductSearchForm

    before, started = resident_mb(), time.perf_counter()
    index = search_index.build()
    print(f"index read in {time.perf_counter() - started:.1f} s: {len(index.ids):,} products, "
          f"{len(index.postings):,} words, {sum(a.nbytes for a in index.postings.values()) / 1e6:.0f} MB of "
          f"postings, {resident_mb() - before:.0f} MB more resident memory")
    search_index._index[:] = [index]
    tree = selectors.category_tree()
    same = differ = answered = 0
    spent = {True: 0.0, False: 0.0}
    for query in (f"q={w.replace(' ', '+')}{f}" for i, w in enumerate(SEARCH_WORDS) for f in FACETS[i % 3::3]):
        filters = ProductSearchForm(QueryDict(query)).filters()
        try:
            search_index.search(filters, tree)
            answered += 1
        except search_index.Unanswered:
            pass
        best = {}
        for _ in range(options.reps):
            for indexed in (True, False):
                settings.SEARCH_INDEX = indexed
                started = time.perf_counter()
                results = selectors.product_search(filters=filters)
                elapsed = time.perf_counter() - started
                if elapsed < best.get(indexed, (float("inf"),))[0]:
                    best[indexed] = (elapsed, results)
        for indexed in (True, False):
            spent[indexed] += best[indexed][0] * 1000
        found, expected = best[True][1], best[False][1]
        agree = [p.pk for p in found.products] == [p.pk for p in expected.products]
        if not expected.sampled:
            agree = agree and (found.total, found.flags, found.kabkota) == (
                expected.total, expected.flags, expected.kabkota)
        same, differ = same + agree, differ + (not agree)
        if not agree:
            print("DIFFERENT:", query)
    searched = same + differ
    print(f"{searched} searches ({answered} answered by the index, the rest by SQL): {same} the same, {differ} "
          f"different; product_search {spent[True] / searched:.2f} ms with the index, "
          f"{spent[False] / searched:.2f} ms SQL alone")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
