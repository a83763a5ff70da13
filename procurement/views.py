"""Government buying pages: the OPD dashboard per role, the package page, the seller's government orders and the
verifikator's OPD console. Thin: the role comes from procurement.lifecycle.actor_kinds (OpdMember, shop scope),
the writes from procurement.services; another OPD's package is a 404."""

import csv
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from payments.forms import BANK_NAMES
from payments.gateways.base import VA_BANKS, Method
from payments.models import Payment
from payments.services import PaymentError, card_attempt_failed
from plazabanten.uploads import media_headers
from privacy.documents import Purpose, document_access_record, private_document_view
from vendors.decorators import shop_view
from vendors.models import Capability, Shop

from . import services
from .addenda import (
    OPEN_STATES,
    addendum_summary,
    paket_addendum_accept,
    paket_addendum_countersign,
    paket_addendum_decline,
    paket_addendum_request,
)
from .forms import AddendumForm, InspectionForm, InviteForm, OfferForm, OpdForm, OpdReviewForm, PaketForm, TargetForm
from .lifecycle import (
    AUDITOR,
    BENDAHARA,
    CREATOR,
    INSPECTOR,
    PPK,
    SELLER,
    TRANSITIONS,
    PaketActionForbidden,
    PaketActionInvalid,
    PaketTransitionError,
    SigningLocked,
    actor_kinds,
    line_progress,
    member_of,
    paket_action_resolve,
    paket_actions_for,
    seller_may_see,
)
from .models import (
    OPD_REVIEW_FIELDS,
    Opd,
    OpdInvitation,
    OpdMember,
    Paket,
    PaketAddendum,
    PaketDelivery,
    PaketDocument,
    PaketLine,
    PaketOffer,
    Role,
)
from .negotiation import open_offer, rounds_max, rounds_used
from .payment import paket_invoice_reissue, paket_payment_start
from .realisation import OPEN_CSV_COLUMNS, Figures, opd_realisation, open_data, open_data_rows, province_realisation

S = Paket.Status


def verifikator_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_verifikator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _status_of(error: Exception) -> int:
    if isinstance(error, SigningLocked):
        return 429
    if isinstance(error, PaketActionForbidden | PermissionDenied):
        return 403
    if isinstance(error, PaketActionInvalid | ValidationError | PaymentError):
        return 400 if not isinstance(error, PaymentError) else 409
    return 409


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# --- the OPD side ---------------------------------------------------------------------------------------------


def _opd_paket(user, pk: int) -> Paket:
    """A package of the person's own OPD; another OPD's (or none) is a 404."""
    member = member_of(user)
    if member is None:
        raise Http404
    return get_object_or_404(Paket.objects.select_related("opd__pemda", "shop", "ppk", "created_by", "order"),
                             pk=pk, opd_id=member.opd_id)


@login_required
@require_GET
def home(request):
    member = member_of(request.user)
    invitations = OpdInvitation.objects.filter(email__iexact=request.user.email, accepted_at__isnull=True
                                               ).select_related("opd")
    if member is None:
        return render(request, "procurement/home_none.html", {"invitations": invitations})
    opd = member.opd
    pakets = Paket.objects.filter(opd=opd).select_related("shop", "ppk", "created_by")
    sections = []
    if member.has(Role.PP):
        sections.append((_("Paket saya"), pakets.filter(created_by=request.user)))
    if member.has(Role.PPK):
        sections.append((_("Menunggu persetujuan Anda"), pakets.filter(ppk=request.user, status=S.MENUNGGU_PPK)))
        sections.append((_("Perlu pemeriksaan / BAST"), pakets.filter(ppk=request.user,
                                                                       status__in=[S.DIKIRIM, S.DITERIMA])))
        sections.append((_("Semua paket Anda sebagai PPK"), pakets.filter(ppk=request.user)))
    if member.has(Role.PEMERIKSA):
        sections.append((_("Perlu pemeriksaan"), pakets.filter(inspector=request.user, status=S.DIKIRIM)))
        sections.append((_("Paket yang Anda periksa"), pakets.filter(inspector=request.user)))
    if member.has(Role.BENDAHARA):
        sections.append((_("Menunggu pembayaran"), pakets.filter(status=S.MENUNGGU_PEMBAYARAN)))
    if member.has(Role.AUDITOR) or member.has(Role.ADMIN):
        sections.append((_("Semua paket satuan kerja"), pakets))
    carts = []
    if opd.is_verified and (member.has(Role.PP) or member.has(Role.PPK)):
        grouped = services.cart_by_shop(user=request.user)
        shops = Shop.objects.in_bulk(list(grouped))
        carts = [(shops[shop_id], sum(q for q in lines.values())) for shop_id, lines in grouped.items()
                 if shop_id in shops]
    return render(request, "procurement/home.html", {
        "member": member, "opd": opd, "sections": sections, "carts": carts, "invitations": invitations,
        "roles": [Role(r).label for r in member.roles]})


