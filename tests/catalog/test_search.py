import re

import pytest
from django.db import connection
from django.urls import reverse

from catalog import selectors
from catalog.models import Category, Product
from catalog.selectors import ProductFilters, product_search, search_text_correct
from catalog.services import search_terms_refresh
from tests.factories import make_category, make_product, make_shop
from vendors.models import Shop

pytestmark = pytest.mark.django_db


def names(results) -> set[str]:
    return {product.name for product in results.products}


def test_search_stems_indonesian_words():
    make_product(name="Kain Batik Warna Alami Indigo")
    make_product(name="Kopi Robusta Pandeglang")
    assert names(product_search(filters=ProductFilters(text="pewarna alami"))) == {"Kain Batik Warna Alami Indigo"}


def test_search_tolerates_a_typo_in_the_name():
    make_product(name="Kemeja Batik Lengan Panjang")
    make_product(name="Madu Hutan Baduy")
    search_terms_refresh()
    results = product_search(filters=ProductFilters(text="kemeja batk"))
    assert names(results) == {"Kemeja Batik Lengan Panjang"}
    assert results.corrected == "kemeja batik"


def test_a_typo_is_corrected_towards_the_word_more_products_use():
    make_product(name="Cobek Batu Kali")  # "batu" is closer to "batk" by trigrams than "batik" is
    for motif in ("Kawung", "Parang", "Mega Mendung", "Sekar Jagad", "Truntum", "Sidomukti"):
        make_product(name=f"Batik {motif}")
    search_terms_refresh()
    assert search_text_correct("batk") == "batik"
    assert search_text_correct("Selendang BATK 2 m") == "Selendang batik 2 m"  # unknown words only; digits kept


def test_a_word_nothing_resembles_finds_nothing_and_corrects_nothing():
    make_product(name="Kemeja Batik Lengan Panjang")
    search_terms_refresh()
    results = product_search(filters=ProductFilters(text="xqzvw"))
    assert results.total == 0 and results.products == [] and results.corrected == ""


def test_no_results_say_so_across_the_whole_grid(client):
    make_product(name="Kemeja Batik")  # not halal
    page = client.get(reverse("catalog:search"), {"q": "kemeja", "halal": "1"}).content.decode()
    # one item spanning every column (.grid-empty), not squeezed into the first card's column on a phone
    assert re.search(r'<li class="grid-empty">Tidak ada produk yang cocok', page), page


def test_the_vocabulary_holds_only_listed_products_words():
    make_product(name="Batik Cap Kapurban")
    make_product(name="Anyaman Pandan", status=Product.Status.DRAFT)
    make_product(name="Golok Ciomas", shop=make_shop(status=Shop.Status.SUSPENDED))
    search_terms_refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, products FROM catalog_searchterm ORDER BY word")
        assert cursor.fetchall() == [("batik", 1), ("cap", 1), ("kapurban", 1)]


def test_search_ranks_a_name_match_above_a_description_only_match():
    make_product(name="Selendang Sutra", description="Motif batik Banten, kain halus.")
    make_product(name="Batik Tulis Kawangsan", description="Kain halus.")
    results = product_search(filters=ProductFilters(text="batik"))
    assert [product.name for product in results.products] == ["Batik Tulis Kawangsan", "Selendang Sutra"]


def test_hidden_products_and_unverified_shops_never_leak_into_results_or_counts():
    visible = make_product(name="Batik Cap Kapurban", is_halal=True)
    for status in (Product.Status.DRAFT, Product.Status.INACTIVE, Product.Status.TAKEN_DOWN):
        make_product(name=f"Batik Cap {status}", status=status, is_halal=True)
    for shop_status in (Shop.Status.SUSPENDED, Shop.Status.SUBMITTED, Shop.Status.REJECTED):
        make_product(name=f"Batik Cap toko {shop_status}", shop=make_shop(status=shop_status), is_halal=True)
    search_terms_refresh()

    for filters in (ProductFilters(text="batik"), ProductFilters(text="batk"), ProductFilters(),
                    ProductFilters(halal=True)):
        results = product_search(filters=filters)
        assert [product.pk for product in results.products] == [visible.pk]
        assert results.total == 1
        assert results.flags["halal"] == 1
        assert sum(facet.count for facet in results.kabkota) == 1


