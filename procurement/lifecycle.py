"""The package lifecycle: one table of transitions drives the service, the view actions and the buttons
(as orders/lifecycle.py does for consumer orders).

Who may move a package is never a parameter: it follows from the actor's OpdMember row (the package's creator
still holding the role they created it as, the package's PPK still holding the PPK role, a Bendahara of the
OPD) or their shop membership (the seller, with the orders capability); actor None is the system (beat jobs,
the payment path). Every transition locks the package row, writes a PaketEvent and an audit row, and notifies
the other side. Signing (the SP by the PPK and the seller, the BAST by both) is a transition whose form asks
for the signer's password again.

Deliveries (PaketDelivery) may be partial and go to any of the package's addresses: the package is "dikirim" while
a delivery is out; each one is inspected on its own (by the PPK or the named pemeriksa), a mismatch goes back to
the seller as a complaint, and the package is "diterima" only when every unit of every line arrived in good
condition.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import PDN_TIER_FULL, ProductVariant
from catalog.services import _made_in_banten, product_stock_refresh
from plazabanten.money import format_rupiah
from plazabanten.services import audit_record, outbox_enqueue
from plazabanten.transitions import Transition, transition, transition_pick
from vendors.models import Capability
from vendors.selectors import shop_scope

from .models import (
    OpdMember,
    Paket,
    PaketAddendum,
    PaketDelivery,
    PaketDeliveryLine,
    PaketDocument,
    PaketEvent,
    PaketLine,
    PaketSignature,
    Role,
)
from .workdays import deadline_after

S = Paket.Status
CREATOR, PPK, SELLER, BENDAHARA, AUDITOR, SYSTEM = "pembuat", "ppk", "penyedia", "bendahara", "auditor", "system"
INSPECTOR = "pemeriksa"
# the order in which an actor with two relations acts
KINDS = (PPK, INSPECTOR, CREATOR, SELLER, BENDAHARA, AUDITOR, SYSTEM)


class PaketTransitionError(Exception):
    """The package is not in a state that allows this action (409)."""


class PaketActionForbidden(PaketTransitionError):
    """This person may not do this to this package, whatever its state (403)."""


class PaketActionInvalid(PaketTransitionError):
    """Bad input for the action: a missing reason, a wrong password, no stock (400/422). Nothing was written."""


# --- guards ------------------------------------------------------------------------------------------------


def _before_seller_deadline(paket: Paket, now: datetime) -> str | None:
    if paket.seller_deadline and now > paket.seller_deadline:
        return _("Batas waktu menanggapi Surat Pesanan sudah lewat (%(date)s WIB); pesanan batal otomatis.") % {
            "date": date_format(timezone.localtime(paket.seller_deadline), "j F Y H:i")}
    return None


def _after_seller_deadline(paket: Paket, now: datetime) -> str | None:
    if not paket.seller_deadline or now <= paket.seller_deadline:
        return _("Batas waktu penyedia belum lewat.")
    return None


def _all_received(paket: Paket, now: datetime) -> str | None:
    """Every unit of every line arrived in good condition (PaketLine.received_quantity sums the inspections)."""
    if any(line.received_quantity != line.quantity or not line.condition_ok for line in paket.lines.all()):
        return _("Belum semua barang diterima sesuai pesanan.")
    return None


def _not_all_received(paket: Paket, now: datetime) -> str | None:
    if _all_received(paket, now) is None:
        return _("Semua barang sudah diterima sesuai pesanan.")
    return None


def _delivery_out(paket: Paket, now: datetime) -> str | None:
    if not paket.deliveries.filter(status=PaketDelivery.Status.SHIPPED).exists():
        return _("Tidak ada pengiriman yang menunggu pemeriksaan.")
    return None


def _back_to_seller(paket: Paket, now: datetime) -> str | None:
    """Nothing is out any more, but not everything arrived: the rest (or the replacement) is the seller's to ship."""
    return _not_all_received(paket, now) or (None if _delivery_out(paket, now) else
                                             _("Masih ada pengiriman yang belum diperiksa."))


def _something_to_ship(paket: Paket, now: datetime) -> str | None:
    if not any(p.outstanding for p in line_progress(paket).values()):
        return _("Semua barang sudah dikirim; tunggu hasil pemeriksaan.")
    return None


def _no_open_addendum(paket: Paket, now: datetime) -> str | None:
    if paket.addenda.filter(status=PaketAddendum.Status.OPEN).exists():
        return _("Masih ada permintaan addendum yang belum ditanggapi; tanggapi atau tarik dulu.")
    return None


def _open_offer_party(paket: Paket) -> str | None:
    from .models import PaketOffer

    return PaketOffer.objects.filter(paket=paket, outcome=PaketOffer.Outcome.OPEN).values_list(
        "party", flat=True).first()


