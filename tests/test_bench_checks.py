"""The checks bench/run.sh prints after its place-order and webhook runs can fail (the bench itself is not run)."""

import importlib.util
from pathlib import Path

import pytest

from orders.models import Order
from orders.services import order_transition
from tests.factories import make_product, make_user
from tests.orders.test_checkout import buy

pytestmark = pytest.mark.django_db
spec = importlib.util.spec_from_file_location("bench_marketplace",
                                              Path(__file__).resolve().parent.parent / "bench" / "marketplace.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_counts_must_lie_between_the_successful_and_the_sent_requests():
    assert bench.count_check("place order", applied=10, answered_ok=10, sent=12, distinct=20) == []
    assert bench.count_check("place order", applied=12, answered_ok=10, sent=12, distinct=20) == []
    assert bench.count_check("place order", applied=9, answered_ok=10, sent=12, distinct=20) != []  # one lost
    assert bench.count_check("place order", applied=13, answered_ok=10, sent=12, distinct=20) != []  # applied twice
    assert bench.count_check("place order", applied=20, answered_ok=21, sent=21, distinct=20) != []  # list reused


def test_the_stock_seeded_must_equal_sold_plus_allocated_plus_remaining(capsys):
    products = [make_product(stock=50) for _ in range(3)]
    earlier = buy(make_user(), products[0].variants.get(), quantity=3).orders.get()  # sold before the run
    order_transition(order_id=earlier.pk, to_status=Order.Status.PAID)
    variants = bench.seed_stock(count=3)
    assert sorted(v.stock for v in type(variants[0]).objects.filter(pk__in=[v.pk for v in variants])) == [
        bench.SEED_UNITS] * 3
    unpaid = buy(make_user(email="bench-r1-0@bench.test"), variants[0], quantity=1)
    paid = buy(make_user(email="bench-r1-1@bench.test"), variants[1], quantity=2).orders.get()
    order_transition(order_id=paid.pk, to_status=Order.Status.PAID)
    ids = [v.pk for v in variants]
    assert bench.stock_check(variant_ids=ids, seeded_each=bench.SEED_UNITS, run_id="r1") == []
    assert "seeded 6 = sold 2 + allocated 1 + remaining 3" in capsys.readouterr().out
    type(variants[0]).objects.filter(pk=variants[2].pk).update(stock=5)  # units from nowhere
    assert bench.stock_check(variant_ids=ids, seeded_each=bench.SEED_UNITS, run_id="r1") != []
    type(variants[0]).objects.filter(pk=variants[2].pk).update(stock=2)
    unpaid.orders.update(status=Order.Status.EXPIRED)  # an expiry that did not release its allocation
    assert bench.stock_check(variant_ids=ids, seeded_each=bench.SEED_UNITS, run_id="r1") != []


def test_the_realistic_mix_has_a_long_tail_over_every_product_and_query():
    import random
    from collections import Counter

    products = [f"/p/toko/produk-{n}/" for n in range(10_000)]
    queries = [f"kata{n}" for n in range(1_200)]
    paths = bench.realistic_paths(random.Random(1), products=products, queries=queries, categories=["a", "b"],
                                  draws=20_000)
    drawn = Counter(path for path in paths if path.startswith("/p/"))
    assert drawn[products[0]] > drawn[products[10]] > drawn[products[1000]]  # popular first
    assert len(drawn) > 2_000  # and a tail: most product pages are asked for once or never
    assert sum(1 for n in drawn.values() if n == 1) > 1_000
    searched = {path.split("q=")[1].split("&")[0] for path in paths if path.startswith("/cari/")}
    assert len(searched) > 300 and any("&" in path for path in paths if path.startswith("/cari/"))


def test_the_cost_curve_draws_a_line_per_page_over_the_product_counts():
    from xml.etree import ElementTree

    runs = [{"products": 100_000, "p99": {"product": 40.0, "search": 90.0}},
            {"products": 1_000_000, "p99": {"product": 60.0, "search": 150.0}}]
    svg = ElementTree.fromstring(bench.cost_curve_svg(runs, "p99"))  # noqa: S314 (our own text)
    lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 2
    for line in lines:
        (x1, y1), (x2, y2) = (map(float, point.split(",")) for point in line.get("points").split())
        assert x2 > x1 and y2 < y1  # more products to the right; a higher p99 is drawn higher
    texts = [text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "100,000" in texts and "1,000,000" in texts
