"""The search index (catalog/search_index.py) answers text searches as the SQL search does (the same pages, counted
exactly), sees every committed change at the next search, and leaves to the SQL search what it does not answer."""

import threading
from dataclasses import replace

import numpy as np
import pytest
from django.db import OperationalError, connection, transaction

from catalog import search_index, selectors
from catalog.models import Product
from catalog.selectors import ProductFilters, product_search
from tests.factories import make_category, make_product, make_shop
from vendors.models import Shop

pytestmark = pytest.mark.django_db

WORDS = ("batik tulis", "batik cap", "kopi robusta", "kopi batik", "keripik tempe", "syal eco-print", "syal eco print")


@pytest.fixture
def catalogue(monkeypatch):
    """72 products in two kab/kota, three categories, every price band, halal or not, sold 0–71 times."""
    monkeypatch.setattr(selectors, "PAGE_SIZE", 5)
    shops = [make_shop(kabkota="36.73"), make_shop(kabkota="36.74")]
    categories = [make_category(), make_category(), make_category()]
    template = make_product(shop=shops[0], category=categories[0], name="Templat")
    template.delete()
    Product.objects.bulk_create([
        Product(shop=shops[n % 2], category=categories[n % 3], kabkota_id=("36.73", "36.74")[n % 2],
                name=f"{WORDS[n % len(WORDS)].title()} {'premium ' * (n % 4)}nomor {n}",
                description="Kain batik khas Banten" if n % 7 == 0 else "Produk UMKM", slug=f"produk-{n}",
                status=Product.Status.ACTIVE, price_min=[20_000, 75_000, 150_000, 300_000, 900_000][n % 5] + n,
                price_max=1_000_000, sold_count=(n * 37) % 72, is_halal=n % 3 == 0, stock_total=5)
        for n in range(72)])
    return shops, categories


def both_ways(settings, filters: ProductFilters):
    settings.SEARCH_INDEX = False
    expected = product_search(filters=filters)
    settings.SEARCH_INDEX = True
    search_index.search(filters, selectors.category_tree())  # answered by the index, not left to SQL
    return product_search(filters=filters), expected


def assert_same(found, expected):
    assert [p.pk for p in found.products] == [p.pk for p in expected.products]
    assert (found.total, found.page, found.pages, found.corrected) == (
        expected.total, expected.page, expected.pages, expected.corrected)
    assert (found.categories, found.kabkota, found.prices, found.ratings, found.flags) == (
        expected.categories, expected.kabkota, expected.prices, expected.ratings, expected.flags)


WORDS_SEARCHED = ("batik", "kopi batik", "batik OR keripik", "batik -cap", "premium", "eco-print", "syal eco-print")
SORTS = {"": "", "terbaru": "newest", "termurah": "price_asc", "termahal": "price_desc", "terlaris": "bestselling"}


@pytest.mark.parametrize("text", WORDS_SEARCHED)
@pytest.mark.parametrize("sort", list(SORTS))
def test_the_index_gives_the_sql_searchs_pages_and_counts(settings, catalogue, text, sort):
    """Inside the test's transaction every product is a change since the index was read (Index.changed)."""
    _shops, categories = catalogue
    assert search_index._synced("")[0].listed_changes
    assert_same_pages(settings, text, sort, categories)


@pytest.mark.django_db(transaction=True)
def test_the_arrays_give_the_sql_searchs_pages_and_counts(settings, catalogue):
    """Committed, the products are in the arrays (and a text's ranks are kept beside them)."""
    _shops, categories = catalogue
    assert not search_index._synced("")[0].listed_changes
    for text in WORDS_SEARCHED:
        for sort in SORTS:
            assert_same_pages(settings, text, sort, categories)
    # changed since: the best-ranked product's words (its rank of "batik" drops, so it is read again, not kept) and
    # another's sales; the others' kept ranks and the changed ones' fresh ranks give the SQL search's pages
    first, second = product_search(filters=ProductFilters(text="batik")).products[:2]
    Product.objects.filter(pk=first.pk).update(description="")
    Product.objects.filter(pk=second.pk).update(sold_count=900)
    assert_same_pages(settings, "batik", "", categories)
    assert product_search(filters=ProductFilters(text="batik")).products[0].pk != first.pk


