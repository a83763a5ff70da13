"""Keys of the storefront's short-lived caches (whole anonymous pages and personal-data-free fragments), and how
long reference data stays in the worker process (plazabanten.cache.kept_in_process)."""

import hashlib
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from plazabanten.cache import kept_clear, storefront_generation

# 0 turns both caches off (bench/run.sh --cold).
CACHE_SECONDS = int(os.environ.get("PB_CATALOG_CACHE_SECONDS", "30"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def page_key(*, language: str, fragment: bool, full_path: str) -> str:
    return f"catalog:page:{storefront_generation()}:{language}:{_digest(f'{int(fragment)}:{full_path}')}"


def fragment_key(*, language: str, name: str) -> str:
    return f"catalog:fragment:{storefront_generation()}:{language}:{_digest(name)}"


def product_fragment_name(*, shop_slug: str, product_slug: str, government: bool = False) -> str:
    """A government buyer's product article (PDN tier, UMK, PKP) has its own name: it is never shown to others."""
    return f"product:{'government:' if government else ''}{shop_slug}/{product_slug}"


def product_forget(*, shop_slug: str, product_slug: str) -> None:
    """Drop a product page from the caches at once (after a take-down) instead of letting it expire."""
    path = reverse("catalog:product", args=[shop_slug, product_slug])
    names = [product_fragment_name(shop_slug=shop_slug, product_slug=product_slug, government=government)
             for government in (False, True)]
    keys = []
    for language, _ in settings.LANGUAGES:
        keys += [fragment_key(language=language, name=name) for name in names]
        keys += [page_key(language=language, fragment=fragment, full_path=path) for fragment in (False, True)]
    cache.delete_many(keys)
    for key in keys:
        _local.pop(key, None)  # this process at once; other workers within LOCAL_SECONDS


# Whole anonymous pages are also kept in the worker process for a few seconds: a Redis round trip (and the client
# redis-py builds for it) costs more than the rest of answering from the cache.
LOCAL_SECONDS = min(5, CACHE_SECONDS)
LOCAL_MAX_ENTRIES = 1000
_local: dict[str, tuple[float, str]] = {}


def page_get(key: str) -> str | None:
    entry = _local.get(key)
    if entry is not None and entry[0] > time.monotonic():
        return entry[1]
    html = cache.get(key)
    if html is not None:
        _local_put(key, html)
    return html


def page_set(key: str, html: str) -> None:
    cache.set(key, html, CACHE_SECONDS)
    _local_put(key, html)


def local_clear() -> None:
    _local.clear()
    kept_clear()


# Small reference data (the category tree, the kab/kota names) that every listing reads: kept in the worker process
# for this long on top of the shared cache, instead of a Redis round trip and an unpickle on each request. A
# taxonomy edit reaches every worker within REFERENCE_LOCAL_SECONDS plus the shared cache's own expiry.
REFERENCE_LOCAL_SECONDS = 30


def _local_put(key: str, html: str) -> None:
    if len(_local) >= LOCAL_MAX_ENTRIES:
        now = time.monotonic()
        for stale in [k for k, (expires, _) in _local.items() if expires <= now] or list(_local)[:100]:
            del _local[stale]
    _local[key] = (time.monotonic() + LOCAL_SECONDS, html)
