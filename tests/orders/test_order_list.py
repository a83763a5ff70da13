"""The buyer's order list: product names, a thumbnail of the first product, status tabs, fixed query count."""

import pytest

from catalog.models import Product
from orders.models import Order
from tests.factories import make_product, make_shop, make_user, order_walk
from tests.orders.test_checkout import buy

pytestmark = pytest.mark.django_db

COVER = {"320": {"webp": "products/kopi-320.webp", "jpeg": "products/kopi-320.jpg"}}


def test_order_list_names_the_products_and_shows_the_first_ones_photo(client):
    buyer = make_user()
    shop = make_shop(name="Kopi Gunung Karang")
    kopi = make_product(shop=shop, name="Kopi Robusta Pandeglang")
    Product.objects.filter(pk=kopi.pk).update(cover=COVER)
    gula = make_product(shop=shop, name="Gula Aren Lebak")
    emping = make_product(shop=shop, name="Emping Melinjo Menes")
    buy(buyer, kopi.variants.get(), gula.variants.get(), emping.variants.get(), quantity=2)
    client.force_login(buyer)
    html = client.get("/pesanan/").text
    assert "2 × Kopi Robusta Pandeglang, 2 × Gula Aren Lebak +1 produk lain" in html
    assert 'src="/media/products/kopi-320.jpg" alt="Kopi Robusta Pandeglang"' in html
    assert "Kopi Gunung Karang" in html and "Menunggu pembayaran" in html


@pytest.mark.parametrize(("tab", "shown"), [
    ("", {"unpaid", "packed", "shipped", "done", "complaint", "cancelled"}),
    ("belum-bayar", {"unpaid"}),
    ("dikemas", {"packed"}),
    ("dikirim", {"shipped"}),
    ("selesai", {"done"}),
    ("komplain-batal", {"complaint", "cancelled"}),
    ("nonsense", {"unpaid", "packed", "shipped", "done", "complaint", "cancelled"}),
])
def test_status_tabs_filter_by_the_query_string(client, tab, shown):
    buyer = make_user()
    numbers = {}
    for key, to in (("unpaid", None), ("packed", "accepted"), ("shipped", "shipped"), ("done", "completed"),
                    ("complaint", "complaint"), ("cancelled", "cancelled")):
        order = buy(buyer, make_product(shop=make_shop()).variants.get(), key=key, method="jne:REG").orders.get()
        if to == "cancelled":
            Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
        elif to:
            order_walk(order, to=to)
        numbers[key] = order.number
    client.force_login(buyer)
    html = client.get("/pesanan/", {"status": tab} if tab else {}).text
    assert {key for key, number in numbers.items() if number in html} == shown
    current = tab if tab in ("belum-bayar", "dikemas", "dikirim", "selesai", "komplain-batal") else ""
    assert f'href="?{"status=" + current if current else ""}" aria-current="page"' in html


def test_an_empty_tab_says_so(client):
    buyer = make_user()
    buy(buyer, make_product().variants.get())
    client.force_login(buyer)
    assert "Tidak ada pesanan dengan status ini." in client.get("/pesanan/?status=selesai").text


@pytest.mark.parametrize("checkouts", [1, 3])
def test_the_order_list_query_count_does_not_grow_with_orders(client, django_assert_num_queries, checkouts):
    buyer = make_user()
    for i in range(checkouts):
        buy(buyer, *[make_product(shop=make_shop()).variants.get() for _ in range(2)], key=f"k{i}")
    assert Order.objects.filter(buyer=buyer).count() == 2 * checkouts
    client.force_login(buyer)
    with django_assert_num_queries(4):  # user, the menu's roles, orders with shops, lines with products
        client.get("/pesanan/")
    with django_assert_num_queries(4):
        client.get("/pesanan/?status=belum-bayar")
