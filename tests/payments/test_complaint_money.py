"""Money follows a complaint's outcome through payments.orders_settle (orders never imports payments)."""

import pytest

from orders.services import complaint_accept, complaint_decide, complaint_escalate, complaint_reject
from payments.ledger import shop_balances
from payments.models import Refund
from payments.services import orders_settle
from tests.factories import make_user, order_walk

from .test_ledger import paid_checkout

pytestmark = pytest.mark.django_db


def _complained(order):
    order_walk(order, to="complaint", reason="Kain sobek")


def _verifikator():
    from accounts import roles
    from accounts.services import user_grant_role

    user = make_user()
    user_grant_role(user=user, role=roles.VERIFIKATOR)
    return user


def test_a_complaint_the_shop_accepts_is_refunded_once_by_the_settle_job(client):
    group = paid_checkout(client, prices=(250000,))
    order = group.orders.get()
    _complained(order)
    complaint_accept(order_id=order.pk, actor=order.shop.owner)
    assert orders_settle() == {"released": 0, "refunded": 1}
    assert orders_settle() == {"released": 0, "refunded": 0}
    refund = Refund.objects.get(order=order)
    assert refund.amount == order.total == 250000
    assert shop_balances(shop_id=order.shop_id)["available"] == 0


def test_a_verifikator_refund_is_refunded_and_a_closed_complaint_pays_the_shop(client):
    group = paid_checkout(client)
    refunded, closed = group.orders.get(subtotal=250000), group.orders.get(subtotal=15000)
    verifikator = _verifikator()
    for order in (refunded, closed):
        _complained(order)
        complaint_reject(order_id=order.pk, actor=order.shop.owner, reason="Kain utuh saat dikirim")
        complaint_escalate(order_id=order.pk, actor=group.buyer, reason="Ada foto sobekan")
    complaint_decide(order_id=refunded.pk, actor=verifikator, refund=True, reason="Foto membuktikan kerusakan")
    complaint_decide(order_id=closed.pk, actor=verifikator, refund=False, reason="Tidak ada bukti")
    assert orders_settle() == {"released": 1, "refunded": 1}
    assert Refund.objects.get(order=refunded).amount == 250000
    assert not Refund.objects.filter(order=closed).exists()
    assert shop_balances(shop_id=closed.shop_id) == {"pending": 0, "available": 14850, "in_transit": 0}
