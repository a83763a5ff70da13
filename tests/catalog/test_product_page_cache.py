"""A product page is kept long in the page cache (PRODUCT_CACHE_SECONDS) because every change of what it shows
drops it at once: every writer of prices, stock, photos, status, reviews and sales passes catalog.cache
.products_forget. Listings, which show many products, keep their short lifetime (CACHE_SECONDS)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from catalog import services
from catalog.cache import CACHE_SECONDS, PRODUCT_CACHE_SECONDS, fragment_key, page_key, product_fragment_name
from catalog.models import Product
from orders.models import Order
from orders.services import order_transition, orders_expire_unpaid
from plazabanten.cache import ResilientRedisCache
from tests.catalog.test_photos import jpeg_bytes
from tests.factories import make_product, make_shop, make_user, order_walk
from tests.orders.test_checkout import buy

pytestmark = pytest.mark.django_db


def visit(product) -> tuple[str | None, str]:
    """(X-Page-Cache, the page) for an anonymous visitor."""
    response = Client().get(f"/p/{product.shop.slug}/{product.slug}/")
    assert response.status_code == 200
    return response.get("X-Page-Cache"), response.content.decode()


def seconds_left(path: str) -> int:
    key = cache.make_and_validate_key(page_key(language="id", fragment=False, full_path=path))
    return cache._cache.get_client(key).ttl(key)


def test_a_product_page_is_kept_for_its_long_lifetime_and_a_listing_for_its_short_one():
    assert PRODUCT_CACHE_SECONDS > CACHE_SECONDS > 0
    product = make_product(name="Kopi Robusta Pandeglang")
    assert visit(product)[0] == "miss"
    assert visit(product)[0] == "hit"
    assert Client().get("/cari/?q=kopi")["X-Page-Cache"] == "miss"
    assert CACHE_SECONDS < seconds_left(f"/p/{product.shop.slug}/{product.slug}/") <= PRODUCT_CACHE_SECONDS
    assert 0 < seconds_left("/cari/?q=kopi") <= CACHE_SECONDS


def test_a_seller_changing_price_and_stock_drops_the_page(django_capture_on_commit_callbacks):
    product = make_product(price=150_000, stock=7)
    variant = product.variants.get()
    assert "Rp150.000" in visit(product)[1]
    with django_capture_on_commit_callbacks(execute=True):
        services.variant_bulk_update(shops=[product.shop], changes={variant.pk: (135_000, 3)})
    state, page = visit(product)
    assert state == "miss" and "Rp135.000" in page and "Rp150.000" not in page and "Stok 3" in page


def test_a_checkout_and_its_expiry_change_the_stock_shown_at_once(django_capture_on_commit_callbacks):
    product = make_product(stock=5)
    assert "Stok 5" in visit(product)[1]
    with django_capture_on_commit_callbacks(execute=True):
        buy(make_user(), product.variants.get(), quantity=2)
    assert "Stok 3" in visit(product)[1]  # the unpaid order holds two
    with django_capture_on_commit_callbacks(execute=True):
        assert orders_expire_unpaid(now=timezone.now() + timedelta(days=2)) == 1
    assert "Stok 5" in visit(product)[1]


def test_a_completed_sale_shows_in_the_sold_count_at_once(django_capture_on_commit_callbacks):
    product = make_product(stock=5)
    Product.objects.filter(pk=product.pk).update(rating_count=1, rating_avg=5)  # the count shows beside a rating
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(make_user(), product.variants.get(), quantity=2).orders.get()
        order_transition(order_id=order.pk, to_status=Order.Status.PAID)
        order_walk(order, to=Order.Status.DELIVERED)
    assert "0 terjual" in visit(product)[1]  # cached again, the stock no longer moving
    with django_capture_on_commit_callbacks(execute=True):
        order_walk(order, to=Order.Status.COMPLETED)
    assert "2 terjual" in visit(product)[1]


def test_a_photo_made_ready_and_the_seller_switching_the_product_off_drop_the_page(
        django_capture_on_commit_callbacks):
    product = make_product()
    assert "srcset" not in visit(product)[1]
    with django_capture_on_commit_callbacks(execute=True):  # the tests' eager Celery renders it on commit
        services.product_image_add(product=product, upload=SimpleUploadedFile("kopi.jpg", jpeg_bytes((600, 600))))
    assert "srcset" in visit(product)[1]
    with django_capture_on_commit_callbacks(execute=True):
        services.product_status_set(shop=product.shop, product=product, status="inactive")
    assert Client().get(f"/p/{product.shop.slug}/{product.slug}/").status_code == 404


def test_without_the_commit_the_page_stays(django_capture_on_commit_callbacks):
    """The page is dropped after the change commits, not before: a reader between the two would cache the old
    rows again for the whole lifetime."""
    product = make_product(price=150_000)
    visit(product)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.variant_bulk_update(shops=[product.shop], changes={product.variants.get().pk: (99_000, 10)})
    assert visit(product)[0] == "hit"  # not yet committed: nothing dropped
    for callback in callbacks:
        callback()
    assert visit(product)[0] == "miss"


def test_a_bulk_edit_drops_its_products_pages_after_one_read_of_their_addresses(
        django_capture_on_commit_callbacks, django_assert_num_queries):
    shop = make_shop()
    products = [make_product(shop=shop, price=150_000) for _ in range(3)]
    changes = {product.variants.get().pk: (99_000, 4) for product in products}
    assert all(visit(product)[0] == "miss" for product in products)
    with django_capture_on_commit_callbacks() as callbacks:
        services.variant_bulk_update(shops=[shop], changes=changes)
    with django_assert_num_queries(1):  # the three products' slugs, not one read each
        for callback in callbacks:
            callback()
    assert all(visit(product)[0] == "miss" and "Rp99.000" in visit(product)[1] for product in products)


def test_an_anonymous_miss_writes_the_article_with_the_page_in_one_round_trip(monkeypatch):
    """The article (the fragment shared with signed-in visitors) lives as long as the page and is dropped with it,
    so an anonymous page that missed does not look for it: a miss is one read and one joint write."""
    product = make_product(name="Kopi Robusta Pandeglang")
    path = f"/p/{product.shop.slug}/{product.slug}/"
    read, written = [], []
    get, set_alone, set_many = ResilientRedisCache.get, ResilientRedisCache.set, ResilientRedisCache.set_many

    def reading(self, key, *args, **kwargs):
        read.append(key)
        return get(self, key, *args, **kwargs)

    def writing_together(self, data, *args, **kwargs):
        written.append(sorted(data))
        return set_many(self, data, *args, **kwargs)

    monkeypatch.setattr(ResilientRedisCache, "get", reading)
    monkeypatch.setattr(ResilientRedisCache, "set_many", writing_together)
    monkeypatch.setattr(ResilientRedisCache, "set", None)  # nothing written alone
    assert visit(product)[0] == "miss"
    article = fragment_key(language="id", name=product_fragment_name(shop_slug=product.shop.slug,
                                                                         product_slug=product.slug))
    page = page_key(language="id", fragment=False, full_path=path)
    assert article not in read and page in read
    assert written == [sorted([page, article])]
    monkeypatch.setattr(ResilientRedisCache, "set", set_alone)  # a signed-in visitor's session
    signed_in = Client()
    signed_in.force_login(make_user())
    read.clear()
    assert "Kopi Robusta Pandeglang" in signed_in.get(path).content.decode()
    assert article in read  # a signed-in visitor reads the article the anonymous miss wrote
