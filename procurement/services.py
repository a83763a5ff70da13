"""Writes of government buying: OPD registration and verification, invitations, package creation, and the
named steps of the package lifecycle (each one call of procurement.lifecycle.paket_transition)."""

import re
from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from catalog.models import Product, ProductVariant
from orders.models import CartLine
from plazabanten.money import format_rupiah
from plazabanten.services import audit_record, outbox_enqueue
from plazabanten.uploads import upload_name
from regions.models import Region
from vendors.models import Shop
from vendors.services import DocumentUpload, invitation_signup_url
from vendors.validators import npwp_check

from .lifecycle import SYSTEM, PaketTransitionError, member_of, paket_transition
from .models import (
    OPD_REVIEW_FIELDS,
    Opd,
    OpdEvent,
    OpdInvitation,
    OpdMember,
    OpdTarget,
    Paket,
    PaketEvent,
    PaketLine,
    Role,
)

S = Paket.Status
KODE_RUP_RE = re.compile(r"^[0-9]{5,20}$")
KODE_SATKER_RE = re.compile(r"^[0-9A-Z.\-]{3,30}$")


class OpdStateError(Exception):
    """The OPD is not in a state that allows this (409)."""


# --- OPD registration and verification -----------------------------------------------------------------------


def pemda_check(code: str) -> Region:
    region = Region.objects.filter(code=code, level__in=[Region.Level.PROVINSI, Region.Level.KABKOTA]).first()
    if region is None or not code.startswith("36"):
        raise ValidationError({"pemda": _("Pilih Pemerintah Provinsi Banten atau salah satu kabupaten/kota di "
                                          "Banten.")})
    return region


def _opd_fields(*, pemda_code: str, name: str, kode_satker: str, address: str, npwp_bendahara: str,
                exclude_pk: int | None = None) -> dict:
    errors = {}
    values = {"name": name.strip(), "address": address.strip(), "kode_satker": kode_satker.strip().upper()}
    try:
        values["pemda"] = pemda_check(pemda_code)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not values["name"]:
        errors["name"] = [_("Isi nama satuan kerja.")]
    if not values["address"]:
        errors["address"] = [_("Isi alamat kantor.")]
    if not KODE_SATKER_RE.match(values["kode_satker"]):
        errors["kode_satker"] = [_("Kode satker 3–30 huruf besar, angka, titik atau tanda minus.")]
    elif Opd.objects.filter(kode_satker=values["kode_satker"]).exclude(pk=exclude_pk).exists():
        errors["kode_satker"] = [_("Kode satker ini sudah terdaftar.")]
    try:
        values["npwp_bendahara"] = npwp_check(npwp_bendahara).value
    except ValidationError as error:
        errors["npwp_bendahara"] = error.messages
    if errors:
        raise ValidationError(errors)
    return values


def _store_sk(opd: Opd, upload: DocumentUpload) -> None:
    """The SK goes to the private storage under a random name, like a shop's identity documents."""
    content = ContentFile(upload.content)
    opd.sk_file.save(f"procurement/opd/{opd.pk}/sk-{upload_name(content, 'document')}", content, save=False)
    opd.sk_original_name, opd.sk_content_type, opd.sk_size = (upload.original_name, upload.content_type,
                                                              len(upload.content))


def opd_register(*, actor, pemda_code: str, name: str, kode_satker: str, address: str, npwp_bendahara: str,
                 sk: DocumentUpload | None) -> Opd:
    """An Admin OPD registers their satuan kerja with its Surat Tugas / SK and sends it for verification."""
    values = _opd_fields(pemda_code=pemda_code, name=name, kode_satker=kode_satker, address=address,
                         npwp_bendahara=npwp_bendahara)
    if sk is None:
        raise ValidationError({"sk": [_("Unggah Surat Tugas / SK penunjukan (PDF, JPEG atau PNG, maks. 5 MB).")]})
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
        if OpdMember.objects.filter(user=actor).exists():
            raise ValidationError({"name": [_("Akun Anda sudah terdaftar di satuan kerja lain; satu orang hanya "
                                              "berperan di satu satuan kerja.")]})
        opd = Opd.objects.create(created_by=actor, status=Opd.Status.SUBMITTED, submitted_at=timezone.now(),
                                 **values)
        _store_sk(opd, sk)
        opd.save(update_fields=["sk_file", "sk_original_name", "sk_content_type", "sk_size"])
        OpdMember.objects.create(opd=opd, user=actor, roles=[Role.ADMIN])
        actor.groups.add(Group.objects.get_or_create(name=roles.GOVERNMENT)[0])
        OpdEvent.objects.create(opd=opd, actor=actor, from_status=Opd.Status.DRAFT, to_status=opd.status)
        audit_record(actor=actor, action="opd.register", target=opd,
                     after={"name": opd.name, "kode_satker": opd.kode_satker, "pemda": opd.pemda_id})
    return opd