def _negotiation_rounds_left(paket: Paket, now: datetime) -> str | None:
    from .negotiation import rounds_max, rounds_used

    if rounds_used(paket) >= rounds_max():
        return _("Ronde negosiasi sudah habis (paling banyak %(n)s ronde).") % {"n": rounds_max()}
    return None


def _seller_turn(paket: Paket, now: datetime) -> str | None:
    if _open_offer_party(paket) != CREATOR:
        return _("Menunggu tanggapan pembuat paket atas tawaran penyedia.")
    return None


def _creator_turn(paket: Paket, now: datetime) -> str | None:
    if _open_offer_party(paket) != SELLER:
        return _("Menunggu tanggapan penyedia atas tawaran Anda.")
    return None


def _creator_may_counter(paket: Paket, now: datetime) -> str | None:
    return _creator_turn(paket, now) or _negotiation_rounds_left(paket, now)


# --- the table ---------------------------------------------------------------------------------------------


_t = transition

L = gettext_lazy
TRANSITIONS: tuple[Transition, ...] = (
    _t(S.DRAFT, S.MENUNGGU_PPK, {CREATOR}, "paket.submit", slug="ajukan", label=L("Ajukan ke PPK"),
       style="primary", note=L("Diajukan ke PPK.")),
    # Negotiation (e-Katalog "Negosiasi"), before the PPK's review: an offer opens it, the other side answers.
    _t(S.DRAFT, S.NEGOSIASI, {CREATOR}, "paket.nego_offer", slug="nego", label=L("Ajukan negosiasi ke penyedia"),
       form="offer", guard=_negotiation_rounds_left),
    _t(S.NEGOSIASI, S.NEGOSIASI, {SELLER}, "paket.nego_counter", slug="tawar", label=L("Kirim tawaran balik"),
       form="offer", guard=_seller_turn),
    _t(S.NEGOSIASI, S.NEGOSIASI, {CREATOR}, "paket.nego_counter", slug="tawar", label=L("Kirim tawaran baru"),
       form="offer", guard=_creator_may_counter),
    _t(S.NEGOSIASI, S.MENUNGGU_PPK, {SELLER}, "paket.nego_accept", slug="setujui-nego", label=L("Setujui tawaran"),
       style="primary", form="answer", guard=_seller_turn),
    _t(S.NEGOSIASI, S.MENUNGGU_PPK, {CREATOR}, "paket.nego_accept", slug="setujui-nego",
       label=L("Setujui tawaran & ajukan ke PPK"), style="primary", form="answer", guard=_creator_turn),
    _t(S.NEGOSIASI, S.DRAFT, {SELLER}, "paket.nego_decline", slug="tolak-nego", label=L("Tolak negosiasi"),
       reason_required=True, form="reason", style="danger", guard=_seller_turn),
    _t(S.NEGOSIASI, S.DRAFT, {CREATOR}, "paket.nego_withdraw", slug="akhiri-nego", label=L("Akhiri negosiasi"),
       reason_required=True, form="reason", style="danger"),
    _t(S.DRAFT, S.DIBATALKAN, {CREATOR}, "paket.cancel", slug="batalkan", label=L("Batalkan paket"),
       reason_required=True, form="reason", style="danger"),
    _t(S.MENUNGGU_PPK, S.DRAFT, {PPK}, "paket.return", slug="kembalikan", label=L("Kembalikan ke pembuat"),
       reason_required=True, form="reason"),
    _t(S.MENUNGGU_PPK, S.SP_TERBIT, {PPK}, "paket.sp_sign", slug="terbitkan-sp",
       label=L("Setujui & tandatangani Surat Pesanan"), form="sign", style="primary",
       note=L("PPK menerbitkan dan menandatangani Surat Pesanan.")),
    _t(S.MENUNGGU_PPK, S.DIBATALKAN, {PPK}, "paket.cancel", slug="batalkan", label=L("Batalkan paket"),
       reason_required=True, form="reason", style="danger"),
    _t(S.SP_TERBIT, S.DIPROSES, {SELLER}, "paket.seller_accept", slug="terima",
       label=L("Terima & tandatangani Surat Pesanan"), form="sign", style="primary", guard=_before_seller_deadline,
       note=L("Penyedia menerima dan menandatangani Surat Pesanan.")),
    _t(S.SP_TERBIT, S.DITOLAK_PENYEDIA, {SELLER}, "paket.seller_decline", slug="tolak", label=L("Tolak pesanan"),
       reason_required=True, form="reason", style="danger", guard=_before_seller_deadline),
    _t(S.SP_TERBIT, S.BATAL_OTOMATIS, {SYSTEM}, "paket.auto_cancel", guard=_after_seller_deadline,
       note=L("Penyedia tidak menanggapi dalam 3 hari kerja; pesanan batal otomatis dan stok dikembalikan.")),
    _t(S.DIPROSES, S.DIKIRIM, {SELLER}, "paket.ship", slug="kirim", label=L("Kirim barang"), form="ship",
       style="primary", guard=_something_to_ship),
    _t(S.DIKIRIM, S.DIKIRIM, {SELLER}, "paket.ship", slug="kirim", label=L("Kirim barang lagi"), form="ship",
       guard=_something_to_ship),
    # An inspection of one delivery ends in one of three states, by what is left: nothing (diterima), another
    # delivery still out (dikirim), or units still to ship or to replace (back to the seller, diproses).
    _t(S.DIKIRIM, S.DITERIMA, {PPK, INSPECTOR}, "paket.inspect", slug="periksa", label=L("Catat pemeriksaan"),
       form="inspect", style="primary", guard=_all_received,
       note=L("Semua barang diterima dan lolos pemeriksaan tepat guna.")),
    _t(S.DIKIRIM, S.DIKIRIM, {PPK, INSPECTOR}, "paket.inspect", slug="periksa", label=L("Catat pemeriksaan"),
       form="inspect", guard=_delivery_out),
    _t(S.DIKIRIM, S.DIPROSES, {PPK, INSPECTOR}, "paket.inspect", slug="periksa", label=L("Catat pemeriksaan"),
       form="inspect", guard=_back_to_seller),
    # What an accepted addendum may cause: less to deliver than already arrived, or more than arrived.
    _t(S.DIPROSES, S.DITERIMA, {SYSTEM}, "paket.addendum_received", guard=_all_received,
       note=L("Setelah addendum, semua barang sudah diterima dan lolos pemeriksaan.")),
    _t(S.DITERIMA, S.DIPROSES, {SYSTEM}, "paket.addendum_more", guard=_not_all_received,
       note=L("Addendum menambah jumlah barang; penyedia mengirim sisanya.")),
    _t(S.DITERIMA, S.BAST_PPK, {PPK}, "paket.bast_sign_ppk", slug="tandatangani-bast",
       label=L("Buat & tandatangani BAST"), form="sign", style="primary", guard=_no_open_addendum,
       note=L("PPK membuat dan menandatangani BAST.")),
    _t(S.BAST_PPK, S.SUDAH_BAST, {SELLER}, "paket.bast_sign_seller", slug="tandatangani-bast",
       label=L("Tandatangani BAST"), form="sign", style="primary", note=L("Penyedia menandatangani BAST.")),
    _t(S.SUDAH_BAST, S.MENUNGGU_PEMBAYARAN, {SYSTEM}, "paket.invoice",
       note=L("Invoice dan kuitansi terbit; menunggu pembayaran oleh Bendahara.")),
    _t(S.MENUNGGU_PEMBAYARAN, S.DIBAYAR, {SYSTEM}, "paket.paid", note=L("Pembayaran diterima.")),
    _t(S.DIBAYAR, S.SELESAI, {SYSTEM}, "paket.close", note=L("Dana diteruskan ke saldo penyedia.")),
)
WHO_LABELS = {CREATOR: L("pembuat paket"), PPK: L("PPK"), INSPECTOR: L("pemeriksa"), SELLER: L("penyedia"),
              BENDAHARA: L("bendahara"), AUDITOR: L("auditor"), SYSTEM: L("sistem")}
