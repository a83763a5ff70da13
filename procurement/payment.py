"""Paying a package, only after its BAST (UU 1/2004 Ps 21).

The package gets an orders.Order (with its own CheckoutGroup) when the invoice is issued, right after both
parties signed the BAST: the agreed lines, no shipping fee, shipping_method "pengadaan". The Bendahara then pays it
by virtual account through payments.payment_start and the gateway adapters; the webhook, the ledger (the 1%
commission, the shop's pending balance), the release and the payout are the existing ones. Paying earlier is
impossible three times over (for the VA and the KKPD card alike):

* the service: ``paket_payment_start`` refuses a package not in MENUNGGU_PEMBAYARAN (and before the BAST there is
  no order nor checkout to pay at all);
* payments.payment_start asks the guard registered here, which refuses a package's checkout unless the package
  awaits payment;
* the webhook apply path (payments._decide) asks the same guard: money for a package that may not be paid is never
  applied (outcome "refused", parked in suspense and sent back).
"""

from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from orders.lifecycle import GOVERNMENT, order_transition
from orders.models import CheckoutGroup, Order, OrderLine, SystemNote
from orders.numbers import order_number_new
from payments.gateways.base import VA_BANKS, Method
from payments.ledger import ledger_release_for_order, order_pending
from payments.models import OrderTax
from payments.services import order_tax_record
from plazabanten.money import format_rupiah
from plazabanten.services import audit_record

from .documents import invoice_lines, paket_document_issue, paket_taxes
from .lifecycle import (
    BENDAHARA,
    SELLER,
    SYSTEM,
    PaketActionForbidden,
    PaketActionInvalid,
    PaketTransitionError,
    _notify,
    _system_step,
    actor_kinds,
)
from .models import Paket, PaketDocument, PaketEvent

S = Paket.Status
# Set while paket_payment_start (the Bendahara, checked) opens the charge: a package's checkout is never opened
# from the consumer pay page, whose "buyer" is the PPK the order was created for.
_BENDAHARA_PAYING: ContextVar[bool] = ContextVar("bendahara_paying", default=False)


def _paket_of_group(group: CheckoutGroup) -> Paket | None:
    return Paket.objects.filter(order__group_id=group.pk).only("pk", "status").first()


def payment_guard(group: CheckoutGroup, *, starting: bool = False, method: str = "") -> str | None:
    """None: not a package's checkout. A reason: it may not be paid now. "": a package's invoice that may be paid
    now, by VA or by KKPD (payments allows a card only on a checkout a guard claims this way)."""
    paket = _paket_of_group(group)
    if paket is None:
        if group.orders.filter(shipping_method=GOVERNMENT).exists():
            # The invoice of this checkout was voided and re-issued: money for it goes back.
            return _("Invoice ini sudah dibatalkan dan diterbitkan ulang; bayar invoice yang baru.")
        return None
    if starting and not _BENDAHARA_PAYING.get():
        return _("Tagihan paket %(code)s dibayar oleh Bendahara Pengeluaran dari halaman paket.") % {
            "code": paket.code}
    if paket.status != S.MENUNGGU_PEMBAYARAN:
        return _("Paket %(code)s berstatus “%(status)s”: tagihan hanya bisa dibayar setelah BAST, saat menunggu "
                 "pembayaran.") % {"code": paket.code, "status": paket.get_status_display()}
    return ""


def payment_follow(payment) -> None:
    """Inside the paying transaction: the package is paid, and its order (already delivered and handed over)
    completes, so the shop's money is released by the settle job like any completed order's."""
    for order in payment.group.orders.order_by("pk"):
        paket = Paket.objects.select_for_update().filter(order=order).first()
        if paket is None:
            continue
        paket.paid_on = timezone.localdate()  # the day (WIB) it counts in the 40% realisation
        _system_step(paket=paket, to_status=S.DIBAYAR, now=timezone.now())
        order_transition(order_id=order.pk, to_status=Order.Status.COMPLETED,
                         note=_("Pengadaan pemerintah: barang sudah diserahterimakan (BAST)."))


def register() -> None:
    from payments import services

    if payment_guard not in services.PAYMENT_GUARDS:
        services.PAYMENT_GUARDS.append(payment_guard)
    if payment_follow not in services.PAYMENT_FOLLOWERS:
        services.PAYMENT_FOLLOWERS.append(payment_follow)


