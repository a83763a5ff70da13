"""The seller's onboarding wizard, the private document view and the Pemprov verification console."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plazabanten.backup import backup_is_stale, backup_last_good
from plazabanten.uploads import media_headers
from privacy.documents import Purpose, document_access_record, private_document_view, purpose_pick
from regions.models import Region

from . import selectors, services
from .decorators import shop_view
from .forms import (
    BankForm,
    DocumentsForm,
    IdentityForm,
    InviteForm,
    ProfileForm,
    ReasonForm,
    RevisionForm,
    TaxDeclarationForm,
)
from .models import REVIEW_FIELDS, Capability, Shop, ShopBankChange, ShopDocument, ShopIdentity, ShopTaxDeclaration

STEPS = (
    ("profile", gettext_lazy("Profil")),
    ("identity", gettext_lazy("Identitas")),
    ("documents", gettext_lazy("Dokumen")),
    ("bank", gettext_lazy("Rekening")),
    ("review", gettext_lazy("Kirim")),
)
# The finance member looks after the payout account; identity and documents stay with the admin.
STEP_CAPABILITIES = {"profile": Capability.PROFILE, "identity": Capability.IDENTITY,
                     "documents": Capability.IDENTITY, "bank": Capability.FINANCE}
NEXT_STEP = {STEPS[i][0]: STEPS[i + 1][0] for i in range(len(STEPS) - 1)}


CHECKLIST = (
    ("nik", gettext_lazy("NIK dan nama sama dengan foto KTP")),
    ("nib", gettext_lazy("NIB valid dan sama dengan dokumen NIB")),
    ("address", gettext_lazy("Alamat masuk akal dan berada di wilayah yang dipilih")),
    ("bank", gettext_lazy("Nama rekening sama dengan pemilik atau badan usaha")),
)


def verifikator_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_verifikator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _conflict(request, shop: Shop, error: services.ShopStateError):
    return render(request, "vendors/conflict.html", {"shop": shop, "message": str(error)}, status=409)


# ---- public ---------------------------------------------------------------------------------------------------

# ---- seller side ----------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def seller_home(request):
    """The seller's shops, and a one-field form that opens a new draft shop."""
    if request.method == "POST" and "invitation" in request.POST:
        try:
            member = services.shop_invitation_accept(invitation_id=int(request.POST["invitation"]), user=request.user)
        except services.EmailNotVerified as error:
            messages.error(request, str(error))
        except (ValueError, services.ShopStateError):
            messages.error(request, _("Undangan tidak ada atau sudah diterima."))
        else:
            messages.success(request, _("Anda sekarang anggota %(shop)s.") % {"shop": member.shop.name})
        return redirect("vendors:seller_home")
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        if not name:
            messages.error(request, _("Isi nama toko."))
        else:
            shop = services.shop_create_draft(owner=request.user, name=name)
            return redirect("vendors:step", shop_id=shop.pk, step="profile")
    return render(request, "vendors/seller_home.html", {
        "memberships": selectors.memberships_of(user=request.user),
        "invitations": selectors.invitations_for(user=request.user),
        "email_verified": selectors.user_email_verified(user=request.user)})


# What a verified shop may still change: its public profile (at once) and its bank account (checked first).
VERIFIED_STEPS = ("profile", "bank")


def _verified_edit(shop: Shop, step: str) -> bool:
    return shop.status == Shop.Status.VERIFIED and step in VERIFIED_STEPS


