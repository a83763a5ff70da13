"""Every write to a shop: the onboarding steps and the verification decisions (ARCHITECTURE §5).

Each function is one transaction that locks the shop row, checks the transition table, writes one audit row and,
for a decision, one outbox message to the owner (email + in-app, delivered by Celery after commit).
"""

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import roles
from catalog.services import shop_products_reclassify, shop_products_relocate
from plazabanten.cache import storefront_changed
from plazabanten.services import audit_record, outbox_enqueue, task_enqueue
from plazabanten.uploads import upload_name

from .models import (
    REVIEW_FIELDS,
    Capability,
    Shop,
    ShopBankAccount,
    ShopBankChange,
    ShopDocument,
    ShopEvent,
    ShopIdentity,
    ShopInvitation,
    ShopMember,
    ShopTaxDeclaration,
)
from .selectors import shop_scope
from .validators import umkm_class

Status = Shop.Status

# action → (statuses it may start from, status it ends in, who may do it)
TRANSITIONS = {
    "submit": ({Status.DRAFT, Status.REVISION_REQUESTED}, Status.SUBMITTED, "owner"),
    "verify": ({Status.SUBMITTED}, Status.VERIFIED, "verifikator"),
    "request_revision": ({Status.SUBMITTED}, Status.REVISION_REQUESTED, "verifikator"),
    "reject": ({Status.SUBMITTED}, Status.REJECTED, "verifikator"),
    "suspend": ({Status.VERIFIED}, Status.SUSPENDED, "verifikator"),
    "reinstate": ({Status.SUSPENDED}, Status.VERIFIED, "verifikator"),
}
EDITABLE = {Status.DRAFT, Status.REVISION_REQUESTED}
# A verified shop edits its public profile without a new verification; its bank account goes through
# shop_bank_change_request instead (the verifikator checks the new account before any payout goes there).
PROFILE_EDITABLE = EDITABLE | {Status.VERIFIED}


class ShopStateError(Exception):
    """The shop is not in a state that allows this action (the view answers 409)."""


@dataclass(frozen=True)
class DocumentUpload:
    """A file already checked by content (vendors.forms.document_check)."""

    content: bytes
    content_type: str
    extension: str
    original_name: str


def _locked(shop: Shop) -> Shop:
    return Shop.objects.select_for_update().select_related("owner").get(pk=shop.pk)


def _require(shop: Shop, actor, capability: str) -> None:
    """The view already checked (shop_for); a service called from elsewhere checks the same scope again."""
    if not shop_scope(user=actor, capability=capability).filter(pk=shop.pk).exists():
        raise PermissionDenied


def _locked_editable(shop: Shop, actor, capability: str, statuses=EDITABLE) -> Shop:
    shop = _locked(shop)
    _require(shop, actor, capability)
    if shop.status not in statuses:
        raise ShopStateError(_("Data toko tidak bisa diubah saat berstatus “%(status)s”.")
                             % {"status": shop.get_status_display()})
    return shop


SLUG_MAX_BASE = 50  # leaves room in Shop.slug (60) for a counter


def _slug_candidates(name: str):
    """The shop's name as an address, then with a short counter: batik-serang, batik-serang-2, batik-serang-3…"""
    base = slugify(name)[:SLUG_MAX_BASE].strip("-") or "toko"
    yield base
    n = 2
    while True:
        yield f"{base}-{n}"
        n += 1


