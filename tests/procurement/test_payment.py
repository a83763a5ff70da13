"""Payment only after the BAST: the service, the view and the webhook path each refuse an earlier payment; the
paid package settles through the existing ledger (1% commission, the shop's balance) and closes."""

import pytest
from django.utils import timezone

from orders.models import CheckoutGroup, Order
from payments.ledger import ledger_check_invariants, shop_balances
from payments.models import Payment, Refund, SuspenseItem
from payments.services import PaymentError, orders_settle, payment_start
from procurement.lifecycle import PaketActionForbidden, PaketTransitionError
from procurement.models import Paket
from procurement.payment import paket_close_paid, paket_payment_start
from tests.payments.conftest import notify, sandbox_body, sandbox_set
from tests.procurement.helpers import Team

pytestmark = pytest.mark.django_db
S = Paket.Status
BEFORE_BAST = [S.DRAFT, S.MENUNGGU_PPK, S.SP_TERBIT, S.DIPROSES, S.DIKIRIM, S.DITERIMA, S.BAST_PPK]


def pay_by_webhook(client, attempt):
    sandbox_set(attempt.attempt_ref, status="settlement")
    return notify(client, sandbox_body(attempt.attempt_ref))


def test_the_bendahara_pays_by_va_and_the_shop_is_credited_like_a_consumer_order(client):
    team = Team(price=150_000)
    paket = team.walk(team.paket(quantity=4), S.MENUNGGU_PEMBAYARAN)
    attempt = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bri")
    assert attempt.method == "va" and attempt.va_number
    assert pay_by_webhook(client, attempt).json() == {"result": "paid"}
    paket.refresh_from_db()
    assert paket.status == S.DIBAYAR
    assert paket.order.status == Order.Status.COMPLETED
    # the 1% commission and PPh 22 0,5% collected by the platform (a non-PKP shop: no PPN)
    assert shop_balances(shop_id=team.shop.pk)["pending"] == 600_000 - 6_000 - 3_000
    orders_settle()
    assert shop_balances(shop_id=team.shop.pk)["available"] == 591_000
    assert paket_close_paid() == 1
    paket.refresh_from_db()
    assert paket.status == S.SELESAI
    assert ledger_check_invariants() == []


@pytest.mark.parametrize("state", BEFORE_BAST)
def test_the_service_refuses_to_pay_before_the_bast(state):
    team = Team()
    paket = team.walk(team.paket(), state)
    with pytest.raises(PaketTransitionError, match="hanya bisa setelah BAST"):
        paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bri")
    assert not Payment.objects.exists() and not CheckoutGroup.objects.exists()


def test_only_a_bendahara_of_the_opd_may_pay():
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PEMBAYARAN)
    for person in (team.ppk, team.pp, team.auditor, team.seller, Team().bendahara):
        with pytest.raises(PaketActionForbidden):
            paket_payment_start(paket_id=paket.pk, actor=person, channel="bri")
    assert not Payment.objects.exists()


def test_payment_start_itself_refuses_a_package_checkout_that_is_not_awaiting_payment():
    from procurement.payment import _BENDAHARA_PAYING

    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PEMBAYARAN)
    Paket.objects.filter(pk=paket.pk).update(status=S.SUDAH_BAST)  # as if the invoice had not been issued
    token = _BENDAHARA_PAYING.set(True)  # even on the Bendahara's path
    try:
        with pytest.raises(PaymentError, match="hanya bisa dibayar setelah BAST"):
            payment_start(group_id=paket.order.group_id, buyer=paket.order.buyer, method="va", channel="bri")
    finally:
        _BENDAHARA_PAYING.reset(token)
    assert not Payment.objects.filter(attempts__isnull=False).exists()


def test_the_ppk_cannot_open_the_package_checkout_from_the_consumer_pay_page(client):
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PEMBAYARAN)
    with pytest.raises(PaymentError, match="dibayar oleh Bendahara"):
        payment_start(group_id=paket.order.group_id, buyer=team.ppk, method="qris")
    client.force_login(team.ppk)
    response = client.post(f"/bayar/{paket.order.group_id}/", {"choice": "qris:"})
    assert response.status_code == 302
    assert not Payment.objects.filter(attempts__isnull=False).exists()


def test_the_webhook_path_never_applies_money_to_a_package_not_awaiting_payment(client):
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PEMBAYARAN)
    attempt = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bni")
    Paket.objects.filter(pk=paket.pk).update(status=S.BAST_PPK)  # the money arrives for a package before its BAST
    response = pay_by_webhook(client, attempt)
    assert response.status_code == 200 and response.json() == {"result": "refused"}
    paket.refresh_from_db()
    assert paket.status == S.BAST_PPK
    assert paket.order.status == Order.Status.AWAITING_PAYMENT
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.CANCELLED and payment.paid_at is None
    assert shop_balances(shop_id=team.shop.pk) == {"pending": 0, "available": 0, "in_transit": 0}
    assert SuspenseItem.objects.filter(payment=payment).count() == 1
    assert Refund.objects.filter(payment=payment).exists()  # sent back
    assert ledger_check_invariants() == []


def test_a_consumer_checkout_is_untouched_by_the_guard(client):
    from tests.payments.conftest import place_checkout

    group = place_checkout(prices=(15000,))
    attempt = payment_start(group_id=group.pk, buyer=group.buyer, method="qris")
    assert pay_by_webhook(client, attempt).json() == {"result": "paid"}


def test_the_view_refuses_to_pay_before_the_bast_with_409_and_writes_nothing(client):
    team = Team()
    paket = team.walk(team.paket(), S.DITERIMA)
    client.force_login(team.bendahara)
    response = client.post(f"/pengadaan/paket/{paket.pk}/bayar/", {"bank": "bri"})
    assert response.status_code == 409
    assert "hanya bisa setelah BAST" in response.content.decode()
    assert not Payment.objects.exists()


def test_the_view_pays_after_the_bast_and_the_sandbox_button_settles_it(client):
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PEMBAYARAN)
    client.force_login(team.bendahara)
    response = client.post(f"/pengadaan/paket/{paket.pk}/bayar/", {"bank": "bri"})
    assert response.status_code == 302
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    attempt = Payment.objects.get().attempts.get()
    assert attempt.va_number in page
    client.force_login(team.ppk)
    assert client.post(f"/pengadaan/paket/{paket.pk}/bayar/", {"bank": "bri"}).status_code == 403
    assert Payment.objects.get().attempts.count() == 1


def test_the_invoice_order_is_not_cancelled_by_its_buyer_from_the_consumer_pages():
    from orders.lifecycle import OrderTransitionError, order_transition

    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PEMBAYARAN)
    with pytest.raises(OrderTransitionError):
        order_transition(order_id=paket.order_id, to_status=Order.Status.CANCELLED, actor=team.ppk)
    assert Order.objects.get(pk=paket.order_id).status == Order.Status.AWAITING_PAYMENT
    assert paket.order.payment_deadline > timezone.now()
