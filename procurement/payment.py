"""Paying a package, only after its BAST (UU 1/2004 Ps 21).

The package gets an orders.Order (with its own CheckoutGroup) when the invoice is issued, right after both
parties signed the BAST: the agreed lines, no shipping fee, shipping_method "pengadaan". The Bendahara then pays it
by virtual account through payments.payment_start and the gateway adapters; the webhook, the ledger (the 1%
commission, the shop's pending balance), the release and the payout are the existing ones. Paying earlier is
impossible three times over:

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
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.lifecycle import GOVERNMENT, order_transition
from orders.models import CheckoutGroup, Order, OrderLine
from orders.numbers import order_number_new
from payments.gateways.base import VA_BANKS, Method
from payments.ledger import ledger_release_for_order, order_pending

from .documents import invoice_lines, paket_document_issue
from .lifecycle import (
    BENDAHARA,
    SYSTEM,
    PaketActionForbidden,
    PaketActionInvalid,
    PaketTransitionError,
    _system_step,
    actor_kinds,
)
from .models import Paket, PaketDocument

S = Paket.Status
# Set while paket_payment_start (the Bendahara, checked) opens the charge: a package's checkout is never opened
# from the consumer pay page, whose "buyer" is the PPK the order was created for.
_BENDAHARA_PAYING: ContextVar[bool] = ContextVar("bendahara_paying", default=False)


def _paket_of_group(group: CheckoutGroup) -> Paket | None:
    return Paket.objects.filter(order__group_id=group.pk).only("pk", "status").first()


def payment_guard(group: CheckoutGroup, *, starting: bool = False) -> str | None:
    paket = _paket_of_group(group)
    if paket is None:
        return None
    if starting and not _BENDAHARA_PAYING.get():
        return _("Tagihan paket %(code)s dibayar oleh Bendahara Pengeluaran dari halaman paket.") % {
            "code": paket.code}
    if paket.status != S.MENUNGGU_PEMBAYARAN:
        return _("Paket %(code)s berstatus “%(status)s”: tagihan hanya bisa dibayar setelah BAST, saat menunggu "
                 "pembayaran.") % {"code": paket.code, "status": paket.get_status_display()}
    return None


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
    paket_document_issue(paket=paket, kind=PaketDocument.Kind.INVOICE)
    paket_document_issue(paket=paket, kind=PaketDocument.Kind.KUITANSI)
    _rows, _extras, total = invoice_lines(paket)
    deadline = timezone.now() + timedelta(days=settings.PROCUREMENT_PAYMENT_DAYS)
    opd = paket.opd
    group = CheckoutGroup.objects.create(
        buyer=paket.ppk, idempotency_key=f"paket-{paket.pk}", total=total, payment_deadline=deadline,
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
    paket.order = order
    return order


def paket_payment_start(*, paket_id: int, actor, channel: str):
    """The Bendahara of the package's OPD opens a virtual account for the invoice (the service refusal: any other
    state, i.e. before the BAST, is a PaketTransitionError)."""
    from payments.services import payment_start

    if channel not in VA_BANKS:
        raise PaketActionInvalid(_("Pilih bank virtual account."))
    paket = Paket.objects.select_related("order").get(pk=paket_id)
    if BENDAHARA not in actor_kinds(paket=paket, user=actor):
        raise PaketActionForbidden(_("Hanya Bendahara Pengeluaran satuan kerja ini yang membayar paket."))
    if paket.status != S.MENUNGGU_PEMBAYARAN or paket.order is None:
        raise PaketTransitionError(
            _("Paket %(code)s berstatus “%(status)s”: pembayaran hanya bisa setelah BAST dan invoice terbit.")
            % {"code": paket.code, "status": paket.get_status_display()})
    token = _BENDAHARA_PAYING.set(True)
    try:
        return payment_start(group_id=paket.order.group_id, buyer=paket.order.buyer, method=Method.VA,
                             channel=channel)
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


__all__ = ["SYSTEM", "paket_close_paid", "paket_invoice_issue", "paket_payment_start", "payment_guard"]