@login_required
@require_http_methods(["GET", "POST"])
def opd_register(request):
    if member_of(request.user) is not None:
        return redirect("procurement:home")
    form = OpdForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.opd_register(actor=request.user, pemda_code=form.cleaned_data["pemda"],
                                      name=form.cleaned_data["name"], kode_satker=form.cleaned_data["kode_satker"],
                                      address=form.cleaned_data["address"],
                                      npwp_bendahara=form.cleaned_data["npwp_bendahara"], sk=form.upload)
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, _("Pendaftaran satuan kerja terkirim; verifikator Pemprov akan "
                                            "memeriksanya."))
                return redirect("procurement:opd")
        status = 400
    return render(request, "procurement/opd_register.html", {"form": form}, status=status)


def _attach(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def opd_page(request):
    """The Admin OPD's page: the OPD's status (and the verifikator's reasons), its people, invitations."""
    member = member_of(request.user)
    if member is None:
        raise Http404
    opd = member.opd
    is_admin = member.has(Role.ADMIN)
    invite_form = InviteForm(request.POST if request.POST.get("form") == "invite" else None)
    fix_form = None
    if is_admin and opd.status == Opd.Status.REJECTED:
        fix_form = OpdForm(request.POST if request.POST.get("form") == "fix" else None,
                           request.FILES if request.POST.get("form") == "fix" else None, sk_required=False,
                           initial={"pemda": opd.pemda_id, "name": opd.name, "kode_satker": opd.kode_satker,
                                    "address": opd.address, "npwp_bendahara": opd.npwp_bendahara})
    status = 200
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied
        if request.POST.get("form") == "invite" and invite_form.is_valid():
            try:
                services.opd_member_invite(opd_id=opd.pk, actor=request.user, email=invite_form.cleaned_data["email"],
                                           role=invite_form.cleaned_data["role"])
            except ValidationError as error:
                _attach(invite_form, error)
            except services.OpdStateError as error:
                invite_form.add_error(None, str(error))
            else:
                messages.success(request, _("Undangan terkirim ke %(email)s.") % {
                    "email": invite_form.cleaned_data["email"]})
                return redirect("procurement:opd")
        elif request.POST.get("form") == "fix" and fix_form is not None and fix_form.is_valid():
            data = fix_form.cleaned_data
            try:
                services.opd_resubmit(opd_id=opd.pk, actor=request.user, pemda_code=data["pemda"], name=data["name"],
                                      kode_satker=data["kode_satker"], address=data["address"],
                                      npwp_bendahara=data["npwp_bendahara"], sk=fix_form.upload)
            except ValidationError as error:
                _attach(fix_form, error)
            else:
                messages.success(request, _("Data dikirim ulang untuk diverifikasi."))
                return redirect("procurement:opd")
        status = 400
    last = opd.events.order_by("-created_at", "-pk").first()
    return render(request, "procurement/opd.html", {
        "opd": opd, "member": member, "is_admin": is_admin, "invite_form": invite_form, "fix_form": fix_form,
        "people": OpdMember.objects.filter(opd=opd).select_related("user").order_by("pk"),
        "open_invitations": opd.invitations.filter(accepted_at__isnull=True),
        "reasons": {str(OPD_REVIEW_FIELDS.get(key, key)): text for key, text in last.reasons.items()}
        if last and opd.status == Opd.Status.REJECTED else {}}, status=status)


def _file_response(request, file, name: str, content_type: str, *, access: dict):
    """Stream a private file; `access` is the access-log row (privacy.documents.document_access_record)."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    document_access_record(request=request, **access)
    response = FileResponse(handle, content_type=content_type)
    media_headers(response, file.name)
    disposition = response.get("Content-Disposition", "inline")
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _sk_response(request, opd: Opd, purpose: str):
    return _file_response(request, opd.sk_file, opd.sk_original_name or "sk.pdf",
                          opd.sk_content_type or "application/pdf",
                          access={"document": opd, "kind": "sk", "subject": opd.name, "purpose": purpose,
                                  "owner": opd.created_by, "opd": opd})


def _paket_document_response(request, document: PaketDocument):
    paket = document.paket
    return _file_response(request, document.file, f"{document.number.replace('/', '-')}.pdf", "application/pdf",
                          access={"document": document, "kind": document.kind, "subject": document.number,
                                  "purpose": Purpose.PROCUREMENT, "opd": paket.opd, "shop": paket.shop})


@login_required
@require_GET
@private_document_view
def opd_sk(request):
    member = member_of(request.user)
    if member is None or not member.has(Role.ADMIN) or not member.opd.sk_file:
        raise Http404
    return _sk_response(request, member.opd, Purpose.OWNER)


@login_required
@require_POST
def invitation_accept(request, invitation_id: int):
    try:
        services.opd_invitation_accept(invitation_id=invitation_id, user=request.user)
    except services.OpdStateError as error:
        messages.error(request, str(error))
        return render(request, "procurement/home_none.html", {
            "invitations": OpdInvitation.objects.filter(email__iexact=request.user.email, accepted_at__isnull=True),
            "error": str(error)}, status=409)
    messages.success(request, _("Undangan diterima."))
    return redirect("procurement:home")


@login_required
@require_http_methods(["GET", "POST"])
def paket_new(request, shop_id: int):
    member = member_of(request.user)
    if member is None or not (member.has(Role.PP) or member.has(Role.PPK)):
        raise Http404
    shop = get_object_or_404(Shop, pk=shop_id, status=Shop.Status.VERIFIED)
    quantities = services.cart_by_shop(user=request.user).get(shop.pk, {})
    from catalog.models import ProductVariant

    variants = ProductVariant.objects.filter(pk__in=quantities).select_related("product")
    lines = [(v, quantities[v.pk], v.price * quantities[v.pk]) for v in variants]
    ppks = [m.user for m in OpdMember.objects.filter(opd=member.opd, roles__contains=[Role.PPK]).exclude(
        user=request.user).select_related("user")]
    form = PaketForm(request.POST or None, ppks=ppks, initial={"alamat_kirim": member.opd.address})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                paket = services.paket_create(
                    actor=request.user, shop_id=shop.pk, nama=data["nama"], kode_rup=data["kode_rup"],
                    tahun_anggaran=data["tahun_anggaran"], sumber_dana=data["sumber_dana"],
                    alamat_kirim=data["alamat_kirim"], permintaan_tiba=data["permintaan_tiba"],
                    ppk_id=data["ppk"], ketentuan_tambahan=data["ketentuan_tambahan"],
                    alamat_lain=data["alamat_lain"])
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, _("Paket dibuat sebagai draf. Periksa lalu ajukan ke PPK."))
                return redirect("procurement:paket", pk=paket.pk)
        status = 400
    return render(request, "procurement/paket_new.html", {
        "shop": shop, "lines": lines, "total": sum(t for _v, _q, t in lines), "form": form,
        "pp_limit": settings.PROCUREMENT_PP_LIMIT}, status=status)


def _edit_form(paket: Paket, data=None) -> PaketForm:
    ppks = [m.user for m in OpdMember.objects.filter(opd_id=paket.opd_id, roles__contains=[Role.PPK]).exclude(
        user_id=paket.created_by_id).select_related("user")]
    return PaketForm(data, ppks=ppks, initial={
        "nama": paket.nama, "kode_rup": paket.kode_rup, "tahun_anggaran": paket.tahun_anggaran,
        "sumber_dana": paket.sumber_dana, "alamat_kirim": paket.alamat_kirim, "permintaan_tiba": paket.permintaan_tiba,
        "ppk": paket.ppk_id, "ketentuan_tambahan": paket.ketentuan_tambahan,
        "alamat_lain": "\n".join(paket.alamat_lain)})


@login_required
@require_POST
def paket_edit(request, pk: int):
    """The creator fixes a draft: the package's data and the quantities of its lines."""
    paket = _opd_paket(request.user, pk)
    form = _edit_form(paket, request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        quantities, remove = {}, set()
        for line in paket.lines.all():
            raw = (request.POST.get(f"quantity-{line.pk}") or "").strip()
            quantities[line.pk] = int(raw) if raw.isdigit() else 0
            if request.POST.get(f"remove-{line.pk}"):
                remove.add(line.pk)
        add = {}
        add_variant, add_quantity = (request.POST.get("add-variant") or "").strip(), (
            request.POST.get("add-quantity") or "").strip()
        if add_variant:
            add = {int(add_variant) if add_variant.isdigit() else 0: int(add_quantity) if add_quantity.isdigit() else 0}
        try:
            services.paket_update(
                paket_id=paket.pk, actor=request.user, nama=data["nama"], kode_rup=data["kode_rup"],
                tahun_anggaran=data["tahun_anggaran"], sumber_dana=data["sumber_dana"],
                alamat_kirim=data["alamat_kirim"], permintaan_tiba=data["permintaan_tiba"], ppk_id=data["ppk"],
                ketentuan_tambahan=data["ketentuan_tambahan"], quantities=quantities, remove=frozenset(remove),
                add=add, alamat_lain=data["alamat_lain"])
        except ValidationError as error_:
            _attach(form, error_)
        except PaketTransitionError as error_:
            paket.refresh_from_db()
            return render(request, "procurement/paket.html", _paket_context(
                paket, request.user, side="opd", error=_message(error_)), status=_status_of(error_))
        else:
            messages.success(request, _("Draf disimpan."))
            return redirect("procurement:paket", pk=paket.pk)
    error = _("Periksa isian draf.")
    return render(request, "procurement/paket.html", _paket_context(paket, request.user, side="opd", error=error,
                                                                     edit_form=form), status=400)


def _paket_context(paket: Paket, user, *, side: str, **extra) -> dict:
    documents = list(paket.documents.prefetch_related("signatures__signer"))
    payment = None
    attempt = None
    cards = []
    if paket.order_id:
        payment = Payment.objects.filter(group_id=paket.order.group_id).first()
        attempt = payment.attempts.exclude(method=Method.CARD).first() if payment else None
        cards = [(card, card_attempt_failed(payment_id=payment.pk, attempt_ref=card.attempt_ref))
                 for card in payment.attempts.filter(method=Method.CARD)[:5]] if payment else []
    kinds = actor_kinds(paket=paket, user=user)
    lines = list(paket.lines.select_related("variant"))
    actions = paket_actions_for(paket, user, side=side)
    current = open_offer(paket)
    offer_form = extra.pop("offer_form", None)
    if offer_form is None and any(action.form == "offer" for action in actions):
        offer_form = OfferForm(lines=lines, current={ol.variant_id: (ol.unit_price, ol.quantity)
                                                     for ol in current.lines.all()} if current else {})
    editing = paket.status == S.DRAFT and CREATOR in kinds and side == "opd"
    progress = line_progress(paket)
    deliveries = list(paket.deliveries.select_related("inspected_by").prefetch_related("lines__line"))
    addenda = list(paket.addenda.select_related("requested_by", "decided_by", "document")
                   .prefetch_related("lines__line", "document__signatures"))
    # The side this person takes on addenda on this page: the PPK (OPD page) or the seller (shop page).
    my_side = (PaketAddendum.Side.PPK if side == "opd" and PPK in kinds else
               PaketAddendum.Side.PENYEDIA if side == SELLER and SELLER in kinds else None)
    for addendum in addenda:
        addendum.summary = addendum_summary(addendum)
        addendum.mine = addendum.side == my_side
        addendum.to_sign = (my_side is not None and addendum.mine and addendum.status == PaketAddendum.Status.ACCEPTED
                            and not any(s.party == my_side for s in addendum.document.signatures.all()))
    open_addendum = next((a for a in addenda if a.status == PaketAddendum.Status.OPEN), None)
    can_request = my_side is not None and paket.status in OPEN_STATES and open_addendum is None
    lapsed = (paket.status == S.MENUNGGU_PEMBAYARAN and paket.order_id is not None
              and paket.order.payment_deadline <= timezone.now())
    return {"paket": paket, "invoice_lapsed": lapsed,
            "may_reissue": lapsed and bool(kinds & ({BENDAHARA} if side == "opd" else {SELLER})),
            "lines": lines, "events": paket.events.select_related("actor"),
            "progress": [(line, progress[line.pk]) for line in lines], "deliveries": deliveries,
            "open_deliveries": [d for d in deliveries if d.status == PaketDelivery.Status.SHIPPED],
            "addenda": addenda, "open_addendum": open_addendum, "my_side": my_side,
            "addendum_form": extra.pop("addendum_form", None) or (AddendumForm(lines=lines) if can_request else None),
            "inspectors": [m.user for m in OpdMember.objects.filter(
                opd_id=paket.opd_id, roles__contains=[Role.PEMERIKSA]).select_related("user")]
            if side == "opd" and PPK in kinds and paket.status in (S.DRAFT, S.MENUNGGU_PPK, S.SP_TERBIT,
                                                                    S.DIPROSES, S.DIKIRIM) else None,
            "documents": documents, "actions": actions, "side": side, "offer_form": offer_form,
            "offers": PaketOffer.objects.filter(paket=paket).select_related("actor").prefetch_related("lines"),
            "open_offer": current, "rounds": (rounds_used(paket), rounds_max()),
            "addable": services.paket_addable_variants(paket=paket)[:300] if editing else (),
            "kinds": kinds, "is_bendahara": BENDAHARA in kinds and side == "opd", "payment": payment,
            "attempt": attempt, "cards": cards, "banks": [(code, BANK_NAMES[code]) for code in VA_BANKS],
            "kkpd_limit": settings.PROCUREMENT_KKPD_LIMIT,
            "sandbox": settings.PAYMENT_GATEWAY == "sandbox",
            "read_only": kinds <= {AUDITOR, "opd"} and INSPECTOR not in kinds,
            "edit_form": extra.pop("edit_form", None) or (_edit_form(paket) if editing else None),
            **extra}


@login_required
@require_GET
def paket_page(request, pk: int):
    paket = _opd_paket(request.user, pk)
    return render(request, "procurement/paket.html", _paket_context(paket, request.user, side="opd"))


def _do_action(request, paket: Paket, slug: str, side: str):
    """Resolve the slug to its transition(s) and call the service with the form's input."""
    user = request.user
    rows = paket_action_resolve(paket=paket, user=user, slug=slug)
    if side == SELLER and not any(SELLER in row.who for row in rows):
        raise PaketActionForbidden(_("Tindakan ini bukan untuk penyedia."))
    if side == "opd" and all(row.who == {SELLER} for row in rows):
        raise PaketActionForbidden(_("Tindakan ini untuk penyedia."))
    row = rows[0]
    reason = (request.POST.get("reason") or "").strip()
    password = request.POST.get("password")
    raw_offer = (request.POST.get("answering") or "").strip()
    answering = int(raw_offer) if raw_offer.isdigit() else None
    if row.form == "sign" and not password:
        raise PaketActionInvalid(_("Masukkan kata sandi akun Anda untuk menandatangani."))
    if slug == "ajukan":
        return services.paket_submit(paket_id=paket.pk, actor=user)
    if slug == "batalkan":
        return services.paket_cancel(paket_id=paket.pk, actor=user, reason=reason)
    if slug == "kembalikan":
        return services.paket_return(paket_id=paket.pk, actor=user, reason=reason)
    if slug == "terbitkan-sp":
        return services.paket_sp_sign(paket_id=paket.pk, actor=user, password=password)
    if slug == "terima":
        return services.paket_seller_accept(paket_id=paket.pk, actor=user, password=password)
    if slug == "tolak":
        return services.paket_seller_decline(paket_id=paket.pk, actor=user, reason=reason)
    if slug == "kirim":
        quantities = None
        if any(key.startswith("quantity-") for key in request.POST):
            quantities = {}
            for line in paket.lines.all():
                raw = (request.POST.get(f"quantity-{line.pk}") or "0").strip()
                if not raw.isdigit():
                    raise PaketActionInvalid(_("Isi jumlah kirim %(name)s (angka).") % {"name": line.name})
                quantities[line.pk] = int(raw)
        return services.paket_ship(paket_id=paket.pk, actor=user, courier=request.POST.get("courier", ""),
                                   tracking=request.POST.get("tracking", ""), lines=quantities,
                                   address=request.POST.get("address") or None)
    if slug == "periksa":
        raw = (request.POST.get("delivery") or "").strip()
        delivery_id = int(raw) if raw.isdigit() else None
        out = paket.deliveries.filter(status=PaketDelivery.Status.SHIPPED).order_by("seq")
        delivery = (out.filter(pk=delivery_id) if delivery_id else out).first()
        rows = PaketLine.objects.filter(delivery_lines__delivery=delivery) if delivery else paket.lines.all()
        lines = InspectionForm(request.POST, rows).cleaned()
        return services.paket_inspect(paket_id=paket.pk, actor=user, lines=lines,
                                      delivery_id=delivery.pk if delivery else delivery_id)
    if slug == "tandatangani-bast":
        return services.paket_bast_sign(paket_id=paket.pk, actor=user, password=password)
    if slug in ("nego", "tawar"):
        current = open_offer(paket)
        request.offer_form = form = OfferForm(request.POST, lines=paket.lines.all(), current={
            ol.variant_id: (ol.unit_price, ol.quantity) for ol in current.lines.all()} if current else {})
        return services.paket_offer(paket_id=paket.pk, actor=user, lines=form.offer(),
                                    note=form.cleaned_data.get("note", ""), answering=answering)
    if slug == "setujui-nego":
        return services.paket_offer_accept(paket_id=paket.pk, actor=user, answering=answering)
    if slug in ("tolak-nego", "akhiri-nego"):
        return services.paket_negotiation_end(paket_id=paket.pk, actor=user, reason=reason, answering=answering)
    raise Http404


@login_required
@require_POST
def paket_action(request, pk: int, slug: str):
    paket = _opd_paket(request.user, pk)
    if not any(t.slug == slug for t in TRANSITIONS):
        raise Http404
    try:
        _do_action(request, paket, slug, side="opd")
    except (PaketTransitionError, ValidationError, PermissionDenied) as error:
        paket.refresh_from_db()
        return render(request, "procurement/paket.html", _paket_context(
            paket, request.user, side="opd", error=_message(error), offer_form=getattr(request, "offer_form", None)),
            status=_status_of(error))
    messages.success(request, _("Tersimpan."))
    return redirect("procurement:paket", pk=paket.pk)


ADDENDUM_DECISIONS = ("setujui", "tolak", "tarik", "tandatangani")


def _addendum_post(request, paket: Paket, *, side: str, addendum_id: int | None = None, decision: str = "",
                   shop: Shop | None = None):
    """A request for an addendum (addendum_id None) or an answer to one, from the PPK's page or the seller's."""
    user, form = request.user, None
    back = (reverse("procurement:shop_paket", args=[shop.pk, paket.pk]) if shop else
            reverse("procurement:paket", args=[paket.pk]))
    try:
        if addendum_id is None:
            form = AddendumForm(request.POST, lines=paket.lines.all())
            if not form.is_valid():
                raise PaketActionInvalid(_("Periksa isian addendum."))
            paket_addendum_request(paket_id=paket.pk, actor=user, reason=form.cleaned_data["reason"],
                                   quantities=form.quantities(), tiba=form.cleaned_data["tiba"])
            messages.success(request, _("Permintaan addendum terkirim ke pihak lain."))
        elif decision == "setujui":
            paket_addendum_accept(paket_id=paket.pk, addendum_id=addendum_id, actor=user,
                                  password=request.POST.get("password") or "")
            messages.success(request, _("Addendum disetujui dan ditandatangani."))
        elif decision in ("tolak", "tarik"):
            paket_addendum_decline(paket_id=paket.pk, addendum_id=addendum_id, actor=user,
                                   reason=request.POST.get("reason", ""))
            messages.success(request, _("Permintaan addendum ditutup."))
        else:
            paket_addendum_countersign(paket_id=paket.pk, addendum_id=addendum_id, actor=user,
                                       password=request.POST.get("password") or "")
            messages.success(request, _("Addendum ditandatangani."))
    except (PaketTransitionError, ValidationError, PermissionDenied) as error:
        paket.refresh_from_db()
        extra = {"shop": shop} if shop else {}
        if form is not None and not form.is_valid():
            extra["addendum_form"] = form
        return render(request, "procurement/paket.html", _paket_context(
            paket, user, side=side, error=_message(error), **extra), status=_status_of(error))
    return redirect(back)


@login_required
@require_POST
def paket_addendum(request, pk: int):
    return _addendum_post(request, _opd_paket(request.user, pk), side="opd")


@login_required
@require_POST
def paket_addendum_decide(request, pk: int, addendum_id: int, decision: str):
    if decision not in ADDENDUM_DECISIONS:
        raise Http404
    return _addendum_post(request, _opd_paket(request.user, pk), side="opd", addendum_id=addendum_id,
                          decision=decision)


@login_required
@require_POST
def paket_inspector(request, pk: int):
    """The package's PPK names the pemeriksa (or none: the PPK inspects)."""
    paket = _opd_paket(request.user, pk)
    raw = (request.POST.get("inspector") or "").strip()
    try:
        services.paket_inspector_name(paket_id=paket.pk, actor=request.user,
                                      inspector_id=int(raw) if raw.isdigit() else None)
    except (PaketTransitionError, ValidationError, PermissionDenied) as error:
        paket.refresh_from_db()
        return render(request, "procurement/paket.html", _paket_context(
            paket, request.user, side="opd", error=_message(error)), status=_status_of(error))
    messages.success(request, _("Pemeriksa disimpan."))
    return redirect("procurement:paket", pk=paket.pk)


@login_required
@require_POST
def paket_pay(request, pk: int):
    """The Bendahara pays the invoice: opens a virtual account, or charges the KKPD card with the token the
    gateway's card form returned (then 3-D Secure at the gateway, back here). Before the BAST (any state but
    menunggu pembayaran) the service refuses: 409, nothing written."""
    paket = _opd_paket(request.user, pk)
    method = request.POST.get("method") or Method.VA
    try:
        if request.POST.get("simulate") and settings.PAYMENT_GATEWAY == "sandbox":
            _sandbox_pay(request, paket)
        elif method == Method.CARD:
            attempt = paket_payment_start(paket_id=paket.pk, actor=request.user, method=Method.CARD,
                                          card_token=request.POST.get("token_id", ""))
            if attempt.redirect_url:
                return redirect(attempt.redirect_url)  # the issuer's 3-D Secure page
            if card_attempt_failed(payment_id=attempt.payment_id, attempt_ref=attempt.attempt_ref):
                messages.error(request, _("Kartu •••• %(last4)s ditolak bank penerbit. Pakai kartu lain atau virtual "
                                          "account.") % {"last4": attempt.card_last4})
        else:
            paket_payment_start(paket_id=paket.pk, actor=request.user, method=method,
                                channel=request.POST.get("bank", ""))
    except (PaketTransitionError, PaymentError) as error:
        return render(request, "procurement/paket.html", _paket_context(
            paket, request.user, side="opd", error=_message(error)), status=_status_of(error))
    return redirect("procurement:paket", pk=paket.pk)


@login_required
@require_POST
def paket_reissue(request, pk: int):
    """The Bendahara re-issues an invoice whose payment window lapsed unpaid (409 before that)."""
    paket = _opd_paket(request.user, pk)
    try:
        document = paket_invoice_reissue(paket_id=paket.pk, actor=request.user)
    except PaketTransitionError as error:
        paket.refresh_from_db()
        return render(request, "procurement/paket.html", _paket_context(
            paket, request.user, side="opd", error=_message(error)), status=_status_of(error))
    messages.success(request, _("Invoice baru %(number)s terbit.") % {"number": document.number})
    return redirect("procurement:paket", pk=paket.pk)


def _sandbox_pay(request, paket: Paket) -> None:
    """Sandbox only: the Bendahara's bank pays the VA (the simulator sends the signed webhook, as Midtrans would)."""
    from payments.simulator import simulator_act

    if BENDAHARA not in actor_kinds(paket=paket, user=request.user):
        raise PaketActionForbidden(_("Hanya Bendahara Pengeluaran satuan kerja ini yang membayar paket."))
    payment = Payment.objects.filter(group_id=paket.order.group_id).first() if paket.order_id else None
    attempt = payment.attempts.exclude(va_number="").first() if payment else None
    if attempt is None:
        raise PaketTransitionError(_("Buat nomor virtual account dulu."))
    simulator_act(attempt_ref=attempt.attempt_ref, action="pay",
                  webhook_url=settings.PB_BASE_URL + reverse("payments:webhook", args=["sandbox"]))


@login_required
@require_GET
@private_document_view
def paket_document(request, pk: int, document_id: int):
    paket = _opd_paket(request.user, pk)
    return _paket_document_response(request, get_object_or_404(PaketDocument, pk=document_id, paket=paket))


# --- the seller side ----------------------------------------------------------------------------------------------


def _shop_paket(shop: Shop, pk: int) -> Paket:
    return get_object_or_404(Paket.objects.select_related("opd__pemda", "shop", "ppk", "created_by", "order"),
                             pk=pk, shop=shop)


@shop_view(Capability.ORDERS)
@require_GET
def shop_pakets(request, shop: Shop):
    offered = PaketOffer.objects.filter(paket=OuterRef("pk"))
    pakets = Paket.objects.filter(Q(shop=shop) & (~Q(status__in=[S.DRAFT, S.MENUNGGU_PPK]) | Exists(offered))
                                  ).select_related("opd")
    return render(request, "procurement/shop_pakets.html", {"shop": shop, "pakets": pakets})


@shop_view(Capability.ORDERS)
@require_GET
def shop_paket(request, shop: Shop, pk: int):
    paket = _shop_paket(shop, pk)
    if not seller_may_see(paket):
        raise Http404  # not the seller's business until it is offered a negotiation or the SP is issued
    return render(request, "procurement/paket.html", _paket_context(paket, request.user, side=SELLER, shop=shop))


@shop_view(Capability.ORDERS)
@require_POST
def shop_paket_action(request, shop: Shop, pk: int, slug: str):
    paket = _shop_paket(shop, pk)
    if not seller_may_see(paket) or not any(t.slug == slug for t in TRANSITIONS):
        raise Http404
    try:
        _do_action(request, paket, slug, side=SELLER)
    except (PaketTransitionError, ValidationError, PermissionDenied) as error:
        paket.refresh_from_db()
        return render(request, "procurement/paket.html", _paket_context(
            paket, request.user, side=SELLER, shop=shop, error=_message(error),
            offer_form=getattr(request, "offer_form", None)), status=_status_of(error))
    messages.success(request, _("Tersimpan."))
    return redirect("procurement:shop_paket", shop_id=shop.pk, pk=paket.pk)


@shop_view(Capability.ORDERS)
@require_POST
def shop_paket_addendum(request, shop: Shop, pk: int):
    paket = _shop_paket(shop, pk)
    if paket.status in (S.DRAFT, S.MENUNGGU_PPK):
        raise Http404
    return _addendum_post(request, paket, side=SELLER, shop=shop)


@shop_view(Capability.ORDERS)
@require_POST
def shop_paket_addendum_decide(request, shop: Shop, pk: int, addendum_id: int, decision: str):
    paket = _shop_paket(shop, pk)
    if paket.status in (S.DRAFT, S.MENUNGGU_PPK) or decision not in ADDENDUM_DECISIONS:
        raise Http404
    return _addendum_post(request, paket, side=SELLER, addendum_id=addendum_id, decision=decision, shop=shop)


@shop_view(Capability.ORDERS)
@require_POST
def shop_paket_reissue(request, shop: Shop, pk: int):
    """The seller re-issues an invoice whose payment window lapsed unpaid (409 before that)."""
    paket = _shop_paket(shop, pk)
    try:
        document = paket_invoice_reissue(paket_id=paket.pk, actor=request.user)
    except PaketTransitionError as error:
        paket.refresh_from_db()
        return render(request, "procurement/paket.html", _paket_context(
            paket, request.user, side=SELLER, shop=shop, error=_message(error)), status=_status_of(error))
    messages.success(request, _("Invoice baru %(number)s terbit.") % {"number": document.number})
    return redirect("procurement:shop_paket", shop_id=shop.pk, pk=paket.pk)


@shop_view(Capability.ORDERS)
@require_GET
@private_document_view
def shop_paket_document(request, shop: Shop, pk: int, document_id: int):
    paket = _shop_paket(shop, pk)
    return _paket_document_response(request, get_object_or_404(PaketDocument, pk=document_id, paket=paket))


# --- the verifikator's console ----------------------------------------------------------------------------------


@verifikator_required
@require_GET
def console_opds(request):
    opds = Opd.objects.select_related("pemda").order_by("status", "submitted_at")
    return render(request, "procurement/console_opds.html", {
        "waiting": opds.filter(status=Opd.Status.SUBMITTED),
        "others": opds.filter(~Q(status=Opd.Status.SUBMITTED))[:200]})


@verifikator_required
@require_http_methods(["GET", "POST"])
def console_opd(request, opd_id: int):
    opd = get_object_or_404(Opd.objects.select_related("pemda", "created_by"), pk=opd_id)
    form = OpdReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if request.POST.get("decision") == "verify":
                    services.opd_verify(opd_id=opd.pk, actor=request.user, note=form.cleaned_data["note"])
                else:
                    services.opd_reject(opd_id=opd.pk, actor=request.user, reasons=form.reasons(),
                                        note=form.cleaned_data["note"])
            except ValidationError as error:
                form.add_error(None, error.messages)
            except services.OpdStateError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, _("Keputusan tersimpan."))
                return redirect("procurement:console_opds")
        status = status if status != 200 else 400
    return render(request, "procurement/console_opd.html", {"opd": opd, "form": form,
                                                             "events": opd.events.select_related("actor")},
                  status=status)


@verifikator_required
@require_GET
@private_document_view
def console_opd_sk(request, opd_id: int):
    opd = get_object_or_404(Opd.objects.select_related("created_by"), pk=opd_id)
    if not opd.sk_file:
        raise Http404
    return _sk_response(request, opd, Purpose.VERIFICATION)


# --- the 40% realisation (procurement.realisation) ---------------------------------------------------------------


def _year(request) -> int:
    """?tahun=2026; anything else than a year between 2020 and next year is a 404."""
    today = timezone.localdate()
    raw = request.GET.get("tahun", "")
    if not raw:
        return today.year
    if not raw.isdigit() or not 2020 <= int(raw) <= today.year + 1:
        raise Http404
    return int(raw)


def _years(year: int) -> list[int]:
    return list(range(timezone.localdate().year + 1, 2024, -1)) if year >= 2025 else [year]


@login_required
@require_http_methods(["GET", "POST"])
def realisation(request):
    """An OPD's 40% dashboard, for everyone of the OPD (admin, PP, PPK, bendahara, auditor); its Admin also sets
    the year's budget and planned UMK share here."""
    member = member_of(request.user)
    if member is None:
        raise Http404
    opd = member.opd
    is_admin = member.has(Role.ADMIN)
    year = _year(request)
    form = None
    status = 200
    if is_admin:
        form = TargetForm(request.POST or None, initial={"year": year})
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.opd_target_set(opd_id=opd.pk, actor=request.user, year=data["year"], pagu=data["pagu"],
                                        umk_percent=data["umk_percent"], reason=data["reason"])
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, _("Target tahun %(year)s tersimpan.") % {"year": data["year"]})
                return redirect(f"{reverse('procurement:realisation')}?tahun={data['year']}")
        status = 400
    progress, target = opd_realisation(opd=opd, year=year)
    if form is not None and target is not None and not form.is_bound:
        form.initial.update({"pagu": target.pagu, "umk_percent": target.umk_percent})
    return render(request, "procurement/realisation.html", {
        "opd": opd, "member": member, "year": year, "years": _years(year), "progress": progress, "target": target,
        "form": form}, status=status)