def test_facet_counts_equal_the_results_each_facet_leads_to(client):
    from catalog.services import category_tree_ensure

    category_tree_ensure()
    batik_tulis = Category.objects.get(slug="fashion-batik-batik-kain-batik-tulis")
    kopi = Category.objects.get(slug="makanan-minuman-minuman-kopi")
    serang, tangsel = make_shop(kabkota="36.73"), make_shop(kabkota="36.74")
    specs = [
        (serang, batik_tulis, 450_000, True, 60, 4.6), (serang, batik_tulis, 90_000, False, 20, 4.1),
        (tangsel, batik_tulis, 30_000, True, 45, 3.9), (tangsel, kopi, 75_000, True, 0, 4.8),
        (tangsel, kopi, 600_000, False, 80, 0), (serang, kopi, 120_000, True, 41, 4.5),
    ]
    for shop, category, price, halal, tkdn, rating in specs:
        make_product(shop=shop, category=category, price=price, is_halal=halal, tkdn_percent=tkdn,
                     rating_avg=rating, name=f"Produk {category.name} {price}")
    make_product(shop=make_shop(status=Shop.Status.SUSPENDED, kabkota="36.73"), category=kopi)

    results = product_search(filters=ProductFilters())
    assert results.total == 6
    facets = {
        **{("category", f.key): f.count for f in results.categories},
        **{("kabkota", f.key): f.count for f in results.kabkota},
        **{("price", f.key): f.count for f in results.prices},
        **{("rating", f.key): f.count for f in results.ratings},
        **{(flag, True): count for flag, count in results.flags.items()},
    }
    assert facets[("category", "fashion-batik")] == 3
    assert facets[("kabkota", "36.74")] == 3
    assert facets[("price", "50-100rb")] == 2
    assert facets[("rating", "4.5")] == 3
    assert facets[("halal", True)] == 4
    assert facets[("tkdn", True)] == 4
    for (name, value), count in facets.items():
        narrowed = product_search(filters=ProductFilters(**{name: value}))
        assert narrowed.total == count == len(narrowed.products), (name, value)
        # the page a facet link leads to says the same number
        response = client.get(selectors_url(ProductFilters(**{name: value})))
        assert re.search(rf">\s*{count} produk", response.content.decode()), (name, value)


def selectors_url(filters: ProductFilters) -> str:
    from catalog.templatetags.catalog_filters import filter_url

    return filter_url(filters)


