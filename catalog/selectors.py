import math
import re
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    SmallIntegerField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, JSONObject
from django.db.models.query import ValuesListIterable
from django.utils import timezone

from plazabanten.cache import kept_in_process
from plazabanten.money import format_rupiah
from plazabanten.prepared import PreparedRead, any_of
from regions.models import Region
from vendors.models import Shop

from . import search_index
from .cache import REFERENCE_LOCAL_SECONDS
from .models import (
    FACET_KEY,
    PDN_TIER_FULL,
    PRICE_BAND_LIMITS,
    TKDN_LOCAL_MIN,
    Category,
    FacetCell,
    Product,
    ProductImage,
    ProductImport,
    ProductVariant,
    name_localized,
)

PAGE_SIZE = 24
MAX_PAGE = 50  # bounded offset: deeper pages are reached by narrowing the filters, not by paging
TREE_CACHE_KEY = "catalog:category-tree:v2"
TREE_CACHE_SECONDS = 300



def _price_band_labels() -> list[str]:
    limits = [format_rupiah(limit) for limit in PRICE_BAND_LIMITS]
    return [f"< {limits[0]}", *(f"{low} – {high}" for low, high in pairwise(limits)), f"≥ {limits[-1]}"]


# (query-string key, label); a band's position is the product's price_band.
PRICE_BANDS = tuple(zip(("0-50rb", "50-100rb", "100-250rb", "250-500rb", "500rb"), _price_band_labels(), strict=True))
# (query-string key, lowest rating_band it includes)
RATING_LEVELS = (("4.5", 2), ("4", 1))


def product_storefront_queryset() -> QuerySet[Product]:
    """Products a shopper may see: active, from a verified shop."""
    return Product.objects.filter(status=Product.Status.ACTIVE, shop__status=Shop.Status.VERIFIED)


@dataclass(frozen=True, slots=True)
class CardShop:
    name: str
    slug: str
    is_pkp: bool


@dataclass(frozen=True, slots=True)
class CardRegion:
    name: str


@dataclass(frozen=True, slots=True)
class ProductCard:
    """What a product card shows ({% product_card %}), read as a plain row. As a Product with its shop and region
    (three model instances of many fields each) a card took ~20 µs to build: most of the home page's Python."""

    pk: int
    name: str
    slug: str
    price_min: int
    cover: dict
    rating_avg: Decimal
    rating_count: int
    sold_count: int
    tkdn_percent: int
    is_halal: bool
    is_banten: bool
    # the government buyer's badges (PDN tier, UMK, PKP); same row, same join
    bmp_percent: int
    pdn_tier: int
    shop_is_umk: bool
    shop: CardShop
    kabkota: CardRegion | None

    @classmethod
    def from_row(cls, row: tuple) -> "ProductCard":
        *product, shop_name, shop_slug, shop_is_pkp, kabkota_name = row
        return cls(*product, shop=CardShop(shop_name, shop_slug, shop_is_pkp),
                   kabkota=None if kabkota_name is None else CardRegion(kabkota_name))


CARD_COLUMNS = (*(name for name in ProductCard.__dataclass_fields__ if name not in ("pk", "shop", "kabkota")),
                "shop__name", "shop__slug", "shop__is_pkp", "kabkota__name")


class _CardIterable(ValuesListIterable):
    def __iter__(self):
        return map(ProductCard.from_row, super().__iter__())


def product_cards(queryset: QuerySet[Product]) -> QuerySet[ProductCard]:
    """The queryset's products as ProductCard rows (it still filters, orders and slices as a queryset)."""
    cards = queryset.values_list("pk", *CARD_COLUMNS)
    cards._iterable_class = _CardIterable
    return cards


@dataclass
class CategoryNode:
    id: int
    name: str
    slug: str
    level: int
    icon: str
    parent_id: int | None
    name_en: str = ""
    children: list["CategoryNode"] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The name in the page's language (the tree is cached once for both languages)."""
        return name_localized(name=self.name, name_en=self.name_en)

    def leaf_ids(self) -> list[int]:
        if not self.children:
            return [self.id]
        return [leaf for child in self.children for leaf in child.leaf_ids()]


@dataclass
class CategoryTree:
    roots: list[CategoryNode]
    by_slug: dict[str, CategoryNode]
    by_id: dict[int, CategoryNode]

    def path(self, node: CategoryNode) -> list[CategoryNode]:
        """Root first, node last (for breadcrumbs)."""
        trail = [node]
        while trail[0].parent_id is not None:
            trail.insert(0, self.by_id[trail[0].parent_id])
        return trail


@kept_in_process(REFERENCE_LOCAL_SECONDS)
def category_tree() -> CategoryTree:
    """The whole (small) taxonomy, read once and kept in the cache for a few minutes (and in the process for
    REFERENCE_LOCAL_SECONDS: callers only read it)."""
    rows = cache.get(TREE_CACHE_KEY)
    if rows is None:
        rows = list(Category.objects.order_by("level", "position", "name")
                    .values_list("id", "name", "slug", "level", "icon", "parent_id", "name_en"))
        cache.set(TREE_CACHE_KEY, rows, TREE_CACHE_SECONDS)
    by_id = {row[0]: CategoryNode(*row) for row in rows}
    roots = []
    for node in by_id.values():
        (by_id[node.parent_id].children if node.parent_id in by_id else roots).append(node)
    return CategoryTree(roots=roots, by_slug={node.slug: node for node in by_id.values()}, by_id=by_id)


@PreparedRead
def product_new_arrivals() -> QuerySet[ProductCard]:
    return product_cards(product_storefront_queryset()).order_by("-created_at", "-id")[:12]


@PreparedRead
def product_local_picks() -> QuerySet[ProductCard]:
    """High-TKDN products made in Banten: what Pemprov wants buyers to see first (a list, as every prepared
    read)."""
    queryset = product_storefront_queryset().filter(is_banten=True, tkdn_percent__gte=TKDN_LOCAL_MIN)
    return product_cards(queryset).order_by("-sold_count", "-id")[:8]