def opd_resubmit(*, opd_id: int, actor, pemda_code: str, name: str, kode_satker: str, address: str,
                 npwp_bendahara: str, sk: DocumentUpload | None) -> Opd:
    """After the verifikator asked for corrections: the Admin OPD fixes the data (and the SK) and sends it again."""
    values = _opd_fields(pemda_code=pemda_code, name=name, kode_satker=kode_satker, address=address,
                         npwp_bendahara=npwp_bendahara, exclude_pk=opd_id)
    with transaction.atomic():
        opd = Opd.objects.select_for_update().get(pk=opd_id)
        _require_admin(opd, actor)
        if opd.status != Opd.Status.REJECTED:
            raise OpdStateError(_("Satuan kerja berstatus “%(s)s”; data tidak bisa dikirim ulang.")
                                % {"s": opd.get_status_display()})
        for key, value in values.items():
            setattr(opd, key, value)
        if sk is not None:
            _store_sk(opd, sk)
        opd.status, opd.submitted_at = Opd.Status.SUBMITTED, timezone.now()
        opd.save()
        OpdEvent.objects.create(opd=opd, actor=actor, from_status=Opd.Status.REJECTED, to_status=opd.status)
        audit_record(actor=actor, action="opd.resubmit", target=opd, after={"kode_satker": opd.kode_satker})
    return opd


def _require_admin(opd: Opd, actor) -> None:
    member = member_of(actor)
    if member is None or member.opd_id != opd.pk or not member.has(Role.ADMIN):
        raise PermissionDenied


UMK_MIN_PERCENT = 40  # Perpres 12/2021 Ps 65(3)


def opd_target_set(*, opd_id: int, actor, year: int, pagu: int, umk_percent: int, reason: str = "") -> OpdTarget:
    """The Admin OPD sets (or changes) the year's budget and planned UMK share. A share below 40% is refused; a
    budget below what the OPD already paid that year is refused unless a reason is given, which is then kept."""
    from .realisation import opd_realisation

    reason = (reason or "").strip()[:300]
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [_("Tahun anggaran tidak valid.")]})
    if pagu <= 0:
        raise ValidationError({"pagu": [_("Isi pagu belanja barang/jasa lebih dari nol.")]})
    if umk_percent < UMK_MIN_PERCENT or umk_percent > 100:
        raise ValidationError({"umk_percent": [_("Rencana porsi UMK minimal %(min)s%% (Perpres 12/2021 Pasal 65) dan "
                                                 "paling banyak 100%%.") % {"min": UMK_MIN_PERCENT}]})
    with transaction.atomic():
        opd = Opd.objects.select_for_update().get(pk=opd_id)
        _require_admin(opd, actor)
        progress, target = opd_realisation(opd=opd, year=year)
        spent = progress.figures.spent
        if pagu < spent and not reason:
            raise ValidationError({"reason": [_(
                "Pagu %(pagu)s lebih kecil dari belanja yang sudah dibayar tahun %(year)s (%(spent)s). Periksa "
                "lagi, atau tuliskan alasannya untuk tetap menyimpan.") % {
                "pagu": format_rupiah(pagu), "year": year, "spent": format_rupiah(spent)}]})
        before = {"pagu": target.pagu, "umk_percent": target.umk_percent} if target else {}
        target, _created = OpdTarget.objects.update_or_create(opd=opd, year=year, defaults={
            "pagu": pagu, "umk_percent": umk_percent, "reason": reason if pagu < spent else "", "updated_by": actor})
        audit_record(actor=actor, action="opd.target_set", target=opd, before=before,
                     after={"year": year, "pagu": pagu, "umk_percent": umk_percent, "spent": spent},
                     reason=reason if pagu < spent else "")
    return target


