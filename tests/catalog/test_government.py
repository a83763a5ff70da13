"""A government buyer (accounts.roles.GOVERNMENT) sees the same catalog with PDN, UMK and PKP first."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from accounts import roles
from accounts.services import user_grant_role, user_revoke_role
from catalog import selectors
from catalog.models import Product
from catalog.selectors import ProductFilters, product_search, product_storefront_queryset
from catalog.services import search_terms_refresh, shop_products_reclassify
from tests.catalog.test_facet_cells import cells, counted
from tests.factories import make_category, make_product, make_shop, make_user
from vendors import services as vendor_services
from vendors.models import Shop

pytestmark = pytest.mark.django_db

GOVERNMENT_BADGES = ("TKDN+BMP ≥ 40%", "TKDN ≥ 25%", ">UMK<", ">Non-PKP<", ">PKP<", "Harga termasuk PPN",
                     "Non-PKP (tidak memungut PPN)", "Pengadaan pemerintah", "Prioritas pengadaan")


def make_government_buyer():
    user = make_user()
    user_grant_role(user=user, role=roles.GOVERNMENT)
    return user


def order_of(response) -> list[str]:
    return re.findall(r'<span class="pname">([^<]+)</span>', response.content.decode())


def test_the_government_role_is_granted_and_revoked_and_read_once_per_user(django_assert_num_queries):
    user = make_user()
    assert not user.is_government
    user_grant_role(user=user, role=roles.GOVERNMENT)
    assert user.is_government  # the same object reads its roles again after a grant
    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert fresh.is_government and not fresh.is_verifikator and fresh.is_government
    user_revoke_role(user=user, role=roles.GOVERNMENT)
    assert not user.is_government
    assert not type(user).objects.get(pk=user.pk).is_government


@pytest.mark.parametrize(("tkdn", "bmp", "tier"), [
    (0, 0, 0), (24, 15, 0),  # 39%: and TKDN under the 25% floor
    (25, 0, 1), (25, 14, 1), (39, 0, 1),  # the Perpres 46/2025 floor, but not 40% with BMP
    (25, 15, 2), (30, 10, 2), (40, 0, 2), (100, 15, 2),
])
def test_the_pdn_tier_is_generated_from_tkdn_and_bmp(tkdn, bmp, tier):
    product = make_product(tkdn_percent=tkdn, bmp_percent=bmp)
    assert Product.objects.values_list("pdn_tier", flat=True).get(pk=product.pk) == tier


def test_bmp_above_15_percent_is_refused_by_the_database_and_the_form():
    from catalog.forms import ProductForm

    product = make_product()
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(bmp_percent=16)
    form = ProductForm(data={"bmp_percent": "16"})
    assert not form.is_valid() and "bmp_percent" in form.errors


def catalogue():
    """Three shops (a UMK in Banten, a medium business in Banten, a UMK outside Banten) and products in every
    PDN tier; names say what they are."""
    category = make_category()
    umk_banten = make_shop(kabkota="36.73", umkm_class=Shop.UmkmClass.MIKRO, is_pkp=False)
    menengah = make_shop(kabkota="36.74", umkm_class=Shop.UmkmClass.MENENGAH, is_pkp=True)
    umk_jakarta = make_shop(kabkota="31.71", umkm_class=Shop.UmkmClass.KECIL)
    specs = [  # name, shop, tkdn, bmp, sold, halal
        ("Batik biasa UMK Banten", umk_banten, 10, 0, 100, True),
        ("Batik PDN menengah", menengah, 35, 10, 1, False),
        ("Batik PDN UMK Banten", umk_banten, 30, 15, 0, True),
        ("Batik TKDN25 UMK Banten", umk_banten, 26, 0, 50, False),
        ("Batik biasa menengah", menengah, 0, 0, 500, True),
        ("Batik PDN UMK Jakarta", umk_jakarta, 45, 0, 7, False),
    ]
    for name, shop, tkdn, bmp, sold, halal in specs:
        make_product(name=name, shop=shop, category=category, tkdn_percent=tkdn, bmp_percent=bmp, sold_count=sold,
                     is_halal=halal, is_banten=shop.kabkota_id.startswith("36."))
    return category


def fresh(**conditions) -> int:
    queryset = product_storefront_queryset().annotate(pdn_score=F("tkdn_percent") + F("bmp_percent"))
    return queryset.filter(**conditions).count()


@pytest.mark.parametrize("text", ["", "batik"])
def test_pdn_and_umk_filters_and_their_counts_equal_a_fresh_count(text):
    catalogue()
    make_product(name="Batik PDN toko dibekukan", tkdn_percent=60,
                 shop=make_shop(status=Shop.Status.SUSPENDED, umkm_class=Shop.UmkmClass.MIKRO))
    search_terms_refresh()
    everything = product_search(filters=ProductFilters(text=text, government=True))
    assert everything.flags["pdn"] == fresh(pdn_score__gte=40) == 3
    assert everything.flags["umk"] == fresh(shop__umkm_class__in=["mikro", "kecil"]) == 4
    cases = [
        ({"pdn": True}, {"pdn_score__gte": 40}),
        ({"umk": True}, {"shop__umkm_class__in": ["mikro", "kecil"]}),
        ({"pdn": True, "umk": True}, {"pdn_score__gte": 40, "shop__umkm_class__in": ["mikro", "kecil"]}),
        ({"pdn": True, "banten": True}, {"pdn_score__gte": 40, "shop__kabkota__code__startswith": "36."}),
        ({"umk": True, "halal": True}, {"shop__umkm_class__in": ["mikro", "kecil"], "is_halal": True}),
    ]
    for asked, conditions in cases:
        results = product_search(filters=ProductFilters(text=text, government=True, **asked))
        assert results.total == len(results.products) == fresh(**conditions), asked
        # counts inside a narrowed result are counted over that result only
        assert results.flags["pdn"] == fresh(**{**conditions, "pdn_score__gte": 40}), asked
        assert results.flags["umk"] == fresh(**{**conditions, "shop__umkm_class__in": ["mikro", "kecil"]}), asked


def test_the_filters_travel_in_the_url_and_the_page_says_the_same_number(client):
    catalogue()
    client.force_login(make_government_buyer())
    body = client.get("/cari/").content.decode()
    assert 'href="/cari/?pdn=1"' in body and 'href="/cari/?umk=1"' in body
    for query, expected in (("pdn=1", 3), ("umk=1", 4), ("pdn=1&umk=1", 2)):
        response = client.get(f"/cari/?{query}")
        assert re.search(rf">\s*{expected} produk", response.content.decode()), query
        assert len(order_of(response)) == expected
    chips = client.get("/cari/?pdn=1&umk=1").content.decode()
    assert 'class="chip on" href="/cari/?umk=1"' in chips and 'class="chip on" href="/cari/?pdn=1"' in chips


PROCUREMENT_ORDER = ["Batik PDN UMK Banten", "Batik PDN UMK Jakarta", "Batik PDN menengah",
                     "Batik TKDN25 UMK Banten", "Batik biasa UMK Banten", "Batik biasa menengah"]


def test_government_buyers_get_pdn_and_local_umk_first_and_consumers_the_usual_order(client):
    catalogue()
    client.force_login(make_government_buyer())
    # PDN tier, then UMK in Banten, then best selling
    assert order_of(client.get("/cari/")) == PROCUREMENT_ORDER
    assert '<option value="pengadaan" selected>' in client.get("/cari/").content.decode()
    # another order chosen explicitly is obeyed
    assert order_of(client.get("/cari/?urut=terlaris"))[0] == "Batik biasa menengah"
    # a text search keeps PDN and local UMK first, relevance after
    assert order_of(client.get("/cari/?q=batik")) == PROCUREMENT_ORDER

    newest_first = list(reversed([name for name, *_ in Product.objects.order_by("pk").values_list("name")]))
    client.force_login(make_user())
    assert order_of(client.get("/cari/")) == newest_first
    assert "pengadaan" not in client.get("/cari/").content.decode()
    client.logout()
    assert order_of(client.get("/cari/")) == newest_first


def test_badges_and_the_pkp_status_are_shown_to_government_buyers_only(client):
    catalogue()
    pkp = Product.objects.get(name="Batik PDN menengah")
    non_pkp = Product.objects.get(name="Batik PDN UMK Banten")
    pages = ["/cari/", reverse("catalog:product", args=[pkp.shop.slug, pkp.slug]),
             reverse("catalog:product", args=[non_pkp.shop.slug, non_pkp.slug])]

    for who in ("anonymous", "consumer"):
        if who == "consumer":
            client.force_login(make_user())
        for url in pages:
            body = client.get(url).content.decode()
            assert not [badge for badge in GOVERNMENT_BADGES if badge in body], (who, url)

    client.force_login(make_government_buyer())
    listing = client.get("/cari/").content.decode()
    for badge in ("TKDN+BMP ≥ 40%", "TKDN ≥ 25%", ">UMK<", ">PKP<", ">Non-PKP<", "Produk Banten"):
        assert badge in listing, badge
    card = re.search(r'<li class="pcard">(?:(?!</li>).)*Batik PDN UMK Banten.*?</li>', listing, re.S).group()
    assert all(badge in card for badge in ("TKDN+BMP ≥ 40%", ">UMK<", "Produk Banten", ">Non-PKP<"))
    body = client.get(pages[1]).content.decode()
    assert "Harga termasuk PPN (PKP)" in body and "35% + 10% = 45%" in body and "Usaha Menengah" in body
    assert "Non-PKP (tidak memungut PPN)" in client.get(pages[2]).content.decode()
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(pages[1]).content.decode()
    assert "Price includes VAT (PKP)" in english and "35% + 10% = 45%" in english
    assert "Government procurement" in client.get("/cari/").content.decode()


def test_the_government_variant_never_reaches_anyone_else_through_a_cache(client):
    from django.test import Client

    catalogue()
    product = Product.objects.get(name="Batik PDN UMK Banten")
    urls = ["/cari/", "/cari/?q=batik", reverse("catalog:product", args=[product.shop.slug, product.slug])]
    government = Client()
    government.force_login(make_government_buyer())
    consumer = Client()
    consumer.force_login(make_user())

    for url in urls:  # the government buyer first fills the fragment cache…
        assert "TKDN+BMP ≥ 40%" in government.get(url).content.decode()
        for other in (consumer, Client(), Client()):  # …consumers and anonymous visitors (and the page cache)
            body = other.get(url).content.decode()
            assert not [badge for badge in GOVERNMENT_BADGES if badge in body], url
        # and the other way round: anonymous and consumer pages cached first do not hide the badges
        assert "TKDN+BMP ≥ 40%" in government.get(url).content.decode()
    # the consumers' fragment keys are what they were before this feature (caches stay warm across a deploy)
    assert ProductFilters().cache_key() == "catalog:results:||||False|False|False||newest|1"
    assert ProductFilters(government=True).cache_key().startswith("catalog:results:government:")
    assert ProductFilters(pdn=True).cache_key() != ProductFilters().cache_key()


def test_a_product_take_down_drops_the_government_article_too(client):
    from django.core.cache import cache

    from catalog.cache import fragment_key, product_forget, product_fragment_name

    product = make_product(name="Batik PDN", tkdn_percent=50)
    client.force_login(make_government_buyer())
    client.get(reverse("catalog:product", args=[product.shop.slug, product.slug]))
    key = fragment_key(language="id", name=product_fragment_name(shop_slug=product.shop.slug,
                                                                 product_slug=product.slug, government=True))
    assert cache.get(key) is not None
    product_forget(shop_slug=product.shop.slug, product_slug=product.slug)
    assert cache.get(key) is None


@pytest.mark.parametrize("url", ["/cari/", "/cari/?q=batik&pdn=1", "/kategori/{slug}/?umk=1&urut=pengadaan"])
def test_a_government_buyer_costs_about_the_queries_of_any_signed_in_buyer(client, django_assert_num_queries, url):
    from catalog.cache import local_clear

    category = catalogue()
    url = url.format(slug=category.slug)
    client.force_login(make_user())
    client.get(url)  # a text search reads the search index first
    selectors.cache.clear()
    local_clear()
    # session (the cache was just cleared), user, roles, category tree, region names, facets, page; a buyer's text
    # search: the search index's look and the products changed since (this test's own, its transaction being open),
    # its matches' relevance, the page; a government buyer's (ordered for procurement) is the SQL search's
    with django_assert_num_queries(9 if "q=" in url else 7):
        client.get(url)
    client.force_login(make_government_buyer())
    selectors.cache.clear()
    local_clear()
    with django_assert_num_queries(7):
        response = client.get(url)
    assert "Pengadaan pemerintah" in response.content.decode()
    with django_assert_num_queries(2):  # the fragment cache answers, the session comes from Redis: user, roles
        client.get(url)


def test_a_shop_whose_class_changes_takes_its_products_along_in_the_umk_facet():
    owner = make_user()
    shop = make_shop(owner=owner, umkm_class=Shop.UmkmClass.KECIL)
    for n in range(3):
        make_product(shop=shop, name=f"Emping {n}", tkdn_percent=40)
    make_product(name="Produk lain", shop=make_shop(umkm_class=Shop.UmkmClass.MIKRO))
    assert product_search(filters=ProductFilters(umk=True)).total == 4
    assert cells() == counted()

    Shop.objects.filter(pk=shop.pk).update(umkm_class=Shop.UmkmClass.MENENGAH)
    assert shop_products_reclassify(shop=Shop.objects.get(pk=shop.pk)) == 3
    assert cells() == counted()
    assert product_search(filters=ProductFilters(umk=True)).total == 1
    assert product_search(filters=ProductFilters(umk=True, pdn=True)).total == 0
    assert shop_products_reclassify(shop=Shop.objects.get(pk=shop.pk)) == 0  # nothing left to change

    Product.objects.filter(shop=shop).update(bmp_percent=5, tkdn_percent=20)  # PDN tier moves with the numbers
    assert cells() == counted()


def test_the_identity_step_saves_pkp_and_reprojects_the_umk_mark(client):
    from tests.vendors.helpers import make_complete_draft

    shop = make_complete_draft()
    assert shop.umkm_class == "mikro" and not shop.is_pkp
    products = [make_product(shop=shop, name=f"Batik {n}") for n in range(2)]
    assert all(Product.objects.filter(pk__in=[p.pk for p in products]).values_list("shop_is_umk", flat=True))
    client.force_login(shop.owner)
    step = reverse("vendors:step", args=[shop.pk, "identity"])
    page = client.get(step).content.decode()
    assert "Pengusaha Kena Pajak — harga sudah termasuk PPN" in page and 'name="is_pkp"' in page
    response = client.post(step, {
        "owner_name": "Siti Aminah", "owner_nik": "3602015708950001", "entity_type": "individual",
        "nib": "9120001234567", "npwp": "013000666091000", "capital": "8 miliar", "turnover": "20 miliar",
        "is_pkp": "on"})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.is_pkp and shop.umkm_class == "menengah"
    assert not Product.objects.filter(shop=shop, shop_is_umk=True).exists()
    assert cells() == counted()
    vendor_services.shop_update_identity(
        shop=shop, actor=shop.owner, owner_name="Siti Aminah", owner_nik="3602015708950001",
        entity_type="individual", business_name="", nib="9120001234567", npwp="013000666091000",
        capital=50_000_000, turnover=300_000_000)
    shop.refresh_from_db()
    assert not shop.is_pkp and shop.umkm_class == "mikro"
    assert Product.objects.filter(shop=shop, shop_is_umk=True).count() == 2
