"""Addenda of a Surat Pesanan (LKPP: either the PPK or the seller proposes, the other accepts or rejects): a change
of line quantities and/or the Permintaan Tiba date, with a reason, after both signed the SP and before the BAST
(the package diproses, dikirim or diterima). One open request per package. Accepting is signing: the accepter
re-enters their password, the addendum gets its number (ADD/<kode satker>/<year>/<seq>) and version (1, 2, …), its
PDF is drawn once and its SHA-256 stored; the requester then co-signs the same file. From then on the package's
lines, total and date are the addendum's; the SP document stays as signed. Stock follows the quantities: more
units are held (if the shop has them), fewer are released, under the variant locks.

Lock order: the package row, then the addendum row, then the variants and products in pk order
(procurement.lifecycle._stock_move), as every package step does."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from plazabanten.money import format_rupiah
from plazabanten.services import audit_record, outbox_enqueue

from .documents import paket_document_issue
from .lifecycle import (
    PPK,
    SELLER,
    SYSTEM,
    PaketActionForbidden,
    PaketActionInvalid,
    PaketTransitionError,
    _stock_move,
    _system_step,
    actor_kinds,
    line_progress,
    lines_summarise,
    password_confirm,
    transition_for,
)
from .models import Paket, PaketAddendum, PaketAddendumLine, PaketDocument, PaketEvent, PaketSignature
from .services import paket_value_check

S = Paket.Status
A = PaketAddendum.Status
OPEN_STATES = (S.DIPROSES, S.DIKIRIM, S.DITERIMA)  # after both signed the SP, before the BAST
SIDE_OF = {PPK: PaketAddendum.Side.PPK, SELLER: PaketAddendum.Side.PENYEDIA}


def _side(paket: Paket, actor) -> str:
    """The side this person takes on the package's addenda: its PPK or its seller; anyone else is refused."""
    kinds = actor_kinds(paket=paket, user=actor)
    for kind in (PPK, SELLER):
        if kind in kinds:
            return SIDE_OF[kind]
    raise PaketActionForbidden(_("Hanya PPK paket ini atau penyedianya yang menangani addendum."))


def _other(side: str) -> str:
    return PaketAddendum.Side.PENYEDIA if side == PaketAddendum.Side.PPK else PaketAddendum.Side.PPK


def _state_check(paket: Paket) -> None:
    if paket.status not in OPEN_STATES:
        raise PaketTransitionError(_("Addendum hanya bisa setelah Surat Pesanan ditandatangani kedua pihak dan "
                                     "sebelum BAST; paket %(code)s berstatus “%(status)s”.")
                                   % {"code": paket.code, "status": paket.get_status_display()})


def _lock(paket_id: int) -> Paket:
    return Paket.objects.select_for_update(of=("self",)).select_related("opd", "shop", "ppk").get(pk=paket_id)


def _event(paket: Paket, actor, side: str, note: str) -> None:
    PaketEvent.objects.create(paket=paket, actor=actor, actor_kind=side, from_status=paket.status,
                              to_status=paket.status, note=note[:500])


def _notify(paket: Paket, *, to_side: str, subject: str, body: str) -> None:
    if to_side == PaketAddendum.Side.PENYEDIA:
        outbox_enqueue(recipient=paket.shop.owner, subject=subject, body=body,
                       url=reverse("procurement:shop_paket", args=[paket.shop_id, paket.pk]))
    else:
        for user in {paket.ppk_id: paket.ppk, paket.created_by_id: paket.created_by}.values():
            outbox_enqueue(recipient=user, subject=subject, body=body,
                           url=reverse("procurement:paket", args=[paket.pk]))


def _changes_check(paket: Paket, changes: dict[int, int]) -> None:
    """Quantities may not go below what arrived or is on its way; the new total within the creator's limit."""
    progress = line_progress(paket)
    lines = {line.pk: line for line in paket.lines.all()}
    for pk, quantity in changes.items():
        if quantity < progress[pk].committed:
            raise PaketActionInvalid(_("Jumlah %(name)s tidak bisa kurang dari %(n)s (sudah dikirim atau diterima).")
                                     % {"name": lines[pk].name, "n": progress[pk].committed})
    total = sum(line.unit_price * changes.get(line.pk, line.quantity) for line in lines.values())
    paket_value_check(total=total, created_as=paket.created_as)


