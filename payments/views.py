import re
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders import selectors as order_selectors
from orders.models import CheckoutGroup
from plazabanten.money import format_rupiah
from vendors.decorators import shop_view
from vendors.models import Capability, Shop, ShopBankAccount
from vendors.selectors import bank_change_latest

from . import selectors
from .documents import bukti_potong_pdf, credit_note_pdf
from .forms import BANK_NAMES, MethodForm, PayoutForm
from .gateways.base import GatewayError
from .ledger import ledger_check_invariants, shop_balances
from .models import CreditNote, OrderTax, Payment, Payout, SuspenseItem, TaxDeposit
from .qris import qris_png, qris_svg
from .services import (
    PaymentError,
    TaxError,
    payment_start,
    payout_request,
    suspense_refund,
    tax_deposit_record,
    webhook_receive,
)
from .simulator import ACTIONS, sandbox_payout_finish, simulator_act

MAX_WEBHOOK_BYTES = 256 * 1024


def _sandbox_only():
    if settings.PAYMENT_GATEWAY != "sandbox":
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def pay_page(request, pk):
    group = get_object_or_404(CheckoutGroup.objects.prefetch_related("orders__shop"), pk=pk, buyer=request.user)
    form = MethodForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            method, channel = form.method_and_channel()
            try:
                attempt = payment_start(group_id=group.pk, buyer=request.user, method=method, channel=channel)
            except PaymentError as error:
                messages.error(request, str(error))
                return redirect("payments:pay", pk=group.pk)
            return redirect(f"{reverse('payments:pay', args=[group.pk])}?ref={attempt.attempt_ref}")
        status = 400
    else:
        status = 200
    payment = selectors.payment_of_buyer(user=request.user, group_id=group.pk)
    attempt = None
    if payment is not None:
        attempt = (payment.attempts.filter(attempt_ref=request.GET.get("ref", "")).first()
                   or payment.attempts.first())
    return render(request, "payments/pay.html",
                  {"group": group, "payment": payment, "attempt": attempt, "form": form, "banks": BANK_NAMES,
                   "sandbox": settings.PAYMENT_GATEWAY == "sandbox"}, status=status)


@login_required
@require_GET
def pay_status(request, pk):
    """The htmx poll: a small fragment; once paid it carries no trigger, so the polling stops."""
    payment = selectors.payment_of_buyer(user=request.user, group_id=pk)
    if payment is None:
        raise Http404
    response = render(request, "payments/_status.html", {"payment": payment, "group": payment.group})
    if request.headers.get("HX-Request") and payment.status != Payment.Status.PENDING:
        response["HX-Refresh"] = "true"  # the QR/VA and the method choice go away: reload the whole page
    return response