@dataclass(frozen=True)
class ProductFilters:
    """What the shopper asked for; built from the query string by catalog.forms.ProductSearchForm."""

    text: str = ""
    category: str = ""  # slug, any level
    kabkota: str = ""  # region code
    price: str = ""  # a PRICE_BANDS key
    halal: bool = False
    tkdn: bool = False
    banten: bool = False
    rating: str = ""  # a RATING_LEVELS key
    sort: str = ""
    page: int = 1
    pdn: bool = False  # TKDN + BMP ≥ 40% (PDN tier 2)
    umk: bool = False  # the shop is a micro or small business
    # Who looks, not what they asked for (never in the URL): a government buyer (accounts.roles.GOVERNMENT) gets
    # the PDN/UMK facets and badges, and "pengadaan" as the default order.
    government: bool = False

    def effective_sort(self) -> str:
        if self.sort and self.sort != "relevance":
            return self.sort
        if self.government and not self.sort:
            return "procurement"
        return "relevance" if self.text else "newest"

    def cache_key(self) -> str:
        # Consumers' keys are what they were before the government filters existed; a government buyer's results
        # (badges, their facets) never share a key with anyone else's.
        key = "catalog:results:" + "|".join(str(value) for value in (
            self.text, self.category, self.kabkota, self.price, self.halal, self.tkdn, self.banten,
            self.rating, self.effective_sort(), self.page))
        key += "".join(f"|{name}" for name in ("pdn", "umk") if getattr(self, name))
        return key.replace("catalog:results:", "catalog:results:government:", 1) if self.government else key

    def without(self, name: str) -> "ProductFilters":
        default = type(self).__dataclass_fields__[name].default
        return replace(self, **{name: default, "page": 1})


@dataclass
class FacetValue:
    key: str
    label: str
    count: int


@dataclass
class SearchResults:
    products: list[ProductCard]
    total: int
    page: int
    pages: int
    category: CategoryNode | None
    breadcrumbs: list[CategoryNode]
    categories: list[FacetValue]
    kabkota: list[FacetValue]
    prices: list[FacetValue]
    ratings: list[FacetValue]
    flags: dict[str, int]  # halal / tkdn / banten / pdn / umk → count
    corrected: str = ""  # the text searched for instead, when the one typed found nothing
    # The active kab/kota and price filters' names, for their chips (shown even when nothing matches)
    kabkota_label: str = ""
    price_label: str = ""
    # More than FACET_EXACT_MAX matches: ``total`` and the facet counts come from a sample of that size, so the
    # page says "more than 2.000" and shows which facets have matches, without numbers.
    sampled: bool = False


def _text_filter(text: str, *, indexed: bool = True) -> tuple[Q, Func]:
    """Stemmed Indonesian full text (name weighted above description); the condition and the relevance.

    Not ``indexed``, the condition is the function behind ``@@``, which no index serves and the planner expects a
    third of the rows to pass: for a common word's page found by walking its sort's index. With ``@@`` the
    planner, expecting few of two words together (677 of "kain tulis" in one kab/kota for 16k at 1M products),
    read and sorted all 16k instead (29 ms)."""
    query = SearchQuery(text, config="indonesian", search_type="websearch")
    condition = Q(search_vector=query) if indexed else Q(Func(F("search_vector"), query, function="ts_match_vq",
                                                            output_field=BooleanField()))
    return condition, SearchRank(F("search_vector"), query)


WORD = re.compile(r"[^\W\d_]{3,}")


def search_text_correct(text: str) -> str:
    """The text with each word the catalogue does not know replaced by the closest word it does ("batk" → "batik").

    The vocabulary is the catalog_searchterm materialised view: every word of a listed product's name with the
    number of products using it (refreshed by catalog.tasks.search_terms_refresh). Closeness is trigram
    similarity plus 0.2 per tenfold more products using the word, so "batk" becomes the common "batik" rather
    than the rarer, trigram-closer "batu". One indexed query on a small table, however common the word.
    """
    words = list(dict.fromkeys(word.lower() for word in WORD.findall(text)))
    if not words:
        return text
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.word, s.word FROM unnest(%s::text[]) AS t(word) CROSS JOIN LATERAL ("
            "  SELECT word FROM catalog_searchterm WHERE word %% t.word"
            "  ORDER BY word = t.word DESC, similarity(word, t.word) + 0.2 * log(products + 1) DESC, word"
            "  LIMIT 1) AS s",
            [words])
        known = dict(cursor.fetchall())
    return WORD.sub(lambda match: known.get(match.group().lower(), match.group()), text)


# The facet conditions that need no value; the others take one (see _facet_conditions).
FLAG_CONDITIONS = {"halal": Q(is_halal=True), "tkdn": Q(tkdn_local=True), "banten": Q(is_banten=True),
                   "pdn": Q(pdn_tier=PDN_TIER_FULL), "umk": Q(shop_is_umk=True)}


def _facet_conditions(filters: ProductFilters, tree: CategoryTree) -> tuple[tuple[str, ...], dict]:
    """The facet filters as the SQL takes them: which conditions apply (the query's shape) and their values."""
    names, values = [], {}
    node = tree.by_slug.get(filters.category)
    if node is not None:
        leaves = node.leaf_ids()
        name = "category" if len(leaves) == 1 else "categories"
        names.append(name)
        values[name] = leaves[0] if len(leaves) == 1 else leaves
    if filters.kabkota:
        names.append("kabkota")
        values["kabkota"] = filters.kabkota
    band = next((index for index, (key, _) in enumerate(PRICE_BANDS) if key == filters.price), None)
    if band is not None:
        names.append("price_band")
        values["price_band"] = band
    names += [name for name in FLAG_CONDITIONS if getattr(filters, name)]
    rating = dict(RATING_LEVELS).get(filters.rating)
    if rating is not None:
        names.append("rating")
        values["rating"] = rating
    return tuple(names), values