def test_category_page_lists_the_whole_subtree_and_unknown_category_is_404(client):
    root = make_category(name="Kerajinan", slug="kerajinan", level=1)
    child = make_category(name="Anyaman", slug="kerajinan-anyaman", level=2, parent=root)
    leaf = make_category(name="Tas Anyaman", slug="kerajinan-anyaman-tas", level=3, parent=child)
    make_product(name="Tas Pandan Baduy", category=leaf)
    make_product(name="Kopi Luwak")

    response = client.get(reverse("catalog:category", args=["kerajinan"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tas Pandan Baduy" in body and "Kopi Luwak" not in body
    assert 'href="/kategori/kerajinan-anyaman/"' in body  # the next level down, with its count
    assert client.get(reverse("catalog:category", args=["tidak-ada"])).status_code == 404


def test_sorting_by_price_and_best_selling():
    make_product(name="Sedang", price=50_000, sold_count=5)
    make_product(name="Murah", price=10_000, sold_count=1)
    make_product(name="Mahal", price=90_000, sold_count=9)
    order = {sort: [p.name for p in product_search(filters=ProductFilters(sort=sort)).products]
             for sort in ("price_asc", "price_desc", "bestselling")}
    assert order == {"price_asc": ["Murah", "Sedang", "Mahal"], "price_desc": ["Mahal", "Sedang", "Murah"],
                     "bestselling": ["Mahal", "Sedang", "Murah"]}


def test_htmx_filter_request_gets_only_the_results_fragment(client):
    make_product(name="Batik Serang")
    full = client.get("/cari/", {"q": "batik", "kabkota": "36.74"})
    partial = client.get("/cari/", {"q": "batik", "kabkota": "36.74"}, headers={"HX-Request": "true"})
    assert b"<html" in full.content and b"<html" not in partial.content
    assert partial.content.startswith(b'<div id="results"')
    assert b"Batik Serang" in partial.content
    assert "HX-Request" in partial["Vary"]


def test_nonsense_query_string_is_ignored_not_an_error(client):
    make_product(name="Batik Serang")
    response = client.get("/cari/", {"harga": "gratis", "hal": "99999", "kabkota": "x'; drop", "urut": "acak",
                                     "rating": "9", "kategori": "tidak-ada"})
    assert response.status_code == 200
    assert b"Batik Serang" in response.content
    for text in ("!!! & | :*", "batik\x00", "'; DROP TABLE catalog_product; --", "x" * 500):
        assert client.get("/cari/", {"q": text}).status_code == 200


def test_pages_are_bounded_and_cover_every_result(monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    shop = make_shop()
    created = {make_product(shop=shop).pk for _ in range(10)}
    seen = []
    for page in (1, 2, 3):
        results = product_search(filters=ProductFilters(page=page))
        assert results.pages == 3
        seen += [product.pk for product in results.products]
    assert sorted(seen) == sorted(created)
    assert product_search(filters=ProductFilters(page=40)).page == 3


@pytest.mark.parametrize("page_size", [6, 24])
@pytest.mark.parametrize("url", ["/cari/?q=batik&halal=1", "/cari/", "/kategori/{slug}/?urut=termurah"])
def test_listing_queries_stay_few_whatever_the_page_size(client, monkeypatch, django_assert_max_num_queries,
                                                          django_assert_num_queries, page_size, url):
    monkeypatch.setattr(selectors, "PAGE_SIZE", page_size)
    category = make_category(level=1)
    for shop in (make_shop(kabkota="36.73"), make_shop(kabkota="36.74")):
        for n in range(15):
            make_product(shop=shop, category=category, name=f"Batik {n}", is_halal=True)
    with django_assert_max_num_queries(9):
        response = client.get(url.format(slug=category.slug))
    assert len(re.findall(r'class="pcard"', response.content.decode())) == page_size
    clear_caches()
    # anonymous, cold cache: the category tree, region names, facets, page = 4 queries, for any page size; a text
    # search: the search index's look for changes and, this test's transaction being open, the changed products
    # (its own), then the relevance of its matches and the page
    with django_assert_num_queries(6 if "q=" in url else 4):
        client.get(url.format(slug=category.slug))
    clear_caches()
    client.force_login(make_shop().owner)  # signed in: + session, user, cart
    with django_assert_max_num_queries(8):
        response = client.get(url.format(slug=category.slug))
    assert len(re.findall(r'class="pcard"', response.content.decode())) == page_size


@pytest.mark.parametrize("extra", [1, 12])
def test_product_page_queries_stay_few_whatever_the_number_of_variants_photos_and_related(
        client, django_assert_num_queries, extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.models import ProductImage, ProductVariant

    product = make_product(name="Kemeja Batik")
    for n in range(extra):
        ProductVariant.objects.create(product=product, sku=f"V{n}", name=f"Ukuran {n}", price=1000 + n, stock=n)
        ProductImage.objects.create(product=product, original=SimpleUploadedFile(f"{n}.jpg", b"x"),
                                    status=ProductImage.Status.READY, position=n,
                                    renditions={"320": {"webp": f"r/{n}-320.webp", "jpeg": f"r/{n}-320.jpg"}})
        make_product(shop=product.shop, category=product.category)
    # the product with its variants and photos, related products: 2, for any product without reviews
    with django_assert_num_queries(2):
        response = client.get(reverse("catalog:product", args=[product.shop.slug, product.slug]))
    body = response.content.decode()
    assert body.count('name="variant"') == extra + 1 and body.count("<picture>") >= extra
    with django_assert_num_queries(0):  # the page cache answers the next anonymous visitor
        client.get(reverse("catalog:product", args=[product.shop.slug, product.slug]))
    Product.objects.filter(pk=product.pk).update(rating_count=1)  # as a review written keeps it
    clear_caches()
    with django_assert_num_queries(3):  # + its reviews
        client.get(reverse("catalog:product", args=[product.shop.slug, product.slug]))


def clear_caches():
    from catalog.cache import local_clear

    selectors.cache.clear()
    local_clear()


def test_a_page_from_the_anonymous_cache_carries_the_visitors_own_working_csrf_token(django_assert_num_queries):
    import re as regex

    from django.test import Client

    make_product(name="Batik Serang")
    first = Client(enforce_csrf_checks=True)
    first.get("/cari/?q=batik")  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    with django_assert_num_queries(0):
        page = visitor.get("/cari/?q=batik")
    assert b"Batik Serang" in page.content
    token = regex.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert visitor.cookies["csrftoken"].value != first.cookies["csrftoken"].value
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302  # not 403: the token matches this visitor's cookie


def test_an_active_filter_keeps_its_chip_when_nothing_matches_and_empty_filter_sections_are_not_shown(client):
    make_product(shop=make_shop(kabkota="36.73"), name="Batik Kawung", is_halal=False, is_banten=False)
    html = client.get("/cari/?q=batik&kabkota=36.71&harga=500rb").content.decode()
    assert "Tidak ada produk yang cocok" in html
    chips = html.split('class="chips active-filters"')[1].split("</ul>")[0]
    assert 'href="/cari/?q=batik&amp;harga=500rb">Kota Tangerang ✕' in chips
    assert 'href="/cari/?q=batik&amp;kabkota=36.71">≥ Rp500.000 ✕' in chips
    assert 'class="facets card"' not in html  # nothing to narrow down
    html = client.get("/cari/?q=kawung").content.decode()
    assert 'class="facets card"' in html and ">Label</h2>" not in html  # no halal, TKDN or Banten products
    make_product(name="Batik Tulis", is_halal=True)
    html = client.get("/cari/?q=batik").content.decode()
    assert ">Label</h2>" in html and ">Halal</a>" in html
