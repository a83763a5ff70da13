"""The package lifecycle: one table of transitions drives the service, the view actions and the buttons
(as orders/lifecycle.py does for consumer orders).

Who may move a package is never a parameter: it follows from the actor's OpdMember row (the package's creator
still holding the role they created it as, the package's PPK still holding the PPK role, a Bendahara of the
OPD) or their shop membership (the seller, with the orders capability); actor None is the system (beat jobs,
the payment path). Every transition locks the package row, writes a PaketEvent and an audit row, and notifies
the other side. Signing (the SP by the PPK and the seller, the BAST by both) is a transition whose form asks
for the signer's password again.
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

from .models import OpdMember, Paket, PaketDocument, PaketEvent, PaketLine, PaketSignature, Role
from .workdays import deadline_after

S = Paket.Status
CREATOR, PPK, SELLER, BENDAHARA, AUDITOR, SYSTEM = "pembuat", "ppk", "penyedia", "bendahara", "auditor", "system"
KINDS = (PPK, CREATOR, SELLER, BENDAHARA, AUDITOR, SYSTEM)  # the order in which an actor with two relations acts


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


def _inspection_matches(paket: Paket, now: datetime) -> str | None:
    if any(line.received_quantity != line.quantity or not line.condition_ok for line in paket.lines.all()):
        return _("Hasil pemeriksaan tidak sesuai pesanan.")
    return None


def _inspection_mismatch(paket: Paket, now: datetime) -> str | None:
    if _inspection_matches(paket, now) is None:
        return _("Hasil pemeriksaan sesuai pesanan.")
    return None


# --- the table ---------------------------------------------------------------------------------------------


_t = transition

L = gettext_lazy
TRANSITIONS: tuple[Transition, ...] = (
    _t(S.DRAFT, S.MENUNGGU_PPK, {CREATOR}, "paket.submit", slug="ajukan", label=L("Ajukan ke PPK"),
       style="primary", note=L("Diajukan ke PPK.")),
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
       style="primary"),
    _t(S.DIKIRIM, S.DITERIMA, {PPK}, "paket.inspect", slug="periksa", label=L("Catat pemeriksaan"),
       form="inspect", style="primary", guard=_inspection_matches,
       note=L("Barang diterima dan lolos pemeriksaan tepat guna.")),
    _t(S.DIKIRIM, S.DIPROSES, {PPK}, "paket.mismatch", slug="periksa", label=L("Catat pemeriksaan"),
       form="inspect", guard=_inspection_mismatch),
    _t(S.DITERIMA, S.BAST_PPK, {PPK}, "paket.bast_sign_ppk", slug="tandatangani-bast",
       label=L("Buat & tandatangani BAST"), form="sign", style="primary",
       note=L("PPK membuat dan menandatangani BAST.")),
    _t(S.BAST_PPK, S.SUDAH_BAST, {SELLER}, "paket.bast_sign_seller", slug="tandatangani-bast",
       label=L("Tandatangani BAST"), form="sign", style="primary", note=L("Penyedia menandatangani BAST.")),
    _t(S.SUDAH_BAST, S.MENUNGGU_PEMBAYARAN, {SYSTEM}, "paket.invoice",
       note=L("Invoice dan kuitansi terbit; menunggu pembayaran oleh Bendahara.")),
    _t(S.MENUNGGU_PEMBAYARAN, S.DIBAYAR, {SYSTEM}, "paket.paid", note=L("Pembayaran diterima.")),
    _t(S.DIBAYAR, S.SELESAI, {SYSTEM}, "paket.close", note=L("Dana diteruskan ke saldo penyedia.")),
)
WHO_LABELS = {CREATOR: L("pembuat paket"), PPK: L("PPK"), SELLER: L("penyedia"), BENDAHARA: L("bendahara"),
              AUDITOR: L("auditor"), SYSTEM: L("sistem")}
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


def _stock_ship(paket: Paket) -> None:
    """The goods leave the shop: the held units leave the physical stock too (once; a re-shipment after a
    mismatch takes nothing more)."""
    if paket.stock != Paket.Stock.RESERVED:
        return
    lines, _variants = _locked_variants(paket)
    for line in sorted(lines, key=lambda line: line.variant_id):
        ProductVariant.objects.filter(pk=line.variant_id).update(allocated=F("allocated") - line.quantity,
                                                                 stock=F("stock") - line.quantity)
    paket.stock = Paket.Stock.SHIPPED


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
                     fields: dict | None = None, lines: dict[int, tuple[int, bool, str]] | None = None) -> Paket:
    """Move one package along the table: checked against what the actor is to the package, locked, evented,
    audited, notified. A "sign" transition needs the actor's password; "ship" takes fields (courier, resi);
    "inspect" takes lines {line id: (received quantity, condition ok, note)}."""
    from .documents import paket_document_issue

    now = timezone.now()
    if actor is not None and password is not None:
        password_confirm(user=actor, password=password)  # before any lock: hashing takes a while
    with transaction.atomic():
        paket = Paket.objects.select_for_update(of=("self",)).select_related("opd", "shop", "ppk").get(pk=paket_id)
        if lines is not None:
            if paket.status != S.DIKIRIM:
                raise _state_error(paket)
            _inspection_record(paket=paket, lines=lines)
            to_status = S.DITERIMA if _inspection_matches(paket, now) is None else S.DIPROSES
        row, kind = transition_for(paket=paket, to_status=to_status, kinds=actor_kinds(paket=paket, user=actor),
                                   now=now)
        if row.form == "sign" and actor is not None and password is None:
            raise PaketActionInvalid(_("Tanda tangan membutuhkan kata sandi akun Anda."))
        if row.form == "inspect" and lines is None:
            raise PaketActionInvalid(_("Isi hasil pemeriksaan setiap barang."))
        if row.form == "ship" and fields is None:
            raise PaketActionInvalid(_("Isi jasa kirim."))
        note = (note or "").strip()[:300]
        if row.reason_required and not note:
            raise PaketActionInvalid(_("Tuliskan alasannya."))
        previous = paket.status
        if note:
            paket.reason = note
        for name, value in (fields or {}).items():
            setattr(paket, name, value)
        event_note = note or str(row.note)
        _effects(paket=paket, row=row, actor=actor, now=now, issue=paket_document_issue)
        if row.target == S.DIPROSES and previous == S.DIKIRIM:
            mismatched = [f"{line.name} (diterima {line.received_quantity}/{line.quantity}"
                          f"{'' if line.condition_ok else ', kondisi tidak baik'})" for line in paket.lines.all()
                          if line.received_quantity != line.quantity or not line.condition_ok]
            event_note = _("Tidak sesuai: %(items)s. Dikembalikan ke penyedia.") % {"items": "; ".join(mismatched)}
            paket.reason = event_note[:300]
        paket.status = row.target
        paket.status_changed_at = now
        paket.save()
        PaketEvent.objects.create(paket=paket, actor=actor, actor_kind=kind, from_status=previous,
                                  to_status=row.target, note=event_note[:500])
        audit_record(actor=actor, action=row.audit, target=paket, before={"status": previous},
                     after={"status": row.target, **{k: str(v) for k, v in (fields or {}).items()}}, reason=event_note)
        _notify(paket=paket, kind=kind)
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
    elif target == S.DIKIRIM:
        _stock_ship(paket)
    elif target == S.BAST_PPK:
        issue(paket=paket, kind=PaketDocument.Kind.BAST)
        _sign(paket=paket, kind=PaketDocument.Kind.BAST, party=PaketSignature.Party.PPK, signer=actor)
    elif target == S.SUDAH_BAST:
        _sign(paket=paket, kind=PaketDocument.Kind.BAST, party=PaketSignature.Party.PENYEDIA, signer=actor)


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


def _inspection_record(*, paket: Paket, lines: dict[int, tuple[int, bool, str]]) -> None:
    rows = list(paket.lines.all())
    if set(lines) != {line.pk for line in rows}:
        raise PaketActionInvalid(_("Isi hasil pemeriksaan setiap barang."))
    for line in rows:
        received, ok, note = lines[line.pk]
        if received < 0 or received > line.quantity * 10:
            raise PaketActionInvalid(_("Jumlah diterima untuk %(name)s tidak masuk akal.") % {"name": line.name})
        line.received_quantity, line.condition_ok, line.inspection_note = received, ok, (note or "")[:200]
        line.save(update_fields=["received_quantity", "condition_ok", "inspection_note"])
    paket._prefetched_objects_cache = {}  # the guards read the lines again


def _notify(*, paket: Paket, kind: str) -> None:
    status = paket.get_status_display()
    subject = _("Paket %(code)s: %(status)s") % {"code": paket.code, "status": status}
    body = _("Paket “%(name)s” (%(total)s) sekarang: %(status)s.") % {
        "name": paket.nama, "total": format_rupiah(paket.total), "status": status}
    if paket.status == S.SP_TERBIT and paket.seller_deadline:
        body += " " + _("Tanggapi paling lambat %(date)s WIB.") % {
            "date": date_format(timezone.localtime(paket.seller_deadline), "j F Y H:i")}
    if paket.reason and paket.status in (S.DRAFT, S.DITOLAK_PENYEDIA, S.DIBATALKAN, S.DIPROSES):
        body += " " + _("Catatan: %(reason)s") % {"reason": paket.reason}
    opd_url = reverse("procurement:paket", args=[paket.pk])
    recipients = {paket.created_by_id: paket.created_by, paket.ppk_id: paket.ppk}
    if paket.status == S.MENUNGGU_PEMBAYARAN:
        for member in OpdMember.objects.filter(opd_id=paket.opd_id, roles__contains=[Role.BENDAHARA]).select_related(
                "user"):
            recipients[member.user_id] = member.user
    if kind != SELLER:
        outbox_enqueue(recipient=paket.shop.owner, subject=subject, body=body,
                       url=reverse("procurement:shop_paket", args=[paket.shop_id, paket.pk]))
    for user in recipients.values():
        outbox_enqueue(recipient=user, subject=subject, body=body, url=opd_url)