# A facet condition's column and lookup, and for the text index's facet columns the column's type: a value is
# compared as that type, since those columns (product_search_facets_gin, btree_gin) only serve a comparison of the
# column's own type, and a bare number is an integer (a bigint category compared with it is checked row by row).
FACET_LOOKUPS = {"root": ("category_root_id", BigIntegerField), "category": ("category_id", BigIntegerField),
                 "kabkota": ("kabkota_id", None), "price_band": ("price_band", SmallIntegerField),
                 "rating": ("rating_band__gte", None)}


def _facet_filtered_by(queryset: QuerySet, names: tuple[str, ...], values: dict) -> QuerySet:
    """The facet conditions on products or on facet cells alike (both carry the FACET_KEY columns)."""
    for name in names:
        if name in FLAG_CONDITIONS:
            queryset = queryset.filter(FLAG_CONDITIONS[name])
        elif name == "categories":
            queryset = queryset.filter(any_of("category_id", values[name]))
        else:
            lookup, column_type = FACET_LOOKUPS[name]
            value = Cast(Value(values[name]), column_type()) if column_type else values[name]
            queryset = queryset.filter(**{lookup: value})
    return queryset


def _product_conditions(filters: ProductFilters, tree: CategoryTree) -> tuple[tuple[str, ...], dict]:
    """_facet_conditions for products, where a top-level category is its own column (category_root), which its
    sorted listings walk (product_root_* indexes)."""
    node = tree.by_slug.get(filters.category)
    if node is None or node.parent_id is not None:
        return _facet_conditions(filters, tree)
    names, values = _facet_conditions(replace(filters, category=""), tree)
    return ("root", *names), {**values, "root": node.id}


def _text_matched(text: str, names: tuple[str, ...], values: dict, *,
                  indexed: bool = True) -> tuple[QuerySet[Product], Func]:
    """The storefront's products with the text and the facet conditions, and their relevance."""
    condition, relevance = _text_filter(text, indexed=indexed)
    return _facet_filtered_by(product_storefront_queryset().filter(condition), names, values), relevance


def _matching(filters: ProductFilters, tree: CategoryTree, *,
              indexed: bool = True) -> tuple[QuerySet[Product], Func | None]:
    if filters.text:
        return _text_matched(filters.text, *_product_conditions(filters, tree), indexed=indexed)
    return _facet_filtered_by(product_storefront_queryset(), *_product_conditions(filters, tree)), None


@dataclass
class FacetCounts:
    """How many results have each facet value (the results' marginals)."""

    total: int = 0
    flags: Counter[str] = field(default_factory=Counter)  # FLAG_CONDITIONS name → count
    by_category: Counter[int] = field(default_factory=Counter)
    by_kabkota: Counter[str] = field(default_factory=Counter)
    by_price: Counter[int] = field(default_factory=Counter)
    by_rating: Counter[int] = field(default_factory=Counter)
    best_sold: list[int] = field(default_factory=list)  # a full sample's best sellers' sold counts, most first
    estimate: int = 0  # a full sample's estimate of how many matches there are in all
    paged: bool = False  # a text search read every match and sorted its page (the ids from_rows returns)

    @classmethod
    def from_rows(cls, rows) -> tuple["FacetCounts", list[int]]:
        """The counts in rows of FACET_MARGINALS, and what a text search's rows add: the ids of its page (and that it
        has one), its sample's best sellers' sold counts and its estimate."""
        counts, ids = cls(), []
        for pk, kind, category_id, kabkota_id, price_band, rating_band, n, *flags in rows:
            if pk is not None:
                ids.append(pk)
            elif kind == BEST_SOLD:
                counts.best_sold.append(n)
            elif kind == ESTIMATE:
                counts.estimate = n
            elif kind == PAGED:
                counts.paged = True
            elif not n:  # no rows at all, or a value whose products were all delisted
                continue
            elif kind == ALL:
                counts.total = n
                counts.flags = Counter({name: flag or 0 for name, flag in zip(FLAG_CONDITIONS, flags, strict=True)})
            elif kind == BY_CATEGORY:
                counts.by_category[category_id] = n
            elif kind == BY_KABKOTA and kabkota_id:
                counts.by_kabkota[kabkota_id] = n
            elif kind == BY_PRICE:
                counts.by_price[price_band] = n
            elif kind == BY_RATING:
                counts.by_rating[rating_band] = n
        return counts, ids