def _slug_free(name: str) -> str:
    """The first candidate no shop uses yet (one query)."""
    base = next(_slug_candidates(name))
    taken = set(Shop.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    return next(slug for slug in _slug_candidates(name) if slug not in taken)


def shop_create_draft(*, owner, name: str, slug: str = "") -> Shop:
    """A new draft shop owned by ``owner``. Without a ``slug`` its address is the name (a counter when taken);
    a shop created at the same moment with the same name gets the next counter (the unique constraint decides)."""
    for _attempt in range(5):
        candidate = slug or _slug_free(name)
        try:
            with transaction.atomic():
                shop = Shop.objects.create(owner=owner, name=name, slug=candidate, status=Status.DRAFT)
                ShopMember.objects.create(shop=shop, user=owner, role=ShopMember.Role.ADMIN)
                owner.groups.add(Group.objects.get_or_create(name=roles.SHOP_MEMBER)[0])
                audit_record(actor=owner, action="shop.create", target=shop, after={"name": name, "slug": candidate})
        except IntegrityError:
            if slug or not Shop.objects.filter(slug=candidate).exists():
                raise
            continue  # taken by a shop created meanwhile: the next counter
        return shop
    raise IntegrityError("no free shop address after 5 attempts")


def shop_update_profile(*, shop: Shop, actor, name: str, slug: str, description: str, region, street: str,
                        postal_code: str, whatsapp: str, categories, logo=None) -> Shop:
    with transaction.atomic():
        shop = _locked_editable(shop, actor, Capability.PROFILE, statuses=PROFILE_EDITABLE)
        if shop.status == Status.VERIFIED and slug != shop.slug:
            # Links to a verified shop and its products are out there; its address stays.
            raise ValidationError({"slug": _("Alamat toko yang sudah terverifikasi tidak bisa diubah.")})
        before = {"name": shop.name, "slug": shop.slug, "region": shop.region_id, "whatsapp": shop.whatsapp}
        before_kabkota = shop.kabkota_id
        shop.name, shop.slug, shop.description = name, slug, description
        shop.region, shop.kabkota_id = region, region.kabkota_code if region else None
        shop.street, shop.postal_code, shop.whatsapp = street, postal_code, whatsapp
        if logo is not None:
            shop.logo = logo
        try:
            with transaction.atomic():
                shop.save()
        except IntegrityError:  # another shop took the slug since the form checked it
            raise ValidationError({"slug": _("Alamat toko ini sudah dipakai toko lain.")}) from None
        shop.categories.set(categories)
        if shop.kabkota_id != before_kabkota:  # its products are filed (and searched) under the shop's kab/kota
            shop_products_relocate(shop=shop)
        audit_record(actor=actor, action="shop.update_profile", target=shop, before=before,
                     after={"name": name, "slug": slug, "region": shop.region_id, "whatsapp": whatsapp})
        if shop.status == Status.VERIFIED:  # its name and place show on cached storefront pages
            transaction.on_commit(storefront_changed)
    return shop


def shop_update_identity(*, shop: Shop, actor, owner_name: str, owner_nik: str, entity_type: str,
                         business_name: str, nib: str, npwp: str, capital: int, turnover: int,
                         halal_number: str = "", pirt_number: str = "", bpom_number: str = "",
                         is_pkp: bool = False, warnings: list[str] | None = None) -> ShopIdentity:
    with transaction.atomic():
        shop = _locked_editable(shop, actor, Capability.IDENTITY)
        umkm = umkm_class(capital=capital, turnover=turnover)
        identity, _created = ShopIdentity.objects.update_or_create(shop=shop, defaults={
            "owner_name": owner_name, "owner_nik": owner_nik, "entity_type": entity_type,
            "business_name": business_name, "nib": nib, "npwp": npwp, "capital": capital, "turnover": turnover,
            "halal_number": halal_number, "pirt_number": pirt_number, "bpom_number": bpom_number,
            "warnings": warnings or [],
        })
        before = {"umkm_class": shop.umkm_class, "is_pkp": shop.is_pkp, "is_koperasi": shop.is_koperasi}
        was_umk = shop.is_umk
        shop.umkm_class, shop.is_pkp = umkm, is_pkp
        shop.is_koperasi = entity_type == ShopIdentity.EntityType.KOPERASI
        shop.save(update_fields=["umkm_class", "is_pkp", "is_koperasi"])
        if shop.is_umk != was_umk:  # its products carry the UMK mark for the government facets
            shop_products_reclassify(shop=shop)
        if shop.status == Status.VERIFIED and (umkm, is_pkp) != (before["umkm_class"], before["is_pkp"]):
            transaction.on_commit(storefront_changed)  # a government buyer's product page shows both
        audit_record(actor=actor, action="shop.update_identity", target=shop, before=before,
                     after={"umkm_class": umkm, "is_pkp": is_pkp, "is_koperasi": shop.is_koperasi, "nib": nib,
                            "entity_type": entity_type})
    return identity


def shop_save_document(*, shop: Shop, actor, kind: str, upload: DocumentUpload) -> ShopDocument:
    """Store under a random name in the private storage; a replaced file is deleted once the change commits."""
    if kind not in ShopDocument.Kind.values:
        raise ValidationError(_("Jenis dokumen tidak dikenal."))
    with transaction.atomic():
        shop = _locked_editable(shop, actor, Capability.IDENTITY)
        document = ShopDocument.objects.filter(shop=shop, kind=kind).first() or ShopDocument(shop=shop, kind=kind)
        old_name = document.file.name if document.pk else ""
        old_preview, document.preview = document.preview.name, ""  # the old file's page 1 goes with it
        document.original_name = upload.original_name
        document.content_type = upload.content_type
        document.size = len(upload.content)
        document.uploaded_by = actor
        content = ContentFile(upload.content)
        document.file.save(f"shops/{shop.pk}/{kind}-{upload_name(content, 'document')}", content, save=False)
        try:
            document.save()
        except Exception:
            document.file.storage.delete(document.file.name)
            raise
        if old_name:
            storage = document.file.storage
            transaction.on_commit(lambda: [storage.delete(name) for name in (old_name, old_preview) if name])
        if document.is_pdf:
            from .tasks import shop_document_preview

            transaction.on_commit(lambda: task_enqueue(shop_document_preview, document.pk))
        audit_record(actor=actor, action="shop.upload_document", target=shop,
                     after={"kind": kind, "size": document.size, "content_type": upload.content_type})
    return document


PREVIEW_WIDTH = 1000  # pixels: readable on the console, small to store
PREVIEW_MAX_HEIGHT = 3000


def shop_document_preview_render(*, document_id: int) -> bool:
    """Render a PDF document's first page to a PNG beside it in the private storage (the worker's job; pypdfium2,
    PDFium as in Chromium). Idempotent; a document replaced meanwhile keeps no stale preview. False when the PDF
    cannot be rendered (the console then shows the link only)."""
    import io

    import pypdfium2

    document = ShopDocument.objects.filter(pk=document_id).first()
    if document is None or not document.is_pdf or document.preview:
        return bool(document and document.preview)
    source = document.file.name
    try:
        with document.file.storage.open(source, "rb") as handle:
            pdf = pypdfium2.PdfDocument(handle.read())
        try:
            page = pdf[0]
            width, height = page.get_size()
            scale = min(PREVIEW_WIDTH / max(width, 1), PREVIEW_MAX_HEIGHT / max(height, 1))
            image = page.render(scale=scale).to_pil()
        finally:
            pdf.close()
    except (pypdfium2.PdfiumError, FileNotFoundError, IndexError, ValueError) as error:
        import logging

        logging.getLogger(__name__).warning("no preview for document %s: %s", document_id, error)
        return False
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "PNG", optimize=True)
    storage = document.preview.storage
    name = storage.save(f"shops/{document.shop_id}/{document.kind}-{secrets.token_hex(16)}-hal1.png",
                        ContentFile(buffer.getvalue()))
    if not ShopDocument.objects.filter(pk=document_id, file=source, preview="").update(preview=name):
        storage.delete(name)  # replaced (or rendered by another run) meanwhile
        return False
    return True