def assert_same_pages(settings, text, sort, categories):
    base = ProductFilters(text=text, sort=SORTS[sort])
    for filters in (base, replace(base, page=2), replace(base, page=3), replace(base, halal=True),
                    replace(base, kabkota="36.74"), replace(base, price="100-250rb"),
                    replace(base, category=categories[1].slug, halal=True)):
        assert_same(*both_ways(settings, filters))


def test_a_change_is_searched_at_once(settings, catalogue):
    shops, categories = catalogue
    settings.SEARCH_INDEX = True
    filters = ProductFilters(text="batik", sort="price_asc")
    before = product_search(filters=filters)
    cheapest = make_product(shop=shops[0], category=categories[0], name="Batik termurah", price=1_000)
    dearest = Product.objects.filter(shop=shops[0], name__startswith="Batik Tulis").order_by("-price_min").first()
    Product.objects.filter(pk=dearest.pk).update(price_min=500)  # now the cheapest of all
    delisted = before.products[1]
    Product.objects.filter(pk=delisted.pk).update(status=Product.Status.INACTIVE)
    renamed = before.products[2]
    Product.objects.filter(pk=renamed.pk).update(name="Kerajinan bambu", description="")
    Shop.objects.filter(pk=shops[1].pk).update(status=Shop.Status.SUSPENDED)
    for asked in (filters, replace(filters, sort=""), replace(filters, sort="bestselling"), replace(filters, page=2)):
        assert_same(*both_ways(settings, asked))
    found = product_search(filters=filters)
    assert [p.pk for p in found.products][:2] == [dearest.pk, cheapest.pk]
    assert delisted.pk not in {p.pk for p in found.products} and found.total < before.total


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_after_the_index_looked_is_seen_by_the_next_search(settings, catalogue):
    """The index asks for products changed by any transaction still running when it last looked: one that began
    before and commits after is not missed (its transaction id is below the next look's horizon)."""
    settings.SEARCH_INDEX = True
    filters = ProductFilters(text="keripik", sort="bestselling")
    product_search(filters=filters)
    target = Product.objects.filter(name__startswith="Keripik").order_by("sold_count").first()
    changed, may_commit = threading.Event(), threading.Event()

    def seller():
        try:
            with transaction.atomic():
                Product.objects.filter(pk=target.pk).update(sold_count=10_000)
                changed.set()
                may_commit.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=seller)
    writer.start()
    assert changed.wait(10)
    # a later transaction commits first: the index must not take its id for the point up to which all is seen
    other = Product.objects.filter(name__startswith="Keripik").exclude(pk=target.pk).first()
    Product.objects.filter(pk=other.pk).update(sold_count=5_000)
    assert [p.pk for p in product_search(filters=filters).products][:1] == [other.pk]  # the seller's not committed
    may_commit.set()
    writer.join()
    assert [p.pk for p in product_search(filters=filters).products][:2] == [target.pk, other.pk]


@pytest.mark.django_db(transaction=True)
def test_a_look_that_finds_nothing_changed_is_one_statement(settings, catalogue, django_assert_num_queries):
    settings.SEARCH_INDEX = True
    filters = ProductFilters(text="keripik", sort="bestselling")
    product_search(filters=filters)
    with django_assert_num_queries(2):  # the look (the text parsed, nothing changed), the page's cards
        product_search(filters=filters)
    Product.objects.filter(name__startswith="Keripik").update(sold_count=9_000)
    with django_assert_num_queries(3):  # the look, the changed products, the cards
        product_search(filters=filters)
    with django_assert_num_queries(2):
        product_search(filters=filters)
    with django_assert_num_queries(1):  # known words that never go together: nothing to correct, no cards
        assert product_search(filters=ProductFilters(text="keripik kopi")).total == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("text", ["premium", "batik premium"])
def test_a_texts_ranks_are_read_once_per_product(settings, catalogue, django_assert_num_queries, text):
    settings.SEARCH_INDEX = True
    product_search(filters=ProductFilters(text="kopi"))  # the index read, the category tree, the region names
    with django_assert_num_queries(3):  # the look, the ranks of its matches, the cards
        product_search(filters=ProductFilters(text=text))
    with django_assert_num_queries(2):  # its matches in one kab/kota: every rank was read
        found = product_search(filters=ProductFilters(text=text, kabkota="36.74", page=2))
    settings.SEARCH_INDEX = False
    assert found == product_search(filters=ProductFilters(text=text, kabkota="36.74", page=2))