def _opd_decide(*, opd_id: int, actor, to_status: str, reasons: dict | None, note: str, action: str) -> Opd:
    if not actor.is_verifikator:
        raise PermissionDenied
    with transaction.atomic():
        opd = Opd.objects.select_for_update().select_related("created_by").get(pk=opd_id)
        if opd.status != Opd.Status.SUBMITTED:
            raise OpdStateError(_("Satuan kerja berstatus “%(s)s”; tidak menunggu verifikasi.")
                                % {"s": opd.get_status_display()})
        before = opd.status
        opd.status = to_status
        if to_status == Opd.Status.VERIFIED:
            opd.verified_at = timezone.now()
        opd.save(update_fields=["status", "verified_at"])
        OpdEvent.objects.create(opd=opd, actor=actor, from_status=before, to_status=to_status,
                                reasons=reasons or {}, note=note)
        audit_record(actor=actor, action=action, target=opd, before={"status": before},
                     after={"status": to_status, **({"reasons": reasons} if reasons else {})}, reason=note)
        if to_status == Opd.Status.VERIFIED:
            subject = _("Satuan kerja %(name)s terverifikasi") % {"name": opd.name}
            body = _("Satuan kerja Anda sudah terverifikasi. Undang PP, PPK, Bendahara dan Auditor dari halaman "
                     "Pengadaan.")
        else:
            listed = "\n".join(f"- {OPD_REVIEW_FIELDS[key]}: {text}" for key, text in (reasons or {}).items())
            subject = _("Satuan kerja %(name)s perlu perbaikan") % {"name": opd.name}
            body = _("Verifikator meminta perbaikan data berikut:\n%(list)s\nPerbaiki lalu kirim ulang.") % {
                "list": listed}
        outbox_enqueue(recipient=opd.created_by, subject=subject, body=body, url=reverse("procurement:home"))
    return opd


def opd_verify(*, opd_id: int, actor, note: str = "") -> Opd:
    return _opd_decide(opd_id=opd_id, actor=actor, to_status=Opd.Status.VERIFIED, reasons=None, note=note,
                       action="opd.verify")


def opd_reject(*, opd_id: int, actor, reasons: dict[str, str], note: str = "") -> Opd:
    """Back to the Admin OPD with a reason per field (at least one)."""
    reasons = {key: text.strip()[:300] for key, text in reasons.items() if text and text.strip()}
    if not reasons or set(reasons) - set(OPD_REVIEW_FIELDS):
        raise ValidationError(_("Tuliskan alasan perbaikan untuk minimal satu data."))
    return _opd_decide(opd_id=opd_id, actor=actor, to_status=Opd.Status.REJECTED, reasons=reasons, note=note,
                       action="opd.reject")


# --- people --------------------------------------------------------------------------------------------------

INVITABLE = (Role.PP, Role.PPK, Role.BENDAHARA, Role.PEMERIKSA, Role.AUDITOR, Role.ADMIN)


def opd_member_invite(*, opd_id: int, actor, email: str, role: str) -> OpdInvitation:
    """The Admin OPD invites someone by email to a role (the vendors invitation pattern: an outbox message, to the
    account if there is one, else a sign-up link)."""
    email = email.strip().lower()
    if role not in INVITABLE:
        raise ValidationError({"role": [_("Peran tidak dikenal.")]})
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ValidationError({"email": [_("Masukkan alamat email yang valid.")]})
    with transaction.atomic():
        opd = Opd.objects.select_for_update().get(pk=opd_id)
        _require_admin(opd, actor)
        if not opd.is_verified:
            raise OpdStateError(_("Undangan bisa dikirim setelah satuan kerja terverifikasi."))
        existing = OpdMember.objects.filter(user__email__iexact=email).first()
        if existing is not None and existing.opd_id != opd.pk:
            raise ValidationError({"email": [_("%(email)s sudah berperan di satuan kerja lain; satu orang hanya "
                                               "berperan di satu satuan kerja.") % {"email": email}]})
        if existing is not None and existing.has(role):
            raise ValidationError({"email": [_("%(email)s sudah menjadi %(role)s di satuan kerja ini.")
                                             % {"email": email, "role": Role(role).label}]})
        invitation, _created = OpdInvitation.objects.update_or_create(
            opd=opd, email=email, role=role, accepted_at=None, defaults={"invited_by": actor})
        audit_record(actor=actor, action="opd.member_invite", target=opd, after={"email": email, "role": role})
        invitee = get_user_model().objects.filter(email__iexact=email).first()
        subject = _("Undangan sebagai %(role)s di %(opd)s") % {"role": Role(role).label, "opd": opd.name}
        if invitee:
            outbox_enqueue(recipient=invitee, subject=subject,
                           body=_("%(who)s mengundang Anda. Terima undangan di halaman Pengadaan.") % {"who": actor},
                           url=reverse("procurement:home"))
        else:
            outbox_enqueue(email=email, subject=subject, body=_(
                "%(who)s mengundang Anda sebagai %(role)s di %(opd)s, Plaza Banten.\n\nDaftar dengan alamat email "
                "ini, konfirmasi email Anda, lalu buka halaman Pengadaan untuk menerima undangan:\n%(link)s\n%(home)s")
                % {"who": actor, "role": Role(role).label, "opd": opd.name, "link": invitation_signup_url(),
                   "home": settings.PB_BASE_URL + reverse("procurement:home")})
    return invitation