def shop_update_bank(*, shop: Shop, actor, bank: str, number: str, holder_name: str) -> ShopBankAccount:
    with transaction.atomic():
        shop = _locked_editable(shop, actor, Capability.FINANCE)
        account, _created = ShopBankAccount.objects.update_or_create(
            shop=shop, defaults={"bank": bank, "number": number, "holder_name": holder_name})
        audit_record(actor=actor, action="shop.update_bank", target=shop,
                     after={"bank": bank, "number_last4": number[-4:], "holder_name": holder_name})
    return account


def shop_bank_change_request(*, shop: Shop, actor, bank: str, number: str, holder_name: str) -> ShopBankChange:
    """A verified shop's new payout account waits for the verifikator; payouts keep going to the verified one.
    The owner is told, so a change made by a finance member never goes unnoticed."""
    with transaction.atomic():
        shop = _locked_editable(shop, actor, Capability.FINANCE, statuses={Status.VERIFIED})
        current = ShopBankAccount.objects.filter(shop=shop).first()
        ShopBankChange.objects.filter(shop=shop, status=ShopBankChange.Status.PENDING).update(
            status=ShopBankChange.Status.REPLACED)
        change = ShopBankChange.objects.create(shop=shop, bank=bank, number=number, holder_name=holder_name,
                                               requested_by=actor)
        audit_record(actor=actor, action="shop.bank_change_request", target=shop,
                     before={"bank": current.bank, "number_last4": current.number[-4:]} if current else {},
                     after={"bank": bank, "number_last4": number[-4:], "holder_name": holder_name})
        outbox_enqueue(recipient=shop.owner, subject=_("Perubahan rekening %(name)s menunggu verifikasi")
                       % {"name": shop.name},
                       body=_("Rekening baru %(bank)s …%(last4)s a.n. %(holder)s diperiksa verifikator Pemprov. "
                              "Sampai disetujui, dana tetap dicairkan ke rekening lama.")
                       % {"bank": change.get_bank_display(), "last4": number[-4:], "holder": holder_name},
                       url=reverse("vendors:step", args=[shop.pk, "bank"]))
    return change


