from dataclasses import replace
from urllib.parse import urlencode

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

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


@register.simple_tag
def facet_links(filters, name: str, facets, sampled: bool):
    """One facet's values as <li> links, each with its count (grouped as the language writes numbers: 3.222) unless
    the counts are sampled. A listing shows ~30 values; as a template loop each took five node renders."""
    return format_html_join("", '<li><a href="{}">{}</a>{}</li>', (
        (filter_url(filters, **{name: facet.key}), facet.label,
         "" if sampled else format_html(' <span class="count">{}</span>',
                                          number_format(facet.count, force_grouping=True))) for facet in facets))
