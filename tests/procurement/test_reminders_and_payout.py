"""Reminders before the seller's SP deadline and the invoice's due date (each once, stating the deadline in
WIB), a notification to the next actor at every step of the package, and the seller's automatic payout within
24 hours of the payment."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from payments.models import Payment, Payout
from payments.services import orders_settle
from plazabanten.models import Notification, OutboxMessage
from procurement import services
from procurement.models import Paket, PaketReminder
from procurement.payment import paket_payment_start
from procurement.reminders import paket_reminders_send
from procurement.tasks import paket_close_paid
from tests.factories import DEFAULT_PASSWORD
from tests.payments.conftest import notify, sandbox_body, sandbox_set
from tests.procurement.helpers import Team
from vendors.models import ShopBankAccount

S = Paket.Status


def messages_to(user, since: int) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(recipient=user, pk__gt=since).order_by("pk"))


def last_pk() -> int:
    return OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.django_db
def test_the_seller_is_reminded_once_when_one_working_day_is_left():
    team = Team()
    paket = team.walk(team.paket(), S.SP_TERBIT)
    deadline = paket.seller_deadline
    assert timezone.localtime(deadline).strftime("%H:%M") == "23:59"
    since = last_pk()
    assert paket_reminders_send(now=deadline - timedelta(hours=18)) == 0  # two working days left: not yet
    assert paket_reminders_send(now=deadline - timedelta(hours=16)) == 1  # 08:00 WIB on the last working day
    assert paket_reminders_send(now=deadline - timedelta(hours=15)) == 0  # run again: nothing more
    [reminder] = messages_to(team.seller, since)
    assert "Tersisa 1 hari kerja" in reminder.body and "23:59 WIB" in reminder.body
    assert timezone.localtime(deadline).strftime("%Y") in reminder.body
    assert reminder.url == f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/"
    assert PaketReminder.objects.get().kind == PaketReminder.Kind.SELLER_DEADLINE


@pytest.mark.django_db
def test_an_answered_sp_gets_no_reminder():
    team = Team()
    paket = team.walk(team.paket(), S.SP_TERBIT)
    deadline = paket.seller_deadline
    team.walk(paket, S.DIPROSES)
    assert paket_reminders_send(now=deadline - timedelta(hours=1)) == 0


@pytest.mark.django_db
def test_the_bendahara_is_reminded_once_before_the_invoice_is_due():
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PEMBAYARAN)
    due = paket.order.payment_deadline
    since = last_pk()
    assert paket_reminders_send(now=due - timedelta(days=4)) == 0
    assert paket_reminders_send(now=due - timedelta(days=2)) == 1
    assert paket_reminders_send(now=due - timedelta(days=1)) == 0
    [reminder] = messages_to(team.bendahara, since)
    assert "jatuh tempo" in reminder.subject and "WIB" in reminder.body and "KKPD" in reminder.body
    assert messages_to(team.seller, since) == []


@pytest.mark.django_db
def test_a_reminder_is_emailed_and_shown_in_app_only_when_its_transaction_commits(
        django_capture_on_commit_callbacks):
    team = Team()
    paket = team.walk(team.paket(), S.SP_TERBIT)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        paket_reminders_send(now=paket.seller_deadline - timedelta(hours=1))
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    [email] = [m for m in mail.outbox if "Pengingat" in m.subject]
    assert email.to == [team.seller.email] and "WIB" in email.body
    assert Notification.objects.filter(user=team.seller, subject=email.subject).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_reminder_job_at_once_send_it_once():
    team = Team()
    paket = team.walk(team.paket(), S.SP_TERBIT)
    now = paket.seller_deadline - timedelta(hours=1)
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(paket_reminders_send(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert PaketReminder.objects.count() == 1
    assert OutboxMessage.objects.filter(recipient=team.seller, subject__startswith="Pengingat").count() == 1


@pytest.mark.django_db
def test_every_step_of_the_package_tells_the_next_actor(client):
    team = Team()
    paket = team.paket()
    steps = [
        (lambda: services.paket_submit(paket_id=paket.pk, actor=team.pp), team.ppk, None),
        (lambda: services.paket_sp_sign(paket_id=paket.pk, actor=team.ppk, password=DEFAULT_PASSWORD), team.seller,
         "WIB"),
        (lambda: services.paket_seller_accept(paket_id=paket.pk, actor=team.seller, password=DEFAULT_PASSWORD),
         team.ppk, "tiba paling lambat"),
        (lambda: services.paket_ship(paket_id=paket.pk, actor=team.seller, courier="Kurir toko"), team.ppk, None),
        (lambda: services.paket_inspect(paket_id=paket.pk, actor=team.ppk, lines={
            line.pk: (line.quantity, True, "") for line in paket.lines.all()}), team.seller, None),
        (lambda: services.paket_bast_sign(paket_id=paket.pk, actor=team.ppk, password=DEFAULT_PASSWORD),
         team.seller, None),
        (lambda: services.paket_bast_sign(paket_id=paket.pk, actor=team.seller, password=DEFAULT_PASSWORD),
         team.bendahara, "WIB"),
    ]
    for step, next_actor, deadline_text in steps:
        since = last_pk()
        step()
        paket.refresh_from_db()
        told = messages_to(next_actor, since)
        assert told and paket.code in told[-1].subject, paket.status
        assert paket.get_status_display() in told[-1].subject
        if deadline_text:
            assert deadline_text in told[-1].body, (paket.status, told[-1].body)
    since = last_pk()
    attempt = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bri")
    sandbox_set(attempt.attempt_ref, status="settlement")
    notify(client, sandbox_body(attempt.attempt_ref))
    assert any("Pembayaran berhasil" in m.subject for m in messages_to(team.seller, since))


def paid_package(client):
    team = Team(price=150_000)
    paket = team.walk(team.paket(quantity=4), S.MENUNGGU_PEMBAYARAN)
    attempt = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bri")
    sandbox_set(attempt.attempt_ref, status="settlement")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "paid"}
    return team, paket


@pytest.mark.django_db
def test_the_seller_is_paid_out_by_itself_within_24_hours_of_the_payment(client, django_capture_on_commit_callbacks):
    team, paket = paid_package(client)
    ShopBankAccount.objects.create(shop=team.shop, bank="bri", number="0123456789", holder_name="Budi Santoso")
    orders_settle()  # the beat jobs that follow a payment (every minute, every five minutes)
    with django_capture_on_commit_callbacks(execute=True):
        paket_close_paid()
    paket.refresh_from_db()
    payout = Payout.objects.get(order=paket.order)
    paid_at = Payment.objects.get(group=paket.order.group).paid_at
    assert paket.status == S.SELESAI
    assert payout.amount == 600_000 - 6_000 - 3_000 and payout.requested_by is None and payout.bank == "bri"
    assert payout.status == Payout.Status.PROCESSING  # sent to the gateway (the sandbox bank confirms later)
    assert payout.created_at - paid_at < timedelta(hours=24)
    paket_close_paid()
    assert Payout.objects.count() == 1  # once per order


@pytest.mark.django_db
def test_without_a_verified_bank_account_the_seller_is_told_once_and_paid_once_it_exists(client):
    team, paket = paid_package(client)
    orders_settle()
    paket_close_paid()
    paket_close_paid()
    assert not Payout.objects.exists()
    told = OutboxMessage.objects.filter(recipient=team.seller, subject__startswith="Isi rekening bank")
    assert told.count() == 1
    ShopBankAccount.objects.create(shop=team.shop, bank="bca", number="0123456789", holder_name="Budi Santoso")
    paket_close_paid()
    assert Payout.objects.get().amount == 600_000 - 6_000 - 3_000  # 1% commission, PPh 22 0,5%