def paket_addendum_request(*, paket_id: int, actor, reason: str, quantities: dict[int, int] | None = None,
                           tiba: date | None = None) -> PaketAddendum:
    """The PPK or the seller asks for an addendum: new quantities {line id: quantity} (lines left out keep theirs)
    and/or a new Permintaan Tiba date. The other side is notified and answers."""
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise PaketActionInvalid(_("Tuliskan alasan addendum."))
    quantities = quantities or {}
    if any(q < 1 or q > 100_000 for q in quantities.values()):
        raise PaketActionInvalid(_("Jumlah setiap barang 1–100.000."))
    with transaction.atomic():
        paket = _lock(paket_id)
        side = _side(paket, actor)
        _state_check(paket)
        if paket.addenda.filter(status=A.OPEN).exists():
            raise PaketTransitionError(_("Masih ada permintaan addendum yang menunggu tanggapan; satu permintaan "
                                         "pada satu waktu."))
        lines = {line.pk: line for line in paket.lines.all()}
        if set(quantities) - set(lines):
            raise PaketActionInvalid(_("Barang itu bukan bagian dari paket ini."))
        changes = {pk: q for pk, q in quantities.items() if q != lines[pk].quantity}
        tiba = tiba or paket.permintaan_tiba
        if tiba != paket.permintaan_tiba and tiba <= timezone.localdate():
            raise PaketActionInvalid(_("Tanggal permintaan tiba yang baru harus setelah hari ini."))
        if not changes and tiba == paket.permintaan_tiba:
            raise PaketActionInvalid(_("Tidak ada perubahan: ubah jumlah barang atau tanggal permintaan tiba."))
        _changes_check(paket, changes)
        total_after = sum(line.unit_price * changes.get(line.pk, line.quantity) for line in lines.values())
        addendum = PaketAddendum.objects.create(
            paket=paket, side=side, requested_by=actor, reason=reason, tiba_before=paket.permintaan_tiba,
            tiba_after=tiba, total_before=paket.total, total_after=total_after)
        PaketAddendumLine.objects.bulk_create([
            PaketAddendumLine(addendum=addendum, line=lines[pk], quantity_before=lines[pk].quantity,
                              quantity_after=q) for pk, q in sorted(changes.items())])
        summary = addendum_summary(addendum)
        _event(paket, actor, side, _("Permintaan addendum oleh %(side)s: %(summary)s. Alasan: %(reason)s")
               % {"side": addendum.get_side_display(), "summary": summary, "reason": reason})
        audit_record(actor=actor, action="paket.addendum_request", target=paket,
                     after={"addendum": addendum.pk, "changes": {str(k): v for k, v in changes.items()},
                            "tiba": tiba.isoformat(), "total": total_after}, reason=reason)
        _notify(paket, to_side=_other(side), subject=_("Paket %(code)s: permintaan addendum") % {"code": paket.code},
                body=_("%(side)s meminta addendum: %(summary)s. Alasan: %(reason)s. Setujui atau tolak di halaman "
                       "paket.") % {"side": addendum.get_side_display(), "summary": summary, "reason": reason})
    return addendum


def addendum_summary(addendum: PaketAddendum) -> str:
    parts = [f"{row.line.name} {row.quantity_before} → {row.quantity_after}"
             for row in addendum.lines.select_related("line")]
    if addendum.tiba_after != addendum.tiba_before:
        parts.append(_("tiba %(a)s → %(b)s") % {"a": f"{addendum.tiba_before:%d-%m-%Y}",
                                                "b": f"{addendum.tiba_after:%d-%m-%Y}"})
    if addendum.total_after != addendum.total_before:
        parts.append(f"{format_rupiah(addendum.total_before)} → {format_rupiah(addendum.total_after)}")
    return "; ".join(parts)


def _open_addendum(paket: Paket, addendum_id: int) -> PaketAddendum:
    addendum = PaketAddendum.objects.select_for_update().filter(pk=addendum_id, paket=paket).first()
    if addendum is None:
        raise PaketTransitionError(_("Permintaan addendum tidak ditemukan."))
    if addendum.status != A.OPEN:
        raise PaketTransitionError(_("Permintaan addendum ini sudah %(status)s.")
                                   % {"status": addendum.get_status_display().lower()})
    return addendum


