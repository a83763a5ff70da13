"""Every sorted listing reads a page, not the catalogue: common matches walk the sort's index, few matches are
fetched through the filters' indexes and sorted. Checked on the plans Postgres makes (EXPLAIN), seq scans off so
the small test tables answer as a big catalogue would."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import selectors
from catalog.models import Product
from catalog.selectors import ProductFilters, _matching, _ordered, category_tree, product_cards, product_search
from tests.factories import make_category, make_product, make_shop


@pytest.fixture(autouse=True)
def sql_search(settings):
    """These are the SQL search's (catalog.selectors.product_search without the search index): what a phrase, a rare
    word or the procurement order take, and every search with PB_SEARCH_INDEX off."""
    settings.SEARCH_INDEX = False


pytestmark = pytest.mark.django_db

SORT_INDEXES = {
    "newest": "created",  # product_listed_newest or the created_at index (ties on created_at are few here)
    "price_asc": "product_listed_price",
    "price_desc": "product_listed_price",
    "bestselling": "product_listed_bestselling",
    "procurement": "product_listed_procurement",
}


def plan_of(filters: ProductFilters, total: int | None) -> str:
    matching, relevance = _matching(filters, category_tree())
    queryset = product_cards(_ordered(matching, filters, relevance, total))[:selectors.PAGE_SIZE]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        # the scans only (a sort key names columns too)
        return "\n".join(row[0] for row in cursor.fetchall() if " Scan " in row[0] or row[0].startswith("Seq Scan"))


@pytest.fixture
def catalogue():
    """3,000 listed products, analysed like a seeded catalogue: a category of 1,500 where only 3 are halal, though
    half the others are (the planner, taking the filters as independent, expects 750 halal ones there), and 300
    of them with "Produk unggulan" in their name (two words the planner expects together in 15)."""
    selectors.cache.clear()  # the category tree another test cached
    shop, big = make_shop(), make_category()
    common = [make_category() for _ in range(19)]
    template = make_product(shop=shop, category=big, price=1000)
    Product.objects.bulk_create([
        Product(shop=shop, category=big if n < 1500 else common[n % 19],
                name=f"Produk unggulan {n}" if 1000 <= n < 1300 else f"Barang {n}", slug=f"produk-{n}",
                is_halal=n in (1001, 1002, 1003) if n < 3000 else n % 2 == 0,
                status=Product.Status.ACTIVE, price_min=1000 * (n % 97 + 1), price_max=1000 * (n % 97 + 1),
                sold_count=n % 89, kabkota_id=template.kabkota_id, stock_total=5)
        for n in range(5999)])
    with connection.cursor() as cursor:
        for index in ("product_search_facets_gin", "product_search_halal_gin"):  # as autovacuum would
            cursor.execute("SELECT gin_clean_pending_list(%s)", [index])
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("ANALYZE vendors_shop")
    return big


@pytest.mark.parametrize("sort", SORT_INDEXES)
def test_common_matches_walk_the_index_of_their_sort(catalogue, sort):
    plan = plan_of(ProductFilters(sort=sort), total=selectors.SORT_AFTER_FETCH_MAX + 1)
    assert SORT_INDEXES[sort] in plan and "Seq Scan on catalog_product" not in plan, plan


ROOT_INDEXES = {"newest": "product_root_newest", "price_asc": "product_root_price", "price_desc": "product_root_price",
                "bestselling": "product_root_bestselling"}


@pytest.mark.parametrize("sort", ROOT_INDEXES)
def test_a_top_level_category_walks_its_own_index_for_every_sort(catalogue, sort):
    plan = plan_of(ProductFilters(category=catalogue.slug, sort=sort), total=selectors.SORT_AFTER_FETCH_MAX + 1)
    # its own index, or the catalogue's when the category is a big part of it (a quarter, here)
    assert ROOT_INDEXES[sort] in plan or SORT_INDEXES[sort] in plan, plan
    assert "Seq Scan on catalog_product" not in plan, plan


def test_every_product_knows_its_top_level_category_whoever_writes_it():
    selectors.cache.clear()
    root = make_category(level=1)
    middle = make_category(level=2, parent=root)
    leaf, other = make_category(level=3, parent=middle), make_category(level=1)
    product = make_product(category=leaf)
    assert Product.objects.get(pk=product.pk).category_root_id == root.pk
    product.category = other
    product.save()  # writes the stale category_root it holds: the database sets it again
    assert Product.objects.get(pk=product.pk).category_root_id == other.pk
    Product.objects.filter(pk=product.pk).update(category=leaf)
    assert Product.objects.get(pk=product.pk).category_root_id == root.pk
    page = product_search(filters=ProductFilters(category=root.slug)).products
    assert [p.pk for p in page] == [product.pk]


def test_a_category_by_best_selling_walks_a_best_selling_index(catalogue):
    many = selectors.SORT_AFTER_FETCH_MAX + 1
    plan = plan_of(ProductFilters(category=catalogue.slug, sort="bestselling"), total=many)
    assert re.search(r"Index Scan using product_\w*bestselling", plan), plan
    assert "Seq Scan on catalog_product" not in plan, plan


@pytest.mark.parametrize("sort", SORT_INDEXES)
def test_few_matches_are_fetched_by_their_filter_and_sorted_not_found_by_walking_the_sort_index(catalogue, sort):
    plan = plan_of(ProductFilters(category=catalogue.slug, halal=True, sort=sort), total=3)
    # no index walked for its order: the catalogue's, or the top-level category's own
    assert SORT_INDEXES[sort] not in plan and "Index Scan using product_root" not in plan, plan
    text_plan = plan_of(ProductFilters(text="produk", halal=True, sort=sort), total=3)
    assert SORT_INDEXES[sort] not in text_plan, text_plan
    # through a text index (the halal products' own, with halal)
    assert re.search(r"Bitmap Index Scan on product_search_(facets|halal)_gin", text_plan), text_plan


@pytest.mark.parametrize("sort", SORT_INDEXES)
def test_both_ways_give_the_same_order(catalogue, monkeypatch, sort):
    for filters in (ProductFilters(sort=sort), ProductFilters(sort=sort, halal=True),
                    ProductFilters(sort=sort, category=catalogue.slug)):
        monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", 0)
        walked = [product.pk for product in product_search(filters=filters).products]
        monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", 10**9)
        fetched = [product.pk for product in product_search(filters=filters).products]
        assert walked == fetched and walked, filters


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "newest"])
def test_a_common_word_sorted_by_price_or_age_is_fetched_and_sorted_not_walked(catalogue, sort):
    # a word's products sit in one price range: the walk would read every cheaper product first
    plan = plan_of(ProductFilters(text="produk", sort=sort), total=10**6)
    assert SORT_INDEXES[sort] not in plan and "Bitmap Index Scan on product_search_facets_gin" in plan, plan



FACET_INDEX_CONDITIONS = {"price": r"price_band = '0'::smallint",
                          "category": r"category_root_id = '\d+'::bigint", "kabkota": r"kabkota_id\)::text = '[\d.]+'"}


@pytest.mark.parametrize("facet", FACET_INDEX_CONDITIONS)
def test_a_word_and_a_facet_are_intersected_inside_the_text_index(catalogue, facet):
    # the facet's own entries in the text index: a word's products in one band, category or kab/kota are found
    # without reading the word's others
    value = {"price": "0-50rb", "category": catalogue.slug,
             "kabkota": Product.objects.values_list("kabkota_id", flat=True).first()}[facet]
    matching, _relevance = _matching(ProductFilters(text="produk", **{facet: value}), category_tree())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = matching.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    index_condition = re.search(r"Bitmap Index Scan on product_search_facets_gin.*\n\s*Index Cond: (.*)", plan)
    assert index_condition and re.search(FACET_INDEX_CONDITIONS[facet], index_condition[1]), plan


@pytest.mark.parametrize("sort", [*SORT_INDEXES, "relevance"])
def test_a_text_search_sorted_from_its_matches_gives_the_database_order(catalogue, sort):
    # ≤ FACET_EXACT_MAX matches: the page is sorted in Python from the rows the facet query read (ties on price and
    # sold count here): the same pages as the database's ORDER BY
    for page in (1, 2, 13):
        filters = ProductFilters(text="produk", sort=sort, page=page)
        matching, relevance = _matching(filters, category_tree())
        offset = (page - 1) * selectors.PAGE_SIZE
        database = [p.pk for p in product_cards(_ordered(matching, filters, relevance, 300))[
            offset:offset + selectors.PAGE_SIZE]]
        results = product_search(filters=filters)
        assert not results.sampled and [p.pk for p in results.products] == database and database, (sort, page)


@pytest.mark.parametrize("sort", ROOT_INDEXES)
def test_a_prepared_category_listing_keeps_walking_its_index_after_postgres_caches_the_plan(catalogue, sort,
                                                                                             monkeypatch):
    """The page of a listing without text is a prepared statement (plazabanten.prepared): after five runs Postgres
    may keep one generic plan for every category; that plan must walk an index too."""

    monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", 100)  # the category's 1,500 are "common": walk
    filters = ProductFilters(category=catalogue.slug, sort=sort)
    for _ in range(6):
        product_search(filters=filters)
    with CaptureQueriesContext(connection) as queries:
        assert len(product_search(filters=filters).products) == selectors.PAGE_SIZE
    (execute,) = [q["sql"] for q in queries if q["sql"].startswith("EXECUTE pb_catalog_product_")]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {execute}")
        plan = "\n".join(row[0] for row in cursor.fetchall() if " Scan " in row[0])
    assert ROOT_INDEXES[sort] in plan or SORT_INDEXES[sort] in plan, plan
    assert "Seq Scan on catalog_product" not in plan, plan


@pytest.mark.parametrize("sort", ROOT_INDEXES)
def test_a_top_level_category_with_few_products_still_walks_an_index_not_sorts_them_all(catalogue, sort):
    """Its 1,500 products are fewer than SORT_AFTER_FETCH_MAX, but an index leads with its category and holds them
    in order: the page is a page read, not a fetch and sort of every product in the category."""

    with CaptureQueriesContext(connection) as queries:
        assert len(product_search(filters=ProductFilters(category=catalogue.slug, sort=sort)).products) == \
            selectors.PAGE_SIZE
    (execute,) = [q["sql"] for q in queries if q["sql"].startswith("EXECUTE pb_catalog_product_")]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {execute}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert ROOT_INDEXES[sort] in plan or SORT_INDEXES[sort] in plan, plan
    assert "Sort Key" not in plan, plan


def test_a_big_listing_counts_its_products_with_a_thousands_dot(catalogue, client):
    page = client.get("/cari/").content.decode()
    assert re.search(r'id="result-count">\s*6\.000 produk<', page), re.search(r'id="result-count">[^<]*', page)


def test_a_minimum_rating_finds_a_common_words_few_rated_matches_through_its_index(catalogue):

    rated = Product.objects.filter(name__startswith="Produk").order_by("pk")[:3]
    Product.objects.filter(pk__in=[product.pk for product in rated]).update(rating_avg=Decimal("4.8"), rating_count=5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
    filters = ProductFilters(text="produk", rating="4.5")
    with CaptureQueriesContext(connection) as queries:
        assert product_search(filters=filters).total == 3
    # the facet counts and the page, from the matches read once
    (statement,) = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("WITH every_match")]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {statement}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "product_listed_rating" in plan, plan  # not a read of each of the word's 300 matches


def test_a_common_words_sample_is_planned_as_a_read_of_all_its_matches_and_stopped_early(catalogue):
    """The sample's LIMIT is not planned into the scan: with it, a common word and a flag ("grosir" with halal,
    4,160 of 100k products) were read by a sequential scan expected to stop early, which checked the word in
    every row before it (48k rows, 25 ms, against 8 ms through the text index)."""
    import json


    with CaptureQueriesContext(connection) as queries:
        assert product_search(filters=ProductFilters(text="barang", halal=True)).total > 0
    (statement,) = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("WITH every_match")]

    def scans_under_a_limit(node, limited=False) -> list[str]:
        limited = limited or node["Node Type"] == "Limit"
        found = [node["Node Type"]] if limited and node.get("Relation Name") == "catalog_product" else []
        return found + [scan for child in node.get("Plans", []) for scan in scans_under_a_limit(child, limited)]

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}")
        (document,) = cursor.fetchone()  # psycopg2 gives the JSON parsed
    plan = document[0]["Plan"]
    assert not scans_under_a_limit(plan), json.dumps(plan, indent=1)


def test_a_word_with_halal_is_read_through_the_text_index_of_halal_products(catalogue):
    """3 of the word's 300 products are halal, though half of the catalogue is: they are found through
    product_search_halal_gin, not by reading each of the word's products."""

    with CaptureQueriesContext(connection) as queries:
        assert product_search(filters=ProductFilters(text="produk", halal=True)).total == 3
    (statement,) = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("WITH every_match")]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {statement}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "product_search_halal_gin" in plan, plan