ENDED = {S.DITOLAK_PENYEDIA, S.BATAL_OTOMATIS, S.DIBATALKAN, S.SELESAI}


# --- who is acting ----------------------------------------------------------------------------------------


def member_of(user) -> OpdMember | None:
    if user is None or not user.is_authenticated:
        return None
    return OpdMember.objects.select_related("opd").filter(user=user).first()


def actor_kinds(*, paket: Paket, user) -> frozenset[str]:
    """What this person is to this package, from their OpdMember row and shop membership only."""
    if user is None:
        return frozenset({SYSTEM})
    if not user.is_authenticated:
        return frozenset()
    kinds = set()
    member = member_of(user)
    if member is not None and member.opd_id == paket.opd_id:
        if paket.created_by_id == user.pk and member.has(paket.created_as):
            kinds.add(CREATOR)
        if paket.ppk_id == user.pk and member.has(Role.PPK):
            kinds.add(PPK)
        if paket.inspector_id == user.pk and member.has(Role.PEMERIKSA):
            kinds.add(INSPECTOR)
        if member.has(Role.BENDAHARA):
            kinds.add(BENDAHARA)
        if member.has(Role.AUDITOR):
            kinds.add(AUDITOR)
        if member.roles:
            kinds.add("opd")  # may read the package
    if shop_scope(user=user, capability=Capability.ORDERS).filter(pk=paket.shop_id).exists():
        kinds.add(SELLER)
    return frozenset(kinds)


