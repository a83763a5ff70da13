import json
from html import escape

from django import template
from django.core.files.storage import default_storage
from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from plazabanten.money import format_rupiah
from plazabanten.templatetags.fixed import reverse_fixed

register = template.Library()

CARD_MEMO_SIZE = 5000  # ~1.5 kB each: a few MB per worker process
_cards: dict[tuple, str] = {}


@register.simple_tag
def product_card(product, eager=False, government=False):
    """A product card (_card_html) of a catalog.selectors.ProductCard, memoised in the process on every value it
    shows.

    The key is the card's content itself, so a memoised card is never stale: a new price or rating is a new key.
    A page's cards were often drawn moments ago for another page (a product page's related products, a listing's
    best sellers): a memoised card costs ~5 µs, a new one ~60 µs.
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
        html = _cards[key] = _card_html(product, eager=eager, government=government)
    return mark_safe(html)  # noqa: S308 (every text in it escaped)


def _card_html(product, *, eager: bool, government: bool) -> str:
    """<li class="pcard">: the product's link, cover, name, price, region, labels and rating.

    Written in Python rather than as a template: a long-tail search page (a new combination of words and filters)
    shows ~12 cards that no page of this worker showed before, and through the template engine each took ~0.2 ms,
    most of such a page.
    """
    if government:
        tags = government_tags(product)
    else:
        tags = '<span class="tags">{}{}{}</span>'.format(
            _tag("tag tag-local", gettext("Produk Banten")) if product.is_banten else "",
            _tag("tag", gettext("TKDN %(percent)s%%") % {"percent": product.tkdn_percent})
            if product.tkdn_percent >= 40 else "",
            _tag("tag tag-halal", gettext("Halal")) if product.is_halal else "")
    rating = ""
    if product.rating_count:
        sold = ngettext("%(n)s terjual", "%(n)s terjual", product.sold_count) % {"n": product.sold_count}
        rating = f'<span class="meta">★ {floatformat(product.rating_avg, 1)} · {escape(sold)}</span>'
    return ('<li class="pcard"><a href="{}">{}<span class="pname">{}</span><span class="price">{}</span>'
            '<span class="meta">{}</span>{}{}</a></li>').format(
        escape(reverse_fixed("catalog:product", product.shop.slug, product.slug)),
        picture(product.cover, product.name, eager=eager), escape(product.name),
        format_rupiah(product.price_min), escape(product.kabkota.name) if product.kabkota else "", tags, rating)


def _tag(css_class: str, text: str) -> str:
    return f'<span class="{css_class}">{escape(text)}</span>'


@register.simple_tag
def government_tags(product):
    """What a government buyer weighs first (Perpres 46/2025 PDN tiers, UMK, Banten, PKP), on cards and the product
    page: a ProductCard or a Product."""
    tier = {2: _tag("tag tag-pdn", gettext("TKDN+BMP ≥ 40%%") % {}),  # the msgids the templates use too
            1: _tag("tag tag-pdn-floor", gettext("TKDN ≥ 25%%") % {})}.get(product.pdn_tier, "")
    return mark_safe(  # noqa: S308 (every text in it escaped)
        '<span class="tags gov-tags">{}{}{}{}{}</span>'.format(
            tier, _tag("tag tag-umk", gettext("UMK")) if product.shop_is_umk else "",
            _tag("tag tag-local", gettext("Produk Banten")) if product.is_banten else "",
            _tag("tag", gettext("PKP") if product.shop.is_pkp else gettext("Non-PKP")),
            _tag("tag tag-halal", gettext("Halal")) if product.is_halal else ""))


@register.simple_tag
def picture(renditions, alt, sizes="(max-width: 600px) 50vw, 240px", width=320, height=320, eager=False):
    """<picture> with a WebP srcset and a JPEG fallback; a neutral placeholder while renditions are made. Escaped
    with the standard library (Django's escape and format_html, lazy-aware, took a third of a card)."""
    if not renditions:
        return mark_safe(f'<div class="img-placeholder" role="img" aria-label="{escape(alt)}"></div>')  # noqa: S308
    widths = sorted(renditions, key=int)
    webp = ", ".join(f"{default_storage.url(renditions[w]['webp'])} {w}w" for w in widths)
    fallback = next((renditions[w]["jpeg"] for w in widths if "jpeg" in renditions[w]), renditions[widths[0]]["webp"])
    return mark_safe(  # noqa: S308 (every text in it escaped)
        f'<picture><source type="image/webp" srcset="{escape(webp)}" sizes="{escape(sizes)}">'
        f'<img src="{escape(default_storage.url(fallback))}" alt="{escape(alt)}" width="{int(width)}"'
        f' height="{int(height)}" loading="{"eager" if eager else "lazy"}" decoding="async"></picture>')