# The facet counts of a set of facet cells (FACET_KEY and how many products have it), counted by Postgres: per
# category, kab/kota, price band and rating (GROUPING SETS), and in total with the flags (in FLAG_CONDITIONS order).
# A few dozen rows come back instead of every cell. A text search groups its matches into cells first: one GROUP BY
# of 2,001 matches and the sets over a few dozen cells cost less than the sets over the matches.
FACET_MARGINALS = """SELECT NULL, GROUPING(category_id, kabkota_id, price_band, rating_band), category_id,
    kabkota_id, price_band, rating_band, sum(products)::int,
    (sum(products) FILTER (WHERE is_halal))::int, (sum(products) FILTER (WHERE tkdn_local))::int,
    (sum(products) FILTER (WHERE is_banten))::int, (sum(products) FILTER (WHERE pdn_tier = %s))::int,
    (sum(products) FILTER (WHERE shop_is_umk))::int
FROM {cells} GROUP BY GROUPING SETS ((), (category_id), (kabkota_id), (price_band), (rating_band))"""
# Its second column: GROUPING(…) of each set, a bit for every column the set leaves out; or, for the other rows of
# FACETS_OF_MATCHES, what they hold
BY_CATEGORY, BY_KABKOTA, BY_PRICE, BY_RATING, ALL = 0b0111, 0b1011, 0b1101, 0b1110, 0b1111
BEST_SOLD, ESTIMATE, PAGED = -1, -2, -3
# A text search reads its matches once, in one statement that counts their facet values and sorts their page (a
# common word with a narrowing facet, "batik" with ★4.5+, reads the word's 17k matches at 100k products; twice was
# the old cost). The sample's LIMIT sits outside the CTE that reads the matches, so their scan is planned as a read
# of all of them (a CTE is planned on its own) and still stops after the sample: planned with the LIMIT, a common
# word and a flag ("grosir" with halal) became a sequential scan expected to stop early, which checked the word in
# 48k rows (25 ms, against 8 ms through the text index).
# A full sample (a common word) also gives an estimate of how many matches there are in all. The matches are read in
# the table's order (through a bitmap of the text index, or a sequential scan), so the sample spans the table's
# blocks from its first match's to its last's, and the rest of the table holds as many in proportion ("ikan asin"
# at 1M products: 24,309 for 24,194, where the planner expects 1,214; within 10% for the bench's words at 100k and
# 1M). Counted from the first match on, a word whose products were all listed lately, at the table's end, is not
# taken for a rare one; a word listed long ago and rarely since is overestimated, which only costs a read.
# When that estimate is at most SORT_AFTER_FETCH_MAX, the same statement reads on to every match (at most that many
# and one: more says the estimate was short, and the page is then found as for a commoner word) and sorts their
# page, so a word of a few thousand products is one read. Relevance then ranks the pool of its RANK_POOL best
# sellers, as for a commoner word. A commoner word's page is found by another query, from the best sellers' sold
# counts that its sample gives (the relevance pool's threshold) and its estimate.
MATCH_FIELDS = (*FACET_KEY, "id", "price_min", "sold_count", "created_at", "umk_local")
ROW_PLACE = RawSQL(""""catalog_product".ctid""", ())  # (block, row in it): a tid
FACETS_OF_MATCHES = "\n".join((
    "WITH every_match AS MATERIALIZED ({matches}), matches AS MATERIALIZED (SELECT * FROM every_match LIMIT %s),",
    "span AS (SELECT count(*) AS size, (min(place)::text::point)[0] AS first_block,",
    "(max(place)::text::point)[0] AS last_block FROM matches),",
    "sample AS (SELECT size, estimate, size <= %s OR estimate <= %s AS fetch_all FROM (SELECT size, (size * (",
    "pg_relation_size('catalog_product') / current_setting('block_size')::int - first_block)",
    "/ (last_block - first_block + 1))::int AS estimate FROM span) AS estimated),",
    "fetched AS NOT MATERIALIZED (SELECT * FROM every_match WHERE (SELECT fetch_all FROM sample) LIMIT %s),",
    "paged AS (SELECT size <= %s OR fetch_all AND (SELECT count(*) FROM fetched) < %s AS done FROM sample),",
    "cells AS (SELECT {key}, count(*) AS products FROM matches GROUP BY {key})".replace("{key}", ", ".join(FACET_KEY)),
    FACET_MARGINALS.format(cells="cells"),
    "UNION ALL (SELECT id, {nulls} FROM {page_rows} WHERE (SELECT done FROM paged)",
    "ORDER BY {order} LIMIT %s OFFSET %s)",
    f"UNION ALL SELECT NULL, {PAGED}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL",
    "FROM paged WHERE done",
    f"UNION ALL (SELECT NULL, {BEST_SOLD}, NULL, NULL, NULL, NULL, sold_count, NULL, NULL, NULL, NULL, NULL",
    "FROM matches WHERE (SELECT size FROM sample) > %s AND NOT (SELECT done FROM paged)",
    "ORDER BY sold_count DESC LIMIT %s)",
    f"UNION ALL SELECT NULL, {ESTIMATE}, NULL, NULL, NULL, NULL, estimate, NULL, NULL, NULL, NULL, NULL",
    "FROM sample WHERE size > %s"))
# The rows a relevance page is ranked among: every match of a sample that is all of them, else the pool
POOL_OF_FETCHED = ("(SELECT * FROM fetched WHERE (SELECT size FROM sample) <= %s UNION ALL (SELECT * FROM fetched"
                   " WHERE (SELECT size FROM sample) > %s ORDER BY sold_count DESC, id DESC LIMIT %s)) AS pool")


def _match_order(sort: str) -> str:
    """The ORDER BY of _ordered, on the columns of a text search's matches (MATCH_FIELDS and relevance)."""
    if sort in RANKED:
        names = (*(ORDERS["procurement"][:2] if sort == "procurement" else ()), "-relevance", "-id")
    else:
        names = ORDERS.get(sort, ORDERS["newest"])
    return ", ".join(name[1:] + " DESC" if name.startswith("-") else name for name in names)


@PreparedRead
def _text_matches(*, shape: tuple[str, ...], text: str, **values) -> QuerySet:
    """A text search's matches with their facet values, sort columns, relevance and place in the table (for
    FACETS_OF_MATCHES's estimate); its shape is the facet conditions. Only its SQL is used (PreparedRead.sql):
    compiling it took about a millisecond a search."""
    matches, relevance = _text_matched(text, shape, values)
    return (matches.annotate(relevance=relevance, place=ROW_PLACE).order_by()
            .values(*MATCH_FIELDS, "relevance", "place"))


def _facets_of_text(filters: ProductFilters, tree: CategoryTree, offset: int) -> tuple[FacetCounts, list[int]]:
    """The facet counts of at most FACET_EXACT_MAX + 1 of a text search's matches (all of them when there are no
    more) and, when it has read all of them (FacetCounts.paged), the ids of the page at ``offset``."""
    names, values = _product_conditions(filters, tree)
    sql, params = _text_matches.sql(shape=names, text=filters.text, **values)
    sort = filters.effective_sort()
    fetch_most = max(FACET_EXACT_MAX, SORT_AFTER_FETCH_MAX)
    page_rows, page_params = ((POOL_OF_FETCHED, (FACET_EXACT_MAX, FACET_EXACT_MAX, RANK_POOL)) if sort == "relevance"
                              else ("fetched", ()))
    with connection.cursor() as cursor:
        cursor.execute(FACETS_OF_MATCHES.format(matches=sql, nulls=", ".join(["NULL"] * 11), page_rows=page_rows,
                                                order=_match_order(sort)),
                       (*params, FACET_EXACT_MAX + 1, FACET_EXACT_MAX, SORT_AFTER_FETCH_MAX, fetch_most + 1,
                        FACET_EXACT_MAX, fetch_most + 1, PDN_TIER_FULL, *page_params, PAGE_SIZE, offset,
                        FACET_EXACT_MAX, BEST_SOLD_SAMPLE, FACET_EXACT_MAX))
        return FacetCounts.from_rows(cursor.fetchall())