def shop_bank_change_decide(*, change_id: int, actor, approve: bool, reason: str = "") -> ShopBankChange:
    """The verifikator checks the new account (holder name against the owner or the business). Approved, it
    becomes the payout account; the shop row is locked first, as payments.payout_request does."""
    if not actor.is_verifikator:
        raise PermissionDenied
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError(_("Tuliskan alasan penolakan."))
    with transaction.atomic():
        shop_id = ShopBankChange.objects.filter(pk=change_id).values_list("shop_id", flat=True).first()
        if shop_id is None:
            raise ShopStateError(_("Pengajuan rekening tidak ditemukan."))
        shop = Shop.objects.select_for_update().select_related("owner").get(pk=shop_id)
        change = ShopBankChange.objects.select_for_update().get(pk=change_id)
        if change.status != ShopBankChange.Status.PENDING:
            raise ShopStateError(_("Pengajuan rekening ini sudah %(status)s.")
                                 % {"status": change.get_status_display().lower()})
        if approve:
            ShopBankAccount.objects.update_or_create(shop=shop, defaults={
                "bank": change.bank, "number": change.number, "holder_name": change.holder_name})
        change.status = ShopBankChange.Status.APPROVED if approve else ShopBankChange.Status.REJECTED
        change.decided_by, change.decided_at, change.reason = actor, timezone.now(), reason[:300]
        change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(actor=actor, action="shop.bank_change_approve" if approve else "shop.bank_change_reject",
                     target=shop, after={"bank": change.bank, "number_last4": change.number[-4:]}, reason=reason)
        if approve:
            subject = _("Rekening baru %(name)s disetujui") % {"name": shop.name}
            body = _("Pencairan dana berikutnya dikirim ke %(bank)s …%(last4)s.") % {
                "bank": change.get_bank_display(), "last4": change.number[-4:]}
        else:
            subject = _("Rekening baru %(name)s ditolak") % {"name": shop.name}
            body = _("Dana tetap dicairkan ke rekening lama. Alasan: %(reason)s") % {"reason": reason}
        outbox_enqueue(recipient=shop.owner, subject=subject, body=body,
                       url=reverse("vendors:step", args=[shop.pk, "bank"]))
    return change


def shop_missing_steps(*, shop: Shop) -> list[str]:
    """What still stops a submit, as wizard step names."""
    missing = []
    if not (shop.name and shop.region_id and shop.whatsapp):
        missing.append("profile")
    if not ShopIdentity.objects.filter(shop=shop).exists():
        missing.append("identity")
    if ShopDocument.objects.filter(shop=shop).count() < len(ShopDocument.Kind.values) or (
            shop.is_pkp and not ShopTaxDeclaration.objects.filter(
                shop=shop, kind=ShopTaxDeclaration.Kind.PKP,
                status__in=[ShopTaxDeclaration.Status.PENDING, ShopTaxDeclaration.Status.APPROVED]).exists()):
        missing.append("documents")  # a PKP also sends its SPPKP
    if not ShopBankAccount.objects.filter(shop=shop).exists():
        missing.append("bank")
    return missing