def _state_error(paket: Paket) -> PaketTransitionError:
    return PaketTransitionError(_("Paket %(code)s berstatus “%(status)s”; tindakan ini tidak bisa dilakukan.")
                                % {"code": paket.code, "status": paket.get_status_display()})


def _forbidden(paket: Paket) -> PaketActionForbidden:
    return PaketActionForbidden(_("Anda tidak berhak melakukan tindakan ini pada paket %(code)s.")
                                % {"code": paket.code})


def transition_for(*, paket: Paket, to_status: str, kinds: frozenset[str], now: datetime) -> tuple[Transition, str]:
    return transition_pick(table=TRANSITIONS, subject=paket, target=to_status, kinds=kinds, kinds_order=KINDS,
                           now=now, no_such=lambda: _state_error(paket), not_yours=lambda: _forbidden(paket),
                           refused=PaketTransitionError)


@dataclass(frozen=True)
class Action:
    slug: str
    label: str
    kind: str
    style: str
    form: str


def paket_actions_for(paket: Paket, user, *, side: str | None = None, now: datetime | None = None) -> list[Action]:
    """The buttons this person gets on this package now (optionally only the seller's or only the OPD's)."""
    now = now or timezone.now()
    kinds = actor_kinds(paket=paket, user=user)
    if side == SELLER:
        kinds &= {SELLER}
    elif side == "opd":
        kinds -= {SELLER}
    actions, seen = [], set()
    for row in TRANSITIONS:
        if row.source != paket.status or not row.slug or row.slug in seen or not row.who & kinds:
            continue
        if row.guard and row.form != "inspect" and row.guard(paket, now):
            continue
        seen.add(row.slug)
        actions.append(Action(slug=row.slug, label=str(row.label), kind=next(k for k in KINDS if k in row.who & kinds),
                              style=row.style, form=row.form))
    return actions


def paket_action_resolve(*, paket: Paket, user, slug: str) -> list[Transition]:
    """The transitions a view action stands for on this package now. LookupError: no such action (404);
    PaketActionForbidden (403); PaketTransitionError: not from this state (409)."""
    rows = [t for t in TRANSITIONS if t.slug == slug]
    if not rows:
        raise LookupError(slug)
    kinds = actor_kinds(paket=paket, user=user)
    if not any(t.who & kinds for t in rows):
        raise _forbidden(paket)
    here = [t for t in rows if t.source == paket.status and t.who & kinds]
    if not here:
        raise _state_error(paket)
    return here


# --- stock ---------------------------------------------------------------------------------------------------


def _locked_variants(paket: Paket) -> tuple[list[PaketLine], dict[int, ProductVariant]]:
    """Variants then products in primary-key order, the order every stock writer follows (orders/stock.py)."""
    lines = list(paket.lines.all())
    variants = {v.pk: v for v in ProductVariant.objects.select_for_update().filter(
        pk__in=[line.variant_id for line in lines]).order_by("pk").select_related("product")}
    return lines, variants


def _stock_reserve(paket: Paket) -> None:
    """The SP is issued: the package's units are held (``allocated`` += quantity) as an unpaid consumer order's
    are, so the storefront stops selling them."""
    lines, variants = _locked_variants(paket)
    short = [line.name for line in lines if variants[line.variant_id].stock - variants[line.variant_id].allocated
             < line.quantity or variants[line.variant_id].archived_at is not None]
    if short:
        raise PaketActionInvalid(_("Stok penyedia tidak cukup untuk: %(items)s. Kembalikan paket ke pembuat untuk "
                                   "mengubah jumlah.") % {"items": ", ".join(short)})
    for line in sorted(lines, key=lambda line: line.variant_id):
        ProductVariant.objects.filter(pk=line.variant_id).update(allocated=F("allocated") + line.quantity)
    product_stock_refresh(product_ids=[v.product_id for v in variants.values()])
    paket.stock = Paket.Stock.RESERVED


def _stock_release(paket: Paket) -> None:
    if paket.stock != Paket.Stock.RESERVED:
        return
    lines, variants = _locked_variants(paket)
    for line in sorted(lines, key=lambda line: line.variant_id):
        ProductVariant.objects.filter(pk=line.variant_id).update(allocated=F("allocated") - line.quantity)
    product_stock_refresh(product_ids=[v.product_id for v in variants.values()])
    paket.stock = Paket.Stock.RELEASED


@dataclass(frozen=True)
class Progress:
    """One line's deliveries so far: units shipped (all deliveries), accepted (received in good condition), out
    (in deliveries not inspected yet), and still to ship (outstanding)."""

    quantity: int
    shipped: int
    accepted: int
    out: int

    @property
    def outstanding(self) -> int:
        return max(self.quantity - self.accepted - self.out, 0)

    @property
    def committed(self) -> int:
        """What an addendum may not go below: units arrived or on their way."""
        return self.accepted + self.out

    @property
    def held(self) -> int:
        """Units the package still holds in the shop's stock (allocated): the first `quantity` units shipped leave
        the stock; replacements of missing or damaged units do not take more (the seller corrects the stock)."""
        return self.quantity - min(self.shipped, self.quantity)