def paket_invoice_issue(*, paket: Paket) -> Order:
    """After the BAST (called by the transition, the package locked): the invoice and the kuitansi, and the order
    the Bendahara pays. The amounts come from documents.invoice_lines (the tax seam)."""
    if paket.status != S.SUDAH_BAST:
        raise PaketTransitionError(_("Invoice hanya terbit setelah BAST ditandatangani kedua pihak."))
    deadline = timezone.now() + timedelta(days=settings.PROCUREMENT_PAYMENT_DAYS)
    taxes = paket_taxes(paket)  # once: the invoice, the kuitansi and the order's OrderTax carry the same figures
    invoice = paket_document_issue(paket=paket, kind=PaketDocument.Kind.INVOICE, taxes=taxes, due_at=deadline)
    paket_document_issue(paket=paket, kind=PaketDocument.Kind.KUITANSI, taxes=taxes)
    return _invoice_order(paket=paket, deadline=deadline, key=f"paket-{paket.pk}", taxes=taxes, invoice=invoice)


def _invoice_order(*, paket: Paket, deadline, key: str, taxes, invoice: PaketDocument) -> Order:
    """The checkout and the order through which the Bendahara pays the invoice (due at `deadline`), with the
    invoice's taxes recorded on the order (OrderTax)."""
    _rows, _extras, total = invoice_lines(paket, taxes)
    opd = paket.opd
    group = CheckoutGroup.objects.create(
        buyer=paket.ppk, idempotency_key=key, total=total, payment_deadline=deadline,
        address={"recipient": opd.name, "phone": "", "street": paket.alamat_kirim, "region": opd.pemda.name,
                 "postal_code": "", "kode_satker": opd.kode_satker})
    order = Order.objects.create(
        group=group, shop=paket.shop, buyer=paket.ppk, number=order_number_new(), subtotal=total, shipping_fee=0,
        total=total, shipping_method=GOVERNMENT, shipping_label=_("Pengadaan pemerintah (setelah BAST)"),
        note=f"{paket.code} · RUP {paket.kode_rup}"[:300], payment_deadline=deadline)
    OrderLine.objects.bulk_create([
        OrderLine(order=order, variant_id=line.variant_id, product_name=line.product_name,
                  variant_name=line.variant_name, sku=line.sku, unit_price=line.unit_price, quantity=line.quantity,
                  weight_grams=line.weight_grams) for line in paket.lines.all()])
    order_tax_record(order=order, kind=OrderTax.Kind.GOVERNMENT, split=taxes.split, rates=taxes.rates,
                     rates_on=taxes.rates_on, invoice_number=invoice.number, buyer_name=opd.name,
                     buyer_npwp=opd.npwp_bendahara)
    paket.order = order
    return order


def paket_invoice_reissue(*, paket_id: int, actor) -> PaketDocument:
    """The payment window (PROCUREMENT_PAYMENT_DAYS) lapsed unpaid: the Bendahara or the seller re-issues the
    invoice. The old charge is closed first (money for it from then on is late money: suspense, then refunded
    by the existing path), then, the package locked: the old order expires, the old invoice is voided (kept,
    never deleted), and a new invoice with a new number and a new due date gets its own checkout."""
    from payments.models import Payment
    from payments.services import payment_expire

    paket = Paket.objects.select_related("order").get(pk=paket_id)
    if not actor_kinds(paket=paket, user=actor) & {BENDAHARA, SELLER}:
        raise PaketActionForbidden(_("Hanya Bendahara Pengeluaran atau penyedia yang menerbitkan ulang invoice."))
    _reissue_check(paket, timezone.now())
    payment = Payment.objects.filter(group_id=paket.order.group_id).first()
    if payment is not None:
        payment_expire(payment_id=payment.pk)
    now = timezone.now()
    with transaction.atomic():
        # No join to the order here: a row another re-issue just repointed would come back joined to nothing
        # (PostgreSQL re-checks the locked row, not the joined one); the order is read after the lock.
        paket = Paket.objects.select_for_update().get(pk=paket_id)
        _reissue_check(paket, now)
        old = paket.order
        if old.status == Order.Status.AWAITING_PAYMENT:
            order_transition(order_id=old.pk, to_status=Order.Status.EXPIRED,
                             note=SystemNote(gettext_noop("Invoice lewat jatuh tempo dan diterbitkan ulang.")))
        voided = list(PaketDocument.objects.filter(paket=paket, kind=PaketDocument.Kind.INVOICE,
                                                   voided_at__isnull=True).values_list("number", flat=True))
        PaketDocument.objects.filter(paket=paket, kind=PaketDocument.Kind.INVOICE, voided_at__isnull=True).update(
            voided_at=now)
        deadline = now + timedelta(days=settings.PROCUREMENT_PAYMENT_DAYS)
        taxes = paket_taxes(paket, fresh=True)
        document = paket_document_issue(paket=paket, kind=PaketDocument.Kind.INVOICE, taxes=taxes, due_at=deadline)
        count = PaketDocument.objects.filter(paket=paket, kind=PaketDocument.Kind.INVOICE).count()
        _invoice_order(paket=paket, deadline=deadline, key=f"paket-{paket.pk}-{count}", taxes=taxes, invoice=document)
        paket.save(update_fields=["order"])
        note = _("Invoice %(old)s dibatalkan (lewat jatuh tempo); terbit invoice %(new)s, jatuh tempo %(date)s "
                 "WIB.") % {"old": ", ".join(voided), "new": document.number,
                           "date": date_format(timezone.localtime(deadline), "j F Y H:i")}
        kind = next(k for k in (BENDAHARA, SELLER) if k in actor_kinds(paket=paket, user=actor))
        PaketEvent.objects.create(paket=paket, actor=actor, actor_kind=kind, from_status=paket.status,
                                  to_status=paket.status, note=note[:500])
        audit_record(actor=actor, action="paket.invoice_reissue", target=paket, before={"invoice": voided},
                     after={"invoice": document.number, "due": deadline.isoformat()}, reason=note)
        _notify(paket=paket, kind=kind)
    return document


