import re
from types import SimpleNamespace

import pytest

from orders.models import CartLine, Order
from orders.services import order_transition
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import make_address
from vendors.models import ShopMember

pytestmark = pytest.mark.django_db


def test_guest_cart_is_kept_in_the_session_and_merged_at_login(client):
    variant = make_product(price=20000).variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 2})
    page = client.get("/keranjang/").content.decode()
    assert "Rp40.000" in page and 'id="cart-count">2<' in page
    buyer = make_user(password="rahasia-123")
    CartLine.objects.create(user=buyer, variant=variant, quantity=1)
    client.post("/akun/login/", {"login": buyer.email, "password": "rahasia-123"})
    assert CartLine.objects.get(user=buyer, variant=variant).quantity == 3
    assert 'id="cart-count">3<' in client.get("/keranjang/").content.decode()


def test_cart_quantity_changes_with_htmx_and_bad_input_is_a_400(client):
    variant = make_product(price=20000, stock=1).variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    response = client.post("/keranjang/ubah/", {"variant": variant.pk, "quantity": 3}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Rp60.000" in html and "Stok tinggal 1" in html
    assert 'hx-swap-oob="true">3<' in html
    assert client.post("/keranjang/ubah/", {"variant": variant.pk, "quantity": -1}).status_code == 400
    assert client.post("/keranjang/ubah/", {"variant": 999999, "quantity": 1}).status_code == 404


def test_cart_page_query_count_does_not_grow_with_lines(client, django_assert_max_num_queries):
    for _ in range(6):
        client.post("/keranjang/tambah/", {"variant": make_product().variants.get().pk, "quantity": 1})
    with django_assert_max_num_queries(4):
        client.get("/keranjang/")


def test_checkout_page_query_count_does_not_grow_with_shops(client, django_assert_num_queries):
    buyer = make_user()
    make_address(buyer)
    client.force_login(buyer)
    client.post("/keranjang/tambah/", {"variant": make_product().variants.get().pk, "quantity": 1})
    for shops in (1, 3):
        # user, addresses with their regions' names, cart lines, their variants, the shops' shipping settings, the
        # zone's courier rates, the menu's roles
        with django_assert_num_queries(7):
            page = client.get("/checkout/")
        assert len(set(re.findall(r'name="shipping_(\d+)"', page.content.decode()))) == shops
        for _ in range(2):  # two more shops
            client.post("/keranjang/tambah/", {"variant": make_product().variants.get().pk, "quantity": 1})


def test_checkout_places_orders_once_for_a_double_tap(client):
    buyer = make_user()
    make_address(buyer)
    client.force_login(buyer)
    a, b = make_product(price=10000).variants.get(), make_product(price=30000).variants.get()
    for variant in (a, b):
        client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    page = client.get("/checkout/")
    assert page.status_code == 200 and "Subtotal Rp10.000" in page.content.decode()  # + the cheapest courier
    form = {"key": "double-tap", "address": buyer.addresses.get().pk,
            f"shipping_{a.product.shop_id}": "pickup", f"shipping_{b.product.shop_id}": "jne:REG",
            f"price_{a.pk}": "1"}  # a price sent by the browser is ignored
    first = client.post("/checkout/", form)
    second = client.post("/checkout/", form)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Order.objects.filter(buyer=buyer).count() == 2
    assert sorted(Order.objects.values_list("subtotal", flat=True)) == [10000, 30000]


def test_checkout_without_an_address_asks_for_one_first(client):
    client.force_login(make_user())
    response = client.get("/checkout/")
    assert response.status_code == 302 and response["Location"].startswith("/alamat/baru/")


def test_address_form_errors_are_in_indonesian_and_nothing_is_saved(client):
    buyer = make_user()
    client.force_login(buyer)
    response = client.post("/alamat/baru/", {"recipient": "Ani", "phone": "12", "street": "Jl. A",
                                              "region_1": "36", "postal_code": "abc"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Kode pos terdiri dari 5 angka" in html and "Lengkapi pilihan sampai Desa/Kelurahan" in html
    assert not buyer.addresses.exists()


def _placed_order(client, buyer, shop, method="pickup"):
    make_address(buyer)
    client.force_login(buyer)
    variant = make_product(shop=shop).variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    client.post("/checkout/", {"key": "k", "address": buyer.addresses.get().pk, f"shipping_{shop.pk}": method})
    return Order.objects.get(buyer=buyer)


def test_shop_accepts_and_ships_and_other_shops_get_404(client):
    shop = make_shop()
    order = _placed_order(client, make_user(), shop, method="jne:REG")
    order_transition(order_id=order.pk, to_status=Order.Status.PAID)
    stranger_shop = make_shop()
    client.force_login(stranger_shop.owner)
    for shop_id in (shop.pk, stranger_shop.pk):  # the order's shop, or its own shop with this order's number
        assert client.get(f"/penjual/{shop_id}/pesanan/{order.number}/").status_code == 404
        assert client.post(f"/penjual/{shop_id}/pesanan/{order.number}/accept/").status_code == 404
    finance = make_user()
    ShopMember.objects.create(shop=shop, user=finance, role=ShopMember.Role.FINANCE)
    client.force_login(finance)  # a member of the shop whose role is money, not orders
    assert client.get(f"/penjual/{shop.pk}/pesanan/{order.number}/").status_code == 403
    client.force_login(shop.owner)
    assert order.number in client.get(f"/penjual/{shop.pk}/pesanan/?status=paid").content.decode()
    assert client.post(f"/penjual/{shop.pk}/pesanan/{order.number}/accept/").status_code == 302
    bad = client.post(f"/penjual/{shop.pk}/pesanan/{order.number}/ship/", {"courier": "jne", "tracking_number": "x"})
    assert bad.status_code == 400 and "Nomor resi" in bad.content.decode()
    client.post(f"/penjual/{shop.pk}/pesanan/{order.number}/ship/",
                {"courier": "jne", "tracking_number": "jne-001 2345"})
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (Order.Status.SHIPPED, "JNE0012345")
    again = client.post(f"/penjual/{shop.pk}/pesanan/{order.number}/accept/")
    assert again.status_code == 409 and "tidak bisa dilakukan" in again.content.decode()


def test_buyer_sees_only_own_orders_and_cancels_while_unpaid(client):
    order = _placed_order(client, make_user(), make_shop())
    other = make_user()
    client.force_login(other)
    assert client.get(f"/pesanan/{order.number}/").status_code == 404
    client.force_login(order.buyer)
    assert client.get(f"/pesanan/{order.number}/").status_code == 200
    client.post(f"/pesanan/{order.number}/cancel/")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert client.post(f"/pesanan/{order.number}/nonsense/").status_code == 404


def test_shop_sets_its_delivery_options_and_checkout_offers_them(client):
    shop = make_shop(kabkota="36.74")
    client.force_login(shop.owner)
    assert client.get(f"/penjual/{shop.pk}/pengiriman/").status_code == 200
    nothing = client.post(f"/penjual/{shop.pk}/pengiriman/", {})
    assert nothing.status_code == 400 and "paling tidak satu cara" in nothing.content.decode()
    negative = client.post(f"/penjual/{shop.pk}/pengiriman/", {"pickup": "on", "fee_36.74": "-5"})
    assert negative.status_code == 400 and "tidak boleh negatif" in negative.content.decode()
    ambiguous = client.post(f"/penjual/{shop.pk}/pengiriman/", {"pickup": "on", "fee_36.74": "8,5"})
    assert ambiguous.status_code == 400 and "Tulis ongkir seperti 350.000 atau 350rb." in ambiguous.content.decode()
    saved = client.post(f"/penjual/{shop.pk}/pengiriman/", {"couriers": ["jne"], "fee_36.74": "8.000"})
    assert saved.status_code == 302
    from orders.shipping import shipping_quotes

    (quotes,) = shipping_quotes(parcels=[(shop, 1500)], destination_kabkota="36.74")
    assert {q.method: q.fee for q in quotes} == {"own": 8000, "jne:REG": 18000, "jne:YES": 32000}
    (elsewhere,) = shipping_quotes(parcels=[(shop, 100)], destination_kabkota="36.01")
    assert not any(q.method == "own" for q in elsewhere)
    client.force_login(make_user())
    assert client.get(f"/penjual/{shop.pk}/pengiriman/").status_code == 404


def _rate_window_frozen(monkeypatch, now: float = 1_800_000_000.0) -> None:
    """django-ratelimit counts in fixed windows; a test must not straddle a window's end."""
    import django_ratelimit.core

    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


def test_checkout_attempts_are_rate_limited_per_buyer(client, settings, monkeypatch):
    settings.CHECKOUT_RATE_PER_MINUTE = 3
    _rate_window_frozen(monkeypatch)
    buyer = make_user()
    make_address(buyer)
    client.force_login(buyer)
    statuses = [client.post("/checkout/", {"key": f"k{i}"}).status_code for i in range(5)]
    assert statuses[:3] == [302, 302, 302]  # empty cart: back to the cart page
    assert statuses[3:] == [429, 429]


def test_checkout_rate_limit_follows_the_buyer_not_the_session_and_resets_next_minute(settings, monkeypatch):
    import redis
    from django.test import Client

    settings.CHECKOUT_RATE_PER_MINUTE = 2
    _rate_window_frozen(monkeypatch)
    buyer, other = make_user(), make_user()
    phone, laptop, neighbour = Client(), Client(), Client()
    make_address(buyer), make_address(other)
    for browser, person in ((phone, buyer), (laptop, buyer), (neighbour, other)):
        browser.force_login(person)
    assert [phone.post("/checkout/", {"key": f"p{i}"}).status_code for i in range(2)] == [302, 302]
    assert laptop.post("/checkout/", {"key": "l"}).status_code == 429  # another session, same buyer
    assert laptop.get("/checkout/").status_code == 302  # looking is not placing: GET is not counted
    assert neighbour.post("/checkout/", {"key": "n"}).status_code == 302
    shared = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])  # what every web process sees
    assert len(shared.keys("pb:1:rl:*")) == 2  # one counter per buyer in this window
    _rate_window_frozen(monkeypatch, now=1_800_000_000.0 + 60)
    assert laptop.post("/checkout/", {"key": "l2"}).status_code == 302


@pytest.mark.parametrize("quantity", ["-1", "1000000000", "dua", ""])
def test_bad_quantities_are_refused_and_change_nothing(client, quantity):
    variant = make_product().variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    response = client.post("/keranjang/ubah/", {"variant": variant.pk, "quantity": quantity})
    assert response.status_code == 400
    assert 'id="cart-count">1<' in client.get("/keranjang/").content.decode()


def test_quantity_zero_removes_the_line(client):
    variant = make_product().variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 2})
    client.post("/keranjang/ubah/", {"variant": variant.pk, "quantity": 0})
    assert "Keranjang Anda masih kosong" in client.get("/keranjang/").content.decode()


