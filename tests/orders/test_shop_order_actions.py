"""The shop's order page: the primary action first, the reject form folded away until it is needed."""

import pytest

from orders.lifecycle import order_transition
from orders.models import Order
from tests.factories import make_product, make_user

from .test_checkout import buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order():
    variant = make_product(price=150_000, stock=5).variants.get()
    order = buy(make_user(), variant, method="jne:REG").orders.get()
    order_transition(order_id=order.pk, to_status=Order.Status.PAID)
    return Order.objects.select_related("shop__owner").get(pk=order.pk)


def shop_page(client, order) -> str:
    client.force_login(order.shop.owner)
    return client.get(f"/penjual/{order.shop_id}/pesanan/{order.number}/").content.decode()


def test_a_paid_order_offers_accept_first_and_keeps_the_reject_form_closed(client, paid_order):
    page = shop_page(client, paid_order)
    accept = page.index(">Terima & kemas</button>")
    folded = page.index('<details class="action-more" id="action-reject">')
    assert accept < folded
    assert page.index("<summary>Tolak pesanan</summary>", folded) < page.index('id="reason-reject"') \
        < page.index("</details>", folded)


def test_an_accepted_order_shows_the_ship_form_above_the_folded_reject(client, paid_order):
    order_transition(order_id=paid_order.pk, to_status=Order.Status.ACCEPTED, actor=paid_order.shop.owner)
    page = shop_page(client, paid_order)
    assert page.index('name="tracking_number"') < page.index('<details class="action-more" id="action-reject">')
    assert page.index(">Kirim</button>") < page.index("<summary>Tolak pesanan</summary>")


def test_a_reject_without_a_reason_opens_the_fold_again_with_the_message(client, paid_order):
    client.force_login(paid_order.shop.owner)
    response = client.post(f"/penjual/{paid_order.shop_id}/pesanan/{paid_order.number}/reject/", {"reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<details class="action-more" id="action-reject" open>' in page
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.PAID