@PreparedRead
def _cells(*, shape: tuple[str, ...], **values) -> QuerySet:
    """The facet cells a listing's conditions (its shape) keep; only its SQL is used (PreparedRead.sql)."""
    return _facet_filtered_by(FacetCell.objects.all(), shape, values).order_by().values(*FACET_KEY, "products")


def _facets_of_cells(filters: ProductFilters, tree: CategoryTree) -> FacetCounts:
    """The facet counts of a listing without text, from the cells the database keeps (a few hundred rows for the
    whole catalogue)."""
    names, values = _facet_conditions(filters, tree)
    sql, params = _cells.sql(shape=names, **values)
    with connection.cursor() as cursor:
        cursor.execute(FACET_MARGINALS.format(cells=f"({sql}) AS cells"), (PDN_TIER_FULL, *params))
        return FacetCounts.from_rows(cursor.fetchall())[0]


def _facet_counts(filters: ProductFilters, tree: CategoryTree, offset: int) -> tuple[FacetCounts, list[int] | None]:
    """The results' facet counts and, for a text search, the ids of its page at ``offset`` among the matches read.

    Without text every filter is a facet, so the counts come from the facet cells the database keeps (a few
    hundred rows for the whole catalogue) instead of a scan. A text search reads at most FACET_EXACT_MAX + 1 of its
    matches: all of them when there are no more (exact counts), else a sample that says which facets have
    matches; counting all of a common word's matches ("batik": 17% of the catalogue) costs a read of each one.
    """
    if filters.text:
        return _facets_of_text(filters, tree, offset)
    return _facets_of_cells(filters, tree), None


@PreparedRead
def _cards_by_id(*, ids: list[int]) -> QuerySet[ProductCard]:
    return product_cards(product_storefront_queryset()).filter(any_of("pk", ids))


def _cards_in_order(ids: list[int]) -> list[ProductCard]:
    cards = {card.pk: card for card in _cards_by_id(ids=ids)} if ids else {}
    return [cards[pk] for pk in ids if pk in cards]


# A sorted page is found by walking the sort's index until a page of matches is seen: about PAGE_SIZE × listed ÷
# matches rows. With few matches that walk reads most of the catalogue, so up to this many matches are fetched
# through the filters' own indexes and sorted instead (the walk then reads at most 24 × listed ÷ 5,000 rows:
# ~500 at 100k products, ~5,000 at 1M).
SORT_AFTER_FETCH_MAX = 5_000
# A text search with more matches than this counts its facets from a sample of them.
FACET_EXACT_MAX = 2_000
# A text search with more than FACET_EXACT_MAX matches (its sample is full) ranks by relevance only the RANK_POOL
# best sellers among them. Its sample says about which sold count they reach: the matches that sold at least that
# many are read through the text index and a sold-count index together (BitmapAnd), POOL_MARGIN × RANK_POOL of them
# expected ("golok", 1.3% of 1M products: 14 ms). When fewer reach it the pool is found as before: by
# walking the best-selling index for a word the planner expects more than SORT_AFTER_FETCH_MAX matches of (about
# RANK_POOL ÷ the word's share of the catalogue rows: 64 ms for "golok"), else by sorting every match. The pool is
# the same either way. Government buyers' procurement order pools a common word's first RANK_POOL by walking its
# index. The other sorts fetch and sort every match: a word's products sit in one price range and often one age,
# so walking the price or age index would read most of the catalogue before them (seen: 5.7 s for the cheapest
# "kawangsan" at 1M products).
RANK_POOL = 600
POOL_MARGIN = 2.5
# A word the planner expects in more than 1/WALK_SHARE of the catalogue has its pool walked all the same: the walk
# then reads under 6,000 rows, less than building the bitmap of the word's every match ("batik" with TKDN at 1M
# products: 29 ms through the bitmap).
WALK_SHARE = 10
# The most sold counts a full sample returns: enough for a threshold POOL_MARGIN × RANK_POOL of the matches reach
# when there are more than SORT_AFTER_FETCH_MAX; fewer are sorted, as any sort's are.
BEST_SOLD_SAMPLE = math.ceil((FACET_EXACT_MAX + 1) * POOL_MARGIN * RANK_POOL / SORT_AFTER_FETCH_MAX)
ORDERS = {
    "newest": ("-created_at", "-id"),
    "price_asc": ("price_min", "id"),
    "price_desc": ("-price_min", "-id"),
    "bestselling": ("-sold_count", "-id"),
    "procurement": ("-pdn_tier", "-umk_local", "-sold_count", "-id"),
}


def _not_by_index(name: str) -> OrderBy:
    """``name`` ("-field" or "field") as an expression no index matches (field + 0, or a cast): the planner then
    fetches the matching rows through the filters' indexes and sorts them instead of walking the sort's index."""
    field = name.lstrip("-")
    output = Product._meta.get_field(field)
    output = getattr(output, "output_field", output)  # a generated column's type
    if isinstance(output, BooleanField):
        expression = Cast(field, IntegerField())
    else:
        expression = ExpressionWrapper(F(field) + (timedelta(0) if field == "created_at" else 0), output_field=output)
    return expression.desc() if name.startswith("-") else expression.asc()


RANKED = ("relevance", "procurement")


def pool_threshold(best_sold: list[int], matches: int) -> int | None:
    """The sold count about POOL_MARGIN × RANK_POOL of a text search's ``matches`` reach, read off the best sellers
    of its sample of FACET_EXACT_MAX + 1 (at most the sample's last). None when they reach less than half as deep
    (too few matches for a threshold to narrow them) or when nothing narrows: every match sold at least that many."""
    rank = math.ceil((FACET_EXACT_MAX + 1) * POOL_MARGIN * RANK_POOL / matches)
    if rank > 2 * len(best_sold):
        return None
    return best_sold[min(rank, len(best_sold)) - 1] or None


