"""The storefront's text search in memory: each web process keeps the listed products' facet values and sort columns as
numpy arrays (one row per product, in id order) and, for every stemmed word at least MIN_POSTINGS products use, the
rows of the products using it. A text search then costs one look (a short statement that parses the text with
Postgres's own websearch_to_tsquery and asks whether any product changed since the last look; a second one brings
those that did) and the page's cards, instead of reading a common word's thousands of matches: the words' rows are
intersected, the facet filters applied, every facet counted exactly and the page sorted in memory.

Freshness. A trigger stamps a product's ``index_version`` with the id of the transaction that changed anything a
search reads (migration catalog 0017); a shop whose status changes stamps its products. Each search asks for the
products stamped by a transaction that had not finished when the previous search looked (``pg_snapshot_xmin`` of that
look's snapshot): whatever has been committed since is seen. Changed products are kept beside the arrays
(``Index.changed``, found through their words as the arrays' rows are) and their rows in the arrays set aside
(``stale``); past OVERLAY_MAX the arrays are read again in the background while the old ones keep answering. A web
process reads the index as it starts (plazabanten/wsgi.py), before it answers anything.

What the index leaves to the SQL search (catalog.selectors.product_search, raising Unanswered): a phrase in quotes, a
word fewer than MIN_POSTINGS products use (a rare word is a cheap read there, and a typo is corrected there), and the
government buyers' procurement order (it ranks by relevance after the PDN tier). A product deleted outright (no
service does) stays counted until the arrays are read again.
"""

import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection

from catalog.models import PDN_TIER_FULL

logger = logging.getLogger(__name__)

MIN_POSTINGS = 10
OVERLAY_MAX = 5_000
RANKS_KEPT = 1_000_000  # 12 bytes each: ~12 MB per process

LISTED = "p.status = 'active' AND s.status = 'verified'"
# name: (SQL of the column, its type in memory)
COLUMNS = {
    "id": ("p.id", np.int64),
    "category": ("coalesce(p.category_id, 0)", np.int32),
    "root": ("coalesce(p.category_root_id, 0)", np.int32),
    "kabkota": ("coalesce(array_position(%(kabkota)s::text[], p.kabkota_id::text), 0)", np.int16),
    "is_halal": ("p.is_halal::int", np.int8),
    "tkdn_local": ("p.tkdn_local::int", np.int8),
    "is_banten": ("p.is_banten::int", np.int8),
    "pdn_full": (f"(p.pdn_tier = {PDN_TIER_FULL})::int", np.int8),
    "shop_is_umk": ("p.shop_is_umk::int", np.int8),
    "price_band": ("p.price_band", np.int8),
    "rating_band": ("p.rating_band", np.int8),
    "price_min": ("p.price_min", np.int64),
    "sold_count": ("p.sold_count", np.int32),
    "created_us": ("(extract(epoch FROM p.created_at) * 1000000)::bigint", np.int64),
}
FLAGS = {"halal": "is_halal", "tkdn": "tkdn_local", "banten": "is_banten", "pdn": "pdn_full", "umk": "shop_is_umk"}
SORTS = {"newest": "created_us", "price_asc": "price_min", "price_desc": "price_min", "bestselling": "sold_count"}
DESCENDING = {"newest", "price_desc", "bestselling"}


class Unanswered(Exception):
    """A search the index leaves to Postgres."""


@dataclass
class Changed:
    """A listed product changed since the arrays were read (Index.changed holds None for one no longer listed)."""

    values: dict[str, int]
    words: frozenset[str]


@dataclass
class Index:
    ids: np.ndarray
    columns: dict[str, np.ndarray]
    kabkota: list[str]  # the kabkota column holds a position in this, from 1 (0: none)
    postings: dict[str, np.ndarray]  # word -> its products' rows, ascending
    ranks: dict[str, "Ranks"]  # tsquery -> the ranks read so far (_ranks), the least recently searched first
    horizon: int  # every transaction below it had finished when the arrays (or the last change) were read
    changed: dict[int, Changed | None] = field(default_factory=dict)
    changed_words: dict[str, set[int]] = field(default_factory=dict)  # word -> listed changed products using it
    listed_changes: set[int] = field(default_factory=set)
    stale: np.ndarray = field(default=None)  # rows of changed products, left out of the arrays' answers
    ranks_kept: int = 0  # in all of ranks

    def __post_init__(self):
        if self.stale is None:
            self.stale = np.zeros(len(self.ids), dtype=bool)

    def forget_change(self, pk: int) -> None:
        earlier = self.changed.pop(pk, None)
        self.listed_changes.discard(pk)
        for word in earlier.words if earlier else ():
            self.changed_words[word].discard(pk)

    def rows_of(self, word: str) -> np.ndarray:
        rows = self.postings.get(word)
        if rows is None:
            raise Unanswered(word)
        return rows


