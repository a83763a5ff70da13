"""After "Buat pesanan" the cart is empty: it shows the checkouts waiting for payment with a "Bayar" link
instead of "Keranjang Anda masih kosong"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import CheckoutGroup, Order
from orders.services import order_transition
from tests.factories import make_product, make_user
from tests.orders.test_checkout import buy

pytestmark = pytest.mark.django_db


def test_an_emptied_cart_shows_the_unpaid_checkout_with_a_pay_link(client):
    buyer = make_user()
    group = buy(buyer, make_product(price=45000).variants.get())
    client.force_login(buyer)
    html = client.get("/keranjang/").text
    assert "Menunggu pembayaran" in html and f'href="/bayar/{group.pk}/">Bayar</a>' in html
    assert "Rp45.000" in html and "Keranjang Anda masih kosong" not in html


def test_back_to_the_checkout_lands_on_the_cart_with_the_pay_link(client):
    buyer = make_user()
    group = buy(buyer, make_product().variants.get())
    client.force_login(buyer)
    response = client.get("/checkout/", follow=True)
    assert response.redirect_chain == [("/keranjang/", 302)]
    assert f'href="/bayar/{group.pk}/"' in response.text


def test_paid_expired_and_other_peoples_checkouts_are_not_offered(client):
    buyer = make_user()
    paid = buy(buyer, make_product().variants.get(), key="paid")
    for order in paid.orders.all():
        order_transition(order_id=order.pk, to_status=Order.Status.PAID)
    late = buy(buyer, make_product().variants.get(), key="late")
    CheckoutGroup.objects.filter(pk=late.pk).update(payment_deadline=timezone.now() - timedelta(minutes=1))
    buy(make_user(), make_product().variants.get(), key="theirs")
    client.force_login(buyer)
    html = client.get("/keranjang/").text
    assert "Keranjang Anda masih kosong" in html and "/bayar/" not in html


def test_removing_the_last_line_with_htmx_shows_the_unpaid_checkout(client):
    buyer = make_user()
    group = buy(buyer, make_product().variants.get())
    client.force_login(buyer)
    variant = make_product().variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1})
    assert "/bayar/" not in client.get("/keranjang/").text  # a cart with lines is about those lines
    fragment = client.post("/keranjang/ubah/", {"variant": variant.pk, "quantity": 0}, HTTP_HX_REQUEST="true").text
    assert f'href="/bayar/{group.pk}/"' in fragment


def test_the_empty_cart_costs_a_fixed_number_of_queries(client, django_assert_num_queries):
    buyer = make_user()
    for key in ("a", "b", "c"):
        buy(buyer, make_product().variants.get(), make_product().variants.get(), key=key)
    client.force_login(buyer)
    with django_assert_num_queries(5):  # user, the menu's roles, cart lines, unpaid checkouts, their orders
        html = client.get("/keranjang/").text
    assert html.count(">Bayar</a>") == 3
