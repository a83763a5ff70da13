"""Ledger postings, release on completion, refunds and payouts (research §d, §e.3)."""

import threading

import pytest
from django.db import connections

from orders.models import Order
from orders.services import order_transition
from payments.ledger import (
    LedgerError,
    Line,
    ledger_check_invariants,
    ledger_post,
    ledger_release_for_order,
    shop_balances,
)
from payments.models import Account, Journal, Payout, Posting, Refund, SandboxCharge
from payments.services import PaymentError, payment_start, payout_request, refund_request
from payments.simulator import sandbox_payout_finish
from tests.factories import order_walk
from vendors.models import ShopBankAccount

from .conftest import notify, place_checkout, sandbox_body, sandbox_set

pytestmark = pytest.mark.django_db


def paid_checkout(client, prices=(15000, 250000)):
    group = place_checkout(prices=prices)
    attempt = payment_start(group_id=group.pk, buyer=group.buyer, method="qris")
    sandbox_set(attempt.attempt_ref, status="settlement")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "paid"}
    return group


def complete(order):
    order_walk(order, to="completed")


def test_completion_releases_pending_to_available_once(client):
    group = paid_checkout(client)
    order = group.orders.get(subtotal=250000)
    with pytest.raises(LedgerError):
        ledger_release_for_order(order.pk)  # not completed yet
    complete(order)
    assert ledger_release_for_order(order.pk) is True
    assert ledger_release_for_order(order.pk) is False
    assert shop_balances(shop_id=order.shop_id) == {"pending": 0, "available": 247500, "in_transit": 0}


def test_commission_rate_is_configurable(client, settings):
    settings.PAYMENT_COMMISSION_BPS = 250
    group = paid_checkout(client, prices=(100000,))
    assert shop_balances(shop_id=group.orders.get().shop_id)["pending"] == 97500


def test_unbalanced_or_repeated_journals_are_refused():
    with pytest.raises(LedgerError):
        ledger_post(source_key="x", description="x", lines=[Line(Account.CLEARING, 5), Line(Account.BANK, -4)])
    assert ledger_post(source_key="y", description="y", lines=[Line(Account.CLEARING, 5), Line(Account.BANK, -5)])
    assert not ledger_post(source_key="y", description="y", lines=[Line(Account.CLEARING, 5), Line(Account.BANK, -5)])
    assert Journal.objects.count() == 1


def test_postings_are_append_only():
    ledger_post(source_key="z", description="z", lines=[Line(Account.CLEARING, 5), Line(Account.BANK, -5)])
    from django.db import InternalError, transaction

    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        Posting.objects.update(amount=6)
    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        Journal.objects.update(description="changed")


def test_partial_then_full_refund_of_one_shop_order_and_a_double_refund(client, django_capture_on_commit_callbacks):
    group = paid_checkout(client)
    order = group.orders.get(subtotal=250000)
    order_transition(order_id=order.pk, to_status=Order.Status.CANCELLED, actor=order.shop.owner, note="stok habis")
    with django_capture_on_commit_callbacks(execute=True):
        first = refund_request(order_id=order.pk, amount=100000, refund_key="r-1", reason="Sebagian")
        again = refund_request(order_id=order.pk, amount=100000, refund_key="r-1", reason="Sebagian")
    assert first.pk == again.pk
    first.refresh_from_db()
    assert first.status == "succeeded"
    with pytest.raises(PaymentError):
        refund_request(order_id=order.pk, amount=150001, refund_key="r-2", reason="Terlalu banyak")
    with django_capture_on_commit_callbacks(execute=True):
        rest = refund_request(order_id=order.pk, reason="Sisanya")
    rest.refresh_from_db()
    assert (rest.amount, rest.status) == (150000, "succeeded")
    payment = group.payment
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_total) == ("partially_refunded", 250000)
    assert shop_balances(shop_id=order.shop_id)["pending"] == 0
    assert SandboxCharge.objects.get().status == "partial_refund"
    assert Refund.objects.count() == 2


