"""Beat jobs that remind the next actor of a deadline, and pay the seller out after a government payment.

Each reminder is sent once per package, kind and deadline: a PaketReminder row (unique) is written in the same
transaction as the outbox messages, so a job that runs twice, or in two workers at once, sends it once, and the
messages leave only when that transaction commits. Every message states the deadline in WIB.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from plazabanten.money import format_rupiah
from plazabanten.services import outbox_enqueue

from .models import OpdMember, Paket, PaketDocument, PaketReminder, Role

S = Paket.Status
K = PaketReminder.Kind
# The seller's deadline is the end (23:59:59 WIB) of the 3rd working day: remind at 07:00 WIB that day, when
# one working day is left.
SELLER_REMINDER_BEFORE = timedelta(hours=17)


def wib(moment) -> str:
    return date_format(timezone.localtime(moment), "l, j F Y H:i") + " WIB"


def _bendaharas(paket: Paket) -> list:
    return [m.user for m in OpdMember.objects.filter(opd_id=paket.opd_id, roles__contains=[Role.BENDAHARA])
            .select_related("user").order_by("pk")]


def _seller_url(paket: Paket) -> str:
    return reverse("procurement:shop_paket", args=[paket.shop_id, paket.pk])


def _send_once(*, paket_id: int, kind: str, deadline, still, messages) -> bool:
    """Under the package row lock: if the package still needs it (`still(paket)`) and it was not sent for this
    deadline yet, record it and queue the messages (`messages(paket)`: (recipient, subject, body, url) rows)."""
    with transaction.atomic():
        paket = Paket.objects.select_for_update().get(pk=paket_id)  # the order read after the lock (re-issue)
        if not still(paket):
            return False
        try:
            with transaction.atomic():
                PaketReminder.objects.create(paket=paket, kind=kind, deadline=deadline)
        except IntegrityError:
            return False
        for recipient, subject, body, url in messages(paket):
            outbox_enqueue(recipient=recipient, subject=subject, body=body, url=url)
    return True


def _seller_deadline(paket: Paket) -> list[tuple]:
    subject = _("Pengingat: tanggapi Surat Pesanan %(code)s") % {"code": paket.code}
    body = _("Surat Pesanan paket “%(name)s” (%(total)s) dari %(opd)s menunggu tanggapan Anda. Tersisa 1 hari "
             "kerja: terima atau tolak paling lambat %(date)s; lewat dari itu pesanan batal otomatis.") % {
        "name": paket.nama, "total": format_rupiah(paket.total), "opd": paket.opd.name,
        "date": wib(paket.seller_deadline)}
    return [(paket.shop.owner, subject, body, _seller_url(paket))]


def _payment_due(paket: Paket) -> list[tuple]:
    invoice = paket.documents.filter(kind=PaketDocument.Kind.INVOICE, voided_at__isnull=True).first()
    subject = _("Pengingat: invoice %(number)s jatuh tempo") % {"number": invoice.number if invoice else paket.code}
    body = _("Invoice paket “%(name)s” sebesar %(total)s belum dibayar. Bayar dengan virtual account atau KKPD "
             "paling lambat %(date)s.") % {"name": paket.nama, "total": format_rupiah(paket.order.total),
                                          "date": wib(paket.order.payment_deadline)}
    url = reverse("procurement:paket", args=[paket.pk])
    return [(user, subject, body, url) for user in _bendaharas(paket)]


def _invoice_lapsed(paket: Paket) -> list[tuple]:
    subject = _("Invoice paket %(code)s lewat jatuh tempo") % {"code": paket.code}
    body = _("Invoice paket “%(name)s” (%(total)s) jatuh tempo %(date)s dan belum dibayar. Bendahara atau "
             "penyedia dapat menerbitkan ulang invoice dengan jatuh tempo baru.") % {
        "name": paket.nama, "total": format_rupiah(paket.order.total), "date": wib(paket.order.payment_deadline)}
    url = reverse("procurement:paket", args=[paket.pk])
    return [(user, subject, body, url) for user in _bendaharas(paket)] + [
        (paket.shop.owner, subject, body, _seller_url(paket))]


def paket_reminders_send(*, now=None) -> int:
    """Beat job: remind the seller when one working day is left to answer a Surat Pesanan, the Bendahara
    PROCUREMENT_PAYMENT_REMINDER_DAYS days before an invoice is due, and both when it lapsed unpaid (the
    invoice is then re-issued by one of them, never by itself: the OPD may have to re-plan its budget)."""
    now = now or timezone.now()
    sent = 0
    for paket_id, deadline in Paket.objects.filter(
            status=S.SP_TERBIT, seller_deadline__gt=now, seller_deadline__lte=now + SELLER_REMINDER_BEFORE,
    ).values_list("pk", "seller_deadline"):
        sent += _send_once(paket_id=paket_id, kind=K.SELLER_DEADLINE, deadline=deadline,
                           still=lambda p, d=deadline: p.status == S.SP_TERBIT and p.seller_deadline == d,
                           messages=_seller_deadline)
    due = Paket.objects.filter(status=S.MENUNGGU_PEMBAYARAN, order__isnull=False)
    soon = now + timedelta(days=settings.PROCUREMENT_PAYMENT_REMINDER_DAYS)
    for paket_id, deadline in due.filter(order__payment_deadline__gt=now, order__payment_deadline__lte=soon
                                         ).values_list("pk", "order__payment_deadline"):
        sent += _send_once(paket_id=paket_id, kind=K.PAYMENT_DUE, deadline=deadline,
                           still=lambda p, d=deadline: p.status == S.MENUNGGU_PEMBAYARAN
                           and p.order.payment_deadline == d, messages=_payment_due)
    for paket_id, deadline in due.filter(order__payment_deadline__lte=now).values_list(
            "pk", "order__payment_deadline"):
        sent += _send_once(paket_id=paket_id, kind=K.INVOICE_LAPSED, deadline=deadline,
                           still=lambda p, d=deadline: p.status == S.MENUNGGU_PEMBAYARAN
                           and p.order.payment_deadline == d, messages=_invoice_lapsed)
    return sent


def paket_payouts_send() -> int:
    """Beat job (after paket_close_paid): a closed package's money goes out to the seller's verified bank
    account without the seller asking, minutes after the payment (the rule: within 24 hours). A shop without
    a verified account is told once; the payout follows on a later run once the account is verified."""
    from payments.models import Payout
    from payments.services import payout_for_order

    sent = 0
    waiting = (Paket.objects.filter(status=S.SELESAI, order__isnull=False)
               .exclude(order_id__in=Payout.objects.filter(order__isnull=False).values("order_id"))
               .values_list("pk", "order_id", "order__group__payment__paid_at"))
    for paket_id, order_id, paid_at in waiting:
        if payout_for_order(order_id=order_id) is not None:
            sent += 1
            continue
        _send_once(paket_id=paket_id, kind=K.PAYOUT_BLOCKED, deadline=paid_at or timezone.now(),
                   still=lambda p: True, messages=_payout_blocked)
    return sent


def _payout_blocked(paket: Paket) -> list[tuple]:
    subject = _("Isi rekening bank untuk menerima pembayaran paket %(code)s") % {"code": paket.code}
    body = _("Pembayaran paket “%(name)s” sudah diterima dan siap dicairkan, tetapi toko belum punya rekening "
             "bank terverifikasi. Dana dikirim otomatis setelah rekening diverifikasi.") % {"name": paket.nama}
    return [(paket.shop.owner, subject, body, reverse("payments:shop_balance", args=[paket.shop_id]))]