@PreparedRead
def _text_pool(*, shape: tuple, text: str, least_sold: int | None = None, **values) -> QuerySet:
    """The RANK_POOL best sellers among a text search's matches, each with its relevance. Its shape: the facet
    conditions, and how the pool is read: "threshold" (the matches that sold at least ``least_sold``, sorted),
    "walk" (the best-selling index walked) or "sort" (every match sorted). Only its SQL is used
    (PreparedRead.sql): a text search is planned for how common its words are."""
    names, how = shape
    matches, relevance = _text_matched(text, names, values, indexed=how != "walk")
    if how == "threshold":
        matches = matches.filter(sold_count__gte=least_sold)
    by = ORDERS["bestselling"]
    order = by if how == "walk" else [_not_by_index(name) for name in by]
    return matches.annotate(relevance=relevance).order_by(*order).values_list("pk", "relevance")[:RANK_POOL]


def _best_sellers(filters: ProductFilters, tree: CategoryTree, matches: int,
                  best_sold: list[int]) -> list[tuple[int, float]]:
    """The RANK_POOL best sellers among a common word's matches, each with its relevance: those that sold at least
    the pool_threshold if enough did, else found by walking the best-selling index (a word more common than
    SORT_AFTER_FETCH_MAX) or by sorting every match."""
    names, values = _product_conditions(filters, tree)
    threshold = pool_threshold(best_sold, matches)
    with connection.cursor() as cursor:
        if threshold is not None and matches * WALK_SHARE <= _catalogue_rows():
            cursor.execute(*_text_pool.sql(shape=(names, "threshold"), text=filters.text, least_sold=threshold,
                                           **values))
            pool = cursor.fetchall()
            if len(pool) == RANK_POOL:
                return pool
        how = "walk" if matches > SORT_AFTER_FETCH_MAX else "sort"
        cursor.execute(*_text_pool.sql(shape=(names, how), text=filters.text, **values))
        return cursor.fetchall()


def _ranked_page(pool: list[tuple[int, float]], offset: int) -> list[int]:
    """The ids of the page at ``offset`` of a pool ranked by relevance, then newest first. Ranked here, a pool's
    page costs a read of its 24 cards; ranked by Postgres, it joined all 600 rows to their cards' shops and
    regions before sorting them (4 ms)."""
    ranked = sorted(pool, key=lambda row: (row[1], row[0]), reverse=True)
    return [pk for pk, _ in ranked[offset:offset + PAGE_SIZE]]


def _ordered(queryset: QuerySet[Product], filters: ProductFilters, relevance: Func | None,
             total: int | None = None) -> QuerySet[Product]:
    """The matches in the order asked for (a common word ranked by relevance is _best_sellers' instead). ``total``
    (the number of matches, known from the facet counts or, for a common word, estimated) picks how: walk the
    sort's index when matches are common, fetch and sort them when they are few."""
    sort = filters.effective_sort()
    common = total is not None and total > SORT_AFTER_FETCH_MAX
    if relevance is not None and sort in RANKED:
        by = ORDERS["procurement"]
        if sort == "procurement" and common:
            queryset = Product.objects.filter(pk__in=queryset.order_by(*by).values("pk")[:RANK_POOL])
        # Every match (or the pool) is ranked, so the PDN tier and UMK come from the matches too, never from a walk
        # of the procurement index (which would read the whole catalogue for a rare word).
        first = [_not_by_index(name) for name in by[:2]] if sort == "procurement" else []
        return queryset.annotate(relevance=relevance).order_by(*first, "-relevance", "-id")
    return _in_order(queryset, *_sort_plan(sort, relevance, total))


# A listing whose only conditions lead an index walks it for these sorts however few its matches: the walk reads a
# page of rows (a top-level category of 3,000 products sorted by price read and sorted all of them).
INDEX_LED = {(): tuple(ORDERS), ("root",): ("newest", "price_asc", "price_desc", "bestselling"),
             ("category",): ("bestselling",)}


def _by_price_band(queryset: QuerySet[Product], sort: str, offset: int) -> list[int]:
    """The ids of a page of a common word's matches by price, read one price band at a time from the cheapest (or
    the dearest) until the page is full: a band's matches come through the text index, which holds the band, and
    are sorted; the bands past the page are not read ("seragam" cheapest first, at 1M products: its 88k matches
    sorted took 146 ms; two empty bands and the 18k of the third, 41 ms)."""
    order = [_not_by_index(name) for name in ORDERS[sort]]
    bands = range(len(PRICE_BANDS))
    wanted = offset + PAGE_SIZE
    ids: list[int] = []
    for band in bands if sort == "price_asc" else reversed(bands):
        in_band = _facet_filtered_by(queryset, ("price_band",), {"price_band": band}).order_by(*order)
        ids += in_band.values_list("pk", flat=True)[:wanted - len(ids)]
        if len(ids) == wanted:
            break
    return ids[offset:]


def _sort_plan(sort: str, relevance: Func | None, total: int | None,
               conditions: tuple[str, ...] | None = None) -> tuple[tuple[str, ...], bool]:
    """An order that is not ranked: its columns, and whether its page is found by walking their index (urut=pengadaan
    without text walks the product_listed_procurement index). ``conditions`` are a listing's without text."""
    common = total is not None and total > SORT_AFTER_FETCH_MAX
    walk = (common or total is None) if relevance is None else common and sort == "bestselling"
    walk = walk or sort in INDEX_LED.get(conditions, ())
    return ORDERS.get(sort, ORDERS["newest"]), walk


def _in_order(queryset: QuerySet[Product], order: tuple[str, ...], walk: bool) -> QuerySet[Product]:
    return queryset.order_by(*order) if walk else queryset.order_by(*(_not_by_index(name) for name in order))


