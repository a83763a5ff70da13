"""A common word ("batik" is in 17% of the catalogue) is searched without reading every match: its facets come
from a sample of FACET_EXACT_MAX + 1 matches; when the planner expects more than SORT_AFTER_FETCH_MAX, relevance
ranks a pool of the RANK_POOL best sellers among them and "terlaris" walks its index. A rarer word keeps exact
counts and ranks every match."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import selectors
from catalog.models import Product
from catalog.selectors import ProductFilters, product_search
from tests.factories import make_category, make_product, make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(selectors, "FACET_EXACT_MAX", 40)
    monkeypatch.setattr(selectors, "RANK_POOL", 30)
    monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", 45)
    selectors.cache.clear()


@pytest.fixture
def batik():
    """60 batik products: 0–59 sold, the least sold with "batik" three times in its name (the best text match)."""
    shop, category = make_shop(), make_category()
    template = make_product(shop=shop, category=category, name="Kopi Robusta", sold_count=0)
    Product.objects.bulk_create([
        Product(shop=shop, category=category, name="Batik batik batik tulis" if n == 0 else f"Kain batik {n}",
                slug=f"batik-{n}", status=Product.Status.ACTIVE, price_min=1000 * (n + 1), price_max=1000 * (n + 1),
                sold_count=n, kabkota_id=template.kabkota_id, stock_total=5, is_halal=n % 2 == 0)
        for n in range(60)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('product_search_facets_gin')")  # as autovacuum would
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("ANALYZE vendors_shop")
    return shop


def test_a_common_word_says_more_than_the_sample_and_shows_facets_without_numbers(client, small_limits, batik):
    results = product_search(filters=ProductFilters(text="batik"))
    assert results.sampled and results.total == 40
    assert results.categories and results.flags["halal"]  # the facets that have matches, from the sample
    assert results.pages == 2  # the pool of 30, 24 a page
    page = client.get("/cari/", {"q": "batik"}).content.decode()
    assert "Lebih dari 40 produk" in page and 'class="count"' not in page


def test_a_common_word_reads_a_sample_not_every_match(small_limits, batik):
    product_search(filters=ProductFilters(text="kopi"))  # the category tree and region names, cached
    with CaptureQueriesContext(connection) as queries:
        product_search(filters=ProductFilters(text="batik"))
    facet_query, estimate, page_query = (query["sql"] for query in queries.captured_queries)
    sample, counting = facet_query.split("LIMIT 41)")  # the sample is read first, then counted
    assert "GROUP BY" in counting and "GROUP BY" not in sample
    assert estimate.startswith("EXPLAIN")
    assert "LIMIT 30" in page_query  # the pool


def test_relevance_for_a_common_word_ranks_the_best_sellers_pool(small_limits, batik):
    products = product_search(filters=ProductFilters(text="batik")).products
    sold = [product.sold_count for product in products]
    assert min(sold) >= 60 - 30  # only the 30 best sellers are ranked
    assert "tulis" not in " ".join(product.name for product in products)  # the best text match sold least
    exact = product_search(filters=ProductFilters(text="batik tulis")).products  # one match: exact, not sampled
    assert [product.name for product in exact] == ["Batik batik batik tulis"]


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "newest", "bestselling"])
def test_a_common_word_sorted_gives_the_same_page_as_sorting_every_match(monkeypatch, batik, sort):
    selectors.cache.clear()
    exact = [p.pk for p in product_search(filters=ProductFilters(text="batik", sort=sort)).products]
    monkeypatch.setattr(selectors, "FACET_EXACT_MAX", 40)
    for most in (0, 10**9):  # walking the sort's index, fetching and sorting the matches
        monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", most)
        sampled = product_search(filters=ProductFilters(text="batik", sort=sort))
        assert sampled.sampled and [p.pk for p in sampled.products] == exact and len(exact) == selectors.PAGE_SIZE


def test_a_common_word_the_planner_expects_few_of_is_ranked_whole(small_limits, monkeypatch, batik):
    monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", 1000)
    results = product_search(filters=ProductFilters(text="batik"))
    assert results.sampled and results.products[0].name == "Batik batik batik tulis"  # sold least, ranked anyway
    assert results.pages == 2  # 41 known matches at least, 24 a page


def test_a_rarer_word_keeps_exact_counts_and_ranks_every_match(small_limits, batik):
    results = product_search(filters=ProductFilters(text="tulis"))
    assert not results.sampled and results.total == 1 and results.flags["halal"] == 1
