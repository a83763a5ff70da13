from dataclasses import replace
from urllib.parse import urlencode

from django import template

from catalog.forms import filters_query
from plazabanten.templatetags.fixed import reverse_fixed

register = template.Library()


@register.simple_tag
def filter_url(filters, **changes):
    """The URL of the listing with some filters changed; any change but the page starts again at page 1."""
    changes.setdefault("page", 1)
    changed = replace(filters, **changes)
    path = reverse_fixed("catalog:category", changed.category) if changed.category else reverse_fixed(
        "catalog:search")
    query = urlencode(filters_query(changed, with_category=False))
    return f"{path}?{query}" if query else path
