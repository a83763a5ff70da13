"""Prepared reads (plazabanten.prepared): SQL compiled once, filled with each call's arguments, rows and related
objects exactly as the plain queryset gives them; builders that are not a pure function of their arguments are
refused instead of frozen."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Product, ProductVariant
from plazabanten.prepared import PreparedRead, any_of
from tests.factories import make_product, make_shop

pytestmark = pytest.mark.django_db


def _by_shop_and_slug(*, shop_slug: str, product_slug: str):
    return (Product.objects.select_related("shop", "kabkota").filter(shop__slug=shop_slug, slug=product_slug)
            .prefetch_related(Prefetch("variants", ProductVariant.objects.order_by("sku"))))


def test_prepared_read_answers_each_call_with_its_own_arguments():
    read = PreparedRead(_by_shop_and_slug)
    first, second = make_product(name="Kopi Robusta"), make_product(name="Batik Cilegon")
    assert [p.pk for p in read(shop_slug=first.shop.slug, product_slug=first.slug)] == [first.pk]
    assert [p.pk for p in read(shop_slug=second.shop.slug, product_slug=second.slug)] == [second.pk]
    assert read(shop_slug=first.shop.slug, product_slug=second.slug) == []


def test_prepared_read_loads_related_and_prefetched_objects_like_the_queryset():
    read = PreparedRead(_by_shop_and_slug)
    product = make_product()
    ProductVariant.objects.create(product=product, sku="A-KECIL", price=9000, stock=1)
    expected = _by_shop_and_slug(shop_slug=product.shop.slug, product_slug=product.slug).get()
    read(shop_slug=product.shop.slug, product_slug=product.slug)  # compiled on the first call
    with CaptureQueriesContext(connection) as queries:
        (got,) = read(shop_slug=product.shop.slug, product_slug=product.slug)
        shop_name, region = got.shop.name, got.kabkota.name
        skus = [variant.sku for variant in got.variants.all()]
    assert len(queries) == 2  # the product with its shop and region, then the prefetched variants
    assert (shop_name, region) == (expected.shop.name, expected.kabkota.name)
    assert skus == [variant.sku for variant in expected.variants.all()] == sorted(skus)
    assert [getattr(got, f.attname) for f in Product._meta.concrete_fields] == \
        [getattr(expected, f.attname) for f in Product._meta.concrete_fields]


def test_prepared_read_keeps_integer_arguments_and_constants_apart():
    shop = make_shop()
    cheap, dear = make_product(shop=shop, price=5000), make_product(shop=shop, price=90000)
    read = PreparedRead(lambda *, shop_id, price: Product.objects.filter(shop_id=shop_id, price_min__lte=price,
                                                                         status=Product.Status.ACTIVE)
                        .order_by("price_min"))
    assert [p.pk for p in read(shop_id=shop.pk, price=10000)] == [cheap.pk]
    assert [p.pk for p in read(shop_id=shop.pk, price=100000)] == [cheap.pk, dear.pk]
    dear.status = Product.Status.INACTIVE
    dear.save(update_fields=["status"])
    assert [p.pk for p in read(shop_id=shop.pk, price=100000)] == [cheap.pk]


def test_the_sql_of_a_read_is_compiled_once_and_filled_with_each_calls_arguments():
    """PreparedRead.sql: for a statement that embeds the read and is planned per call (a text search)."""
    shop = make_shop()
    make_product(shop=shop, price=5000)
    make_product(shop=shop, price=90000)
    read = PreparedRead(lambda *, shop_id, price: Product.objects.filter(shop_id=shop_id, price_min__lte=price)
                        .order_by("price_min").values("pk"))
    (sql, params), (again, other) = read.sql(shop_id=shop.pk, price=10000), read.sql(shop_id=shop.pk, price=100000)
    assert sql == again and params != other
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS read", params)  # noqa: S608 (Django's own SQL)
        assert cursor.fetchone() == (1,)
        cursor.execute(f"SELECT count(*) FROM ({again}) AS read", other)  # noqa: S608
        assert cursor.fetchone() == (2,)
    with CaptureQueriesContext(connection) as queries:
        read.sql(shop_id=shop.pk, price=1)
    assert not queries  # nothing run


def test_builder_reading_the_clock_is_refused_not_frozen():
    read = PreparedRead(lambda *, shop_id: Product.objects.filter(shop_id=shop_id, created_at__lte=timezone.now()))
    with pytest.raises(ValueError, match="not a plain argument"):
        read(shop_id=1)


def test_builder_rewriting_its_argument_is_refused():
    read = PreparedRead(lambda *, text: Product.objects.filter(name__icontains=text))
    with pytest.raises(ValueError, match="not a plain argument"):
        read(text="kopi")


def test_argument_that_never_reaches_the_sql_is_refused():
    read = PreparedRead(lambda *, shop_id, limit: Product.objects.filter(shop_id=shop_id)[:limit])
    with pytest.raises(ValueError, match="SQL changes|does not reach"):
        read(shop_id=1, limit=5)


def test_a_list_of_ids_is_one_array_parameter_whatever_its_length():
    read = PreparedRead(lambda *, ids: Product.objects.filter(any_of("pk", ids)).order_by("pk"))
    first, second, third = make_product(), make_product(), make_product()
    assert [p.pk for p in read(ids=[third.pk, first.pk])] == [first.pk, third.pk]
    assert [p.pk for p in read(ids=[second.pk])] == [second.pk]
    assert [p.pk for p in read(ids=[first.pk, second.pk, third.pk, 0])] == [first.pk, second.pk, third.pk]
    assert read(ids=[]) == []


def test_a_list_through_field_in_changes_the_sql_and_is_refused():
    read = PreparedRead(lambda *, ids: Product.objects.filter(pk__in=ids))
    with pytest.raises(ValueError, match="not a plain argument|SQL changes"):
        read(ids=[1, 2])


def test_other_argument_types_are_refused():
    with pytest.raises(TypeError):
        PreparedRead(lambda *, active: Product.objects.filter(is_halal=active))(active=True)


def _active_of_shop(*, shop_id: int):
    return Product.objects.filter(shop_id=shop_id, status=Product.Status.ACTIVE).order_by("pk")


def test_postgres_plans_the_statement_once_with_its_constants_written_in():
    read = PreparedRead(_active_of_shop)
    product = make_product()
    for _ in range(7):
        assert [p.pk for p in read(shop_id=product.shop_id)] == [product.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements WHERE name LIKE %s",
                       ["pb_catalog_product_%"])
        (text, generic_plans), = [(text, generic) for text, generic in cursor.fetchall()
                                  if 'ORDER BY "catalog_product"."id" ASC; EXECUTE' in text
                                  and '"shop_id" = $1' in text]
    assert '"shop_id" = $1' in text and "\"status\" = 'active'" in text and "$2" not in text
    assert generic_plans >= 1  # after five custom plans Postgres keeps one plan for every shop


def test_a_rolled_back_transaction_keeps_the_statement_prepared():
    read = PreparedRead(_active_of_shop)
    product = make_product()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert read(shop_id=product.shop_id)  # PREPARE and EXECUTE in this transaction
        raise RuntimeError("rolled back")
    with CaptureQueriesContext(connection) as queries:
        assert [p.pk for p in read(shop_id=product.shop_id)] == [product.pk]
    assert queries[0]["sql"].startswith("EXECUTE ")


def test_a_session_unsure_of_its_statements_prepares_them_again_under_new_names():
    read = PreparedRead(_active_of_shop)
    product = make_product()
    read(shop_id=product.shop_id)
    connection.pb_prepared_session.prepared.clear()  # as after a first call that failed half-way
    with pytest.raises(DatabaseError), transaction.atomic():
        read(shop_id=product.shop_id)  # PREPARE again: the name exists
    assert [p.pk for p in read(shop_id=product.shop_id)] == [product.pk]


def test_a_statement_a_migration_made_unusable_is_prepared_again_on_the_next_call():
    read = PreparedRead(_by_shop_and_slug)
    product = make_product()
    read(shop_slug=product.shop.slug, product_slug=product.slug)
    try:
        with connection.cursor() as cursor:  # what a deploy's migration might do while old workers still run
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the facet cells' deferred triggers fire first
            cursor.execute("ALTER TABLE catalog_product ALTER COLUMN halal_number TYPE text")
        with pytest.raises(DatabaseError, match="cached plan must not change result type"), transaction.atomic():
            read(shop_slug=product.shop.slug, product_slug=product.slug)
        assert [p.pk for p in read(shop_slug=product.shop.slug, product_slug=product.slug)] == [product.pk]
    finally:
        with connection.cursor() as cursor:  # the test's rollback restores the column, not the session
            cursor.execute("DEALLOCATE ALL")
        connection.pb_prepared_session = None