def _reissue_check(paket: Paket, now) -> None:
    if paket.status != S.MENUNGGU_PEMBAYARAN or paket.order is None:
        raise PaketTransitionError(_("Paket %(code)s berstatus “%(status)s”: hanya invoice yang belum dibayar yang "
                                     "bisa diterbitkan ulang.") % {"code": paket.code,
                                                                   "status": paket.get_status_display()})
    if paket.order.payment_deadline > now:
        raise PaketTransitionError(_("Invoice masih berlaku sampai %(date)s WIB; terbitkan ulang setelah jatuh "
                                     "tempo.") % {"date": date_format(timezone.localtime(
                                         paket.order.payment_deadline), "j F Y H:i")})


def paket_payment_start(*, paket_id: int, actor, method: str = Method.VA, channel: str = "", card_token: str = "",
                        card_authentication_id: str = ""):
    """The Bendahara of the package's OPD pays the invoice: a virtual account (channel: the bank), or the KKPD
    card with the token of the gateway's card form (method "card"; 3-D Secure may follow at the attempt's
    redirect_url). The service refusal: any other state, i.e. before the BAST, is a PaketTransitionError."""
    from payments.services import payment_start

    if method == Method.VA and channel not in VA_BANKS:
        raise PaketActionInvalid(_("Pilih bank virtual account."))
    if method not in (Method.VA, Method.CARD):
        raise PaketActionInvalid(_("Pilih virtual account atau KKPD."))
    if method == Method.CARD:
        channel = ""
        if not card_token:
            raise PaketActionInvalid(_("Data kartu belum diverifikasi oleh gateway. Isi ulang data kartu."))
    paket = Paket.objects.select_related("order").get(pk=paket_id)
    if BENDAHARA not in actor_kinds(paket=paket, user=actor):
        raise PaketActionForbidden(_("Hanya Bendahara Pengeluaran satuan kerja ini yang membayar paket."))
    if paket.status != S.MENUNGGU_PEMBAYARAN or paket.order is None:
        raise PaketTransitionError(
            _("Paket %(code)s berstatus “%(status)s”: pembayaran hanya bisa setelah BAST dan invoice terbit.")
            % {"code": paket.code, "status": paket.get_status_display()})
    if method == Method.CARD and paket.order.total > settings.PROCUREMENT_KKPD_LIMIT:
        raise PaketActionInvalid(_("KKPD hanya untuk pembayaran sampai %(limit)s per penyedia; bayar tagihan ini "
                                   "dengan virtual account.") % {"limit": format_rupiah(
                                       settings.PROCUREMENT_KKPD_LIMIT)})
    token = _BENDAHARA_PAYING.set(True)
    try:
        return payment_start(group_id=paket.order.group_id, buyer=paket.order.buyer, method=method, channel=channel,
                             card_token=card_token, card_authentication_id=card_authentication_id,
                             return_url=settings.PB_BASE_URL + reverse("procurement:paket", args=[paket.pk]))
    finally:
        _BENDAHARA_PAYING.reset(token)


def paket_close_paid() -> int:
    """Beat job: a paid package whose shop money was released (payments.orders_settle) is closed (selesai)."""
    closed = 0
    for paket_id, order_id in Paket.objects.filter(status=S.DIBAYAR).values_list("pk", "order_id"):
        if order_pending(order_id) > 0:
            ledger_release_for_order(order_id)
        with transaction.atomic():
            paket = Paket.objects.select_for_update().get(pk=paket_id)
            if paket.status == S.DIBAYAR and order_pending(order_id) == 0:
                _system_step(paket=paket, to_status=S.SELESAI, now=timezone.now())
                closed += 1
    return closed


__all__ = ["SYSTEM", "paket_close_paid", "paket_invoice_issue", "paket_invoice_reissue", "paket_payment_start",
           "payment_guard"]