@PreparedRead
def _listing_page(*, shape: tuple, **values) -> QuerySet[ProductCard]:
    """A page of a listing without text; its shape is (conditions, order, walk, offset, page size)."""
    names, order, walk, offset, size = shape
    queryset = _facet_filtered_by(product_storefront_queryset(), names, values)
    return product_cards(_in_order(queryset, order, walk))[offset:offset + size]


def product_search(*, filters: ProductFilters) -> SearchResults:
    """One page of products plus every facet count, in two queries (four when a typo needs correcting; more for a
    word of over SORT_AFTER_FETCH_MAX matches: its relevance pool, or its page's price bands).

    A text search is answered by the process's search index (catalog/search_index.py: every count exact, the
    same pages) unless it leaves the search here (a phrase, a rare word, the procurement order).

    Facets are counted over the current result set, so a facet's number is exactly what clicking it shows; a
    text search here with more than FACET_EXACT_MAX matches shows which facets have matches (``sampled``). When the
    text finds nothing, its unknown words are corrected and the search runs again; ``corrected`` then holds the
    text searched for ("Menampilkan hasil untuk …"). The category tree and region names are cached.
    """
    tree = category_tree()
    if filters.text and settings.SEARCH_INDEX:
        try:
            return _indexed_search(filters, tree)
        except search_index.Unanswered:
            pass  # a phrase, a rare or unknown word, the procurement order: the SQL below
    asked = (min(max(filters.page, 1), MAX_PAGE) - 1) * PAGE_SIZE  # the offset of the page asked for
    counts, matched = _facet_counts(filters, tree, asked)
    corrected = ""
    if not counts.total and filters.text and (guess := search_text_correct(filters.text)) != filters.text:
        if settings.SEARCH_INDEX:  # a typo of a common word ("batk"): the word's search through the index
            with suppress(search_index.Unanswered):
                if (results := _indexed_search(replace(filters, text=guess), tree)).total:
                    return replace(results, corrected=guess)
        guessed = _facet_counts(replace(filters, text=guess), tree, asked)
        if guessed[0].total:
            corrected, filters, (counts, matched) = guess, replace(filters, text=guess), guessed
    total = counts.total
    sampled = total > FACET_EXACT_MAX and bool(filters.text)

    # a common word: more than its sample, about as many as the sample estimates, and more than the statement
    # read on to when it did not read them all (the estimate was short: a word or facet whose products sit together)
    matches = max(counts.estimate, FACET_EXACT_MAX + 1) if sampled else total
    if sampled and not counts.paged:
        matches = max(matches, SORT_AFTER_FETCH_MAX + 1)
    sort = filters.effective_sort()
    # relevance ranks a pool of best sellers whenever the sample is full; the procurement order for a common word
    pooled = sampled and (sort == "relevance" or matches > SORT_AFTER_FETCH_MAX and sort == "procurement")
    reachable = RANK_POOL if pooled else FACET_EXACT_MAX + 1 if sampled else total
    pages = max(1, min(MAX_PAGE, -(-reachable // PAGE_SIZE)))
    if sampled:
        total = FACET_EXACT_MAX  # shown as "more than" this
    page = min(max(filters.page, 1), pages)
    offset = (page - 1) * PAGE_SIZE
    products = []
    if counts.paged and offset == asked:
        products = _cards_in_order(matched)
    elif total and not filters.text:
        names, values = _product_conditions(filters, tree)
        order, walk = _sort_plan(sort, None, matches, names)
        products = _listing_page(shape=(names, order, walk, offset, PAGE_SIZE), **values)
    elif total:
        # a text search's page came with its facet counts, unless it is a common word's (or past the last page)
        if sampled and sort == "relevance":
            products = _cards_in_order(_ranked_page(_best_sellers(filters, tree, matches, counts.best_sold), offset))
        elif sampled and sort in ("price_asc", "price_desc") and not filters.price:
            products = _cards_in_order(_by_price_band(_matching(filters, tree)[0], sort, offset))
        else:  # a common word's page by best selling (or its procurement pool) walks the order's index
            walked = matches > SORT_AFTER_FETCH_MAX and sort in ("bestselling", "procurement")
            matching, relevance = _matching(filters, tree, indexed=not walked)
            ordered = _ordered(matching, filters, relevance, matches)
            products = list(product_cards(ordered)[offset:offset + PAGE_SIZE])
    return _results(filters, tree, counts, products=products, total=total, page=page, pages=pages,
                    corrected=corrected, sampled=sampled)


def _indexed_search(filters: ProductFilters, tree: CategoryTree) -> SearchResults:
    """product_search through the process's search index: every count exact, the page's cards read by id. Each word
    of a text it answers is used by at least MIN_POSTINGS products, so none is corrected when nothing matches: the
    words do not go together, or not with the filters (a misspelt word is the SQL search's to correct)."""
    counts, ids, pages = search_index.search(filters, tree)
    return _results(filters, tree, counts, products=_cards_in_order(ids), total=counts.total,
                    page=min(max(filters.page, 1), pages), pages=pages, sampled=False)


def _results(filters: ProductFilters, tree: CategoryTree, counts: FacetCounts, **page) -> SearchResults:
    """The results' facet values from their counts, with the page (products, total, page, pages, corrected,
    sampled)."""
    node = tree.by_slug.get(filters.category)
    children = node.children if node is not None else tree.roots
    names = _kabkota_names()
    return SearchResults(
        category=node, breadcrumbs=tree.path(node) if node is not None else [],
        categories=[FacetValue(child.slug, child.label, count) for child in children
                    if (count := sum(counts.by_category[leaf] for leaf in child.leaf_ids()))],
        kabkota=sorted((FacetValue(code, names.get(code, code), count) for code, count in counts.by_kabkota.items()),
                       key=lambda facet: (-facet.count, facet.label)),
        prices=[FacetValue(key, label, counts.by_price[band]) for band, (key, label) in enumerate(PRICE_BANDS)
                if counts.by_price[band]],
        ratings=[FacetValue(key, key, count) for key, lowest in RATING_LEVELS
                 if (count := sum(n for band, n in counts.by_rating.items() if band >= lowest))],
        flags={name: counts.flags[name] for name in FLAG_CONDITIONS},
        kabkota_label=names.get(filters.kabkota, filters.kabkota), price_label=dict(PRICE_BANDS).get(filters.price, ""),
        **page,
    )


@kept_in_process(REFERENCE_LOCAL_SECONDS)
def _catalogue_rows() -> int:
    """About how many products the catalogue holds (the planner's own count, kept up by ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'catalog_product'::regclass")
        return cursor.fetchone()[0]


@kept_in_process(REFERENCE_LOCAL_SECONDS)
def _kabkota_names() -> dict[str, str]:
    names = cache.get("catalog:kabkota-names:v1")
    if names is None:
        names = dict(Region.objects.filter(level=Region.Level.KABKOTA)
                     .values_list("code", "name"))
        cache.set("catalog:kabkota-names:v1", names, TREE_CACHE_SECONDS)
    return names


# The columns of a variant the product page shows (its picker and the stock left).
VARIANT_COLUMNS = ("id", "sku", "name", "price", "stock", "allocated", "position")


@PreparedRead
def _product_detail(*, shop_slug: str, product_slug: str) -> QuerySet[Product]:
    """The product with, as JSON arrays, its live variants (not archived) and its ready photos (their renditions
    made): one read instead of three."""
    variants = (ProductVariant.objects.filter(product=OuterRef("pk"), archived_at__isnull=True)
                .order_by("position", "pk").values(row=JSONObject(**{name: name for name in VARIANT_COLUMNS})))
    images = (ProductImage.objects.filter(product=OuterRef("pk"), status=ProductImage.Status.READY)
              .order_by("position", "pk").values(row=JSONObject(id="id", renditions="renditions")))
    return (product_storefront_queryset().select_related("shop", "shop__kabkota", "category", "kabkota")
            .annotate(variant_rows=ArraySubquery(variants), image_rows=ArraySubquery(images))
            .filter(shop__slug=shop_slug, slug=product_slug)[:1])


def _loaded(model, db: str, columns: dict):
    """An instance of ``model`` from some of its columns as the database gave them (the others are deferred)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in columns]
    return model.from_db(db, names, [columns[name] for name in names])


def product_detail(*, shop_slug: str, product_slug: str) -> Product | None:
    """The product page's product with ``live_variants`` (not archived) and ``ready_images`` (photos whose
    renditions are made) attached: instances holding the columns the page shows (any other is read on use)."""
    found = _product_detail(shop_slug=shop_slug, product_slug=product_slug)
    if not found:
        return None
    product = found[0]
    db = product._state.db
    product.live_variants = [_loaded(ProductVariant, db, {**row, "product_id": product.pk})
                             for row in product.variant_rows]
    product.ready_images = [_loaded(ProductImage, db, {**row, "product_id": product.pk}) for row in product.image_rows]
    return product


@PreparedRead
def _related(*, category_id: int, product_id: int) -> QuerySet[ProductCard]:
    queryset = product_storefront_queryset().filter(category_id=category_id).exclude(pk=product_id)
    return product_cards(queryset).order_by("-sold_count", "-id")[:8]


def product_related(*, product: Product) -> list[ProductCard]:
    """Best sellers from the same leaf category (read from the category/sold_count index)."""
    return _related(category_id=product.category_id, product_id=product.pk)


def product_of_shop(*, shop: Shop, product_id: int) -> Product | None:
    """A product of the shop the seller URL names (already checked by vendors.selectors.shop_for); None for
    another shop's product (the view answers 404)."""
    return Product.objects.filter(pk=product_id, shop=shop).select_related("shop").first()


def product_images(*, product: Product) -> list[ProductImage]:
    return list(product.images.order_by("position", "pk"))


def image_of_shop(*, shop: Shop, image_id: int) -> ProductImage | None:
    return ProductImage.objects.filter(pk=image_id, product__shop=shop).select_related("product").first()


def shop_products(*, shops: list[Shop], text: str = "", status: str = "", limit: int = 50,
                  variant_ids: set[int] | None = None) -> list[Product]:
    """The seller's product list, with variants for the bulk price/stock edit: two queries. ``variant_ids`` keeps
    the products having one of those variants (the rows a bulk edit posted)."""
    queryset = Product.objects.filter(shop__in=shops).select_related("shop").order_by("-updated_at", "-id")
    if variant_ids is not None:
        queryset = queryset.filter(pk__in=ProductVariant.objects.filter(pk__in=variant_ids).values("product_id"))
        limit = len(variant_ids)
    if text:
        queryset = queryset.filter(name__icontains=text)
    if status:
        queryset = queryset.filter(status=status)
    return list(queryset.prefetch_related(Prefetch("variants", ProductVariant.objects.filter(
        archived_at__isnull=True)))[:limit])


def shop_export_rows(*, shop: Shop):
    """One row per variant, for the CSV export (streamed in chunks)."""
    return (ProductVariant.objects.filter(product__shop=shop, archived_at__isnull=True)
            .select_related("product__category")
            .order_by("product_id", "position", "pk").iterator(chunk_size=1000))


def product_shop_id(*, rest: str) -> int | None:
    """The shop of the product an old `/kelola/produk/<id>/…` path names (0 if there is no such product, None if the
    path names none); the caller keeps it to the person's own shops."""
    head = rest.split("/", 1)[0]
    if not head.isdigit():
        return None
    return Product.objects.filter(pk=int(head)).values_list("shop_id", flat=True).first() or 0


def import_of_shop(*, shop: Shop, import_id: int) -> ProductImport | None:
    return ProductImport.objects.filter(pk=import_id, shop=shop).first()


def product_image_pending_ids(*, older_than: timedelta = timedelta(minutes=5), limit: int = 500) -> list[int]:
    """Photos still waiting for renditions long after upload: their job was lost with the broker."""
    cutoff = timezone.now() - older_than
    return list(ProductImage.objects.filter(status=ProductImage.Status.PENDING, created_at__lte=cutoff)
                .order_by("created_at").values_list("pk", flat=True)[:limit])
