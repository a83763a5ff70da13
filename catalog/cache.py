"""Keys and lifetimes of the storefront's caches (whole anonymous pages and personal-data-free fragments), and how
long reference data stays in the worker process (plazabanten.cache.kept_in_process)."""

import hashlib
import os
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from plazabanten.cache import kept_clear, storefront_generation

# Listings (home, search and category pages) show many products and are not dropped when one changes: they are at
# most this old, as a marketplace's search index lags its products (a seller is told so when a change of theirs
# will show there later). 0 turns every storefront cache off (bench/run.sh --cold).
CACHE_SECONDS = int(os.environ.get("PB_CATALOG_CACHE_SECONDS", "30"))
# A product page is dropped whenever anything of the product it shows changes (products_forget: price, stock,
# photos, words, status, reviews, sold count), so it is kept much longer; what it shows of other rows (the related
# products' cards, the shop's rating) is at most this old. A shop's own edits drop every page (storefront_changed).
PRODUCT_CACHE_SECONDS = int(os.environ.get("PB_PRODUCT_CACHE_SECONDS", "600")) if CACHE_SECONDS > 0 else 0


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def page_key(*, language: str, fragment: bool, full_path: str) -> str:
    return f"catalog:page:{storefront_generation()}:{language}:{_digest(f'{int(fragment)}:{full_path}')}"


def fragment_key(*, language: str, name: str) -> str:
    return f"catalog:fragment:{storefront_generation()}:{language}:{_digest(name)}"


def product_fragment_name(*, shop_slug: str, product_slug: str, government: bool = False) -> str:
    """A government buyer's product article (PDN tier, UMK, PKP) has its own name: it is never shown to others."""
    return f"product:{'government:' if government else ''}{shop_slug}/{product_slug}"


def _product_keys(*, shop_slug: str, product_slug: str) -> list[str]:
    path = reverse("catalog:product", args=[shop_slug, product_slug])
    names = [product_fragment_name(shop_slug=shop_slug, product_slug=product_slug, government=government)
             for government in (False, True)]
    keys = []
    for language, _ in settings.LANGUAGES:
        keys += [fragment_key(language=language, name=name) for name in names]
        keys += [page_key(language=language, fragment=fragment, full_path=path) for fragment in (False, True)]
    return keys


def _keys_forget(keys: list[str]) -> None:
    cache.delete_many(keys)
    for key in keys:
        _local.pop(key, None)  # this process at once; other workers within LOCAL_SECONDS


def product_forget(*, shop_slug: str, product_slug: str) -> None:
    """Drop the page of a product's URL from the caches at once (a URL the product just left: a new slug)."""
    _keys_forget(_product_keys(shop_slug=shop_slug, product_slug=product_slug))


# The ids products_forget was given in this thread since a commit last dropped them. Ids of a transaction that
# rolled back stay until the next commit drops them with its own: one more miss each, never a stale page.
_forgetting = threading.local()


def products_forget(*, product_ids) -> None:
    """Once the transaction commits, drop the pages of these products from the caches: something they show
    changed. Called where the product rows' derived columns are refreshed (catalog.services), so every writer of
    prices, stock, photos, reviews or sales passes through it. The ids a thread gives before a commit are dropped
    together, with one read of their slugs (a CSV import or a bulk edit refreshes hundreds of products)."""
    if not product_ids:
        return
    _forgetting.__dict__.setdefault("ids", set()).update(product_ids)
    transaction.on_commit(_forget_pending)


def _forget_pending() -> None:
    from .models import Product

    ids, _forgetting.ids = getattr(_forgetting, "ids", set()), set()
    if not ids:  # an earlier callback of the same commit dropped them
        return
    pages = Product.objects.filter(pk__in=sorted(ids)).values_list("shop__slug", "slug")
    _keys_forget([key for shop_slug, product_slug in pages
                  for key in _product_keys(shop_slug=shop_slug, product_slug=product_slug)])


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


def page_set(key: str, html: str, seconds: int, *, fragments: dict[str, object] | None = None) -> None:
    """The page, and the fragments it was made of (same lifetime), in one round trip."""
    cache.set_many({key: html, **(fragments or {})}, seconds)
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