def _transition(*, shop: Shop, actor, action: str, subject: str, body: str, reasons: dict | None = None,
                note: str = "") -> Shop:
    allowed_from, target, who = TRANSITIONS[action]
    with transaction.atomic():
        shop = _locked(shop)
        if who == "owner":
            _require(shop, actor, Capability.IDENTITY)
        elif not actor.is_verifikator:
            raise PermissionDenied
        if shop.status not in allowed_from:
            raise ShopStateError(_("Toko berstatus “%(status)s”: tindakan ini tidak bisa dilakukan.")
                                 % {"status": shop.get_status_display()})
        before = shop.status
        now = timezone.now()
        shop.status = target
        if target == Status.SUBMITTED:
            shop.submitted_at = now
        if action == "verify":
            shop.verified_at = now
        shop.save(update_fields=["status", "submitted_at", "verified_at"])
        ShopEvent.objects.create(shop=shop, actor=actor, from_status=before, to_status=target,
                                 reasons=reasons or {}, note=note)
        audit_record(actor=actor, action=f"shop.{action}", target=shop, before={"status": before},
                     after={"status": target, **({"reasons": reasons} if reasons else {})}, reason=note)
        outbox_enqueue(recipient=shop.owner, subject=subject, body=body,
                       url=reverse("vendors:status", args=[shop.pk]))
        if Status.VERIFIED in (before, target):  # its products join or leave the storefront
            transaction.on_commit(storefront_changed)
    return shop


def shop_submit(*, shop: Shop, actor) -> Shop:
    missing = shop_missing_steps(shop=shop)
    if missing:
        raise ShopStateError(_("Lengkapi dulu: %(steps)s.") % {"steps": ", ".join(missing)})
    return _transition(
        shop=shop, actor=actor, action="submit",
        subject=_("Pendaftaran toko %(name)s diterima") % {"name": shop.name},
        body=_("Data toko Anda sedang diperiksa verifikator Pemprov Banten. Target pemeriksaan 3 hari kerja; "
               "Anda akan diberi tahu hasilnya lewat email dan notifikasi."))


def shop_verify(*, shop: Shop, actor, note: str = "") -> Shop:
    """Verify the shop and, with its other documents, the SPPKP it sent with them (a PKP's)."""
    with transaction.atomic():
        shop = _transition(
            shop=shop, actor=actor, action="verify", note=note,
            subject=_("Toko %(name)s terverifikasi") % {"name": shop.name},
            body=_("Selamat! Toko Anda sudah terverifikasi. Sekarang Anda bisa menayangkan produk di Plaza Banten."))
        ShopTaxDeclaration.objects.filter(shop=shop, kind=ShopTaxDeclaration.Kind.PKP,
                                          status=ShopTaxDeclaration.Status.PENDING).update(
            status=ShopTaxDeclaration.Status.APPROVED, decided_by=actor, decided_at=timezone.now())
    return shop


def shop_request_revision(*, shop: Shop, actor, reasons: dict[str, str], note: str = "") -> Shop:
    reasons = {key: text.strip() for key, text in reasons.items() if text and text.strip()}
    unknown = set(reasons) - set(REVIEW_FIELDS)
    if unknown or not reasons:
        raise ValidationError(_("Tuliskan alasan perbaikan untuk minimal satu data."))
    listed = "\n".join(f"- {REVIEW_FIELDS[key][0]}: {text}" for key, text in reasons.items())
    return _transition(
        shop=shop, actor=actor, action="request_revision", reasons=reasons, note=note,
        subject=_("Toko %(name)s perlu perbaikan") % {"name": shop.name},
        body=_("Verifikator meminta perbaikan data berikut:\n%(list)s\nPerbaiki lalu kirim ulang.") % {"list": listed})


def shop_reject(*, shop: Shop, actor, reason: str) -> Shop:
    if not reason.strip():
        raise ValidationError(_("Tuliskan alasan penolakan."))
    return _transition(
        shop=shop, actor=actor, action="reject", note=reason.strip(),
        subject=_("Pendaftaran toko %(name)s ditolak") % {"name": shop.name},
        body=_("Alasan: %(reason)s") % {"reason": reason.strip()})


def shop_suspend(*, shop: Shop, actor, reason: str) -> Shop:
    if not reason.strip():
        raise ValidationError(_("Tuliskan alasan pembekuan."))
    return _transition(
        shop=shop, actor=actor, action="suspend", note=reason.strip(),
        subject=_("Toko %(name)s dibekukan") % {"name": shop.name},
        body=_("Produk Anda tidak tampil sementara. Alasan: %(reason)s") % {"reason": reason.strip()})


