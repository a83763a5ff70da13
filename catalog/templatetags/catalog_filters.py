from dataclasses import replace
from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from catalog.forms import filters_query

register = template.Library()


@lru_cache(maxsize=1024)
def _listing_path(category: str, urlconf: str, prefix: str) -> str:
    """A listing's path, reversed once per category: a results page links ~30 filter changes, and reversing each
    was ~8% of an uncached listing. The URL configuration and script prefix are in the key (both fixed in
    production)."""
    return reverse("catalog:category", args=[category]) if category else reverse("catalog:search")


@register.simple_tag
def filter_url(filters, **changes):
    """The URL of the listing with some filters changed; any change but the page starts again at page 1."""
    changes.setdefault("page", 1)
    changed = replace(filters, **changes)
    path = _listing_path(changed.category, get_urlconf(settings.ROOT_URLCONF), get_script_prefix())
    query = urlencode(filters_query(changed, with_category=False))
    return f"{path}?{query}" if query else path
