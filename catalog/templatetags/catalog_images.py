import json

from django import template
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

CARD_MEMO_SIZE = 5000  # ~1.5 kB each: a few MB per worker process
_cards: dict[tuple, str] = {}


@register.simple_tag
def product_card(product, eager=False, government=False):
    """A product card (catalog/_card.html) of a catalog.selectors.ProductCard, memoised in the process on every
    value it shows.

    The key is the card's content itself, so a memoised card is never stale: a new price or rating is a new key.
    Rendering 24 cards through the template engine is most of a listing page's cost when the page cache misses
    (a new combination of filters); most cards on such a page were drawn moments ago for another one.
    """
    key = (get_language(), bool(eager), product.pk, product.shop.slug, product.slug, product.name,
           product.price_min, product.kabkota.name if product.kabkota else "", product.is_banten,
           product.tkdn_percent, product.is_halal, product.rating_count, product.rating_avg, product.sold_count,
           json.dumps(product.cover, sort_keys=True),
           # a government buyer's card adds the PDN tier, UMK and PKP badges
           (product.pdn_tier, product.shop_is_umk, product.shop.is_pkp) if government else None)
    html = _cards.get(key)
    if html is None:
        if len(_cards) >= CARD_MEMO_SIZE:
            for stale in list(_cards)[:CARD_MEMO_SIZE // 10]:  # oldest first (dicts keep insertion order)
                _cards.pop(stale, None)  # another thread may have dropped it already
        html = _cards[key] = render_to_string("catalog/_card.html", {"product": product, "eager": eager,
                                                                         "government": government})
    return mark_safe(html)  # noqa: S308 (rendered by the autoescaping template engine)


@register.simple_tag
def picture(renditions, alt, sizes="(max-width: 600px) 50vw, 240px", width=320, height=320, eager=False):
    """<picture> with a WebP srcset and a JPEG fallback; a neutral placeholder while renditions are made."""
    loading = "eager" if eager else "lazy"
    if not renditions:
        return format_html('<div class="img-placeholder" role="img" aria-label="{}"></div>', alt)
    widths = sorted(renditions, key=int)
    webp = ", ".join(f"{default_storage.url(renditions[w]['webp'])} {w}w" for w in widths)
    fallback = next((renditions[w]["jpeg"] for w in widths if "jpeg" in renditions[w]), renditions[widths[0]]["webp"])
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" alt="{}" width="{}" height="{}" loading="{}" decoding="async"></picture>',
        webp, sizes, default_storage.url(fallback), alt, width, height, loading,
    )
