"""{% product_card %}: a product card built in Python (catalog.templatetags.catalog_images), escaped, translated,
and never stale in its memo."""

import dataclasses
from decimal import Decimal

from django.utils import translation

from catalog.selectors import CardRegion, CardShop, ProductCard
from catalog.templatetags.catalog_images import government_tags, product_card

COVER = {"320": {"webp": "products/renditions/ab/ab12-320.webp", "jpeg": "products/renditions/ab/ab12-320.jpg"},
         "640": {"webp": "products/renditions/ab/ab12-640.webp"}}


def card(**changes) -> ProductCard:
    values = dict(pk=7, name="Kain Batik Tulis", slug="kain-batik-tulis", price_min=350_000, cover=COVER,
                  rating_avg=Decimal("4.50"), rating_count=3, sold_count=12, tkdn_percent=45, is_halal=True,
                  is_banten=True, bmp_percent=10, pdn_tier=2, shop_is_umk=True,
                  shop=CardShop("Batik Cisadane", "batik-cisadane", False), kabkota=CardRegion("Kota Serang"))
    return ProductCard(**{**values, **changes})


def test_a_card_shows_the_link_photo_name_price_region_labels_and_rating():
    with translation.override("id"):
        html = product_card(card(), eager=True)
    assert html == (
        '<li class="pcard"><a href="/p/batik-cisadane/kain-batik-tulis/"><picture><source type="image/webp" srcset="'
        '/media/products/renditions/ab/ab12-320.webp 320w, /media/products/renditions/ab/ab12-640.webp 640w" '
        'sizes="(max-width: 600px) 50vw, 240px"><img src="/media/products/renditions/ab/ab12-320.jpg" '
        'alt="Kain Batik Tulis" width="320" height="320" loading="eager" decoding="async"></picture>'
        '<span class="pname">Kain Batik Tulis</span><span class="price">Rp350.000</span>'
        '<span class="meta">Kota Serang</span><span class="tags"><span class="tag tag-local">Produk Banten</span>'
        '<span class="tag">TKDN 45%</span><span class="tag tag-halal">Halal</span></span>'
        '<span class="meta">★ 4,5 · 12 terjual</span></a></li>')


def test_what_a_seller_typed_is_escaped_everywhere_it_shows():
    hostile = '<img src=x onerror=alert(1)>"&\''
    html = product_card(card(name=hostile, kabkota=CardRegion("<b>Serang</b>")))
    assert "<img src=x" not in html and "<b>" not in html
    assert '<span class="pname">&lt;img src=x onerror=alert(1)&gt;&quot;&amp;&#x27;</span>' in html
    assert 'alt="&lt;img src=x onerror=alert(1)&gt;&quot;&amp;&#x27;"' in html
    assert '<span class="meta">&lt;b&gt;Serang&lt;/b&gt;</span>' in html
    placeholder = product_card(card(name=hostile, cover={}))
    assert '<div class="img-placeholder" role="img" aria-label="&lt;img src=x' in placeholder


def test_labels_only_when_they_apply_and_no_rating_line_without_reviews():
    html = product_card(card(is_banten=False, tkdn_percent=39, is_halal=False, rating_count=0))
    assert '<span class="tags"></span></a></li>' in html
    assert "★" not in html


def test_a_card_in_english():
    with translation.override("en"):
        html = product_card(card())
    assert "Made in Banten" in html and "★ 4.5 · 12 sold" in html


def test_a_government_buyers_card_shows_the_pdn_tier_umk_and_pkp():
    with translation.override("id"):
        html = product_card(card(), government=True)
        assert ('<span class="tags gov-tags"><span class="tag tag-pdn">TKDN+BMP ≥ 40%</span>'
                '<span class="tag tag-umk">UMK</span><span class="tag tag-local">Produk Banten</span>'
                '<span class="tag">Non-PKP</span><span class="tag tag-halal">Halal</span></span>') in html
        floor = government_tags(card(pdn_tier=1, shop_is_umk=False, shop=CardShop("A", "a", True)))
        assert '<span class="tag tag-pdn-floor">TKDN ≥ 25%</span>' in floor and '<span class="tag">PKP</span>' in floor
    with translation.override("en"):
        assert "Local content + BMP ≥ 40%" in product_card(card(), government=True)


def test_the_memo_never_serves_a_stale_card():
    first = product_card(card())
    assert product_card(card()) == first
    cheaper = product_card(dataclasses.replace(card(), price_min=300_000))
    assert "Rp300.000" in cheaper and "Rp350.000" not in cheaper
    moved = product_card(card(cover={"320": {"webp": "products/renditions/cd/cd34-320.webp"}}))
    assert "cd34-320.webp" in moved and "ab12" not in moved