def opd_invitation_accept(*, invitation_id: int, user) -> OpdMember:
    """Only from the invited, verified email; a person holds roles in one OPD only."""
    with transaction.atomic():
        invitation = (OpdInvitation.objects.select_for_update()
                      .filter(pk=invitation_id, email__iexact=user.email, accepted_at__isnull=True).first())
        if invitation is None:
            raise OpdStateError(_("Undangan tidak ada atau sudah diterima."))
        if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
            raise OpdStateError(_("Konfirmasi dulu email %(email)s lewat tautan yang kami kirim, lalu terima "
                                  "undangannya.") % {"email": invitation.email})
        member = OpdMember.objects.select_for_update().filter(user=user).first()
        if member is not None and member.opd_id != invitation.opd_id:
            raise OpdStateError(_("Anda sudah berperan di satuan kerja lain; satu orang hanya berperan di satu "
                                  "satuan kerja."))
        if member is None:
            member = OpdMember.objects.create(opd_id=invitation.opd_id, user=user, roles=[invitation.role])
        elif not member.has(invitation.role):
            member.roles = [*member.roles, invitation.role]
            member.save(update_fields=["roles"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        user.groups.add(Group.objects.get_or_create(name=roles.GOVERNMENT)[0])
        audit_record(actor=user, action="opd.member_join", target=invitation.opd, after={"role": invitation.role})
    return member


# --- packages ------------------------------------------------------------------------------------------------


def kode_rup_check(value: str) -> str:
    code = re.sub(r"\s+", "", value or "")
    if not KODE_RUP_RE.match(code):
        raise ValidationError({"kode_rup": [_("Kode RUP hanya berisi angka (5–20 angka) seperti di SiRUP, "
                                              "mis. 56082744.")]})
    return code


def paket_value_check(*, total: int, created_as: str) -> None:
    if settings.PROCUREMENT_BELA_MODE and total > settings.PROCUREMENT_BELA_LIMIT:
        raise ValidationError({"__all__": [_("Nilai paket %(total)s melebihi batas %(limit)s per paket.") % {
            "total": format_rupiah(total), "limit": format_rupiah(settings.PROCUREMENT_BELA_LIMIT)}]})
    if created_as == Role.PP and total > settings.PROCUREMENT_PP_LIMIT:
        raise ValidationError({"__all__": [_("Nilai paket %(total)s melebihi batas Pejabat Pengadaan %(limit)s; paket "
                                             "di atas batas ini dibuat oleh PPK.") % {
            "total": format_rupiah(total), "limit": format_rupiah(settings.PROCUREMENT_PP_LIMIT)}]})


def alamat_lain_clean(*, text: str, alamat_kirim: str) -> list[str]:
    """More delivery locations, one per line (at most 10, each up to 250 characters), without repeats."""
    seen, result = {alamat_kirim.strip()}, []
    for raw in (text or "").splitlines():
        address = " ".join(raw.split())
        if address and address not in seen:
            if len(address) > 250:
                raise ValidationError({"alamat_lain": [_("Setiap alamat paling panjang 250 karakter.")]})
            seen.add(address)
            result.append(address)
    if len(result) > 10:
        raise ValidationError({"alamat_lain": [_("Paling banyak 10 alamat pengiriman lain.")]})
    return result


def cart_by_shop(*, user) -> dict[int, dict[int, int]]:
    """The buyer's cart grouped by shop: {shop id: {variant id: quantity}}."""
    grouped: dict[int, dict[int, int]] = {}
    for variant_id, quantity, shop_id in CartLine.objects.filter(user=user).values_list(
            "variant_id", "quantity", "variant__product__shop_id"):
        grouped.setdefault(shop_id, {})[variant_id] = quantity
    return grouped


def paket_create(*, actor, shop_id: int, nama: str, kode_rup: str, tahun_anggaran: int, sumber_dana: str,
                 alamat_kirim: str, permintaan_tiba: date, ppk_id: int | None = None, ketentuan_tambahan: str = "",
                 quantities: dict[int, int] | None = None, alamat_lain: str = "") -> Paket:
    """A PP (≤ the PP limit) or a PPK creates a draft package from the cart lines of one shop (or the given
    quantities). The role comes from the actor's OpdMember row: a PP names a PPK of the same OPD who is not
    themself; a PPK's own package is reviewed by themself."""
    member = member_of(actor)
    if member is None or not (member.has(Role.PP) or member.has(Role.PPK)):
        raise PermissionDenied
    if not member.opd.is_verified:
        raise ValidationError({"__all__": [_("Satuan kerja Anda belum terverifikasi.")]})
    if quantities is None:
        quantities = cart_by_shop(user=actor).get(shop_id, {})
    errors: dict[str, list[str]] = {}
    try:
        kode_rup = kode_rup_check(kode_rup)
    except ValidationError as error:
        errors.update(error.message_dict)
    nama, alamat_kirim = (nama or "").strip(), (alamat_kirim or "").strip()
    if not nama:
        errors["nama"] = [_("Isi nama paket.")]
    if not alamat_kirim:
        errors["alamat_kirim"] = [_("Isi alamat pengiriman.")]
    if sumber_dana not in Paket.SumberDana.values:
        errors["sumber_dana"] = [_("Pilih sumber dana: APBD, APBN, BLUD atau BOS.")]
    this_year = timezone.localdate().year
    if not isinstance(tahun_anggaran, int) or not this_year - 1 <= tahun_anggaran <= this_year + 1:
        errors["tahun_anggaran"] = [_("Tahun anggaran %(a)s–%(b)s.") % {"a": this_year - 1, "b": this_year + 1}]
    if not isinstance(permintaan_tiba, date) or permintaan_tiba <= timezone.localdate():
        errors["permintaan_tiba"] = [_("Tanggal permintaan tiba harus setelah hari ini.")]
    if not quantities or any(q < 1 for q in quantities.values()):
        errors["__all__"] = [_("Keranjang untuk toko ini kosong: tambahkan barang dari satu toko dulu.")]
    if errors:
        raise ValidationError(errors)
    variants = list(ProductVariant.objects.filter(pk__in=quantities, archived_at__isnull=True,
                                                  product__status=Product.Status.ACTIVE,
                                                  product__shop_id=shop_id, product__shop__status=Shop.Status.VERIFIED)
                    .select_related("product"))
    if len(variants) != len(quantities):
        raise ValidationError({"__all__": [_("Sebagian barang tidak lagi dijual oleh toko ini atau berasal dari toko "
                                             "lain. Satu paket berisi barang dari satu toko.")]})
    total = sum(v.price * quantities[v.pk] for v in variants)
    created_as = Role.PP if member.has(Role.PP) and total <= settings.PROCUREMENT_PP_LIMIT else (
        Role.PPK if member.has(Role.PPK) else Role.PP)
    paket_value_check(total=total, created_as=created_as)
    if created_as == Role.PP:
        ppk = OpdMember.objects.filter(user_id=ppk_id, opd_id=member.opd_id, roles__contains=[Role.PPK]).first()
        if ppk_id == actor.pk:
            raise ValidationError({"ppk": [_("PP dan PPK satu paket tidak boleh orang yang sama.")]})
        if ppk is None:
            raise ValidationError({"ppk": [_("Pilih PPK dari satuan kerja Anda.")]})
        ppk_user_id = ppk.user_id
    else:
        ppk_user_id = actor.pk
    with transaction.atomic():
        paket = Paket.objects.create(
            opd_id=member.opd_id, shop_id=shop_id, nama=nama[:200], kode_rup=kode_rup, tahun_anggaran=tahun_anggaran,
            sumber_dana=sumber_dana, alamat_kirim=alamat_kirim[:250], permintaan_tiba=permintaan_tiba,
            alamat_lain=alamat_lain_clean(text=alamat_lain, alamat_kirim=alamat_kirim),
            created_by=actor, created_as=created_as, ppk_id=ppk_user_id, total=total,
            ketentuan_tambahan=(ketentuan_tambahan or "").strip()[:2000])
        PaketLine.objects.bulk_create([
            PaketLine(paket=paket, variant=v, product_name=v.product.name, variant_name=v.name, sku=v.sku,
                      unit_price=v.price, quantity=quantities[v.pk], weight_grams=v.product.weight_grams or 0)
            for v in sorted(variants, key=lambda v: v.pk)])
        PaketEvent.objects.create(paket=paket, actor=actor, actor_kind="pembuat", from_status="", to_status=S.DRAFT,
                                  note=_("Paket dibuat dari keranjang."))
        CartLine.objects.filter(user=actor, variant_id__in=quantities).delete()
        audit_record(actor=actor, action="paket.create", target=paket,
                     after={"total": total, "kode_rup": kode_rup, "shop": shop_id, "created_as": created_as})
    return paket


def paket_update(*, paket_id: int, actor, nama: str, kode_rup: str, tahun_anggaran: int, sumber_dana: str,
                 alamat_kirim: str, permintaan_tiba: date, ppk_id: int | None, ketentuan_tambahan: str = "",
                 quantities: dict[int, int], remove: frozenset[int] = frozenset(),
                 add: dict[int, int] | None = None, alamat_lain: str = "") -> Paket:
    """The creator fixes a draft: the same checks as at creation, the lines' quantities (the unit prices stay those
    of the snapshot, or of an agreed negotiation), lines removed (remove: line ids), products of the same shop added
    at today's catalog price (add: {variant id: quantity}), the other delivery addresses, the limits on the new
    total. Only in draft, only by its creator; all or nothing."""
    add = add or {}
    from .lifecycle import CREATOR, PaketActionForbidden, actor_kinds

    errors: dict[str, list[str]] = {}
    try:
        kode_rup = kode_rup_check(kode_rup)
    except ValidationError as error:
        errors.update(error.message_dict)
    nama, alamat_kirim = (nama or "").strip(), (alamat_kirim or "").strip()
    if not nama:
        errors["nama"] = [_("Isi nama paket.")]
    if not alamat_kirim:
        errors["alamat_kirim"] = [_("Isi alamat pengiriman.")]
    if sumber_dana not in Paket.SumberDana.values:
        errors["sumber_dana"] = [_("Pilih sumber dana: APBD, APBN, BLUD atau BOS.")]
    if not isinstance(permintaan_tiba, date) or permintaan_tiba <= timezone.localdate():
        errors["permintaan_tiba"] = [_("Tanggal permintaan tiba harus setelah hari ini.")]
    kept = [q for line_id, q in quantities.items() if line_id not in remove]
    if any(q < 1 or q > 100_000 for q in [*kept, *add.values()]):
        errors["__all__"] = [_("Jumlah setiap barang 1–100.000.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        paket = Paket.objects.select_for_update().get(pk=paket_id)
        if CREATOR not in actor_kinds(paket=paket, user=actor):
            raise PaketActionForbidden(_("Hanya pembuat paket yang mengubah draf."))
        if paket.status != S.DRAFT:
            raise PaketTransitionError(_("Paket hanya bisa diubah saat berstatus Draf."))
        lines = list(paket.lines.all())
        if set(quantities) != {line.pk for line in lines} or not remove <= set(quantities):
            raise ValidationError({"__all__": [_("Isi jumlah setiap barang.")]})
        removed = [line for line in lines if line.pk in remove]
        lines = [line for line in lines if line.pk not in remove]
        _negotiated_quantities_keep(paket=paket, lines=lines, quantities=quantities)
        added = _draft_additions(paket=paket, add=add, present={line.variant_id for line in lines + removed})
        if not lines and not added:
            raise ValidationError({"__all__": [_("Paket harus berisi minimal satu barang.")]})
        total = (sum(line.unit_price * quantities[line.pk] for line in lines)
                 + sum(v.price * add[v.pk] for v in added))
        paket_value_check(total=total, created_as=paket.created_as)
        if paket.created_as == Role.PP:
            if ppk_id == actor.pk:
                raise ValidationError({"ppk": [_("PP dan PPK satu paket tidak boleh orang yang sama.")]})
            if not OpdMember.objects.filter(user_id=ppk_id, opd_id=paket.opd_id, roles__contains=[Role.PPK]).exists():
                raise ValidationError({"ppk": [_("Pilih PPK dari satuan kerja Anda.")]})
            paket.ppk_id = ppk_id
        before = {"total": paket.total, "kode_rup": paket.kode_rup}
        for line in lines:
            if line.quantity != quantities[line.pk]:
                line.quantity = quantities[line.pk]
                line.save(update_fields=["quantity"])
        PaketLine.objects.filter(pk__in=[line.pk for line in removed]).delete()
        PaketLine.objects.bulk_create([
            PaketLine(paket=paket, variant=v, product_name=v.product.name, variant_name=v.name, sku=v.sku,
                      unit_price=v.price, quantity=add[v.pk], weight_grams=v.product.weight_grams or 0)
            for v in added])
        paket.nama, paket.kode_rup, paket.tahun_anggaran, paket.sumber_dana = nama[:200], kode_rup, tahun_anggaran, \
            sumber_dana
        paket.alamat_kirim, paket.permintaan_tiba, paket.total = alamat_kirim[:250], permintaan_tiba, total
        paket.alamat_lain = alamat_lain_clean(text=alamat_lain, alamat_kirim=alamat_kirim)
        paket.ketentuan_tambahan = (ketentuan_tambahan or "").strip()[:2000]
        paket.save()
        changes = [_("Draf diubah.")]
        if removed:
            changes.append(_("Dihapus: %(items)s.") % {"items": ", ".join(line.name for line in removed)})
        if added:
            changes.append(_("Ditambah: %(items)s.") % {"items": ", ".join(
                f"{add[v.pk]} × {v.product.name} {v.name}".strip() for v in added)})
        PaketEvent.objects.create(paket=paket, actor=actor, actor_kind=CREATOR, from_status=S.DRAFT, to_status=S.DRAFT,
                                  note=" ".join(changes)[:500])
        audit_record(actor=actor, action="paket.update", target=paket, before=before,
                     after={"total": total, "kode_rup": kode_rup,
                            "removed": sorted(line.variant_id for line in removed),
                            "added": {str(k): v for k, v in add.items()}})
    return paket


def _negotiated_quantities_keep(*, paket: Paket, lines: list[PaketLine], quantities: dict[int, int]) -> None:
    """A price agreed in a negotiation holds for the agreed quantity: changing it needs a new negotiation (or the
    line removed and added again at the catalog price)."""
    from .models import PaketOffer

    accepted = PaketOffer.objects.filter(paket=paket, outcome=PaketOffer.Outcome.ACCEPTED).order_by("-pk").first()
    if accepted is None:
        return
    agreed = {ol.variant_id: (ol.unit_price, ol.quantity) for ol in accepted.lines.all()}
    for line in lines:
        if quantities[line.pk] != line.quantity and agreed.get(line.variant_id) == (line.unit_price, line.quantity):
            raise ValidationError({"__all__": [_(
                "Harga %(name)s (%(price)s) disepakati untuk %(n)s unit. Untuk mengubah jumlahnya ajukan negosiasi "
                "baru, atau hapus barang ini lalu tambahkan lagi dengan harga katalog.") % {
                "name": line.name, "price": format_rupiah(line.unit_price), "n": line.quantity}]})


def paket_addable_variants(*, paket: Paket):
    """What the creator may add to a draft: the on-sale variants of the package's shop not in it yet."""
    return (ProductVariant.objects.filter(product__shop_id=paket.shop_id, archived_at__isnull=True,
                                          product__status=Product.Status.ACTIVE,
                                          product__shop__status=Shop.Status.VERIFIED)
            .exclude(pk__in=paket.lines.values("variant_id")).select_related("product")
            .order_by("product__name", "name", "pk"))


def _draft_additions(*, paket: Paket, add: dict[int, int], present: set[int]) -> list[ProductVariant]:
    if not add:
        return []
    if set(add) & present:
        raise ValidationError({"__all__": [_("Barang itu sudah ada di paket; ubah jumlahnya saja.")]})
    variants = list(paket_addable_variants(paket=paket).filter(pk__in=add))
    if len(variants) != len(add):
        raise ValidationError({"__all__": [_("Sebagian barang tidak lagi dijual oleh toko ini atau berasal dari toko "
                                             "lain. Satu paket berisi barang dari satu toko.")]})
    return sorted(variants, key=lambda v: v.pk)


def paket_offer(*, paket_id: int, actor, lines: dict[int, tuple[int, int]], note: str = "",
                answering: int | None = None) -> Paket:
    """A negotiation offer {line id: (unit price, quantity)}: the creator's opens the negotiation or the next
    round, the seller's counters within the round (procurement.negotiation)."""
    return paket_transition(paket_id=paket_id, to_status=S.NEGOSIASI, actor=actor, note=note, offer=lines,
                            answering=answering)


def paket_offer_accept(*, paket_id: int, actor, answering: int | None = None) -> Paket:
    """The other party's open offer is agreed: its prices and quantities become the lines; on to the PPK."""
    return paket_transition(paket_id=paket_id, to_status=S.MENUNGGU_PPK, actor=actor, answering=answering)


def paket_negotiation_end(*, paket_id: int, actor, reason: str, answering: int | None = None) -> Paket:
    """The seller declines, or the creator ends the negotiation: back to draft with the lines as before."""
    return paket_transition(paket_id=paket_id, to_status=S.DRAFT, actor=actor, note=reason, answering=answering)


def paket_submit(*, paket_id: int, actor) -> Paket:
    paket = Paket.objects.get(pk=paket_id)
    paket_value_check(total=paket.total, created_as=paket.created_as)
    return paket_transition(paket_id=paket_id, to_status=S.MENUNGGU_PPK, actor=actor)


def paket_return(*, paket_id: int, actor, reason: str) -> Paket:
    return paket_transition(paket_id=paket_id, to_status=S.DRAFT, actor=actor, note=reason)


def paket_cancel(*, paket_id: int, actor, reason: str) -> Paket:
    return paket_transition(paket_id=paket_id, to_status=S.DIBATALKAN, actor=actor, note=reason)


def paket_sp_sign(*, paket_id: int, actor, password: str) -> Paket:
    return paket_transition(paket_id=paket_id, to_status=S.SP_TERBIT, actor=actor, password=password)


def paket_seller_accept(*, paket_id: int, actor, password: str) -> Paket:
    return paket_transition(paket_id=paket_id, to_status=S.DIPROSES, actor=actor, password=password)


def paket_seller_decline(*, paket_id: int, actor, reason: str) -> Paket:
    return paket_transition(paket_id=paket_id, to_status=S.DITOLAK_PENYEDIA, actor=actor, note=reason)


def paket_ship(*, paket_id: int, actor, courier: str, tracking: str = "", lines: dict[int, int] | None = None,
               address: str | None = None) -> Paket:
    """One delivery: some or all of what is left (lines {line id: quantity}; None = all of it), to one of the
    package's addresses (None = the first), by the shop's own courier or a shipping company."""
    courier, tracking = (courier or "").strip()[:60], re.sub(r"\s+", "", tracking or "").upper()[:60]
    if not courier:
        raise ValidationError({"courier": [_("Isi jasa kirim, mis. “Kurir toko” atau “JNE”.")]})
    return paket_transition(paket_id=paket_id, to_status=S.DIKIRIM, actor=actor,
                            fields={"courier": courier, "tracking_number": tracking},
                            shipment={"lines": lines, "address": address})


def paket_inspect(*, paket_id: int, actor, lines: dict[int, tuple[int, bool, str]],
                  delivery_id: int | None = None) -> Paket:
    """The pemeriksaan tepat guna of one delivery (the oldest one out when none is named), per line, by the PPK or
    the pemeriksa they named: the package is diterima when everything arrived as ordered, dikirim while another
    delivery is out, else back to the seller (the mismatch is the delivery's complaint)."""
    return paket_transition(paket_id=paket_id, to_status=S.DITERIMA, actor=actor, lines=lines,
                            delivery_id=delivery_id)


def paket_inspector_name(*, paket_id: int, actor, inspector_id: int | None) -> Paket:
    """The package's PPK names a pemeriksa of the same OPD (or none) to record the inspections; until the goods
    are all received."""
    from .lifecycle import PPK, PaketActionForbidden, actor_kinds

    with transaction.atomic():
        paket = Paket.objects.select_for_update(of=("self",)).select_related("opd").get(pk=paket_id)
        if PPK not in actor_kinds(paket=paket, user=actor):
            raise PaketActionForbidden(_("Hanya PPK paket ini yang menunjuk pemeriksa."))
        if paket.status not in (S.DRAFT, S.MENUNGGU_PPK, S.SP_TERBIT, S.DIPROSES, S.DIKIRIM):
            raise PaketTransitionError(_("Pemeriksa hanya bisa ditunjuk sebelum semua barang diterima."))
        inspector = None
        if inspector_id is not None:
            member = OpdMember.objects.select_related("user").filter(
                user_id=inspector_id, opd_id=paket.opd_id, roles__contains=[Role.PEMERIKSA]).first()
            if member is None:
                raise ValidationError({"inspector": [_("Pilih pemeriksa dari satuan kerja Anda.")]})
            inspector = member.user
        before = paket.inspector_id
        paket.inspector = inspector
        paket.save(update_fields=["inspector"])
        note = (_("PPK menunjuk %(name)s sebagai pemeriksa.") % {"name": inspector.name or inspector.email}
                if inspector else _("PPK memeriksa sendiri (pemeriksa tidak ditunjuk)."))
        PaketEvent.objects.create(paket=paket, actor=actor, actor_kind=PPK, from_status=paket.status,
                                  to_status=paket.status, note=note)
        audit_record(actor=actor, action="paket.inspector_name", target=paket, before={"inspector": before},
                     after={"inspector": paket.inspector_id})
        if inspector is not None:
            outbox_enqueue(recipient=inspector, subject=_("Paket %(code)s: Anda ditunjuk sebagai pemeriksa")
                           % {"code": paket.code}, body=_("Periksa barang paket “%(name)s” setiap kali dikirim, "
                                                         "per barang.") % {"name": paket.nama},
                           url=reverse("procurement:paket", args=[paket.pk]))
    return paket


def paket_bast_sign(*, paket_id: int, actor, password: str) -> Paket:
    paket = Paket.objects.get(pk=paket_id)
    target = S.SUDAH_BAST if paket.status == S.BAST_PPK else S.BAST_PPK
    return paket_transition(paket_id=paket_id, to_status=target, actor=actor, password=password)


def paket_cancel_unanswered(*, now=None) -> int:
    """Beat job: a SP the seller did not answer within the working-day deadline cancels; the stock returns."""
    now = now or timezone.now()
    done = 0
    for paket_id in Paket.objects.filter(status=S.SP_TERBIT, seller_deadline__lt=now).values_list("pk", flat=True):
        try:
            paket_transition(paket_id=paket_id, to_status=S.BATAL_OTOMATIS, actor=None)
            done += 1
        except PaketTransitionError:
            continue  # answered meanwhile
    return done


__all__ = ["SYSTEM"]