@verifikator_required
@require_GET
def console_realisation(request):
    """The Pemprov's view: the province, each Pemda rolled up from its OPDs, and the OPDs ranked."""
    year = _year(request)
    return render(request, "procurement/console_realisation.html", {
        "province": province_realisation(year=year), "year": year, "years": _years(year)})


def _open_data(request) -> tuple[int, dict] | HttpResponse:
    """The public aggregates of ?tahun, cached REALISATION_OPEN_CACHE_SECONDS under realisation:open:v1:<year>,
    at most REALISATION_OPEN_RATE requests per IP (django-ratelimit, fixed windows in the shared cache)."""
    if is_ratelimited(request, group="procurement.open_data", key="ip", rate=settings.REALISATION_OPEN_RATE,
                      increment=True):
        return render(request, "429.html", status=429)
    year = _year(request)
    data = cache.get_or_set(f"realisation:open:v1:{year}", lambda: open_data(year=year),
                            settings.REALISATION_OPEN_CACHE_SECONDS)
    return year, data


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={min(settings.REALISATION_OPEN_CACHE_SECONDS, 300)}"
    return response


@require_GET
def open_data_page(request):
    result = _open_data(request)
    if isinstance(result, HttpResponse):
        return result
    year, data = result
    months = [Figures(m["paket"] or 0, m["belanja"] or 0, m["umk"] or 0, m["pdn"] or 0, m["banten"] or 0)
              for m in data["provinsi"]["bulan"]]
    return _public(render(request, "procurement/open_data.html", {
        "data": data, "year": year, "years": _years(year), "months": months}))


@require_GET
def open_data_json(request):
    result = _open_data(request)
    if isinstance(result, HttpResponse):
        return result
    response = JsonResponse(result[1], json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return _public(response)


@require_GET
def open_data_csv(request):
    result = _open_data(request)
    if isinstance(result, HttpResponse):
        return result
    year, data = result
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="realisasi-umk-banten-{year}.csv"'
    writer = csv.writer(response)
    writer.writerow(OPEN_CSV_COLUMNS)
    for row in open_data_rows(data):
        writer.writerow(["" if value is None else value for value in row])
    response["Access-Control-Allow-Origin"] = "*"
    return _public(response)