def _step_context(shop: Shop, step: str, **extra) -> dict:
    context = {"shop": shop, "step": step, "steps": STEPS, "verified_edit": _verified_edit(shop, step),
               "editable": shop.status in services.EDITABLE or _verified_edit(shop, step), **extra}
    if step == "bank" and shop.status == Shop.Status.VERIFIED:
        context["bank_change"] = selectors.bank_change_latest(shop=shop)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def wizard_step(request, shop_id: int, step: str):
    shop = selectors.shop_for(user=request.user, shop_id=shop_id,
                              capability=STEP_CAPABILITIES.get(step, Capability.PROFILE))
    if step not in NEXT_STEP:
        raise Http404
    reasons = selectors.shop_revision_reasons(shop=shop)
    form = _step_form(request, shop, step)
    form.attach_reasons(reasons)
    if request.method == "POST" and form.is_valid():
        try:
            _step_save(request, shop, step, form)
        except services.ShopStateError as error:
            return _conflict(request, shop, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if _verified_edit(shop, step):
                messages.success(request, _("Rekening baru menunggu verifikasi. Sampai disetujui, dana tetap dicairkan "
                                            "ke rekening lama.") if step == "bank" else _("Profil toko diperbarui."))
                return redirect("vendors:step", shop_id=shop.pk, step=step)
            messages.success(request, _("Tersimpan."))
            if NEXT_STEP[step] == "review":
                return redirect("vendors:review", shop_id=shop.pk)
            return redirect("vendors:step", shop_id=shop.pk, step=NEXT_STEP[step])
    status = 422 if request.method == "POST" else 200
    return render(request, "vendors/step.html", _step_context(shop, step, form=form), status=status)


def _step_form(request, shop: Shop, step: str):
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    if step == "profile":
        initial = {"name": shop.name, "slug": shop.slug, "description": shop.description, "region": shop.region_id,
                   "street": shop.street, "postal_code": shop.postal_code, "whatsapp": shop.whatsapp,
                   "categories": list(shop.categories.values_list("pk", flat=True))}
        form = ProfileForm(data, files, shop=shop, initial=initial)
        form.fields["slug"].disabled = shop.status == Shop.Status.VERIFIED  # its links are out there
        return form
    if step == "identity":
        instance = ShopIdentity.objects.filter(shop=shop).first()
        return IdentityForm(data, instance=instance, initial={"is_pkp": shop.is_pkp})
    if step == "documents":
        return DocumentsForm(data, files, existing={doc.kind: doc for doc in shop.documents.all()})
    account = getattr(shop, "bank_account", None)
    initial = {"bank": account.bank, "holder_name": account.holder_name} if account else {}
    # A verified shop's new account is a change request: its number is typed in full.
    return BankForm(data, initial=initial, current=account if shop.status != Shop.Status.VERIFIED else None)


def _step_save(request, shop: Shop, step: str, form) -> None:
    data, actor = form.cleaned_data, request.user
    if step == "profile":
        services.shop_update_profile(shop=shop, actor=actor, name=data["name"], slug=data["slug"],
                                     description=data["description"], region=data["region"],
                                     street=data["street"], postal_code=data["postal_code"],
                                     whatsapp=data["whatsapp"], categories=data["categories"],
                                     logo=data["logo"] or None)
    elif step == "identity":
        fields = {name: data[name] for name in IdentityForm.Meta.fields}
        services.shop_update_identity(shop=shop, actor=actor, warnings=form.warnings, is_pkp=data["is_pkp"],
                                      **fields)
    elif step == "documents":
        sppkp = form.uploads.pop("sppkp", None)
        for kind, upload in form.uploads.items():
            services.shop_save_document(shop=shop, actor=actor, kind=kind, upload=upload)
        if sppkp:
            services.shop_tax_declare(shop=shop, actor=actor, kind=ShopTaxDeclaration.Kind.PKP, upload=sppkp)
    elif shop.status == Shop.Status.VERIFIED:
        services.shop_bank_change_request(shop=shop, actor=actor, bank=data["bank"], number=data["number"],
                                          holder_name=data["holder_name"])
    else:
        services.shop_update_bank(shop=shop, actor=actor, bank=data["bank"], number=data["number"],
                                  holder_name=data["holder_name"])


@shop_view(Capability.IDENTITY)
@require_http_methods(["GET", "POST"])
def wizard_review(request, shop: Shop):
    if request.method == "POST":
        try:
            services.shop_submit(shop=shop, actor=request.user)
        except services.ShopStateError as error:
            return _conflict(request, shop, error)
        messages.success(request, _("Pendaftaran terkirim ke verifikator."))
        return redirect("vendors:status", shop_id=shop.pk)
    shop = selectors.shop_review_detail(shop_id=shop.pk)
    return render(request, "vendors/step_review.html", _step_context(
        shop, "review", missing=services.shop_missing_steps(shop=shop), reasons=selectors.shop_revision_reasons(
            shop=shop), identity=getattr(shop, "identity", None), bank=getattr(shop, "bank_account", None)))


@shop_view(Capability.STATUS)
@require_GET
def shop_status(request, shop: Shop):
    reasons = selectors.shop_revision_reasons(shop=shop)
    flagged = [(REVIEW_FIELDS[key][0], text, REVIEW_FIELDS[key][1]) for key, text in reasons.items()
               if key in REVIEW_FIELDS]
    return render(request, "vendors/status.html", {
        "shop": shop, "flagged": flagged, "events": shop.events.select_related("actor")[:20],
        "missing": services.shop_missing_steps(shop=shop) if shop.status in services.EDITABLE else [],
    })


@login_required
@require_GET
@xframe_options_sameorigin
@csp_override({**settings.SECURE_CSP, "frame-ancestors": ["'self'"]})
@private_document_view
def document_file(request, shop_id: int, document_id: int):
    """Stream a private document to the shop's members and verifikator; everyone else gets a 404.
    ``?pratinjau=1``: a PDF's first page as a PNG (made by the worker), for the console."""
    document = selectors.shop_document_for(user=request.user, shop_id=shop_id, document_id=document_id)
    preview = request.GET.get("pratinjau") == "1"
    if preview and not document.preview:
        raise Http404
    stored = document.preview if preview else document.file
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    shop = document.shop
    allowed = ((Purpose.VERIFICATION, Purpose.BANK_CHECK) if request.user.is_verifikator else (Purpose.OWNER,))
    document_access_record(request=request, document=document, kind=document.kind, subject=shop.name,
                           purpose=purpose_pick(request, allowed=allowed), owner=shop.owner, shop=shop)
    response = FileResponse(handle, content_type="image/png" if preview else document.content_type)
    media_headers(response, stored.name)  # nosniff; a PDF is an attachment, only an image is shown inline
    name = document.original_name.rsplit(".", 1)[0] + "-hal1.png" if preview else document.original_name
    disposition = response.get("Content-Disposition", "inline")
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@shop_view(Capability.MEMBERS)
@require_http_methods(["GET", "POST"])
def shop_members(request, shop: Shop):
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.shop_member_invite(shop=shop, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("email", error)
            else:
                messages.success(request, _("Undangan terkirim ke %(email)s.") % form.cleaned_data)
                return redirect("vendors:members", shop_id=shop.pk)
        status = 422
    return render(request, "vendors/members.html", {
        "shop": shop, "form": form, "members": shop.members.select_related("user").order_by("created_at"),
        "invitations": shop.invitations.filter(accepted_at__isnull=True)}, status=status)


@shop_view(Capability.MEMBERS)
@require_POST
def shop_member_remove(request, shop: Shop, member_id: int):
    try:
        services.shop_member_remove(shop=shop, actor=request.user, member_id=member_id)
    except services.ShopStateError as error:
        return _conflict(request, shop, error)
    messages.success(request, _("Anggota dikeluarkan."))
    return redirect("vendors:members", shop_id=shop.pk)


@login_required
@require_GET
def seller_legacy(request, *, capability: str, section: str, rest: str = "", locate=None):
    """An old seller URL without the shop in it (a bookmark, an older notification): open the same page in the shop
    it belongs to — the one `locate(rest=...)` finds, the one named by ?toko=<slug>, or the person's only shop
    with that capability; otherwise the seller home, to pick one."""
    shops = selectors.shop_scope(user=request.user, capability=capability)
    query = request.GET.copy()
    if slug := query.pop("toko", [""])[0]:
        shops = shops.filter(slug=slug)
    if rest and locate is not None and (located := locate(rest=rest)) is not None:
        shops = shops.filter(pk=located)  # the shop of the order/product the old path names, if it is theirs
    shop_ids = list(shops.values_list("pk", flat=True)[:2])
    if len(shop_ids) != 1:
        messages.info(request, _("Pilih toko yang ingin Anda buka.") if shop_ids else _(
            "Halaman itu milik toko yang tidak bisa Anda buka dengan peran Anda."))
        return redirect("vendors:seller_home")
    target = f"/penjual/{shop_ids[0]}/{section}/{rest}"
    return redirect(f"{target}?{query.urlencode()}" if query else target)


# ---- verification console -------------------------------------------------------------------------------------

@verifikator_required
@require_GET
def console_queue(request):
    status = request.GET.get("status", Shop.Status.SUBMITTED)
    if status and status not in Shop.Status.values:
        status = Shop.Status.SUBMITTED
    kabkota = request.GET.get("kabkota", "")
    try:
        min_days = max(0, int(request.GET.get("min_days") or 0))
    except ValueError:
        min_days = 0
    shops = selectors.verification_queue(status=status, kabkota=kabkota, min_days=min_days)
    kabkotas = Region.objects.filter(parent_id="36", level=Region.Level.KABKOTA)
    return render(request, "vendors/console_queue.html", {
        "shops": shops, "status": status, "kabkota": kabkota, "min_days": min_days, "kabkotas": kabkotas,
        "statuses": Shop.Status.choices})


@verifikator_required
@require_GET
def console_shop(request, shop_id: int):
    shop = selectors.shop_review_detail(shop_id=shop_id)
    return render(request, "vendors/console_shop.html", _console_context(shop))


def _console_context(shop: Shop, **forms) -> dict:
    documents = {doc.kind: doc for doc in shop.documents.all()}
    return {
        "shop": shop, "identity": getattr(shop, "identity", None), "bank": getattr(shop, "bank_account", None),
        "doc_rows": [(kind, label, documents.get(kind)) for kind, label in ShopDocument.Kind.choices],
        "sppkp": selectors.shop_sppkp(shop=shop),
        "checklist": CHECKLIST,
        "revision_form": forms.get("revision_form") or RevisionForm(),
        "reason_form": forms.get("reason_form") or ReasonForm(), "failed_action": forms.get("failed_action", ""),
        "decision_errors": forms.get("decision_errors", []),
        "events": shop.events.all(),
    }


@verifikator_required
@require_POST
def console_action(request, shop_id: int, action: str):
    shop = get_object_or_404(Shop, pk=shop_id)
    actor = request.user
    try:
        if action == "verify":
            ticked = set(request.POST.getlist("check"))
            if ticked != {key for key, _label in CHECKLIST}:
                return _console_invalid(request, shop_id, action)
            services.shop_verify(shop=shop, actor=actor, note=_("Daftar periksa lengkap."))
        elif action == "reinstate":
            services.shop_reinstate(shop=shop, actor=actor, note=request.POST.get("note", "")[:1000])
        elif action == "request_revision":
            form = RevisionForm(request.POST)
            if not form.is_valid():
                return _console_invalid(request, shop_id, action, revision_form=form)
            services.shop_request_revision(shop=shop, actor=actor, reasons=form.reasons,
                                           note=form.cleaned_data["note"])
        elif action in ("reject", "suspend"):
            form = ReasonForm(request.POST)
            if not form.is_valid():
                return _console_invalid(request, shop_id, action, reason_form=form)
            service = services.shop_reject if action == "reject" else services.shop_suspend
            service(shop=shop, actor=actor, reason=form.cleaned_data["reason"])
        else:
            raise Http404
    except services.ShopStateError as error:
        return _conflict(request, shop, error)
    messages.success(request, _("Keputusan tersimpan dan pemilik toko diberi tahu."))
    # Its own fragment: the form's #decide would otherwise carry over and hide the message at the top.
    return redirect(reverse("vendors:console_shop", args=[shop.pk]) + "#main")


def _console_invalid(request, shop_id: int, action: str, **forms):
    """The console again with what was wrong listed at the top of the decision form (the form's #decide anchor
    scrolls there; the list is an alert for screen readers)."""
    shop = selectors.shop_review_detail(shop_id=shop_id)
    if action == "verify":
        errors = [_("Centang semua butir daftar periksa sebelum memverifikasi.")]
    else:
        form = forms.get("revision_form") or forms.get("reason_form")
        errors = [*form.non_field_errors(), *(
            f"{form.fields[name].label}: {message}" for name, messages_ in form.errors.items() if name != "__all__"
            for message in messages_)]
    return render(request, "vendors/console_shop.html",
                  _console_context(shop, failed_action=action, decision_errors=errors, **forms), status=422)


@verifikator_required
@require_GET
def console_bank_changes(request):
    return render(request, "vendors/console_bank_changes.html", {"changes": selectors.bank_changes_pending()})


@verifikator_required
@require_POST
def console_bank_change_decide(request, change_id: int, decision: str):
    if decision not in ("setujui", "tolak"):
        raise Http404
    get_object_or_404(ShopBankChange, pk=change_id)
    reason = request.POST.get("reason", "")[:300]
    try:
        services.shop_bank_change_decide(change_id=change_id, actor=request.user, approve=decision == "setujui",
                                         reason=reason)
    except ValidationError as error:
        return render(request, "vendors/console_bank_changes.html", {
            "changes": selectors.bank_changes_pending(), "error_change": change_id, "error": error.messages[0]},
            status=422)
    except services.ShopStateError as error:
        return render(request, "vendors/console_bank_changes.html",
                      {"changes": selectors.bank_changes_pending(), "conflict": str(error)}, status=409)
    messages.success(request, _("Keputusan tersimpan dan pemilik toko diberi tahu."))
    return redirect("vendors:console_bank_changes")


@verifikator_required
@require_GET
def console_numbers(request):
    numbers = selectors.verification_numbers()
    top = max([row["total"] for row in numbers["by_kabkota"]] + [1])
    for row in numbers["by_kabkota"]:
        row["percent"] = round(100 * row["total"] / top)
    status_top = max(list(numbers["by_status"].values()) + [1])
    by_status = [(label, numbers["by_status"][value], round(100 * numbers["by_status"][value] / status_top))
                 for value, label in Shop.Status.choices]
    backup = backup_last_good()
    return render(request, "vendors/console_numbers.html", {
        "numbers": numbers, "by_status": by_status, "backup": backup, "backup_stale": backup_is_stale(last=backup)})



@shop_view(Capability.IDENTITY)
@require_POST
def shop_tax_declare(request, shop: Shop):
    """The seller files a tax document from its tax page (payments:shop_tax); 422 with the message when bad."""
    form = TaxDeclarationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.shop_tax_declare(shop=shop, actor=request.user, kind=form.cleaned_data["kind"],
                                      upload=form.upload, year=form.cleaned_data["year"])
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        problems = "; ".join(message for messages_ in form.errors.values() for message in messages_)
        messages.error(request, problems)
        response = redirect("payments:shop_tax", shop_id=shop.pk)
        response.status_code = 303
        return response
    messages.success(request, _("Dokumen pajak dikirim ke verifikator Pemprov."))
    return redirect("payments:shop_tax", shop_id=shop.pk)


@login_required
@require_GET
@private_document_view
def tax_declaration_file(request, declaration_id: int):
    """The tax document itself, for its shop's members and the verifikator; a 404 for anyone else."""
    declaration = selectors.tax_declaration_for(user=request.user, declaration_id=declaration_id)
    try:
        handle = declaration.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    shop = declaration.shop
    allowed = (Purpose.VERIFICATION,) if request.user.is_verifikator else (Purpose.OWNER,)
    document_access_record(request=request, document=declaration, kind=declaration.kind, subject=shop.name,
                           purpose=purpose_pick(request, allowed=allowed), owner=shop.owner, shop=shop)
    response = FileResponse(handle, content_type=declaration.content_type)
    media_headers(response, declaration.file.name)
    disposition = response.get("Content-Disposition", "inline")
    response["Content-Disposition"] = f'{disposition}; filename="{declaration.original_name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@verifikator_required
@require_GET
def console_tax_declarations(request):
    return render(request, "vendors/console_tax_declarations.html",
                  {"declarations": selectors.tax_declarations_pending()})


@verifikator_required
@require_POST
def console_tax_declaration_decide(request, declaration_id: int, decision: str):
    if decision not in ("setujui", "tolak"):
        raise Http404
    get_object_or_404(ShopTaxDeclaration, pk=declaration_id)
    try:
        services.shop_tax_declaration_decide(declaration_id=declaration_id, actor=request.user,
                                             approve=decision == "setujui", reason=request.POST.get("reason", ""))
    except ValidationError as error:
        return render(request, "vendors/console_tax_declarations.html", {
            "declarations": selectors.tax_declarations_pending(), "error_declaration": declaration_id,
            "error": error.messages[0]}, status=422)
    except services.ShopStateError as error:
        return render(request, "vendors/console_tax_declarations.html",
                      {"declarations": selectors.tax_declarations_pending(), "conflict": str(error)}, status=409)
    messages.success(request, _("Keputusan tersimpan dan pemilik toko diberi tahu."))
    return redirect("vendors:console_tax_declarations")
