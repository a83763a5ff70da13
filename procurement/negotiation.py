"""Negotiation of a package (e-Katalog v6 "Negosiasi", before the PPK's review): the package's creator (PP, or a
PPK buying above the PP limit) proposes a unit price and a quantity per line with a note; the seller accepts,
counters or declines; the creator accepts a counter, counters again or ends the negotiation. A round is the
creator's offer and the seller's answer; PROCUREMENT_NEGOTIATION_ROUNDS bounds them per package. Every offer is
kept (PaketOffer, PaketOfferLine); the accepted one is written into the package lines, so the Surat Pesanan carries
it, and the package goes to the PPK.

The states and who moves them are rows of procurement/lifecycle.py's table; this module is the step's effect,
run by paket_transition with the package row locked (so an accept and a counter of the same offer cannot both
win: the second finds the offer answered)."""

from datetime import datetime

from django.conf import settings
from django.db.models import Max
from django.utils.translation import gettext as _

from catalog.models import Product, ProductVariant
from plazabanten.money import format_rupiah
from plazabanten.transitions import Transition

from .lifecycle import SELLER, PaketActionInvalid, PaketTransitionError
from .models import Paket, PaketOffer, PaketOfferLine

S = Paket.Status
Outcome = PaketOffer.Outcome
QUANTITY_MAX = 100_000


def open_offer(paket: Paket) -> PaketOffer | None:
    return PaketOffer.objects.filter(paket=paket, outcome=Outcome.OPEN).first()


def rounds_used(paket: Paket) -> int:
    return PaketOffer.objects.filter(paket=paket).aggregate(last=Max("round"))["last"] or 0


def rounds_max() -> int:
    return settings.PROCUREMENT_NEGOTIATION_ROUNDS


def negotiation_step(*, paket: Paket, row: Transition, kind: str, actor, offer: dict[int, tuple[int, int]] | None,
                     answering: int | None, note: str, now: datetime) -> str:
    """The effect of one negotiation row on the locked package; returns the timeline note."""
    current = open_offer(paket)
    if answering is not None and (current is None or current.pk != answering):
        raise PaketTransitionError(_("Tawaran sudah berubah sejak halaman ini dibuka; lihat tawaran terbaru di "
                                     "riwayat negosiasi."))
    if row.target == S.NEGOSIASI:
        return _offer_make(paket=paket, current=current, kind=kind, actor=actor, offer=offer or {}, note=note,
                           now=now)
    if current is None:  # the guards saw an open offer; nothing else closes one outside this lock
        raise PaketTransitionError(_("Tidak ada tawaran yang menunggu tanggapan."))
    current.outcome, current.answered_at = (Outcome.ACCEPTED if row.target == S.MENUNGGU_PPK
                                            else Outcome.DECLINED if kind == SELLER else Outcome.WITHDRAWN), now
    current.save(update_fields=["outcome", "answered_at"])
    if row.target == S.MENUNGGU_PPK:
        return _offer_apply(paket=paket, offer=current)
    return _("Negosiasi berakhir tanpa kesepakatan: %(reason)s Harga dan jumlah kembali seperti sebelum negosiasi.") % {
        "reason": note}


def _offer_make(*, paket: Paket, current: PaketOffer | None, kind: str, actor, offer: dict[int, tuple[int, int]],
                note: str, now: datetime) -> str:
    from .services import paket_value_check

    lines = list(paket.lines.all())
    if set(offer) != {line.pk for line in lines}:
        raise PaketActionInvalid(_("Isi harga dan jumlah setiap barang."))
    variants = ProductVariant.objects.select_related("product").in_bulk([line.variant_id for line in lines])
    problems = []
    for line in lines:
        price, quantity = offer[line.pk]
        variant = variants[line.variant_id]
        if variant.archived_at is not None or variant.product.status != Product.Status.ACTIVE:
            problems.append(_("%(name)s tidak lagi dijual.") % {"name": line.name})
            continue
        if price < 1:
            problems.append(_("Harga %(name)s harus lebih dari Rp0.") % {"name": line.name})
        elif price > variant.price:
            problems.append(_("Harga %(name)s %(price)s melebihi harga katalog %(catalog)s.") % {
                "name": line.name, "price": format_rupiah(price), "catalog": format_rupiah(variant.price)})
        available = variant.stock - variant.allocated
        if quantity < 1 or quantity > QUANTITY_MAX:
            problems.append(_("Jumlah %(name)s 1–100.000.") % {"name": line.name})
        elif quantity > available:
            problems.append(_("Jumlah %(name)s (%(n)s) melebihi stok tersedia (%(available)s).") % {
                "name": line.name, "n": quantity, "available": max(available, 0)})
    if problems:
        raise PaketActionInvalid(" ".join(problems))
    before = ({ol.variant_id: (ol.unit_price, ol.quantity) for ol in current.lines.all()} if current else
              {line.variant_id: (line.unit_price, line.quantity) for line in lines})
    if before == {line.variant_id: offer[line.pk] for line in lines}:
        raise PaketActionInvalid(_("Tawaran ini sama dengan tawaran terakhir. Ubah harga atau jumlah, atau setujui "
                                   "tawarannya."))
    total = sum(price * quantity for price, quantity in offer.values())
    paket_value_check(total=total, created_as=paket.created_as)
    if current is not None:
        current.outcome, current.answered_at = Outcome.COUNTERED, now
        current.save(update_fields=["outcome", "answered_at"])
    number = current.round if kind == SELLER and current is not None else rounds_used(paket) + 1
    made = PaketOffer.objects.create(paket=paket, round=number, party=kind, actor=actor, note=note[:300],
                                     total=total)
    PaketOfferLine.objects.bulk_create([
        PaketOfferLine(offer=made, variant_id=line.variant_id, name=line.name,
                       catalog_price=variants[line.variant_id].price, unit_price=offer[line.pk][0],
                       quantity=offer[line.pk][1]) for line in lines])
    text = (_("Ronde %(round)s dari %(max)s: penyedia menawar balik %(total)s.") if kind == SELLER else
            _("Ronde %(round)s dari %(max)s: pembeli menawar %(total)s.")) % {
        "round": number, "max": rounds_max(), "total": format_rupiah(total)}
    return f"{text} {note}".strip()


def _offer_apply(*, paket: Paket, offer: PaketOffer) -> str:
    """The agreed prices and quantities become the package's lines (what the SP carries); the PP limit is checked
    again on the agreed total."""
    from .services import paket_value_check

    agreed = {ol.variant_id: ol for ol in offer.lines.all()}
    lines = list(paket.lines.all())
    if set(agreed) != {line.variant_id for line in lines}:
        raise PaketTransitionError(_("Barang paket berubah sejak tawaran ini; mulai negosiasi baru."))
    total = sum(ol.line_total for ol in agreed.values())
    paket_value_check(total=total, created_as=paket.created_as)
    before = paket.total
    for line in lines:
        line.unit_price, line.quantity = agreed[line.variant_id].unit_price, agreed[line.variant_id].quantity
        line.save(update_fields=["unit_price", "quantity"])
    paket.total = total
    paket._prefetched_objects_cache = {}
    return _("Negosiasi disepakati pada ronde %(round)s: total %(total)s (sebelumnya %(before)s). Diteruskan ke "
             "PPK.") % {"round": offer.round, "total": format_rupiah(total), "before": format_rupiah(before)}