_index: list[Index] = []  # one per process
_lock = threading.Lock()
_reader: list[threading.Thread] = []  # the thread reading the arrays again (_read_again), while it runs


def warm() -> None:
    """Read the index as a web process starts (plazabanten/wsgi.py), before it answers anything: ~1 s at 100k
    products, ~10 s at 1M. A database not reachable yet is no reason not to start: the first search reads it."""
    if settings.SEARCH_INDEX:
        _read("at start: the first search reads it")


def _read_again() -> None:
    """Read the arrays again in the background, past OVERLAY_MAX changes; the old ones answer meanwhile."""
    if not any(reader.is_alive() for reader in _reader):
        _reader[:] = [threading.Thread(target=_read, args=("again: the next search tries again",),
                                       name="search-index", daemon=True)]
        _reader[0].start()


def _read(missed: str) -> None:
    try:
        index = build()
        with _lock:
            _index[:] = [index]
    except DatabaseError:
        logger.warning("search index not read %s", missed, exc_info=True)
    finally:
        connection.close()  # each request opens its own (CONN_MAX_AGE); none is kept from the reading


def reset() -> None:
    """Forget the index: the next search reads the arrays again (tests, whose data rolls back)."""
    with _lock:
        _index.clear()


def _numbers(text: str | None, dtype) -> np.ndarray:
    """Comma-separated numbers (a string_agg) as an array, parsed in C."""
    if not text:
        return np.zeros(0, dtype=dtype)
    return np.fromstring(text, dtype=np.float32 if dtype == np.float32 else np.int64, sep=",").astype(dtype)


def build() -> Index:
    """Every listed product's columns and every word at least MIN_POSTINGS of them use (1M products: ~10 s)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
                       " array(SELECT DISTINCT kabkota_id FROM catalog_product WHERE kabkota_id IS NOT NULL"
                       " ORDER BY 1)")
        horizon, kabkota = cursor.fetchone()
        aggregates = ", ".join(f"string_agg({name}::text, ',')" for name in COLUMNS)
        selected = ", ".join(f"{sql} AS {name}" for name, (sql, _type) in COLUMNS.items())
        cursor.execute(f"SELECT {aggregates} FROM (SELECT {selected} FROM catalog_product p"  # noqa: S608 (constants)
                       f" JOIN vendors_shop s ON s.id = p.shop_id WHERE {LISTED} ORDER BY p.id) AS listed",
                       {"kabkota": kabkota})
        columns = {name: _numbers(text, dtype) for (name, (_sql, dtype)), text in
                   zip(COLUMNS.items(), cursor.fetchone(), strict=True)}
        cursor.execute(f"""SELECT word, string_agg(id::text, ',') FROM (
                SELECT p.id, unnest(tsvector_to_array(p.search_vector)) AS word
                FROM catalog_product p JOIN vendors_shop s ON s.id = p.shop_id WHERE {LISTED}) AS used
            GROUP BY word HAVING count(*) >= %s""", [MIN_POSTINGS])  # noqa: S608 (constants)
        ids = columns.pop("id")
        postings = {word: rows_of_ids(ids, _numbers(ids_text, np.int64)) for word, ids_text in cursor.fetchall()}
    return Index(ids=ids, columns=columns, kabkota=kabkota, postings=postings, ranks={}, horizon=horizon)


def rows_of_ids(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The rows of the products ``wanted`` among ``ids`` (ascending), without those not among them: the statements
    reading the index see the database one after the other, and a product listed in between is in the postings
    but not in the columns (the first look after the reading brings it, as any change since it began)."""
    wanted = np.sort(wanted)
    rows = np.searchsorted(ids, wanted)
    found = rows < len(ids)
    found[found] = ids[rows[found]] == wanted[found]
    return rows[found].astype(np.int32)


@dataclass
class Ranks:
    """ts_rank of one tsquery in the products it was read for: ids ascending, their ranks."""

    ids: np.ndarray
    ranks: np.ndarray


