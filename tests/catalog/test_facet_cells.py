"""The facet cells the database triggers keep must equal a fresh count of the listed products after any change."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.db.models import Count, Sum

from catalog.models import FACET_KEY, FacetCell, Product
from catalog.selectors import ProductFilters, product_search, product_storefront_queryset
from catalog.services import facet_cells_compact
from tests.factories import make_category, make_product, make_shop
from tests.vendors.helpers import make_verifikator
from vendors.models import Shop
from vendors.services import shop_reinstate, shop_suspend


def cells() -> dict[tuple, int]:
    rows = FacetCell.objects.values_list(*FACET_KEY).annotate(n=Sum("products")).order_by()
    return {row[:-1]: row[-1] for row in rows if row[-1]}


def counted() -> dict[tuple, int]:
    rows = product_storefront_queryset().values_list(*FACET_KEY).annotate(n=Count("id")).order_by()
    return {row[:-1]: row[-1] for row in rows}


@pytest.mark.django_db
def test_facet_cells_follow_every_kind_of_change():
    verifikator = make_verifikator()
    shop, other = make_shop(), make_shop(kabkota="36.73")
    batik, kopi = make_category(), make_category()
    products = [make_product(shop=shop, category=batik, price=40_000, is_halal=True),
                make_product(shop=shop, category=kopi, price=120_000, tkdn_percent=45),
                make_product(shop=other, category=batik, price=600_000, is_banten=True)]
    draft = make_product(shop=other, category=kopi, status=Product.Status.DRAFT)
    assert cells() == counted() and sum(cells().values()) == 3

    steps = [
        lambda: Product.objects.filter(pk=products[0].pk).update(price_min=75_000),  # another price band
        lambda: Product.objects.filter(pk=products[1].pk).update(rating_avg=Decimal("4.60")),  # rating band
        lambda: Product.objects.filter(pk=products[1].pk).update(stock_total=0, sold_count=9),  # no facet change
        lambda: Product.objects.filter(pk=draft.pk).update(status=Product.Status.ACTIVE),
        lambda: Product.objects.filter(pk=products[2].pk).update(status=Product.Status.TAKEN_DOWN),
        lambda: Product.objects.filter(pk=products[0].pk).update(category=kopi, is_halal=False),
        lambda: shop_suspend(shop=shop, actor=verifikator, reason="Dokumen palsu"),
        lambda: Product.objects.filter(pk=products[1].pk).update(tkdn_percent=10),  # while the shop is hidden
        lambda: shop_reinstate(shop=Shop.objects.get(pk=shop.pk), actor=verifikator),
        lambda: Product.objects.bulk_create([Product(shop=other, category=batik, name=f"Batik {n}",
                                                     slug=f"batik-{n}", status=Product.Status.ACTIVE,
                                                     price_min=n * 30_000, kabkota_id="36.73") for n in range(5)]),
        lambda: Product.objects.filter(shop=other).update(is_halal=True),
        lambda: Product.objects.filter(pk=draft.pk).delete(),
        facet_cells_compact,
    ]
    for step in steps:
        step()
        assert cells() == counted()
    facet_cells_compact()
    assert FacetCell.objects.count() == len(counted())  # one row per combination once folded


@pytest.mark.django_db
def test_listing_facets_read_the_cells_and_equal_the_real_counts():
    category = make_category()
    for price, halal in ((40_000, True), (90_000, False), (300_000, True)):
        make_product(category=category, price=price, is_halal=halal)
    make_product(category=category, price=80_000, status=Product.Status.INACTIVE)
    FacetCell.objects.create(category=category, kabkota_id="36.74", is_halal=True, tkdn_local=False,
                             is_banten=False, price_band=0, rating_band=0, products=0)  # a folded-away zero
    results = product_search(filters=ProductFilters())
    assert results.total == 3 and results.flags["halal"] == 2
    assert [(facet.key, facet.count) for facet in results.prices] == [("0-50rb", 1), ("50-100rb", 1),
                                                                      ("250-500rb", 1)]
    narrowed = product_search(filters=ProductFilters(halal=True, price="250-500rb"))
    assert narrowed.total == 1 and [product.price_min for product in narrowed.products] == [300_000]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_a_compaction_lose_no_count():
    shops = [make_shop() for _ in range(4)]
    category = make_category()
    products = [make_product(shop=shop, category=category, price=40_000) for shop in shops for _ in range(5)]
    barrier = threading.Barrier(5)
    errors = []

    def writer(index: int):
        try:
            barrier.wait()
            for round_ in range(10):  # each product moves between two shared price bands
                for product in products[index::4]:
                    Product.objects.filter(pk=product.pk).update(price_min=40_000 + (round_ % 2) * 60_000)
                make_product(shop=shops[index], category=category, price=70_000)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    def compactor():
        try:
            barrier.wait()
            for _ in range(10):
                facet_cells_compact()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(4)]
    threads.append(threading.Thread(target=compactor))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cells() == counted() and sum(cells().values()) == 20 + 40