def line_progress(paket: Paket) -> dict[int, Progress]:
    rows = {line.pk: {"quantity": line.quantity, "shipped": 0, "accepted": 0, "out": 0}
            for line in paket.lines.all()}
    for row in PaketDeliveryLine.objects.filter(delivery__paket=paket).select_related("delivery"):
        line = rows[row.line_id]
        line["shipped"] += row.quantity
        if row.delivery.status == PaketDelivery.Status.SHIPPED:
            line["out"] += row.quantity
        else:
            line["accepted"] += row.accepted
    return {pk: Progress(**row) for pk, row in rows.items()}


def _stock_move(paket: Paket, held_before: dict[int, int], held_after: dict[int, int], *, shipped: bool) -> None:
    """Change what the package holds of each line's variant, under the variant locks (pk order). shipped: the
    units left the shop (allocated and stock go down together); else the hold grows (checked against what is
    available) or shrinks."""
    lines, variants = _locked_variants(paket)
    short = []
    for line in sorted(lines, key=lambda line: line.variant_id):
        delta = held_after[line.pk] - held_before[line.pk]
        if not delta:
            continue
        variant = variants[line.variant_id]
        if shipped:
            ProductVariant.objects.filter(pk=variant.pk).update(allocated=F("allocated") + delta,
                                                                stock=F("stock") + delta)
        elif delta > 0 and (variant.stock - variant.allocated < delta or variant.archived_at is not None):
            short.append(line.name)
        else:
            ProductVariant.objects.filter(pk=variant.pk).update(allocated=F("allocated") + delta)
    if short:
        raise PaketActionInvalid(_("Stok penyedia tidak cukup untuk menambah: %(items)s.")
                                 % {"items": ", ".join(short)})
    product_stock_refresh(product_ids=[v.product_id for v in variants.values()])
    paket.stock = Paket.Stock.RESERVED if any(held_after.values()) else Paket.Stock.SHIPPED


