"""What keeps an uncached page cheap: stored related products, and listings that walk an index."""

import pytest
from django.db import connection

from catalog import selectors
from catalog.models import CategoryTopSellers, Product
from catalog.selectors import product_related
from catalog.services import category_top_sellers_refresh, product_status_set
from tests.factories import make_category, make_product, make_shop

pytestmark = pytest.mark.django_db


def related_names(product) -> list[str]:
    return [related.name for related in product_related(product=Product.objects.get(pk=product.pk))]


def explain_analyze(queryset) -> str:
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_related_products_are_the_stored_best_sellers_of_the_category_or_its_walk_before_they_are_stored():
    category, shop = make_category(), make_shop()
    viewed = make_product(shop=shop, category=category, name="Dilihat", sold_count=50)
    for name, sold in (("Tiga", 3), ("Sembilan", 9), ("Lima", 5)):
        make_product(shop=shop, category=category, name=name, sold_count=sold)
    make_product(shop=shop, name="Kategori lain", sold_count=99)
    walk = ["Sembilan", "Lima", "Tiga"]
    assert related_names(viewed) == walk  # nothing stored yet: the category's index is walked

    assert category_top_sellers_refresh(category_ids=[category.pk]) == 1
    assert CategoryTopSellers.objects.get(category=category).product_ids == list(
        Product.objects.filter(category=category).order_by("-sold_count").values_list("pk", flat=True))
    make_product(shop=shop, category=category, name="Baru", sold_count=100)  # the worker has not seen it yet
    assert related_names(viewed) == walk  # read from the stored list, not the walk
    Product.objects.filter(name="Sembilan").update(status=Product.Status.INACTIVE)
    assert related_names(viewed) == ["Lima", "Tiga"]  # stored, but no longer listed: left out at once
    category_top_sellers_refresh()
    assert related_names(viewed) == ["Baru", "Lima", "Tiga"]


def test_stored_related_products_never_run_the_walk():
    category = make_category()
    products = [make_product(category=category, sold_count=n) for n in range(12)]
    category_top_sellers_refresh(category_ids=[category.pk])
    plan = explain_analyze(selectors.product_related_queryset(product=products[0]))
    assert "never executed" in plan and "catalog_categorytopsellers" in plan, plan
    assert len(related_names(products[0])) == selectors.RELATED_LIMIT


def test_a_seller_switching_a_product_off_refreshes_its_category_on_the_worker(django_capture_on_commit_callbacks):
    category = make_category()
    best = make_product(category=category, name="Terlaris", sold_count=10)
    other = make_product(category=category, name="Biasa", sold_count=1)
    category_top_sellers_refresh()
    with django_capture_on_commit_callbacks(execute=True):
        product_status_set(shop=best.shop, product=best, status=Product.Status.INACTIVE)
    assert CategoryTopSellers.objects.get(category=category).product_ids == [other.pk]