def shop_reinstate(*, shop: Shop, actor, note: str = "") -> Shop:
    return _transition(
        shop=shop, actor=actor, action="reinstate", note=note,
        subject=_("Toko %(name)s aktif kembali") % {"name": shop.name},
        body=_("Pembekuan dicabut; produk Anda tampil lagi di Plaza Banten."))


def shop_member_invite(*, shop: Shop, actor, email: str, role: str) -> ShopInvitation:
    """Invite by email; someone who already has an account hears about it through the outbox."""
    email = email.strip().lower()
    if role not in ShopMember.Role.values:
        raise ValidationError(_("Peran tidak dikenal."))
    with transaction.atomic():
        shop = _locked(shop)
        _require(shop, actor, Capability.MEMBERS)
        if ShopMember.objects.filter(shop=shop, user__email__iexact=email).exists():
            raise ValidationError(_("%(email)s sudah menjadi anggota toko ini.") % {"email": email})
        invitation, _created = ShopInvitation.objects.update_or_create(
            shop=shop, email=email, accepted_at=None, defaults={"role": role, "invited_by": actor})
        audit_record(actor=actor, action="shop.member_invite", target=shop, after={"email": email, "role": role})
        invitee = get_user_model().objects.filter(email__iexact=email).first()
        subject = _("Undangan bergabung dengan toko %(name)s") % {"name": shop.name}
        who = {"who": actor, "role": invitation.get_role_display()}
        if invitee:
            outbox_enqueue(recipient=invitee, subject=subject,
                           body=_("%(who)s mengundang Anda sebagai %(role)s. Terima undangan di halaman Toko saya.")
                           % who, url=reverse("vendors:seller_home"))
        else:  # no account yet: an email with a sign-up link that ends on the invitation (the seller home)
            outbox_enqueue(email=email, subject=subject, body=_(
                "%(who)s mengundang Anda bergabung dengan toko %(shop)s di Plaza Banten sebagai %(role)s.\n\n"
                "Daftar dengan alamat email ini, konfirmasi email Anda, lalu terima undangannya:\n%(link)s")
                % {**who, "shop": shop.name, "link": invitation_signup_url()})
    return invitation


def invitation_signup_url() -> str:
    """Sign up, then land on the seller home, where open invitations to the verified address are accepted."""
    return f"{settings.PB_BASE_URL}{reverse('account_signup')}?{urlencode({'next': reverse('vendors:seller_home')})}"


class EmailNotVerified(ShopStateError):
    """The invitation is to an address the user has not confirmed (anyone can sign up with any address)."""


def shop_invitation_accept(*, invitation_id: int, user) -> ShopMember:
    with transaction.atomic():
        invitation = (ShopInvitation.objects.select_for_update()
                      .filter(pk=invitation_id, email__iexact=user.email, accepted_at__isnull=True).first())
        if invitation is None:
            raise ShopStateError(_("Undangan tidak ada atau sudah diterima."))
        if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
            raise EmailNotVerified(_("Konfirmasi dulu email %(email)s lewat tautan yang kami kirim, lalu terima "
                                     "undangannya.") % {"email": invitation.email})
        member, _created = ShopMember.objects.get_or_create(shop_id=invitation.shop_id, user=user,
                                                            defaults={"role": invitation.role})
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        user.groups.add(Group.objects.get_or_create(name=roles.SHOP_MEMBER)[0])
        audit_record(actor=user, action="shop.member_join", target=invitation.shop, after={"role": member.role})
    return member


def shop_member_remove(*, shop: Shop, actor, member_id: int) -> None:
    with transaction.atomic():
        shop = _locked(shop)
        _require(shop, actor, Capability.MEMBERS)
        member = ShopMember.objects.filter(shop=shop, pk=member_id).select_related("user").first()
        if member is None:
            raise ShopStateError(_("Anggota tidak ditemukan."))
        if member.user_id == shop.owner_id:
            raise ShopStateError(_("Pemilik toko tidak bisa dikeluarkan."))
        member.delete()
        audit_record(actor=actor, action="shop.member_remove", target=shop,
                     before={"email": member.user.email, "role": member.role})


# --- tax status (PKP with its SPPKP, or not; the turnover statement for consumer sales) ------------------

