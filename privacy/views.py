"""The privacy page, a person's own data (access log, download, deletion) and the Pemprov's access-log search."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from vendors.views import verifikator_required

from . import selectors, services
from .forms import AccessSearchForm, DeleteForm, PasswordConfirmForm

STEP_UP_RATE = "5/m"  # step-up password attempts per person


@require_GET
def privacy_policy(request):
    return render(request, "privacy/policy.html", {
        "dpo_email": settings.PB_DPO_EMAIL, "retention_days": settings.PB_DOCUMENT_RETENTION_DAYS})


def _my_data(request, *, export_form=None, delete_form=None, refused=None, status=200):
    return render(request, "privacy/my_data.html", {
        "export_form": export_form or PasswordConfirmForm(user=request.user, prefix="export"),
        "delete_form": delete_form or DeleteForm(user=request.user, prefix="delete"),
        "blockers": refused if refused is not None else services.account_deletion_blockers(user=request.user),
        "refused": refused is not None,
    }, status=status)


@login_required
@require_GET
def my_data(request):
    return _my_data(request)


def _throttled(request) -> bool:
    return is_ratelimited(request, group="privacy.password", key="user", rate=STEP_UP_RATE, method="POST",
                          increment=True)


@login_required
@require_POST
def my_data_export(request):
    if _throttled(request):
        return render(request, "429.html", status=429)
    form = PasswordConfirmForm(request.POST, user=request.user, prefix="export")
    if not form.is_valid():
        return _my_data(request, export_form=form, status=400)
    response = HttpResponse(selectors.user_data_export(user=request.user), content_type="application/zip")
    response["Content-Disposition"] = (f'attachment; filename="plazabanten-data-saya-'
                                       f'{timezone.localdate():%Y%m%d}.zip"')
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def my_data_delete(request):
    if _throttled(request):
        return render(request, "429.html", status=429)
    form = DeleteForm(request.POST, user=request.user, prefix="delete")
    if not form.is_valid():
        return _my_data(request, delete_form=form, status=400)
    try:
        services.account_delete(user=request.user)
    except services.AccountDeletionRefused as refusal:
        return _my_data(request, refused=refusal.reasons, status=409)
    logout(request)
    messages.success(request, _("Akun Anda sudah dihapus. Data pribadi Anda dihapus atau dianonimkan; catatan yang "
                                "wajib disimpan menurut hukum tetap ada tanpa nama Anda."))
    return redirect("catalog:home")


@login_required
@require_GET
def my_document_accesses(request):
    page = Paginator(selectors.document_accesses_of_owner(user=request.user), selectors.PAGE).get_page(
        request.GET.get("hal"))
    return render(request, "privacy/my_accesses.html", {"page": page})


@verifikator_required
@require_http_methods(["GET"])
def console_document_accesses(request):
    form = AccessSearchForm(request.GET or None)
    rows = selectors.document_accesses_search(**form.cleaned_data) if form.is_valid() else \
        selectors.document_accesses_search()
    query = request.GET.copy()
    query.pop("hal", None)
    page = Paginator(rows, selectors.PAGE).get_page(request.GET.get("hal"))
    return render(request, "privacy/console_accesses.html", {"form": form, "page": page,
                                                             "query": query.urlencode()},
                  status=200 if form.is_valid() or not request.GET else 400)
