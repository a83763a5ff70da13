"""An invoice whose payment window (PROCUREMENT_PAYMENT_DAYS) lapsed unpaid is re-issued by the Bendahara or the
seller: the old one is voided and kept, the new one has a new number and due date, and money that arrives for
the voided invoice goes to suspense and back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import CheckoutGroup, Order
from payments.ledger import ledger_check_invariants
from payments.models import Payment, Refund, SuspenseItem
from procurement.lifecycle import PaketActionForbidden, PaketTransitionError
from procurement.models import Paket, PaketDocument
from procurement.payment import paket_invoice_reissue, paket_payment_start
from procurement.reminders import paket_reminders_send
from tests.payments.conftest import notify, sandbox_body, sandbox_set
from tests.procurement.helpers import Team

pytestmark = pytest.mark.django_db
S = Paket.Status
INVOICE = PaketDocument.Kind.INVOICE


def awaiting():
    team = Team(price=150_000)
    return team, team.walk(team.paket(quantity=4), S.MENUNGGU_PEMBAYARAN)


def lapse(paket):
    past = timezone.now() - timedelta(minutes=1)
    Order.objects.filter(pk=paket.order_id).update(payment_deadline=past)
    CheckoutGroup.objects.filter(pk=paket.order.group_id).update(payment_deadline=past)
    paket.refresh_from_db()


def test_an_invoice_still_within_its_window_is_not_reissued(client):
    team, paket = awaiting()
    with pytest.raises(PaketTransitionError, match="masih berlaku"):
        paket_invoice_reissue(paket_id=paket.pk, actor=team.bendahara)
    client.force_login(team.bendahara)
    assert client.post(f"/pengadaan/paket/{paket.pk}/invoice/terbitkan-ulang/").status_code == 409
    assert PaketDocument.objects.filter(kind=INVOICE).count() == 1


def test_the_bendahara_reissues_a_lapsed_invoice_the_old_one_is_voided_and_kept():
    team, paket = awaiting()
    old_invoice = paket.documents.get(kind=INVOICE)
    old_order = paket.order
    assert old_invoice.due_at == old_order.payment_deadline
    lapse(paket)
    new = paket_invoice_reissue(paket_id=paket.pk, actor=team.bendahara)
    paket.refresh_from_db()
    old_invoice.refresh_from_db()
    old_order.refresh_from_db()
    assert old_invoice.voided_at is not None and old_invoice.file and old_invoice.number.endswith("/000001")
    assert new.number.endswith("/000002") and new.voided_at is None
    assert new.due_at > timezone.now() + timedelta(days=29)
    assert paket.status == S.MENUNGGU_PEMBAYARAN and paket.order_id != old_order.pk
    assert paket.order.payment_deadline == new.due_at and paket.order.total == old_order.total
    assert old_order.status == Order.Status.EXPIRED
    assert "dibatalkan" in paket.events.last().note and new.number in paket.events.last().note
    assert paket.documents.filter(kind=PaketDocument.Kind.KUITANSI).count() == 1
    assert paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bri").va_number


def test_the_seller_may_reissue_from_the_seller_pages_but_not_the_ppk(client):
    team, paket = awaiting()
    lapse(paket)
    with pytest.raises(PaketActionForbidden):
        paket_invoice_reissue(paket_id=paket.pk, actor=team.ppk)
    client.force_login(team.seller)
    page = client.get(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/").content.decode()
    assert "Terbitkan ulang invoice" in page
    response = client.post(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/invoice/terbitkan-ulang/")
    assert response.status_code == 302
    assert PaketDocument.objects.filter(kind=INVOICE, voided_at__isnull=True).count() == 1
    assert PaketDocument.objects.filter(kind=INVOICE).count() == 2
    page = client.get(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/").content.decode()
    assert "dibatalkan" in page and "Terbitkan ulang invoice" not in page


def test_a_reissue_after_the_package_was_paid_is_refused():
    team, paket = awaiting()
    attempt = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bri")
    from payments.services import payment_apply

    payment_apply(payment_id=attempt.payment_id, provider="sandbox", dedupe_key="t", kind="paid",
                  amount=paket.order.total, raw={}, attempt_ref=attempt.attempt_ref)
    lapse(paket)
    with pytest.raises(PaketTransitionError, match="hanya invoice yang belum dibayar"):
        paket_invoice_reissue(paket_id=paket.pk, actor=team.bendahara)


def test_money_for_the_voided_invoice_goes_to_suspense_and_is_refunded(client, django_capture_on_commit_callbacks):
    team, paket = awaiting()
    old = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bni")
    lapse(paket)
    paket_invoice_reissue(paket_id=paket.pk, actor=team.bendahara)
    assert Payment.objects.get(attempts=old).status == Payment.Status.EXPIRED
    sandbox_set(old.attempt_ref, status="settlement")  # the bank paid the old VA anyway
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, sandbox_body(old.attempt_ref)).json() == {"result": "late_payment"}
    item = SuspenseItem.objects.get()
    assert item.amount == 600_000 and Refund.objects.get(suspense=item).status == Refund.Status.SUCCEEDED
    paket.refresh_from_db()
    assert paket.status == S.MENUNGGU_PEMBAYARAN  # the new invoice still waits for its own payment
    new = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bni")
    sandbox_set(new.attempt_ref, status="settlement")
    assert notify(client, sandbox_body(new.attempt_ref)).json() == {"result": "paid"}
    paket.refresh_from_db()
    assert paket.status == S.DIBAYAR
    assert ledger_check_invariants() == []


def test_money_for_a_voided_invoice_whose_payment_was_still_open_is_refused():
    """Belt and braces: even when the old checkout's payment was somehow still pending, the guard knows that
    checkout no longer belongs to the package and the webhook path refuses the money."""
    from payments.services import payment_apply

    team, paket = awaiting()
    old = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bni")
    lapse(paket)
    paket_invoice_reissue(paket_id=paket.pk, actor=team.bendahara)
    Payment.objects.filter(pk=old.payment_id).update(status=Payment.Status.PENDING)
    outcome = payment_apply(payment_id=old.payment_id, provider="sandbox", dedupe_key="x", kind="paid",
                            amount=600_000, raw={}, attempt_ref=old.attempt_ref)
    assert outcome == "refused"
    assert SuspenseItem.objects.count() == 1


def test_the_beat_job_flags_a_lapsed_invoice_once_to_the_bendahara_and_the_seller():
    from plazabanten.models import OutboxMessage

    team, paket = awaiting()
    lapse(paket)
    before = OutboxMessage.objects.count()
    assert paket_reminders_send() == 1
    flagged = OutboxMessage.objects.filter(subject__contains="lewat jatuh tempo")
    assert {m.recipient for m in flagged} == {team.bendahara, team.seller}
    assert all("WIB" in m.body and "menerbitkan ulang invoice" in m.body for m in flagged)
    assert paket_reminders_send() == 0
    assert OutboxMessage.objects.count() == before + 2
    paket_invoice_reissue(paket_id=paket.pk, actor=team.bendahara)
    assert paket_reminders_send() == 0  # the new invoice is not lapsed


def test_the_new_invoice_pdf_states_its_number_and_due_date():
    from tests.procurement.test_journey_browser import pdf_text

    team, paket = awaiting()
    lapse(paket)
    new = paket_invoice_reissue(paket_id=paket.pk, actor=team.bendahara)
    text = pdf_text(new.file.open("rb").read())
    assert new.number in text and "Jatuh tempo" in text
    assert timezone.localtime(new.due_at).strftime("%d-%m-%Y %H:%M") in text


@pytest.mark.django_db(transaction=True)
def test_the_bendahara_and_the_seller_reissuing_at_once_make_one_new_invoice():
    import threading

    from django.db import connection

    team, paket = awaiting()
    lapse(paket)
    results, barrier = [], threading.Barrier(2)

    def reissue(actor):
        try:
            barrier.wait()
            results.append(paket_invoice_reissue(paket_id=paket.pk, actor=actor).number)
        except PaketTransitionError as error:
            results.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=reissue, args=(who,)) for who in (team.bendahara, team.seller)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum("/000002" in result for result in results) == 1, results
    assert sum("masih berlaku" in result for result in results) == 1, results
    assert PaketDocument.objects.filter(kind=INVOICE).count() == 2
    assert Order.objects.filter(status=Order.Status.AWAITING_PAYMENT).count() == 1