def paket_addendum_accept(*, paket_id: int, addendum_id: int, actor, password: str) -> PaketAddendum:
    """The other side accepts and signs: numbered PDF, stock and the package follow. Exactly one of two people
    accepting at once wins (the package row lock; the loser finds the request no longer open: 409)."""
    password_confirm(user=actor, password=password)  # before any lock: hashing takes a while
    now = timezone.now()
    with transaction.atomic():
        paket = _lock(paket_id)
        side = _side(paket, actor)
        addendum = _open_addendum(paket, addendum_id)
        if side == addendum.side:
            raise PaketActionForbidden(_("Addendum disetujui oleh pihak lain, bukan oleh yang memintanya."))
        _state_check(paket)
        rows = list(addendum.lines.select_related("line"))
        changes = {row.line_id: row.quantity_after for row in rows}
        _changes_check(paket, changes)
        before = line_progress(paket)
        for row in rows:
            row.line.quantity = row.quantity_after
            row.line.save(update_fields=["quantity"])
        paket._prefetched_objects_cache = {}
        after = line_progress(paket)
        _stock_move(paket, {pk: p.held for pk, p in before.items()}, {pk: p.held for pk, p in after.items()},
                    shipped=False)
        paket.total = sum(line.line_total for line in paket.lines.all())
        paket.permintaan_tiba = addendum.tiba_after
        paket.save(update_fields=["total", "permintaan_tiba", "stock"])
        last = paket.addenda.filter(status=A.ACCEPTED).order_by("-version").values_list("version", flat=True).first()
        addendum.version, addendum.status = (last or 0) + 1, A.ACCEPTED
        addendum.decided_by, addendum.decided_at = actor, now
        addendum.save(update_fields=["version", "status", "decided_by", "decided_at"])
        document = paket_document_issue(paket=paket, kind=PaketDocument.Kind.ADDENDUM, addendum=addendum)
        addendum.document = document
        addendum.save(update_fields=["document"])
        PaketSignature.objects.create(document=document, party=side, signer=actor, sha256=document.sha256)
        lines_summarise(paket)
        _event(paket, actor, side, _("Addendum %(v)s (%(number)s) disetujui dan ditandatangani %(side)s: "
                                     "%(summary)s.") % {"v": addendum.version, "number": document.number,
                                                        "side": PaketAddendum.Side(side).label,
                                                        "summary": addendum_summary(addendum)})
        audit_record(actor=actor, action="paket.addendum_accept", target=paket,
                     before={"total": addendum.total_before, "tiba": addendum.tiba_before.isoformat()},
                     after={"addendum": addendum.pk, "version": addendum.version, "number": document.number,
                            "total": paket.total, "tiba": paket.permintaan_tiba.isoformat()})
        _notify(paket, to_side=addendum.side, subject=_("Paket %(code)s: addendum %(v)s disetujui")
                % {"code": paket.code, "v": addendum.version},
                body=_("Addendum %(v)s (%(number)s) berlaku: %(summary)s. Tandatangani juga dokumennya di halaman "
                       "paket.") % {"v": addendum.version, "number": document.number,
                                    "summary": addendum_summary(addendum)})
        # What the new quantities mean for the package: nothing left to deliver, or more than arrived.
        for target in (S.DITERIMA, S.DIPROSES):
            try:
                transition_for(paket=paket, to_status=target, kinds=frozenset({SYSTEM}), now=now)
            except PaketTransitionError:
                continue
            _system_step(paket=paket, to_status=target, now=now)
            break
    return addendum


def paket_addendum_decline(*, paket_id: int, addendum_id: int, actor, reason: str) -> PaketAddendum:
    """The other side declines (with a reason), or the requester withdraws their own request."""
    reason = " ".join((reason or "").split())[:300]
    with transaction.atomic():
        paket = _lock(paket_id)
        side = _side(paket, actor)
        addendum = _open_addendum(paket, addendum_id)
        withdraw = side == addendum.side
        if not withdraw and not reason:
            raise PaketActionInvalid(_("Tuliskan alasan penolakan addendum."))
        addendum.status = A.WITHDRAWN if withdraw else A.DECLINED
        addendum.decided_by, addendum.decided_at, addendum.answer = actor, timezone.now(), reason
        addendum.save(update_fields=["status", "decided_by", "decided_at", "answer"])
        note = (_("Permintaan addendum ditarik oleh %(side)s.") if withdraw else
                _("Permintaan addendum ditolak oleh %(side)s. Alasan: %(reason)s")) % {
            "side": PaketAddendum.Side(side).label, "reason": reason}
        _event(paket, actor, side, note)
        audit_record(actor=actor, action="paket.addendum_withdraw" if withdraw else "paket.addendum_decline",
                     target=paket, after={"addendum": addendum.pk}, reason=reason)
        _notify(paket, to_side=_other(side), subject=_("Paket %(code)s: addendum tidak jadi") % {"code": paket.code},
                body=note)
    return addendum


def paket_addendum_countersign(*, paket_id: int, addendum_id: int, actor, password: str) -> PaketSignature:
    """The requester signs the accepted addendum's PDF too (the same file, its hash recorded again)."""
    password_confirm(user=actor, password=password)
    with transaction.atomic():
        paket = _lock(paket_id)
        side = _side(paket, actor)
        addendum = PaketAddendum.objects.select_for_update().filter(pk=addendum_id, paket=paket).first()
        if addendum is None or addendum.status != A.ACCEPTED:
            raise PaketTransitionError(_("Hanya addendum yang sudah disetujui yang ditandatangani."))
        if side != addendum.side:
            raise PaketActionForbidden(_("Addendum ini sudah Anda tandatangani saat menyetujuinya."))
        if addendum.document.signatures.filter(party=side).exists():
            raise PaketTransitionError(_("Addendum ini sudah ditandatangani."))
        signature = PaketSignature.objects.create(document=addendum.document, party=side, signer=actor,
                                                  sha256=addendum.document.sha256)
        _event(paket, actor, side, _("Addendum %(v)s ditandatangani %(side)s.")
               % {"v": addendum.version, "side": PaketAddendum.Side(side).label})
        audit_record(actor=actor, action="paket.addendum_sign", target=paket,
                     after={"addendum": addendum.pk, "sha256": addendum.document.sha256})
    return signature