def test_a_tampered_shop_id_or_total_in_the_checkout_form_changes_nothing(client):
    buyer = make_user()
    make_address(buyer)
    client.force_login(buyer)
    variant = make_product(price=50000).variants.get()
    other_shop = make_shop()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    client.post("/checkout/", {"key": "t", "address": buyer.addresses.get().pk, "total": "1",
                               f"shipping_{variant.product.shop_id}": "pickup", f"shipping_{other_shop.pk}": "own"})
    order = Order.objects.get(buyer=buyer)
    assert (order.shop_id, order.total) == (variant.product.shop_id, 50000)


def test_checkout_page_query_count_does_not_grow_with_lines(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    buyer = make_user()
    make_address(buyer)
    client.force_login(buyer)
    shop = make_shop()
    for _ in range(2):
        client.post("/keranjang/tambah/", {"variant": make_product(shop=shop).variants.get().pk, "quantity": 1})
    with CaptureQueriesContext(connection) as few:
        client.get("/checkout/")
    for _ in range(6):
        client.post("/keranjang/tambah/", {"variant": make_product(shop=shop).variants.get().pk, "quantity": 1})
    with CaptureQueriesContext(connection) as many:
        client.get("/checkout/")
    assert len(many) == len(few) <= 12


def test_checkout_rate_limit_fails_open_while_redis_is_down(client, settings):
    buyer = make_user()
    make_address(buyer)
    client.force_login(buyer)
    settings.CHECKOUT_RATE_PER_MINUTE = 1
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}}  # nobody there
    statuses = [client.post("/checkout/", {"key": f"k{i}"}).status_code for i in range(3)]
    assert statuses == [302, 302, 302]  # not throttled, and not a 500