def shop_tax_declare(*, shop: Shop, actor, kind: str, upload: DocumentUpload, year: int | None = None
                     ) -> ShopTaxDeclaration:
    """The seller files its SPPKP (becoming PKP), a non-PKP statement, or the turnover statement for a year. It
    waits for the verifikator; until then taxes follow the status in force. A newer filing of the same kind
    replaces a pending one."""
    if kind not in ShopTaxDeclaration.Kind.values:
        raise ValidationError(_("Jenis dokumen pajak tidak dikenal."))
    if kind == ShopTaxDeclaration.Kind.TURNOVER:
        this_year = timezone.localdate().year
        if year not in (this_year, this_year + 1):
            raise ValidationError(_("Surat pernyataan omzet berlaku untuk tahun ini atau tahun depan."))
    else:
        year = None
    with transaction.atomic():
        shop = _locked(shop)
        _require(shop, actor, Capability.IDENTITY)
        ShopTaxDeclaration.objects.filter(shop=shop, kind=kind, status=ShopTaxDeclaration.Status.PENDING).update(
            status=ShopTaxDeclaration.Status.REPLACED)
        declaration = ShopTaxDeclaration(shop=shop, kind=kind, year=year, original_name=upload.original_name,
                                         content_type=upload.content_type, size=len(upload.content),
                                         requested_by=actor)
        content = ContentFile(upload.content)
        declaration.file.save(f"shops/{shop.pk}/pajak-{kind}-{upload_name(content, 'document')}", content, save=False)
        try:
            declaration.save()
        except Exception:
            declaration.file.storage.delete(declaration.file.name)
            raise
        audit_record(actor=actor, action="shop.tax_declare", target=shop, after={"kind": kind, "year": year})
    return declaration


def shop_tax_declaration_decide(*, declaration_id: int, actor, approve: bool, reason: str = ""
                                ) -> ShopTaxDeclaration:
    """The verifikator checks the document. An approved SPPKP makes the shop PKP (its next government invoices
    carry PPN), an approved non-PKP statement ends it; an approved turnover statement stops PPh 22 on that
    year's consumer sales. Invoices already issued keep the taxes fixed on them."""
    if not actor.is_verifikator:
        raise PermissionDenied
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError(_("Tuliskan alasan penolakan."))
    with transaction.atomic():
        shop_id = ShopTaxDeclaration.objects.filter(pk=declaration_id).values_list("shop_id", flat=True).first()
        if shop_id is None:
            raise ShopStateError(_("Pengajuan dokumen pajak tidak ditemukan."))
        shop = Shop.objects.select_for_update().select_related("owner").get(pk=shop_id)
        declaration = ShopTaxDeclaration.objects.select_for_update().get(pk=declaration_id)
        if declaration.status != ShopTaxDeclaration.Status.PENDING:
            raise ShopStateError(_("Pengajuan ini sudah %(status)s.")
                                 % {"status": declaration.get_status_display().lower()})
        before = {"is_pkp": shop.is_pkp}
        if approve and declaration.kind in (ShopTaxDeclaration.Kind.PKP, ShopTaxDeclaration.Kind.NON_PKP):
            shop.is_pkp = declaration.kind == ShopTaxDeclaration.Kind.PKP
            shop.save(update_fields=["is_pkp"])
            transaction.on_commit(storefront_changed)  # government buyers see PKP/Non-PKP beside the price
        declaration.status = ShopTaxDeclaration.Status.APPROVED if approve else ShopTaxDeclaration.Status.REJECTED
        declaration.decided_by, declaration.decided_at, declaration.reason = actor, timezone.now(), reason[:300]
        declaration.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(actor=actor, action="shop.tax_approve" if approve else "shop.tax_reject", target=shop,
                     before=before, after={"kind": declaration.kind, "year": declaration.year, "is_pkp": shop.is_pkp},
                     reason=reason)
        subject = (_("Dokumen pajak %(name)s disetujui") if approve else _("Dokumen pajak %(name)s ditolak")) % {
            "name": shop.name}
        body = declaration.get_kind_display() + (f" — {reason}" if reason else "")
        outbox_enqueue(recipient=shop.owner, subject=subject, body=body,
                       url=reverse("payments:shop_tax", args=[shop.pk]))
    return declaration
