import pytest

from catalog.models import ProductVariant
from orders.models import CartLine, Order
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import make_address

pytestmark = pytest.mark.django_db

NOTICE = "Harga berubah dari Rp50.000 menjadi Rp45.000."


def _reprice(variant, price):
    ProductVariant.objects.filter(pk=variant.pk).update(price=price)


def test_guest_sees_a_price_change_once_in_the_cart(client):
    variant = make_product(price=50000).variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    assert NOTICE not in client.get("/keranjang/").content.decode()
    _reprice(variant, 45000)
    page = client.get("/keranjang/").content.decode()
    assert NOTICE in page and "Rp45.000" in page
    assert "Harga berubah" not in client.get("/keranjang/").content.decode()


def test_signed_in_buyer_sees_the_notice_at_checkout_and_pays_the_current_price(client):
    buyer = make_user()
    make_address(buyer)
    client.force_login(buyer)
    variant = make_product(price=50000).variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 2})
    assert CartLine.objects.get(user=buyer).seen_price == 50000
    _reprice(variant, 45000)
    page = client.get("/checkout/").content.decode()
    assert NOTICE in page and "Rp90.000" in page
    assert NOTICE in client.get("/checkout/").content.decode()  # checkout shows it, the cart acknowledges it
    assert NOTICE in client.get("/keranjang/").content.decode()
    assert CartLine.objects.get(user=buyer).seen_price == 45000
    assert "Harga berubah" not in client.get("/checkout/").content.decode()
    client.post("/checkout/", {"key": "k", f"shipping_{variant.product.shop_id}": "pickup"})
    assert Order.objects.get(buyer=buyer).subtotal == 90000


def test_adding_again_at_the_new_price_is_not_a_change(client):
    buyer = make_user()
    client.force_login(buyer)
    variant = make_product(price=50000).variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    _reprice(variant, 45000)
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})  # seen on the product page
    assert "Harga berubah" not in client.get("/keranjang/").content.decode()


def test_the_guest_seen_price_survives_the_merge_at_login(client):
    variant = make_product(price=50000).variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    _reprice(variant, 45000)
    buyer = make_user(password="rahasia-123")
    client.post("/akun/login/", {"login": buyer.email, "password": "rahasia-123"})
    assert CartLine.objects.get(user=buyer).seen_price == 50000
    assert NOTICE in client.get("/keranjang/").content.decode()


def test_a_line_saved_before_prices_were_kept_gets_one_silently(client):
    buyer = make_user()
    client.force_login(buyer)
    variant = make_product(price=50000).variants.get()
    CartLine.objects.create(user=buyer, variant=variant, quantity=1, seen_price=None)
    assert "Harga berubah" not in client.get("/keranjang/").content.decode()
    assert CartLine.objects.get(user=buyer).seen_price == 50000


def test_cart_page_queries_stay_pinned_when_prices_change(client, django_assert_num_queries):
    buyer = make_user()
    client.force_login(buyer)
    shop = make_shop()
    variants = [make_product(shop=shop, price=50000).variants.get() for _ in range(6)]
    for variant in variants:
        client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    client.get("/keranjang/")
    # user + cart lines + variants + the account menu's roles (the person's groups); the session comes from Redis
    with django_assert_num_queries(4):
        client.get("/keranjang/")
    for variant in variants:
        _reprice(variant, 45000)
    with django_assert_num_queries(5):  # + one UPDATE acknowledging every changed line at once
        page = client.get("/keranjang/").content.decode()
    assert page.count(NOTICE) == 6