def test_refund_of_an_unpaid_checkout_is_refused():
    group = place_checkout()
    payment_start(group_id=group.pk, buyer=group.buyer, method="qris")
    with pytest.raises(PaymentError):
        refund_request(order_id=group.orders.first().pk, reason="x")


def ready_shop(client):
    group = paid_checkout(client)
    order = group.orders.get(subtotal=250000)
    complete(order)
    ledger_release_for_order(order.pk)
    ShopBankAccount.objects.create(shop=order.shop, bank="bca", number="1234567890", holder_name="Ani")
    return order.shop


def test_payout_paid_and_payout_failure_restores_the_balance(client, django_capture_on_commit_callbacks):
    shop = ready_shop(client)
    with django_capture_on_commit_callbacks(execute=True):
        payout = payout_request(shop_id=shop.pk, amount=200000, actor=shop.owner)
    payout.refresh_from_db()
    assert payout.status == "processing"
    assert shop_balances(shop_id=shop.pk) == {"pending": 0, "available": 47500, "in_transit": 200000}
    assert sandbox_payout_finish(payout_id=payout.pk, ok=True) == "paid"
    assert shop_balances(shop_id=shop.pk) == {"pending": 0, "available": 47500, "in_transit": 0}
    with django_capture_on_commit_callbacks(execute=True):
        failing = payout_request(shop_id=shop.pk, amount=47500, actor=shop.owner)
    assert sandbox_payout_finish(payout_id=failing.pk, ok=False) == "failed"
    assert sandbox_payout_finish(payout_id=failing.pk, ok=False) == "failed"  # settled once
    assert shop_balances(shop_id=shop.pk)["available"] == 47500
    with pytest.raises(PaymentError):
        payout_request(shop_id=shop.pk, amount=47501, actor=shop.owner)


@pytest.mark.django_db(transaction=True)
def test_concurrent_payouts_never_overdraw(celery_worker):
    from django.test import Client

    shop = ready_shop(Client())
    outcomes, barrier = [], threading.Barrier(6)

    def request():
        barrier.wait()
        try:
            payout_request(shop_id=shop.pk, amount=100000, actor=shop.owner)
            outcomes.append("ok")
        except PaymentError:
            outcomes.append("refused")
        connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "ok"] + ["refused"] * 4
    assert shop_balances(shop_id=shop.pk)["available"] == 47500
    assert Payout.objects.count() == 2
    assert ledger_check_invariants() == []


@pytest.mark.django_db(transaction=True)
def test_two_admins_refunding_the_same_order_at_once_refund_it_once():
    from django.test import Client

    group = paid_checkout(Client())
    order = group.orders.get(subtotal=250000)
    outcomes, barrier = [], threading.Barrier(4)

    def refund(n):
        barrier.wait()
        try:
            refund_request(order_id=order.pk, amount=200000, refund_key=f"admin-{n}", reason="Komplain diterima")
            outcomes.append("ok")
        except PaymentError:
            outcomes.append("refused")
        connections.close_all()

    threads = [threading.Thread(target=refund, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    refund_row = Refund.objects.get()
    assert refund_row.status == "succeeded"
    assert shop_balances(shop_id=order.shop_id)["pending"] == 247500 - (200000 - 2000)


def test_the_settle_job_releases_completed_orders_and_refunds_cancelled_ones_once(client):
    from payments.services import orders_settle

    group = paid_checkout(client)
    kept, rejected = group.orders.get(subtotal=250000), group.orders.get(subtotal=15000)
    complete(kept)
    order_transition(order_id=rejected.pk, to_status="cancelled", actor=rejected.shop.owner, note="Stok rusak")
    assert orders_settle() == {"released": 1, "refunded": 1}
    assert orders_settle() == {"released": 0, "refunded": 0}
    assert shop_balances(shop_id=kept.shop_id)["available"] == 247500
    refund = Refund.objects.get(order=rejected)
    assert refund.amount == rejected.total and refund.reason == "Stok rusak"