def test_a_text_search_page_past_the_last_shows_the_last(catalogue):
    last = product_search(filters=ProductFilters(text="produk", page=13))  # ~300 matches, 24 a page
    past = product_search(filters=ProductFilters(text="produk", page=40))
    assert past.page == last.page == 13 and not past.sampled
    assert [p.pk for p in past.products] == [p.pk for p in last.products]
    assert len(past.products) == past.total - 12 * 24 > 0


def test_a_common_words_pool_above_a_sold_count_is_read_through_the_text_index_with_it(catalogue):
    # the planner expects few of two words together and would read every match to keep those above the count
    sql, params = selectors._text_pool.sql(shape=((), "threshold"), text="produk", least_sold=5)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    index_condition = re.search(r"Bitmap Index Scan on product_search_facets_gin.*\n\s*Index Cond: (.*)", plan)
    assert index_condition and "sold_count >= 5" in index_condition[1], plan


def test_a_common_words_page_by_best_selling_walks_its_index_whatever_the_planner_expects(catalogue, monkeypatch):
    monkeypatch.setattr(selectors, "FACET_EXACT_MAX", 40)  # a sample of 41 estimates the 300
    monkeypatch.setattr(selectors, "SORT_AFTER_FETCH_MAX", 45)
    with CaptureQueriesContext(connection) as queries:
        results = product_search(filters=ProductFilters(text="produk unggulan", sort="bestselling"))
    assert results.sampled and len(results.products) == selectors.PAGE_SIZE
    (page,) = [query["sql"] for query in queries.captured_queries
               if query["sql"].startswith('SELECT "catalog_product"."id" AS "pk"')]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {page}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # with the text index, the planner would read the 15 it expects and sort them: it would read all 300
    assert "Index Scan using product_listed_bestselling" in plan and "Bitmap" not in plan, plan