def _delivery_create(*, paket: Paket, actor, fields: dict, shipment: dict) -> PaketDelivery:
    """The seller ships some (or all) of what is left, to one of the package's addresses."""
    progress = line_progress(paket)
    quantities = shipment.get("lines")
    if quantities is None:
        quantities = {pk: p.outstanding for pk, p in progress.items()}
    lines = {line.pk: line for line in paket.lines.all()}
    if set(quantities) - set(lines):
        raise PaketActionInvalid(_("Barang itu bukan bagian dari paket ini."))
    for pk, quantity in quantities.items():
        if quantity < 0 or quantity > progress[pk].outstanding:
            raise PaketActionInvalid(_("Jumlah kirim %(name)s 0–%(n)s (yang belum dikirim).")
                                     % {"name": lines[pk].name, "n": progress[pk].outstanding})
    quantities = {pk: q for pk, q in quantities.items() if q}
    if not quantities:
        raise PaketActionInvalid(_("Isi jumlah barang yang dikirim."))
    address = shipment.get("address") or paket.alamat_kirim
    if address not in paket.addresses:
        raise PaketActionInvalid(_("Pilih salah satu alamat pengiriman paket ini."))
    seq = (paket.deliveries.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    delivery = PaketDelivery.objects.create(paket=paket, seq=seq, address=address, courier=fields["courier"],
                                            tracking_number=fields.get("tracking_number", ""), shipped_by=actor)
    PaketDeliveryLine.objects.bulk_create([PaketDeliveryLine(delivery=delivery, line_id=pk, quantity=q)
                                           for pk, q in sorted(quantities.items())])
    after = {pk: Progress(p.quantity, p.shipped + quantities.get(pk, 0), p.accepted, p.out)
             for pk, p in progress.items()}
    _stock_move(paket, {pk: p.held for pk, p in progress.items()}, {pk: p.held for pk, p in after.items()},
                shipped=True)
    return delivery


def _delivery_inspect(*, paket: Paket, actor, delivery_id: int | None, lines: dict[int, tuple[int, bool, str]],
                      now: datetime) -> tuple[PaketDelivery, str]:
    """Record the inspection of one delivery (the oldest one out when none is named) line by line; return it and
    the timeline note (the complaint, when it does not match)."""
    out = paket.deliveries.select_for_update().filter(status=PaketDelivery.Status.SHIPPED)
    delivery = (out.filter(pk=delivery_id) if delivery_id else out.order_by("seq")).first()
    if delivery is None:
        raise PaketTransitionError(_("Pengiriman ini sudah diperiksa atau bukan bagian dari paket ini."))
    rows = list(delivery.lines.select_related("line"))
    if set(lines) != {row.line_id for row in rows}:
        raise PaketActionInvalid(_("Isi hasil pemeriksaan setiap barang."))
    wrong = []
    for row in rows:
        received, ok, note = lines[row.line_id]
        if received < 0 or received > row.quantity:
            raise PaketActionInvalid(_("Jumlah diterima %(name)s 0–%(n)s (yang dikirim dalam pengiriman ini).")
                                     % {"name": row.line.name, "n": row.quantity})
        row.received_quantity, row.condition_ok, row.note = received, ok, (note or "")[:200]
        row.save(update_fields=["received_quantity", "condition_ok", "note"])
        if received != row.quantity or not ok:
            wrong.append(f"{row.line.name} (diterima {received}/{row.quantity}{'' if ok else ', kondisi tidak baik'}"
                         f"{'; ' + row.note if row.note else ''})")
    delivery.status = PaketDelivery.Status.MISMATCH if wrong else PaketDelivery.Status.ACCEPTED
    delivery.inspected_by, delivery.inspected_at = actor, now
    if wrong:
        delivery.complaint = (_("Pengiriman %(n)s tidak sesuai: %(items)s. Dikembalikan ke penyedia untuk "
                                "dikirim ulang.") % {"n": delivery.seq, "items": "; ".join(wrong)})[:500]
    delivery.save(update_fields=["status", "inspected_by", "inspected_at", "complaint"])
    lines_summarise(paket)
    note = delivery.complaint or _("Pengiriman %(n)s diterima dan sesuai.") % {"n": delivery.seq}
    return delivery, note


def lines_summarise(paket: Paket) -> None:
    """PaketLine's inspection fields follow the deliveries: units accepted, and whether that is all of them."""
    progress = line_progress(paket)
    notes = dict(PaketDeliveryLine.objects.filter(delivery__paket=paket).exclude(note="")
                 .order_by("line_id", "pk").values_list("line_id", "note"))
    for line in paket.lines.all():
        p = progress[line.pk]
        inspected = p.shipped > p.out
        received = p.accepted if inspected else None
        complete = (p.accepted == line.quantity) if inspected else None
        note = notes.get(line.pk, line.inspection_note)
        if (line.received_quantity, line.condition_ok, line.inspection_note) != (received, complete, note):
            line.received_quantity, line.condition_ok, line.inspection_note = received, complete, note
            line.save(update_fields=["received_quantity", "condition_ok", "inspection_note"])
    paket._prefetched_objects_cache = {}  # the guards read the lines again


# --- the service -----------------------------------------------------------------------------------------------


def _sign(*, paket: Paket, kind: str, party: str, signer) -> PaketSignature:
    document = PaketDocument.objects.get(paket=paket, kind=kind)
    return PaketSignature.objects.create(document=document, party=party, signer=signer, sha256=document.sha256)


class SigningLocked(PaketActionInvalid):
    """Too many wrong passwords on the signing form in a row (429)."""


SIGN_FAILURES_MAX, SIGN_LOCK_SECONDS = 5, 900


def password_confirm(*, user, password: str) -> None:
    """Step-up for signing: the signer types their password again (checked before any lock is taken). Five
    wrong passwords lock signing for 15 minutes (login has its own limits; this form must not become an
    unthrottled password oracle)."""
    from django.core.cache import cache

    key = f"procurement:sign-failures:{user.pk}"
    if (cache.get(key) or 0) >= SIGN_FAILURES_MAX:
        raise SigningLocked(_("Terlalu banyak kata sandi salah. Coba tanda tangan lagi 15 menit lagi."))
    if not password or not user.check_password(password):
        if not cache.add(key, 1, SIGN_LOCK_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, SIGN_LOCK_SECONDS)
        raise PaketActionInvalid(_("Kata sandi salah. Tanda tangan membutuhkan kata sandi akun Anda."))


def paket_transition(*, paket_id: int, to_status: str, actor=None, note: str = "", password: str | None = None,
                     fields: dict | None = None, lines: dict[int, tuple[int, bool, str]] | None = None,
                     offer: dict[int, tuple[int, int]] | None = None, answering: int | None = None,
                     shipment: dict | None = None, delivery_id: int | None = None) -> Paket:
    """Move one package along the table: checked against what the actor is to the package, locked, evented,
    audited, notified. A "sign" transition needs the actor's password; "ship" takes fields (courier, resi) and
    the shipment {"lines": {line id: quantity} (None: all that is left), "address": one of the package's};
    "inspect" takes lines {line id: (received quantity, condition ok, note)} of one delivery (delivery_id, or
    the oldest one out); "offer" takes offer {line id: (unit price, quantity)}. A negotiation step may name the
    offer it answers (answering): a newer one refuses it."""
    from .documents import paket_document_issue

    now = timezone.now()
    if actor is not None and password is not None:
        password_confirm(user=actor, password=password)  # before any lock: hashing takes a while
    with transaction.atomic():
        paket = Paket.objects.select_for_update(of=("self",)).select_related("opd", "shop", "ppk").get(pk=paket_id)
        delivery_note, inspected = "", None
        if lines is not None:
            if paket.status != S.DIKIRIM:
                raise _state_error(paket)
            if not actor_kinds(paket=paket, user=actor) & {PPK, INSPECTOR}:
                raise _forbidden(paket)
            inspected, delivery_note = _delivery_inspect(paket=paket, actor=actor, delivery_id=delivery_id,
                                                         lines=lines, now=now)
            to_status = (S.DITERIMA if _all_received(paket, now) is None else
                         S.DIKIRIM if _delivery_out(paket, now) is None else S.DIPROSES)
        row, kind = transition_for(paket=paket, to_status=to_status, kinds=actor_kinds(paket=paket, user=actor),
                                   now=now)
        if row.form == "sign" and actor is not None and password is None:
            raise PaketActionInvalid(_("Tanda tangan membutuhkan kata sandi akun Anda."))
        if row.form == "inspect" and lines is None:
            raise PaketActionInvalid(_("Isi hasil pemeriksaan setiap barang."))
        if row.form == "ship" and fields is None:
            raise PaketActionInvalid(_("Isi jasa kirim."))
        if row.form == "offer" and offer is None:
            raise PaketActionInvalid(_("Isi harga dan jumlah setiap barang."))
        note = (note or "").strip()[:300]
        if row.reason_required and not note:
            raise PaketActionInvalid(_("Tuliskan alasannya."))
        previous = paket.status
        if note and row.form != "offer":
            paket.reason = note
        for name, value in (fields or {}).items():
            setattr(paket, name, value)
        event_note = note or str(row.note)
        negotiation = S.NEGOSIASI in (row.source, row.target)
        if negotiation:
            from .negotiation import negotiation_step

            event_note = negotiation_step(paket=paket, row=row, kind=kind, actor=actor, offer=offer,
                                          answering=answering, note=note, now=now)
        _effects(paket=paket, row=row, actor=actor, now=now, issue=paket_document_issue)
        if row.form == "ship":
            delivery = _delivery_create(paket=paket, actor=actor, fields=fields, shipment=shipment or {})
            event_note = _("Pengiriman %(n)s ke %(address)s dengan %(courier)s%(resi)s: %(items)s.") % {
                "n": delivery.seq, "address": delivery.address, "courier": delivery.courier,
                "resi": f", resi {delivery.tracking_number}" if delivery.tracking_number else "",
                "items": ", ".join(f"{row.quantity} × {row.line.name}"
                                   for row in delivery.lines.select_related("line"))}
        if delivery_note:
            event_note = delivery_note
            if row.target == S.DITERIMA:
                event_note += " " + str(row.note)
            if inspected.status == PaketDelivery.Status.MISMATCH:
                paket.reason = delivery_note[:300]
        paket.status = row.target
        paket.status_changed_at = now
        paket.save()
        PaketEvent.objects.create(paket=paket, actor=actor, actor_kind=kind, from_status=previous,
                                  to_status=row.target, note=event_note[:500])
        audit_record(actor=actor, action=row.audit, target=paket, before={"status": previous},
                     after={"status": row.target, **{k: str(v) for k, v in (fields or {}).items()}}, reason=event_note)
        _notify(paket=paket, kind=kind, news=event_note if negotiation else "",
                other_party_only=negotiation and row.target != S.MENUNGGU_PPK)
        if row.target == S.SUDAH_BAST:
            from .payment import paket_invoice_issue

            paket_invoice_issue(paket=paket)
            _system_step(paket=paket, to_status=S.MENUNGGU_PEMBAYARAN, now=now)
    return paket


def _system_step(*, paket: Paket, to_status: str, now: datetime, note: str = "") -> None:
    """A step the system takes right after another inside the same transaction (the package already locked)."""
    row, kind = transition_for(paket=paket, to_status=to_status, kinds=frozenset({SYSTEM}), now=now)
    previous = paket.status
    paket.status, paket.status_changed_at = row.target, now
    _effects(paket=paket, row=row, actor=None, now=now, issue=None)
    paket.save()
    PaketEvent.objects.create(paket=paket, actor=None, actor_kind=kind, from_status=previous, to_status=row.target,
                              note=(note or str(row.note))[:500])
    audit_record(actor=None, action=row.audit, target=paket, before={"status": previous},
                 after={"status": row.target})
    _notify(paket=paket, kind=kind)


def _effects(*, paket: Paket, row: Transition, actor, now: datetime, issue) -> None:
    target = row.target
    if target == S.SP_TERBIT:
        _stock_reserve(paket)
        _class_snapshot(paket)
        issue(paket=paket, kind=PaketDocument.Kind.SP)
        _sign(paket=paket, kind=PaketDocument.Kind.SP, party=PaketSignature.Party.PPK, signer=actor)
        from django.conf import settings

        paket.seller_deadline = deadline_after(now, settings.PROCUREMENT_SELLER_WORKING_DAYS)
    elif target == S.DIPROSES and row.source == S.SP_TERBIT:
        _sign(paket=paket, kind=PaketDocument.Kind.SP, party=PaketSignature.Party.PENYEDIA, signer=actor)
    elif target in (S.DITOLAK_PENYEDIA, S.BATAL_OTOMATIS, S.DIBATALKAN):
        _stock_release(paket)
    elif target == S.BAST_PPK:
        issue(paket=paket, kind=PaketDocument.Kind.BAST)
        _sign(paket=paket, kind=PaketDocument.Kind.BAST, party=PaketSignature.Party.PPK, signer=actor)
    elif target == S.SUDAH_BAST:
        _sign(paket=paket, kind=PaketDocument.Kind.BAST, party=PaketSignature.Party.PENYEDIA, signer=actor)


def seller_may_see(paket: Paket) -> bool:
    """The seller sees a package from its Surat Pesanan on, or once it was offered a negotiation."""
    from .models import PaketOffer

    return paket.status not in (S.DRAFT, S.MENUNGGU_PPK) or PaketOffer.objects.filter(paket=paket).exists()


def _class_snapshot(paket: Paket) -> None:
    """When the SP is issued: the shop's class and place and each line's PDN status as they are now, for the 40%
    realisation (procurement.realisation). Later changes of the shop or the product do not rewrite them."""
    shop = paket.shop
    paket.shop_umkm_class = "koperasi" if shop.is_koperasi else shop.umkm_class
    paket.shop_umk, paket.shop_banten = shop.is_umk, _made_in_banten(shop)
    lines = list(paket.lines.select_related("variant__product"))
    for line in lines:
        line.pdn = line.variant.product.pdn_tier == PDN_TIER_FULL
    PaketLine.objects.bulk_update(lines, ["pdn"])
    paket.pdn_amount = sum(line.line_total for line in lines if line.pdn)


def _notify(*, paket: Paket, kind: str, news: str = "", other_party_only: bool = False) -> None:
    """Email + in-app to the package's people. A negotiation step (news: its timeline note) goes only to the
    other party of the negotiation, the seller or the package's creator."""
    status = paket.get_status_display()
    subject = _("Paket %(code)s: %(status)s") % {"code": paket.code, "status": status}
    body = _("Paket “%(name)s” (%(total)s) sekarang: %(status)s.") % {
        "name": paket.nama, "total": format_rupiah(paket.total), "status": status}
    if paket.status == S.SP_TERBIT and paket.seller_deadline:
        body += " " + _("Tanggapi paling lambat %(date)s WIB.") % {
            "date": date_format(timezone.localtime(paket.seller_deadline), "j F Y H:i")}
    if paket.status == S.DIPROSES:
        body += " " + _("Barang diminta tiba paling lambat %(date)s.") % {
            "date": date_format(paket.permintaan_tiba, "l, j F Y")}
    if paket.status == S.MENUNGGU_PEMBAYARAN and paket.order_id:
        body += " " + _("Bayar dengan virtual account atau KKPD paling lambat %(date)s WIB.") % {
            "date": date_format(timezone.localtime(paket.order.payment_deadline), "l, j F Y H:i")}
    if news:
        body += " " + news
    elif paket.reason and paket.status in (S.DRAFT, S.DITOLAK_PENYEDIA, S.DIBATALKAN, S.DIPROSES):
        body += " " + _("Catatan: %(reason)s") % {"reason": paket.reason}
    opd_url = reverse("procurement:paket", args=[paket.pk])
    recipients = {paket.created_by_id: paket.created_by, paket.ppk_id: paket.ppk}
    if other_party_only:
        recipients = {paket.created_by_id: paket.created_by} if kind == SELLER else {}
    elif paket.inspector_id and paket.status == S.DIKIRIM:
        recipients[paket.inspector_id] = paket.inspector
    if paket.status == S.MENUNGGU_PEMBAYARAN:
        for member in OpdMember.objects.filter(opd_id=paket.opd_id, roles__contains=[Role.BENDAHARA]).select_related(
                "user"):
            recipients[member.user_id] = member.user
    if kind != SELLER and seller_may_see(paket):
        outbox_enqueue(recipient=paket.shop.owner, subject=subject, body=body,
                       url=reverse("procurement:shop_paket", args=[paket.shop_id, paket.pk]))
    for user in recipients.values():
        outbox_enqueue(recipient=user, subject=subject, body=body, url=opd_url)
