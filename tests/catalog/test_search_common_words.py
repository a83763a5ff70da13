"""A common word ("batik" is in 17% of the catalogue) is searched without reading every match: its facets come
from a sample of FACET_EXACT_MAX + 1 matches; relevance ranks a pool of the RANK_POOL best sellers among them (read
above a sold count the sample gives, or walked) and "terlaris" walks its index. A rarer word keeps exact counts and
ranks every match."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import selectors
from catalog.models import Product
from catalog.selectors import ProductFilters, product_search
from tests.factories import make_category, make_product, make_shop


@pytest.fixture(autouse=True)
def sql_search(settings):
    """These are the SQL search's (catalog.selectors.product_search without the search index): what a phrase, a rare
    word or the procurement order take, and every search with PB_SEARCH_INDEX off."""
    settings.SEARCH_INDEX = False


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
    facet_query, *pool_queries, cards_query = (query["sql"] for query in queries.captured_queries)
    sample, counting = facet_query.split("LIMIT 41)")  # the sample is read first, then counted
    assert "GROUP BY" in counting and "GROUP BY" not in sample
    # the pool, with each one's relevance (above a sold count first, when the estimate says that narrows it)
    assert "LIMIT 30" in pool_queries[-1] and "ts_rank" in pool_queries[-1]
    assert not any(query.startswith("EXPLAIN") for query in pool_queries)  # the sample estimates the matches
    assert "ts_rank" not in cards_query  # the page's cards only: ranked in Python


def test_a_full_sample_estimates_the_matches_from_where_it_stopped_in_the_table(small_limits):
    """1,000 products, every tenth a batik: the sample of 41 stops about two fifths into the table (~13 rows a
    block: the estimate is as fine as the blocks the sample spans)."""
    with connection.cursor() as cursor:  # a table file of these products only (earlier tests' rows leave pages)
        cursor.execute("TRUNCATE catalog_product CASCADE")
    shop, category = make_shop(), make_category()
    template = make_product(shop=shop, category=category, name="Kopi Robusta")
    Product.objects.bulk_create([
        Product(shop=shop, category=category, name=f"Kain batik {n}" if n % 10 == 0 else f"Gerabah hias {n}",
                slug=f"produk-{n}", status=Product.Status.ACTIVE, price_min=1000, price_max=1000,
                kabkota_id=template.kabkota_id, stock_total=5, description="Buatan tangan perajin Banten. " * 8)
        for n in range(1000)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
    counts, _ = selectors._facets_of_text(ProductFilters(text="batik"), selectors.category_tree(), 0)
    assert counts.total == 41 and 70 <= counts.estimate <= 140, counts.estimate  # 100 in all
    counts, _ = selectors._facets_of_text(ProductFilters(text="robusta"), selectors.category_tree(), 0)
    assert counts.total == 1 and not counts.estimate  # all of them counted: nothing to estimate


def test_relevance_for_a_common_word_ranks_the_best_sellers_pool(small_limits, batik):
    products = product_search(filters=ProductFilters(text="batik")).products
    sold = [product.sold_count for product in products]
    assert min(sold) >= 60 - 30  # only the 30 best sellers are ranked
    assert "tulis" not in " ".join(product.name for product in products)  # the best text match sold least
    exact = product_search(filters=ProductFilters(text="batik tulis")).products  # one match: exact, not sampled
    assert [product.name for product in exact] == ["Batik batik batik tulis"]


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "newest", "bestselling"])
@pytest.mark.parametrize("number", [1, 2])  # the sample's 41 matches make two pages
def test_a_common_word_sorted_gives_the_same_page_as_sorting_every_match(monkeypatch, batik, sort, number):
    selectors.cache.clear()
    exact = [p.pk for p in product_search(filters=ProductFilters(text="batik", sort=sort, page=number)).products]
    monkeypatch.setattr(selectors, "FACET_EXACT_MAX", 40)
    # walking the sort's index (or by price, band by band), the estimate on the line, every match fetched
    for most in (0, 45, 10**9):
        monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", most)
        with CaptureQueriesContext(connection) as queries:
            sampled = product_search(filters=ProductFilters(text="batik", sort=sort, page=number))
        assert sampled.sampled and [p.pk for p in sampled.products] == exact and len(exact) == selectors.PAGE_SIZE
        if most == 0:
            # by price, read band by band: the 49 matches under Rp50.000 fill both pages cheapest first; dearest
            # first reads the three empty bands above Rp100.000, the 11 of Rp50.000–100.000 and then the first band
            by_band = [query["sql"] for query in queries.captured_queries if '"price_band" = (' in query["sql"]]
            assert len(by_band) == {"price_asc": 1, "price_desc": 5}.get(sort, 0)
        elif most == 10**9:  # the statement that counted the facets read on to every match and sorted the page
            facets, cards = (query["sql"] for query in queries.captured_queries)
            assert facets.startswith("WITH every_match") and cards.startswith("EXECUTE")


def test_a_common_word_estimated_below_the_walk_still_ranks_its_pool(small_limits, monkeypatch, batik):
    monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", 1000)  # fewer matches estimated: sorted, not walked
    results = product_search(filters=ProductFilters(text="batik"))
    assert results.sampled and min(product.sold_count for product in results.products) >= 60 - 30
    assert results.pages == 2  # the pool of 30, 24 a page


def pool_of(filters: ProductFilters) -> tuple[list[int], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        products = product_search(filters=filters).products
    return [product.pk for product in products], [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("filters", [ProductFilters(text="batik"), ProductFilters(text="batik", page=2),
                                     ProductFilters(text="batik", price="0-50rb")])
def test_the_pool_read_above_the_samples_sold_threshold_is_the_walked_pool(small_limits, monkeypatch, batik, filters):
    walked, _ = pool_of(filters)
    monkeypatch.setattr(selectors, "WALK_SHARE", 0)  # however common the word
    monkeypatch.setattr(selectors, "POOL_MARGIN", 1)  # the sample's 41 sold 0–40: "batik" alone reads above 20
    read, sqls = pool_of(filters)
    assert read == walked and read
    assert any(re.search(r'"catalog_product"."sold_count" >= \d+', sql) for sql in sqls), sqls


def test_a_threshold_too_few_matches_reach_falls_back_to_the_walk(small_limits, monkeypatch, batik):
    walked, _ = pool_of(ProductFilters(text="batik"))
    monkeypatch.setattr(selectors, "WALK_SHARE", 0)
    monkeypatch.setattr(selectors, "POOL_MARGIN", 0.01)  # the sample's best: 40, which 20 matches reach, not 30
    read, sqls = pool_of(ProductFilters(text="batik"))
    assert read == walked
    assert any('"catalog_product"."sold_count" >= 40' in sql for sql in sqls), sqls


def test_a_rarer_word_keeps_exact_counts_and_ranks_every_match(small_limits, batik):
    results = product_search(filters=ProductFilters(text="tulis"))
    assert not results.sampled and results.total == 1 and results.flags["halal"] == 1


def test_a_word_listed_in_a_burst_lately_is_estimated_short_and_still_gets_its_page(small_limits, monkeypatch):
    """A word sold a little for long, then a lot lately: its sample holds the early products only and estimates
    far fewer than there are. The statement reads on to SORT_AFTER_FETCH_MAX + 1 matches at most, sees more, and
    the page is found as a commoner word's: the same page."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE catalog_product CASCADE")
    shop, category = make_shop(), make_category()
    template = make_product(shop=shop, category=category, name="Kopi Robusta")
    early = [f"Kain batik {n}" if n % 12 == 0 else f"Gerabah hias {n}" for n in range(500)]  # 42 batik
    Product.objects.bulk_create([
        Product(shop=shop, category=category, name=name, slug=f"produk-{n}", status=Product.Status.ACTIVE,
                price_min=1000 + n, price_max=1000 + n, sold_count=n % 97, kabkota_id=template.kabkota_id,
                stock_total=5, description="Buatan tangan perajin Banten. " * 8)
        for n, name in enumerate([*early, *(f"Batik tulis baru {n}" for n in range(200))])])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
    monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", 10**9)
    everything = product_search(filters=ProductFilters(text="batik"))
    monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", 100)
    counts, _ = selectors._facets_of_text(ProductFilters(text="batik"), selectors.category_tree(), 0)
    assert counts.estimate <= 100 and not counts.paged  # 242 in all
    with CaptureQueriesContext(connection) as queries:
        read_on = product_search(filters=ProductFilters(text="batik"))
    assert [p.pk for p in read_on.products] == [p.pk for p in everything.products] and len(read_on.products) == 24
    assert any("ts_rank" in query["sql"] and "LIMIT 30" in query["sql"] for query in queries.captured_queries)