@login_required
@require_GET
def qr_image(request, ref, png=False):
    """The QR of the buyer's own QRIS charge: an SVG for the page, a PNG download for "Simpan QR"."""
    attempt = selectors.attempt_of_buyer(user=request.user, attempt_ref=ref)
    if attempt is None or not attempt.qr_string:
        raise Http404
    if png:
        response = HttpResponse(qris_png(attempt.qr_string), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="QRIS-Plaza-Banten-{attempt.attempt_ref}.png"'
    else:
        response = HttpResponse(qris_svg(attempt.qr_string), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@csrf_exempt
@require_POST
def webhook(request, provider):
    """Gateway notifications: never a redirect, never CSRF; 503 on a transient failure so the gateway retries."""
    if provider != settings.PAYMENT_GATEWAY:
        raise Http404
    if len(request.body) > MAX_WEBHOOK_BYTES:
        return JsonResponse({"result": "too large"}, status=413)
    headers = {key: value for key, value in request.headers.items() if key.lower() != "cookie"}
    try:
        outcome = webhook_receive(provider=provider, headers=headers, raw_body=request.body,
                                  remote_ip=request.META.get("REMOTE_ADDR"))
    except (DatabaseError, GatewayError):
        return JsonResponse({"result": "retry later"}, status=503)
    return JsonResponse({"result": outcome.result}, status=outcome.status)


@login_required
@require_http_methods(["GET", "POST"])
def sandbox_simulator(request, ref):
    _sandbox_only()
    attempt = selectors.attempt_of_buyer(user=request.user, attempt_ref=ref)
    if attempt is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponse(_("Aksi tidak dikenal."), status=400)
        simulator_act(attempt_ref=ref, action=action,
                      webhook_url=settings.PB_BASE_URL + reverse("payments:webhook", args=["sandbox"]))
        messages.success(request, _("Simulasi dikirim: %(action)s") % {"action": ACTIONS[action]})
        return redirect(f"{reverse('payments:pay', args=[attempt.payment.group_id])}?ref={ref}")
    return render(request, "payments/simulator.html", {"attempt": attempt, "actions": ACTIONS})


@login_required
@require_GET
def sandbox_ewallet(request, ref):
    """Stands in for the GoPay/ShopeePay app the buyer would be sent to."""
    _sandbox_only()
    attempt = selectors.attempt_of_buyer(user=request.user, attempt_ref=ref)
    if attempt is None:
        raise Http404
    return render(request, "payments/ewallet.html", {"attempt": attempt})


@login_required
@require_POST
def sandbox_card_token(request):
    """Stands in for Midtrans' GET /v2/token, which the card form's script calls from the browser: the card
    number goes to the gateway, and only the token (naming the masked card) comes back to the page."""
    _sandbox_only()
    from django.utils import timezone

    from .gateways.sandbox import sandbox_card_token as token

    answer = token(card_number=request.POST.get("card_number", ""), exp_month=request.POST.get("card_exp_month", ""),
                   exp_year=request.POST.get("card_exp_year", ""), cvv=request.POST.get("card_cvv", ""),
                   today=timezone.localdate())
    return JsonResponse(answer, status=200 if answer["status_code"] == "200" else 400)


@require_http_methods(["GET", "POST"])
def sandbox_3ds(request, transaction_id):
    """The card issuer's 3-D Secure page (sandbox): the OTP 112233 passes a 3DS test card; then the charge is
    captured or denied, the signed notification goes to our webhook (as Midtrans sends it) and the browser
    goes back to the shop's page. Like a bank's page, it is reached by its unguessable address only."""
    _sandbox_only()
    from urllib.parse import urlsplit

    from django.utils.http import url_has_allowed_host_and_scheme

    from plazabanten.services import task_enqueue

    from .gateways.sandbox import SANDBOX_OTP, sandbox_3ds_finish, sandbox_status_body
    from .models import SandboxCharge
    from .tasks import sandbox_notify

    charge = get_object_or_404(SandboxCharge, transaction_id=transaction_id, payment_type="credit_card")
    ours = {urlsplit(settings.PB_BASE_URL).netloc}
    back = charge.callback_url if url_has_allowed_host_and_scheme(charge.callback_url, allowed_hosts=ours) else "/"
    if request.method == "POST":
        was_pending = charge.status == "pending"
        charge = sandbox_3ds_finish(transaction_id=charge.transaction_id, otp=request.POST.get("otp", "")
                                    if request.POST.get("action") != "cancel" else "")
        if was_pending:
            body = sandbox_status_body(charge)
            url = settings.PB_BASE_URL + reverse("payments:webhook", args=["sandbox"])
            task_enqueue(sandbox_notify, url, [body])
        return redirect(back)
    return render(request, "payments/sandbox_3ds.html", {"charge": charge, "otp": SANDBOX_OTP, "back": back})


@shop_view(Capability.FINANCE)
@require_http_methods(["GET", "POST"])
def shop_balance(request, shop: Shop):
    payout_form = PayoutForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if payout_form.is_valid():
            try:
                payout_request(shop_id=shop.pk, amount=payout_form.cleaned_data["amount"], actor=request.user)
            except PaymentError as error:
                payout_form.add_error("amount", str(error))
            else:
                messages.success(request, _("Pencairan diajukan."))
                return redirect("payments:shop_balance", shop_id=shop.pk)
        status = 400
    return render(request, "payments/shop_balance.html", {
        "shop": shop, "balances": shop_balances(shop_id=shop.pk), "account": ShopBankAccount.objects.filter(
            shop=shop).first(), "bank_change": bank_change_latest(shop=shop), "payout_form": payout_form,
        "history": selectors.shop_history_with_taxes(shop_id=shop.pk), "payouts": shop.payouts.all()[:20],
        "clawbacks": selectors.clawbacks_of_shop(shop_id=shop.pk)[:20],
        "sandbox": settings.PAYMENT_GATEWAY == "sandbox"}, status=status)


@shop_view(Capability.FINANCE)
@require_POST
def sandbox_payout(request, shop: Shop, pk, outcome):
    _sandbox_only()
    payout = get_object_or_404(Payout, pk=pk, shop=shop, status=Payout.Status.PROCESSING)
    sandbox_payout_finish(payout_id=payout.pk, ok=outcome == "berhasil")
    return redirect("payments:shop_balance", shop_id=shop.pk)


def _finance_staff(request) -> None:
    """Pemprov finance: staff accounts and verifikators; anyone else gets a 404."""
    if not (request.user.is_staff or request.user.is_verifikator):
        raise Http404


@login_required
@require_GET
def finance(request):
    """For Pemprov finance staff: money per account, the ledger invariants checked now, money in suspense with
    its "Kembalikan dana" action, and the clawbacks that left shops with a low or negative balance."""
    _finance_staff(request)
    from django.db.models import Sum

    from .models import Posting

    totals = Posting.objects.values("account").annotate(total=Sum("amount")).order_by("account")
    return render(request, "payments/finance.html", {
        "totals": totals, "problems": ledger_check_invariants(),
        "payments": Payment.objects.values("status").annotate(total=Sum("amount")).order_by("status"),
        "suspense": selectors.suspense_items_open(), "clawbacks": selectors.clawbacks_recent()[:50],
        "negative_shops": selectors.shops_with_negative_balance()})


@login_required
@require_POST
def finance_suspense_refund(request, pk):
    """ "Kembalikan dana": send money in suspense back through the gateway (refund_execute posts the ledger)."""
    _finance_staff(request)
    item = get_object_or_404(SuspenseItem, pk=pk)
    try:
        suspense_refund(item_id=item.pk, actor=request.user)
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect("payments:finance")  # the list shows where that money stands
    messages.success(request, _("Pengembalian %(amount)s diproses.") % {"amount": format_rupiah(item.amount)})
    return redirect("payments:finance")


@login_required
@require_GET
def credit_note(request, pk):
    """The credit note of a refund as a PDF, for the order's buyer and the members of its shop (like the invoice)."""
    note = get_object_or_404(CreditNote.objects.select_related("order", "refund"), pk=pk)
    order = (order_selectors.order_of_buyer(user=request.user, number=note.order.number)
             or order_selectors.order_of_shop_side(user=request.user, number=note.order.number))
    if order is None:
        raise Http404
    note.order = order
    response = HttpResponse(credit_note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="nota-kredit-{note.number.replace("/", "-")}.pdf"'
    return response


# --- taxes ----------------------------------------------------------------------------------------------

def _month(value: str):
    """"2026-03" → date(2026, 3, 1); None when it is not a month."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        return None
    return date(int(match[1]), int(match[2]), 1)


@login_required
@require_http_methods(["GET", "POST"])
def tax_report(request, month: str = "", fmt: str = ""):
    """For the Pemprov (verifikator, staff): the month's taxed transactions with their totals beside the ledger's,
    the deposits with NTPN (and the form to record one), and the CSV / XLSX for the platform's SPT Masa. A month
    that has not ended is marked provisional."""
    from .exports import tax_report_csv, tax_report_filename, tax_report_xlsx
    from .forms import TaxDepositForm
    from .ledger import tax_payable
    from .tax import tax_period_end, tax_period_of

    _finance_staff(request)
    today = timezone.localdate()
    raw = month or request.GET.get("bulan", "")
    period = _month(raw) if raw else tax_period_of(today)
    if period is None:
        return HttpResponse(_("Bulan ditulis seperti 2026-03."), status=400, content_type="text/plain; charset=utf-8")
    provisional = tax_period_end(period) > today
    rows = selectors.tax_rows(period=period)
    if fmt:
        if fmt == "csv":
            response = HttpResponse(tax_report_csv(rows, provisional=provisional), content_type="text/csv")
        else:
            response = HttpResponse(tax_report_xlsx(rows, period=period, provisional=provisional),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = (
            f'attachment; filename="{tax_report_filename(period, provisional=provisional, extension=fmt)}"')
        return response
    form = TaxDepositForm(request.POST or None, initial={"period": f"{period:%Y-%m}"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                deposit = tax_deposit_record(actor=request.user, **form.cleaned_data)
            except TaxError as error:
                form.add_error(None, str(error))
                status = 409
                period = form.cleaned_data["period"]  # show the month the deposit was for
                provisional = tax_period_end(period) > today
                rows = selectors.tax_rows(period=period)
            else:
                messages.success(request, _("Setoran %(tax)s %(amount)s dicatat (NTPN %(ntpn)s).") % {
                    "tax": deposit.get_tax_display(), "amount": format_rupiah(deposit.amount), "ntpn": deposit.ntpn})
                return redirect(f"{reverse('payments:tax_report')}?bulan={deposit.period:%Y-%m}")
        else:
            status = 422
    return render(request, "payments/tax_report.html", {
        "period": period, "provisional": provisional, "rows": rows, "totals": selectors.tax_totals(rows),
        "ledger": selectors.tax_ledger_totals(period=period), "form": form,
        "payable": {"ppn": tax_payable(tax=TaxDeposit.Tax.PPN, period=period),
                    "pph22": tax_payable(tax=TaxDeposit.Tax.PPH22, period=period)},
        "deposits": TaxDeposit.objects.filter(period=period).select_related("recorded_by"),
        "previous": f"{period - timedelta(days=1):%Y-%m}",
        "next": f"{tax_period_end(period):%Y-%m}" if not provisional else ""}, status=status)


@shop_view(Capability.FINANCE)
@require_GET
def shop_tax(request, shop: Shop):
    """The seller's tax page: its status (PKP or not, the turnover statement) with the documents filed, the
    year's summary of tax withheld per month, and each sale's bukti potong."""
    from vendors.forms import TaxDeclarationForm

    year = timezone.localdate().year
    if request.GET.get("tahun", "").isdigit() and 2025 <= int(request.GET["tahun"]) <= year:
        year = int(request.GET["tahun"])
    months = selectors.tax_year_of_shop(shop_id=shop.pk, year=year)
    return render(request, "payments/shop_tax.html", {
        "shop": shop, "year": year, "years": range(timezone.localdate().year, 2024, -1), "months": months,
        "totals": {name: sum(month[name] for month in months) for name in ("dpp", "ppn", "pph22")},
        "sales": selectors.order_taxes_of_shop(shop_id=shop.pk).filter(rates_on__year=year)[:200],
        "declarations": shop.tax_declarations.order_by("-created_at", "-pk")[:20],
        "statement": shop.tax_declarations.filter(kind="omzet", year=timezone.localdate().year,
                                                  status="approved").exists(),
        "form": TaxDeclarationForm(initial={"year": timezone.localdate().year})})


@shop_view(Capability.FINANCE)
@require_GET
def bukti_potong(request, shop: Shop, pk: int):
    tax = get_object_or_404(OrderTax, pk=pk, shop=shop, pph22__gt=0)
    period = selectors.order_tax_period(order_id=tax.order_id)
    if period is None:  # not paid (yet): nothing was withheld
        raise Http404
    response = HttpResponse(bukti_potong_pdf(tax, period=period), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bukti-potong-{tax.bukti_potong_number.replace("/", "-")}.pdf"'
    return response
