"""The webhook path (sandbox gateway = the real Midtrans adapter over our own state): research §e.2 catalogue."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from orders.models import Order
from orders.services import orders_expire_unpaid
from payments.ledger import shop_balances
from payments.models import Account, Journal, Payment, PaymentEvent, Posting, Refund, SandboxCharge, WebhookInbox
from payments.services import payment_start, payments_expire, payments_poll_pending

from .conftest import notify, place_checkout, sandbox_body, sandbox_set

pytestmark = pytest.mark.django_db


def start(group, method="qris", channel=""):
    return payment_start(group_id=group.pk, buyer=group.buyer, method=method, channel=channel)


def pay(client, attempt, **changes):
    sandbox_set(attempt.attempt_ref, status="settlement", **changes)
    return notify(client, sandbox_body(attempt.attempt_ref))


def test_a_settlement_pays_every_order_and_posts_the_ledger(client):
    group = place_checkout(prices=(15000, 250000))
    attempt = start(group)
    assert attempt.qr_string.startswith("000201") and attempt.provider == "sandbox"
    response = pay(client, attempt)
    assert response.status_code == 200 and response.json() == {"result": "paid"}
    payment = Payment.objects.get(group=group)
    assert (payment.status, payment.paid_amount) == ("paid", 265000)
    assert set(group.orders.values_list("status", flat=True)) == {"paid"}
    orders = list(group.orders.order_by("subtotal"))
    assert [shop_balances(shop_id=o.shop_id)["pending"] for o in orders] == [15000 - 150, 250000 - 2500]
    assert -sum(Posting.objects.filter(account=Account.COMMISSION).values_list("amount", flat=True)) == 2650
    inbox = WebhookInbox.objects.get()
    assert inbox.signature_valid and inbox.result == "paid" and inbox.processed_at
    assert json.loads(inbox.raw_body)["transaction_status"] == "settlement"


def test_forged_signature_is_401_stored_and_changes_nothing(client):
    attempt = start(place_checkout())
    sandbox_set(attempt.attempt_ref, status="settlement")
    body = sandbox_body(attempt.attempt_ref)
    body["signature_key"] = "f" * 128
    assert notify(client, body).status_code == 401
    del body["signature_key"]
    assert notify(client, body).status_code == 401
    assert Payment.objects.get().status == "pending"
    assert list(WebhookInbox.objects.values_list("signature_valid", "result")) == [(False, "forged")] * 2


def test_tampered_amount_breaks_the_signature(client):
    attempt = start(place_checkout())
    sandbox_set(attempt.attempt_ref, status="settlement")
    body = sandbox_body(attempt.attempt_ref)
    body["gross_amount"] = "1.00"
    assert notify(client, body).status_code == 401
    assert Payment.objects.get().status == "pending"


def test_wrong_amount_paid_is_never_marked_paid(client):
    group = place_checkout()
    attempt = start(group)
    response = pay(client, attempt, gross_amount=group.total - 1000)
    assert response.json() == {"result": "amount_mismatch"}
    assert Payment.objects.get().status == "pending"
    assert set(group.orders.values_list("status", flat=True)) == {"awaiting_payment"}
    # The money is parked in suspense (not in any shop's balance) until finance staff send it back.
    assert list(Journal.objects.values_list("source_key", flat=True)) == [f"mismatch-{group.payment.pk}-1:received"]
    assert not Posting.objects.filter(shop__isnull=False).exists()


def test_body_says_paid_but_status_says_pending_stays_pending_and_the_real_event_still_counts(client):
    attempt = start(place_checkout())
    forged_with_leaked_key = sandbox_body(attempt.attempt_ref, status="settlement")  # gateway still pending
    assert notify(client, forged_with_leaked_key).json() == {"result": "unconfirmed"}
    assert Payment.objects.get().status == "pending"
    assert pay(client, attempt).json() == {"result": "paid"}


def test_duplicates_are_200_and_change_nothing(client):
    attempt = start(place_checkout())
    results = [pay(client, attempt).json()["result"] for _ in range(5)]
    assert results == ["paid"] + ["duplicate"] * 4
    assert PaymentEvent.objects.count() == 1 and Journal.objects.count() == 1


def test_out_of_order_pending_after_settlement_does_not_move_back(client):
    attempt = start(place_checkout())
    pending = sandbox_body(attempt.attempt_ref)
    assert pay(client, attempt).json() == {"result": "paid"}
    assert notify(client, pending).json() == {"result": "info"}
    assert Payment.objects.get().status == "paid"
    assert list(PaymentEvent.objects.values_list("kind", "to_status")) == [("paid", "paid"), ("info", "paid")]


def test_deny_after_settlement_reverses_payment_ledger_and_orders(client):
    group = place_checkout()
    attempt = start(group, "va", "permata")
    pay(client, attempt)
    sandbox_set(attempt.attempt_ref, status="deny")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "reversed"}
    assert Payment.objects.get().status == "reversed"
    assert set(group.orders.values_list("status", flat=True)) == {"cancelled"}
    for order in group.orders.all():
        assert shop_balances(shop_id=order.shop_id)["pending"] == 0


def test_money_after_expiry_goes_to_suspense_and_is_refunded(client, django_capture_on_commit_callbacks):
    group = place_checkout()
    attempt = start(group)
    orders_expire_unpaid(now=timezone.now() + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert pay(client, attempt).json() == {"result": "late_payment"}
    payment = Payment.objects.get()
    assert payment.status == "expired"
    assert set(group.orders.values_list("status", flat=True)) == {"expired"}
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.order_id) == (group.total, "succeeded", None)
    assert SandboxCharge.objects.get().status == "refund"
    suspense = Posting.objects.filter(account=Account.SUSPENSE).values_list("amount", flat=True)
    assert sorted(suspense) == [-group.total, group.total]


def test_expire_and_deny_before_payment(client):
    attempt = start(place_checkout())
    sandbox_set(attempt.attempt_ref, status="expire")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "expired"}
    assert pay(client, attempt).json() == {"result": "late_payment"}  # a late settlement is still money


def test_unknown_reference_is_an_orphan_with_200(client):
    attempt = start(place_checkout())
    sandbox_set(attempt.attempt_ref, status="settlement")
    charge = SandboxCharge.objects.get()
    charge.attempt_ref = "PB999999-1"
    from payments.gateways.sandbox import sandbox_status_body

    assert notify(client, sandbox_status_body(charge)).json() == {"result": "orphan"}


def test_webhook_needs_no_csrf_never_redirects_and_only_serves_the_configured_gateway(settings):
    client = Client(enforce_csrf_checks=True)
    attempt = start(place_checkout())
    sandbox_set(attempt.attempt_ref, status="settlement")
    body = json.dumps(sandbox_body(attempt.attempt_ref))
    response = client.post("/payments/webhooks/sandbox", data=body, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"result": "paid"}
    assert client.get("/payments/webhooks/sandbox/").status_code == 405
    assert client.post("/payments/webhooks/midtrans/", data=body, content_type="application/json").status_code == 404
    assert client.post("/payments/webhooks/sandbox/", data="x" * 300_000,
                       content_type="application/json").status_code == 413
    assert client.post("/payments/webhooks/sandbox/", data="[]", content_type="application/json").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_gives_503_and_the_retry_succeeds(settings):
    settings.PAYMENT_LOCK_TIMEOUT_MS = 200
    client = Client()
    attempt = start(place_checkout())
    sandbox_set(attempt.attempt_ref, status="settlement")
    body = sandbox_body(attempt.attempt_ref)
    held, release = threading.Event(), threading.Event()

    def hold_lock():
        with transaction.atomic():
            Payment.objects.select_for_update().get()
            held.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    held.wait(30)
    try:
        assert notify(client, body).status_code == 503
        assert Payment.objects.get().status == "pending"
    finally:
        release.set()
        holder.join()
    assert notify(client, body).json() == {"result": "paid"}
    assert WebhookInbox.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_notification_100_times_concurrently_moves_money_once():
    group = place_checkout()
    attempt = start(group)
    sandbox_set(attempt.attempt_ref, status="settlement")
    body = sandbox_body(attempt.attempt_ref)
    statuses, barrier = [], threading.Barrier(10)

    def deliver():
        client = Client()
        barrier.wait()
        for _ in range(10):
            statuses.append((response := notify(client, body)).status_code)
            assert response.json()["result"] in ("paid", "duplicate")
        connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 100
    assert PaymentEvent.objects.count() == 1 and Journal.objects.count() == 1
    assert WebhookInbox.objects.filter(result="paid").count() == 1
    assert Order.objects.filter(group=group, status="paid").count() == 2
    assert sum(o.events.filter(to_status="paid").count() for o in group.orders.all()) == 2


def test_a_lost_notification_is_recovered_by_the_status_poll_and_the_late_one_is_a_duplicate(client):
    group = place_checkout()
    attempt = start(group)
    sandbox_set(attempt.attempt_ref, status="settlement")  # paid at the gateway; the notification never came
    later = timezone.now() + timedelta(minutes=11)
    assert payments_poll_pending(now=later) == 1
    assert Payment.objects.get().status == "paid"
    assert set(group.orders.values_list("status", flat=True)) == {"paid"}
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "duplicate"}
    assert payments_poll_pending(now=later) == 0


def test_pending_payments_expire_after_the_deadline_and_the_gateway_charge_is_cancelled():
    group = place_checkout()
    attempt = start(group)
    assert payments_expire(now=timezone.now() + timedelta(days=2)) == 1
    assert Payment.objects.get().status == "expired"
    assert SandboxCharge.objects.get(attempt_ref=attempt.attempt_ref).status == "cancel"