@pytest.mark.django_db(transaction=True)
def test_the_least_recently_searched_texts_ranks_are_dropped_first(settings, catalogue, monkeypatch,
                                                                  django_assert_num_queries):
    settings.SEARCH_INDEX = True
    product_search(filters=ProductFilters(text="kopi"))
    index = search_index._index[0]
    monkeypatch.setattr(search_index, "RANKS_KEPT", len(index.ranks["'kopi'"].ids) + 1)
    product_search(filters=ProductFilters(text="batik"))  # past RANKS_KEPT: "kopi" is dropped
    assert list(index.ranks) == ["'batik'"] and index.ranks_kept == len(index.ranks["'batik'"].ids)
    with django_assert_num_queries(3):  # the look, the ranks read again, the cards
        product_search(filters=ProductFilters(text="kopi"))
    with django_assert_num_queries(2):
        product_search(filters=ProductFilters(text="kopi"))


def read_again():
    """Wait for the index being read again in the background."""
    for reader in search_index._reader:
        reader.join(10)
        assert not reader.is_alive(), "the index was not read within 10 s"


@pytest.mark.django_db(transaction=True)
def test_many_changes_read_the_arrays_again(settings, catalogue, monkeypatch):
    """Changes are kept beside the arrays up to OVERLAY_MAX, over one look or several; past it the arrays are read
    again in the background, the old ones answering meanwhile; past it in one look, the SQL search answers until
    they are."""
    settings.SEARCH_INDEX = True
    monkeypatch.setattr(search_index, "OVERLAY_MAX", 3)
    filters = ProductFilters(text="batik", sort="bestselling")
    tree = selectors.category_tree()
    batik = list(Product.objects.filter(name__startswith="Batik").order_by("pk"))

    def sell(products):
        for product in products:
            Product.objects.filter(pk=product.pk).update(sold_count=product.sold_count + 100 + product.pk % 7)

    product_search(filters=filters)
    first = search_index._index[0]
    sell(batik[:2])
    assert_same(*both_ways(settings, filters))
    assert search_index._index[0] is first and len(first.changed) == 2
    sell(batik[2:4])  # four in all, seen by this look
    search_index.search(filters, tree)
    assert search_index._index[0] is first and len(first.changed) == 4
    assert_same(*both_ways(settings, filters))  # the old arrays answer while new ones are read
    read_again()
    second = search_index._index[0]
    assert second is not first and not second.changed
    assert_same(*both_ways(settings, filters))
    sell(batik[4:8])  # four at once
    with pytest.raises(search_index.Unanswered):
        search_index.search(filters, tree)
    found = product_search(filters=filters)  # the SQL search, meanwhile
    settings.SEARCH_INDEX = False
    assert_same(found, product_search(filters=filters))
    read_again()
    assert search_index._index[0] is not second and not search_index._index[0].changed
    assert_same(*both_ways(settings, filters))


@pytest.mark.parametrize("filters", [ProductFilters(text='"batik tulis"'), ProductFilters(text="nomor 7"),
                                     ProductFilters(text="batik", sort="procurement")])
def test_what_the_index_leaves_to_sql(settings, catalogue, filters):
    settings.SEARCH_INDEX = True
    with pytest.raises(search_index.Unanswered):  # a phrase, a rare (or unknown) word, the procurement order
        search_index.search(filters, selectors.category_tree())
    found = product_search(filters=filters)
    settings.SEARCH_INDEX = False
    assert_same(found, product_search(filters=filters))
    assert found.total


@pytest.mark.django_db(transaction=True)
def test_a_web_process_reads_the_index_as_it_starts(catalogue, monkeypatch):
    search_index.warm()
    listed = set(Product.objects.filter(status=Product.Status.ACTIVE).values_list("pk", flat=True))
    assert set(search_index._index[0].ids.tolist()) == listed
    search_index.reset()

    def unreachable():
        raise OperationalError("the database is not up yet")

    monkeypatch.setattr(search_index, "build", unreachable)
    search_index.warm()  # starts all the same: the first search reads it
    assert not search_index._index


def test_a_product_listed_while_the_index_is_read_takes_no_other_products_row():
    ids = np.array([3, 5, 9, 12])
    assert search_index.rows_of_ids(ids, np.array([12, 4, 3, 13, 9])).tolist() == [0, 2, 3]