def _ranks(index: Index, query: str, pool: list[int], changed: set[int]) -> list[float]:
    """ts_rank of the text's tsquery in each product of ``pool`` (each matching it; ``changed``: those of them beside
    the arrays, ranked afresh each time). A product's rank in the arrays is read from Postgres once per index and kept
    (Index.ranks, the least recently searched tsquery dropped first past RANKS_KEPT ranks in all), so a text's next
    searches (other filters, other pages) read only the products their pools add: the long tail of searches is mostly
    texts seen before with another filter, and ranking a pool of up to 2,000 matches or 600 best sellers was most of a
    search's SQL. A text of several words is ranked by where they sit together in each product: only Postgres knows."""
    kept = index.ranks.pop(query, None) or Ranks(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    ids = np.array(pool, dtype=np.int64)
    fresh = np.array([pk in changed for pk in pool], dtype=bool)
    at = np.minimum(np.searchsorted(kept.ids, ids), max(len(kept.ids) - 1, 0))
    known = ~fresh & (kept.ids[at] == ids) if len(kept.ids) else np.zeros(len(pool), dtype=bool)
    unread = ~known & ~fresh
    read = np.zeros(0, dtype=np.float32)
    if unread.any() or fresh.any():
        with connection.cursor() as cursor:
            cursor.execute("SELECT string_agg(coalesce(ts_rank(p.search_vector, %s::tsquery), 0)::text, ','"
                           " ORDER BY t.n) FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(id, n)"
                           " LEFT JOIN catalog_product p ON p.id = t.id",
                           [query, [*ids[unread].tolist(), *ids[fresh].tolist()]])
            read = _numbers(cursor.fetchone()[0], np.float32)
    found = np.empty(len(pool), dtype=np.float32)
    found[known] = kept.ranks[at[known]]
    read_count = int(np.count_nonzero(unread))
    found[unread] = read[:read_count]
    found[fresh] = read[read_count:]
    if read_count:
        merged = np.concatenate([kept.ids, ids[unread]])
        order = np.argsort(merged, kind="stable")
        kept = Ranks(merged[order], np.concatenate([kept.ranks, read[:read_count]])[order])
        index.ranks_kept += read_count
    index.ranks[query] = kept  # the most recently searched last
    while index.ranks_kept > RANKS_KEPT and len(index.ranks) > 1:
        index.ranks_kept -= len(index.ranks.pop(next(iter(index.ranks))).ids)
    return found.tolist()


# Most looks find nothing changed: this statement is planned in a tenth of the time CHANGED is.
LOOK = """SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,
    websearch_to_tsquery('indonesian', %(text)s)::text,
    EXISTS (SELECT FROM catalog_product WHERE index_version >= %(since)s)"""
# The products changed since, with the horizon of this statement's own snapshot (the look's may be older).
CHANGED = f"""WITH snapshot AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon)
SELECT horizon, changed.* FROM snapshot LEFT JOIN LATERAL (
    SELECT p.id, {LISTED} AS listed, {", ".join(sql for name, (sql, _type) in COLUMNS.items() if name != "id")},
        tsvector_to_array(p.search_vector)
    FROM (SELECT * FROM catalog_product WHERE index_version >= %(since)s ORDER BY index_version LIMIT %(most)s) AS p
    JOIN vendors_shop s ON s.id = p.shop_id) AS changed ON true"""  # noqa: S608 (constants)


def _synced(text: str) -> tuple[Index, str]:
    """The index with every change committed so far, and the text's tsquery. A process that has none reads it now;
    past OVERLAY_MAX changes it is read again in the background, and past that many in one look the searches are the
    SQL ones until it is."""
    index = _index[0] if _index else None
    if index is None:
        index = build()
        _index[:] = [index]
    elif len(index.changed) > OVERLAY_MAX:
        _read_again()
    with connection.cursor() as cursor:
        cursor.execute(LOOK, {"text": text, "since": index.horizon})
        horizon, query, changed = cursor.fetchone()
        if not changed:
            index.horizon = horizon
            return index, query
        cursor.execute(CHANGED, {"since": index.horizon, "kabkota": index.kabkota, "most": OVERLAY_MAX + 1})
        rows = cursor.fetchall()
    if len(rows) > OVERLAY_MAX:
        _read_again()
        raise Unanswered("more products changed than the index keeps beside its arrays")
    horizon = rows[0][0]
    names = [name for name in COLUMNS if name != "id"]
    for _horizon, pk, listed, *values, words in rows:
        if pk is None:
            continue
        index.forget_change(pk)
        if listed:
            index.changed[pk] = changed = Changed(dict(zip(names, values, strict=True)), frozenset(words))
            index.listed_changes.add(pk)
            for word in changed.words:
                index.changed_words.setdefault(word, set()).add(pk)
        else:
            index.changed[pk] = None
        row = np.searchsorted(index.ids, pk)
        if row < len(index.ids) and index.ids[row] == pk:
            index.stale[row] = True
    index.horizon = horizon
    return index, query


TOKEN = re.compile(r"'((?:[^']|'')*)'|(&|\||!|\(|\)|<\d*-?>)")


def parse(tsquery: str) -> list:
    """A tsquery's text as tokens: ("word", lexeme) or an operator. A hyphenated word is a phrase of the word and its
    parts ('eco-print' <-> 'eco' <-> 'print'), which a product matches exactly when it has the word (the parser
    puts the parts right after it): it is taken as the word. Any other phrase is left to Postgres."""
    found = TOKEN.findall(tsquery)
    tokens, position = [], 0
    while position < len(found):
        word, operator = found[position]
        position += 1
        if operator.startswith("<"):
            raise Unanswered(tsquery)
        if operator:
            tokens.append(operator)
            continue
        word = word.replace("''", "'")
        parts = word.count("-") + 1 if "-" in word else 0
        if parts and [operator for _word, operator in found[position:position + 2 * parts:2]] == ["<->"] * parts:
            position += 2 * parts  # the parts
        tokens.append(("word", word))
    return tokens


def _matching(tokens: list, rows_of, every, both, either, but) -> object:
    """The tsquery's tokens evaluated (! before &, & before |) with the given set operations: on the arrays' rows
    and on the changed products' words alike."""
    position = 0

    def primary():
        nonlocal position
        item = tokens[position]
        position += 1
        if item == "!":
            return ("not", primary())
        if item == "(":
            inner = disjunction()
            position += 1  # ")"
            return inner
        return rows_of(item[1])

    def conjunction():
        nonlocal position
        items = [primary()]
        while position < len(tokens) and tokens[position] == "&":
            position += 1
            items.append(primary())
        positive = [item for item in items if not isinstance(item, tuple)]
        result = both(positive) if positive else every()
        for item in items:
            if isinstance(item, tuple):
                result = but(result, item[1])
        return result

    def disjunction():
        nonlocal position
        result = conjunction()
        while position < len(tokens) and tokens[position] == "|":
            position += 1
            result = either(result, conjunction())
        return result

    return disjunction()


def _rows_matching(index: Index, tokens: list) -> np.ndarray:
    def both(items):
        items = sorted(items, key=len)
        rows = items[0]
        for other in items[1:]:
            rows = np.intersect1d(rows, other, assume_unique=True)
        return rows

    rows = _matching(tokens, index.rows_of, lambda: np.arange(len(index.ids), dtype=np.int32), both,
                     np.union1d, lambda rows, other: np.setdiff1d(rows, other, assume_unique=True))
    return rows[~index.stale[rows]]


def _changed_matching(index: Index, tokens: list) -> list[tuple[int, dict]]:
    """The changed products that match, found through their words as the arrays' rows are."""
    if not index.listed_changes:
        return []
    found = _matching(tokens, lambda word: index.changed_words.get(word, set()), lambda: index.listed_changes,
                      lambda items: set.intersection(*items), set.union, set.difference)
    return [(pk, index.changed[pk].values) for pk in sorted(found)]


def _conditions(names: tuple[str, ...], values: dict, kabkota: list[str]) -> list[tuple[str, str, object]]:
    """The facet conditions as (column, comparison, value)."""
    conditions = []
    for name in names:
        if name in FLAGS:
            conditions.append((FLAGS[name], "==", 1))
        elif name == "categories":
            conditions.append(("category", "in", values[name]))
        elif name == "kabkota":
            code = values[name]
            conditions.append(("kabkota", "==", kabkota.index(code) + 1 if code in kabkota else -1))
        elif name == "rating":
            conditions.append(("rating_band", ">=", values[name]))
        else:  # root, category, price_band
            conditions.append(({"root": "root", "category": "category"}.get(name, name), "==", values[name]))
    return conditions


def _kept(index: Index, rows: np.ndarray, conditions) -> np.ndarray:
    for column, comparison, value in conditions:
        data = index.columns[column][rows]
        keep = (np.isin(data, value) if comparison == "in" else data >= value if comparison == ">=" else data == value)
        rows = rows[keep]
    return rows


def _passes(values: dict, conditions) -> bool:
    return all(values[column] in value if comparison == "in" else values[column] >= value if comparison == ">="
               else values[column] == value for column, comparison, value in conditions)


def _counted(index: Index, rows: np.ndarray, extra: list[dict]) -> dict[str, dict]:
    counts = {}
    for column in ("category", "kabkota", "price_band", "rating_band"):
        tally = np.bincount(np.concatenate([index.columns[column][rows],
                                            np.array([values[column] for values in extra], dtype=np.int64)]))
        present = np.flatnonzero(tally)
        counts[column] = dict(zip(present.tolist(), tally[present].tolist(), strict=True))
    counts["flags"] = {name: int(np.count_nonzero(index.columns[column][rows]))
                       + sum(1 for values in extra if values[column]) for name, column in FLAGS.items()}
    return counts


def _first(index: Index, rows: np.ndarray, extra: list[tuple[int, dict]], column: str, descending: bool,
           wanted: int) -> list[int]:
    """The ids of the first ``wanted`` matches by ``column`` (then id, the same way): rows of the arrays and changed
    products together."""
    keys = index.columns[column][rows]
    if descending:
        keys = -keys
    if len(rows) > wanted:
        bound = np.partition(keys, wanted - 1)[wanted - 1]
        rows, keys = rows[keys <= bound], keys[keys <= bound]
    ids = index.ids[rows]
    order = np.lexsort((-ids if descending else ids, keys))[:wanted]
    candidates = list(zip(keys[order].tolist(), (-ids[order] if descending else ids[order]).tolist(), strict=True))
    candidates += [(-values[column] if descending else values[column], -pk if descending else pk)
                   for pk, values in extra]
    candidates.sort()
    return [-pk if descending else pk for _key, pk in candidates[:wanted]]


def search(filters, tree) -> tuple["FacetCounts", list[int], int]:  # noqa: F821 (catalog.selectors.FacetCounts)
    """A text search's exact facet counts, its page's ids and its number of pages, as catalog.selectors.product_search
    pages them: relevance ranks every match when there are at most FACET_EXACT_MAX, else the RANK_POOL best
    sellers among them. Raises Unanswered for what the index leaves to Postgres."""
    from catalog.selectors import (
        FACET_EXACT_MAX,
        MAX_PAGE,
        PAGE_SIZE,
        RANK_POOL,
        FacetCounts,
        _product_conditions,
        _ranked_page,
    )

    sort = filters.effective_sort()
    if sort not in ("relevance", *SORTS):
        raise Unanswered(sort)
    with _lock:
        index, query = _synced(filters.text)
        tokens = parse(query)
        if not tokens:
            raise Unanswered(query)
        conditions = _conditions(*_product_conditions(filters, tree), index.kabkota)
        rows = _kept(index, _rows_matching(index, tokens), conditions)
        extra = [(pk, values) for pk, values in _changed_matching(index, tokens) if _passes(values, conditions)]
        counts = _counted(index, rows, [values for _pk, values in extra])
        total = len(rows) + len(extra)
        pooled = sort == "relevance" and total > FACET_EXACT_MAX
        pages = max(1, min(MAX_PAGE, -(-(RANK_POOL if pooled else total) // PAGE_SIZE)))
        offset = (min(max(filters.page, 1), pages) - 1) * PAGE_SIZE
        if sort != "relevance":
            ids = _first(index, rows, extra, SORTS[sort], sort in DESCENDING, offset + PAGE_SIZE)[offset:]
        else:
            pool = (_first(index, rows, extra, "sold_count", True, RANK_POOL) if pooled
                    else [*index.ids[rows].tolist(), *(pk for pk, _values in extra)])
            changed = {pk for pk, _values in extra}
            ids = _ranked_page(list(zip(pool, _ranks(index, query, pool, changed), strict=True)) if pool else [],
                               offset)
    kabkota = {index.kabkota[position - 1]: n for position, n in counts["kabkota"].items() if position}
    return FacetCounts(total=total, flags=Counter(counts["flags"]), by_category=Counter(counts["category"]),
                       by_kabkota=Counter(kabkota), by_price=Counter(counts["price_band"]),
                       by_rating=Counter(counts["rating_band"])), ids, pages

